import torch

from .config import Config


def setup(cfg):
    if cfg.fast:
        pass
    return cfg
