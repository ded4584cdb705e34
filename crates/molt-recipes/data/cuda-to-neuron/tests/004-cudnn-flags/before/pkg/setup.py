import torch
import torch.backends.cudnn as cudnn
from torch.backends import cudnn as cd

from .config import Config


def setup(cfg):
    torch.backends.cudnn.benchmark = True
    torch.backends.cudnn.deterministic = False  # speed over bits
    torch.backends.cuda.matmul.allow_tf32 = True
    cudnn.enabled = True
    if cfg.fast:
        cd.benchmark = True
    return cfg
