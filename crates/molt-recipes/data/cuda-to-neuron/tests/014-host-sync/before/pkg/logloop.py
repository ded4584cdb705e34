import torch

from .model import Net


def train(model, opt, loader, log):
    for step, (x, y) in enumerate(loader):
        loss = model(x, y)
        loss.backward()
        opt.step()
        log(step, loss.item(), model.w.cpu())
