import torch

from .model import Net
from . import molt_device


def build(lr):
    model = Net()
    molt_device.to_device(model)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    return model, optimizer


def build_maybe(lr, gpu):
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    if gpu:
        molt_device.to_device(net)
    return net, opt
