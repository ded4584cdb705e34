import torch

from . import molt_device


def f(x):
    return molt_device.to_device(x)
