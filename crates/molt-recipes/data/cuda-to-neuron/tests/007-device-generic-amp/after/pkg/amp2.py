import torch

from .model import Net
from . import molt_device


@molt_device.autocast()
def forward(model, x):
    return model(x)


def run(model, x):
    scaler = molt_device.GradScaler()
    plain = molt_device.GradScaler()
    with molt_device.autocast(dtype=torch.bfloat16):
        a = model(x)
    with molt_device.autocast(enabled=True):
        b = model(x)
    with molt_device.autocast():
        c = model(x)
    return scaler, plain, a, b, c
