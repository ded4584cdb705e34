"""A character-level dataset over a small fixed text."""

import torch
from torch.utils.data import Dataset

TEXT = (
    "the quick brown fox jumps over the lazy dog. "
    "a small model learns the shape of a short text quickly. "
    "tokens go in, logits come out, and the loss goes down. "
) * 4

VOCAB = sorted(set(TEXT))


def encode(s):
    return [VOCAB.index(c) for c in s]


def decode(ids):
    return "".join(VOCAB[i] if i < len(VOCAB) else "?" for i in ids)


class CharDataset(Dataset):
    """Every window of `block_size` characters and the window shifted by one."""

    def __init__(self, block_size):
        self.data = torch.tensor(encode(TEXT), dtype=torch.long)
        self.block_size = block_size

    def __len__(self):
        return len(self.data) - self.block_size - 1

    def __getitem__(self, i):
        chunk = self.data[i : i + self.block_size + 1]
        return chunk[:-1], chunk[1:]
