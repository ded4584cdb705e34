import torch

from .model import Net
from . import molt_device


@molt_device.compile
def fused(x):
    return x * 2


def finish(model, path):
    fast = molt_device.compile(model)
    tuned = molt_device.compile(model, mode="max-autotune", fullgraph=True)
    molt_device.save(model.state_dict(), path)
    molt_device.save({"model": model.state_dict()}, path + ".full")
    return fast, tuned
