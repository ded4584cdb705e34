import argparse

import torch

from .model import Net
from . import molt_device

DEVICE = molt_device.device()


def pick(rank, use_gpu, device=molt_device.device()):
    first = molt_device.device(0)
    mine = molt_device.device(rank)
    other = molt_device.device(rank)
    chosen = molt_device.device()
    wanted = molt_device.device() if use_gpu else "cpu"
    x = torch.zeros(4, device=molt_device.device())
    y = x.to(molt_device.device(1))
    state = torch.load("w.pt", map_location=molt_device.map_location())
    if device == "cuda":
        print("on a GPU")
    return first, mine, other, chosen, wanted, y, state


def cli():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default=molt_device.device())
    return parser
