import torch

from .util import log


def report(seed):
    torch.manual_seed(seed)
    torch.cuda.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)
    if torch.cuda.is_available():
        torch.cuda.set_device(0)
    n = torch.cuda.device_count()
    torch.cuda.synchronize()
    torch.cuda.empty_cache()
    peak = torch.cuda.max_memory_allocated() / 2**30
    torch.cuda.reset_peak_memory_stats()
    log(torch.cuda.memory_summary(abbreviated=True))
    log(torch.cuda.get_device_name(0))
    stream = torch.cuda.Stream()
    return n, peak, stream
