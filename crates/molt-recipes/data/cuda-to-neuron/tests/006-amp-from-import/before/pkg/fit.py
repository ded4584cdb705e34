import torch
from torch.cuda import amp as cuda_amp
from torch.cuda.amp import GradScaler as Scaler, autocast as ac

from .model import Net


def fit(model, x, opt, use_amp):
    scaler = Scaler(enabled=use_amp)
    with ac(enabled=use_amp, dtype=torch.float16):
        loss = model(x).mean()
    scaler.scale(loss).backward()
    with cuda_amp.autocast():
        extra = model(x)
    return loss, extra
