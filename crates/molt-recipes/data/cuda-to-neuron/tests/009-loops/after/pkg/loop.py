import torch
from torch.utils.data import DataLoader

from .data import Data
from . import molt_device


def train(model, optimizer, data, accum):
    train_dl = DataLoader(data, batch_size=4, pin_memory=molt_device.pin_memory(), shuffle=True)
    for x, y in molt_device.device_loader(train_dl):
        loss = model(x, y)
        loss.backward()
        optimizer.step()  # one step
        molt_device.sync()
        optimizer.zero_grad()
    for i, (x, y) in enumerate(molt_device.device_loader(train_dl)):
        loss = model(x, y) / accum
        loss.backward()
        if (i + 1) % accum == 0:
            optimizer.step()
            optimizer.zero_grad()


@torch.no_grad()
def evaluate(model, val_loader):
    total = 0
    for x, y in molt_device.device_loader(val_loader):
        total += model(x, y)
    return total
