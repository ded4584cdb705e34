import torch
import torch.nn as nn

from .model import Net


def place(rank, device):
    model = Net().cuda()
    head = nn.Linear(4, 4)
    head.to(device)
    head.to("cuda")
    x = torch.randn(2, 4).cuda(non_blocking=True)
    y = torch.ones(2).cuda(rank)
    z = torch.zeros(3, device="cuda").cuda()
    w = x.to(device)
    return model, head, x, y, z, w
