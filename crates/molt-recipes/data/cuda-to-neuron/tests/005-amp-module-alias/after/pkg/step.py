import torch

from .model import Net
from . import molt_device


def step(model, x, opt):
    scaler = molt_device.GradScaler()
    with molt_device.autocast():
        loss = model(x).sum()
    scaler.scale(loss).backward()
    scaler.step(opt)
    scaler.update()
    return loss
