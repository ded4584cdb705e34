import torch

from .model import Net
from . import molt_device


def fit(model, x, opt, use_amp):
    scaler = molt_device.GradScaler(enabled=use_amp)
    with molt_device.autocast(enabled=use_amp, dtype=torch.float16):
        loss = model(x).mean()
    scaler.scale(loss).backward()
    with molt_device.autocast():
        extra = model(x)
    return loss, extra
