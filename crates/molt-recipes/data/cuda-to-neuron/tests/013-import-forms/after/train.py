"""A training script at the top of the repository."""

import torch
import molt_device

model = molt_device.to_device(torch.nn.Linear(2, 2))
