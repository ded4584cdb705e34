"""The device this program runs on, chosen once for the whole package.

Written by molt's cuda-to-neuron recipe, which routes the program's CUDA
calls through these functions. The device is, in order:

- the one the environment variable MOLT_DEVICE names: `cpu` (CPU eager, what
  a differential check compares the accelerator run against), `xla`,
  `neuron` or `cuda`;
- TorchNeuron's native `neuron` device, when the torch_neuronx package
  provides it (Trn2 and later);
- the PyTorch/XLA device, when torch_xla can be imported (torch-neuronx on
  Trn1/Inf2 runs through it; with PJRT_DEVICE=CPU it is XLA on the CPU);
- CUDA, when a GPU is present;
- the CPU.

On XLA devices mixed precision is bfloat16 (no gradient scaling needed),
`sync()` is the step boundary (torch_xla.sync()), checkpoints are written
with xm.save, the distributed backend is `xla` and torch.compile's backend
is `openxla`.
"""

import os

import torch

_KIND = None


def _has_xla():
    try:
        import torch_xla  # noqa: F401
    except ImportError:
        return False
    return True


def _has_neuron():
    try:
        import torch_neuronx  # noqa: F401
    except ImportError:
        return False
    return hasattr(torch, "neuron") and torch.neuron.is_available()


def kind():
    """`neuron`, `xla`, `cuda` or `cpu`."""
    global _KIND
    if _KIND is None:
        forced = os.environ.get("MOLT_DEVICE", "").strip().lower()
        if forced in ("cpu", "xla", "neuron", "cuda"):
            _KIND = forced
        elif _has_neuron():
            _KIND = "neuron"
        elif _has_xla():
            _KIND = "xla"
        elif torch.cuda.is_available():
            _KIND = "cuda"
        else:
            _KIND = "cpu"
    return _KIND


def is_xla():
    return kind() == "xla"


def device(index=None):
    """The device; `index` picks a GPU on CUDA and is ignored elsewhere (one
    XLA or Neuron device per process)."""
    k = kind()
    if k == "xla":
        import torch_xla

        return torch_xla.device()
    if k == "cuda":
        if isinstance(index, torch.device):
            return index
        if isinstance(index, str):
            return torch.device(index)
        return torch.device("cuda", index) if index is not None else torch.device("cuda")
    return torch.device(k)


def device_type():
    """The device type that torch.autocast takes."""
    return kind()


def is_available():
    """Whether an accelerator (not the CPU) runs the program."""
    return kind() != "cpu"


def _tied(module):
    """Names of parameters that share one tensor, in groups of two or more."""
    groups = {}
    for name, p in module.named_parameters(remove_duplicate=False):
        groups.setdefault(id(p), []).append(name)
    return [names for names in groups.values() if len(names) > 1]


def to_device(obj, dev=None, non_blocking=False, **kwargs):
    """`obj.to(device)` for a tensor or a module. A module keeps its tied
    weights: on XLA, moving makes a new parameter per submodule, which would
    untie an output layer from its embedding."""
    target = device(dev) if dev is None or isinstance(dev, int) else dev
    if isinstance(obj, torch.nn.Module):
        tied = _tied(obj)
        obj.to(target, non_blocking=non_blocking, **kwargs)
        for names in tied:
            shared = obj.get_parameter(names[0])
            for name in names[1:]:
                owner, _, attr = name.rpartition(".")
                setattr(obj.get_submodule(owner) if owner else obj, attr, shared)
        return obj
    return obj.to(target, non_blocking=non_blocking, **kwargs)


def sync():
    """The step boundary: runs what was traced (XLA), waits for the GPU (CUDA)."""
    k = kind()
    if k == "xla":
        import torch_xla

        torch_xla.sync()
    elif k == "cuda":
        torch.cuda.synchronize()


def manual_seed(seed):
    """Seeds the device's generator (the CPU's is torch.manual_seed)."""
    k = kind()
    if k == "xla":
        import torch_xla.core.xla_model as xm

        xm.set_rng_state(int(seed))
    elif k == "cuda":
        torch.cuda.manual_seed_all(seed)


