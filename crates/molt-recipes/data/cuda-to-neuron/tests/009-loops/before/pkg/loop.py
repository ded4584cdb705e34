import torch
from torch.utils.data import DataLoader

from .data import Data


def train(model, optimizer, data, accum):
    train_dl = DataLoader(data, batch_size=4, pin_memory=True, shuffle=True)
    for x, y in train_dl:
        loss = model(x, y)
        loss.backward()
        optimizer.step()  # one step
        optimizer.zero_grad()
    for i, (x, y) in enumerate(train_dl):
        loss = model(x, y) / accum
        loss.backward()
        if (i + 1) % accum == 0:
            optimizer.step()
            optimizer.zero_grad()


@torch.no_grad()
def evaluate(model, val_loader):
    total = 0
    for x, y in val_loader:
        total += model(x, y)
    return total
