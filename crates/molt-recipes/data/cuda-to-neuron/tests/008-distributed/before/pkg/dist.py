import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel

from .model import Net


def worker(rank, world_size):
    dist.init_process_group("nccl", rank=rank, world_size=world_size)
    model = Net()
    ddp = DistributedDataParallel(model, device_ids=[rank], output_device=rank)
    return ddp


def main():
    torch.distributed.init_process_group(backend="nccl", init_method="env://")
    mp.spawn(worker, args=(2,), nprocs=2)
    single = nn.DataParallel(Net())
    return single
