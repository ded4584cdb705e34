import torch
import torch.distributed as dist
import torch.multiprocessing as mp
import torch.nn as nn
from torch.nn.parallel import DistributedDataParallel

from .model import Net
from . import molt_device


def worker(rank, world_size):
    dist.init_process_group(molt_device.dist_backend(), rank=rank, world_size=world_size)
    model = Net()
    ddp = DistributedDataParallel(model)
    return ddp


def main():
    torch.distributed.init_process_group(backend=molt_device.dist_backend(), init_method="env://")
    mp.spawn(worker, args=(2,), nprocs=2)
    single = nn.DataParallel(Net())
    return single
