import torch


def bench():
    torch.cuda.synchronize()
