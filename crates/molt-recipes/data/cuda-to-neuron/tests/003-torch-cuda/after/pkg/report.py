import torch

from .util import log
from . import molt_device


def report(seed):
    torch.manual_seed(seed)
    molt_device.manual_seed(seed)
    molt_device.manual_seed(seed)
    if molt_device.is_available():
        molt_device.set_device(0)
    n = molt_device.device_count()
    molt_device.sync()
    molt_device.empty_cache()
    peak = molt_device.memory("max_memory_allocated") / 2**30
    molt_device.memory("reset_peak_memory_stats")
    log(molt_device.memory("memory_summary", abbreviated=True))
    log(torch.cuda.get_device_name(0))
    stream = torch.cuda.Stream()
    return n, peak, stream
