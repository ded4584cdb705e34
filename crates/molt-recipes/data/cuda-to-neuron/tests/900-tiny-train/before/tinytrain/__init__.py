"""tinytrain: a small GPT-style language model, its training loop and a
generate function, written for a CUDA machine."""

__version__ = "0.1.0"
