import torch
import torch.nn as nn

from .model import Net
from . import molt_device


def place(rank, device):
    model = molt_device.to_device(Net())
    head = nn.Linear(4, 4)
    molt_device.to_device(head, device)
    molt_device.to_device(head, molt_device.device())
    x = molt_device.to_device(torch.randn(2, 4), non_blocking=True)
    y = molt_device.to_device(torch.ones(2), rank)
    z = molt_device.to_device(torch.zeros(3, device=molt_device.device()))
    w = x.to(device)
    return model, head, x, y, z, w
