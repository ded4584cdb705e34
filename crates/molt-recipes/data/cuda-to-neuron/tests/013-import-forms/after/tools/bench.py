import torch
try:
    from . import molt_device
except ImportError:  # run as a script
    import molt_device


def bench():
    molt_device.sync()
