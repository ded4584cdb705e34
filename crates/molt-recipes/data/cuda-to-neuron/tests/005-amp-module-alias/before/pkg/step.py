import torch
import torch.cuda.amp as amp

from .model import Net


def step(model, x, opt):
    scaler = amp.GradScaler()
    with amp.autocast():
        loss = model(x).sum()
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    return loss