def set_device(index):
    """Picks this process's GPU on CUDA; XLA and Neuron give one device per process."""
    if kind() == "cuda":
        torch.cuda.set_device(index)


def current_device():
    return torch.cuda.current_device() if kind() == "cuda" else 0


def device_count():
    """How many devices this host offers to the program."""
    k = kind()
    if k == "cuda":
        return torch.cuda.device_count()
    if k == "xla":
        import torch_xla.runtime as xr

        return xr.addressable_runtime_device_count()
    return 1


def empty_cache():
    if kind() == "cuda":
        torch.cuda.empty_cache()


def memory(stat, *args, **kwargs):
    """A torch.cuda memory statistic (`memory_allocated`, ...): 0 off CUDA."""
    if kind() == "cuda":
        return getattr(torch.cuda, stat)(*args, **kwargs)
    return "" if stat == "memory_summary" else 0


def is_bf16_supported():
    return torch.cuda.is_bf16_supported() if kind() == "cuda" else True


def autocast(enabled=True, dtype=None, cache_enabled=None):
    """Mixed precision on this device: the given dtype on CUDA, bfloat16
    elsewhere (float16 needs a gradient scaler; bfloat16 does not)."""
    k = kind()
    if k != "cuda":
        dtype = torch.bfloat16
    elif dtype is None:
        dtype = torch.float16
    kwargs = {"dtype": dtype, "enabled": enabled}
    if cache_enabled is not None:
        kwargs["cache_enabled"] = cache_enabled
    return torch.autocast(device_type(), **kwargs)


class _NoScaler:
    """GradScaler's interface for bfloat16, which needs no loss scaling."""

    def __init__(self, enabled=True):
        self._enabled = enabled

    def scale(self, outputs):
        return outputs

    def unscale_(self, optimizer):
        pass

    def step(self, optimizer, *args, **kwargs):
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale=None):
        pass

    def get_scale(self):
        return 1.0

    def is_enabled(self):
        return False

    def state_dict(self):
        return {}

    def load_state_dict(self, state):
        pass


def GradScaler(*args, **kwargs):
    """torch's GradScaler on CUDA; elsewhere one that does not scale, since
    autocast() uses bfloat16 there."""
    if kind() == "cuda":
        return torch.amp.GradScaler("cuda", *args, **kwargs)
    return _NoScaler(kwargs.get("enabled", True))


def pin_memory():
    """Whether a DataLoader should pin host memory (only CUDA uses it)."""
    return kind() == "cuda"


def device_loader(loader):
    """Iterates `loader` with its batches on the device: MpDeviceLoader on
    XLA, which also marks a step per batch; the loader itself elsewhere."""
    if kind() == "xla":
        import torch_xla.distributed.parallel_loader as pl

        return pl.MpDeviceLoader(loader, device())
    return loader


def map_location():
    """Where torch.load should put a checkpoint's tensors: the CPU on XLA
    (load_state_dict then copies them to the device), the device elsewhere."""
    return "cpu" if kind() == "xla" else device()


def save(obj, path, *args, **kwargs):
    """torch.save; on XLA, xm.save (tensors to the CPU first, one writer)."""
    if kind() == "xla":
        import torch_xla.core.xla_model as xm

        return xm.save(obj, path)
    return torch.save(obj, path, *args, **kwargs)


def dist_backend():
    """The torch.distributed backend: `xla` on XLA, `nccl` on CUDA, `gloo` on the CPU."""
    k = kind()
    if k == "xla":
        import torch_xla.distributed.xla_backend  # noqa: F401  (registers the backend)

        return "xla"
    return "nccl" if k == "cuda" else "gloo"


def compile(model=None, **kwargs):
    """torch.compile with the `openxla` backend on XLA (the inductor's `mode`
    and `options` do not apply there)."""
    if kind() == "xla":
        kwargs.pop("mode", None)
        kwargs.pop("options", None)
        kwargs["backend"] = "openxla"
    if model is None:
        return lambda m: torch.compile(m, **kwargs)
    return torch.compile(model, **kwargs)

