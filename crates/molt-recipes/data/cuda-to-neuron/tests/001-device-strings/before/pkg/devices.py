import argparse

import torch

from .model import Net

DEVICE = "cuda" if torch.cuda.is_available() else "cpu"


def pick(rank, use_gpu, device="cuda"):
    first = torch.device("cuda:0")
    mine = torch.device(f"cuda:{rank}")
    other = torch.device("cuda", rank)
    chosen = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    wanted = "cuda" if use_gpu else "cpu"
    x = torch.zeros(4, device="cuda")
    y = x.to("cuda:1")
    state = torch.load("w.pt", map_location="cuda")
    if device == "cuda":
        print("on a GPU")
    return first, mine, other, chosen, wanted, y, state


def cli():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda")
    return parser
