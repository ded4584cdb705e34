import torch

from .model import Net
from . import molt_device


def train(model, opt, loader, log):
    for step, (x, y) in enumerate(molt_device.device_loader(loader)):
        loss = model(x, y)
        loss.backward()
        opt.step()
        molt_device.sync()
        log(step, loss.item(), model.w.cpu())
