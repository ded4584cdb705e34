"""Model and training configurations."""

from dataclasses import dataclass, field


@dataclass
class ModelConfig:
    vocab_size: int = 64
    block_size: int = 16
    n_layer: int = 2
    n_head: int = 2
    n_embd: int = 32
    dropout: float = 0.0
    bias: bool = True


@dataclass
class TrainConfig:
    model: ModelConfig = field(default_factory=ModelConfig)
    seed: int = 1337
    batch_size: int = 8
    epochs: int = 1
    max_steps: int = 8
    lr: float = 3e-3
    weight_decay: float = 0.1
    grad_clip: float = 1.0
    amp: bool = True
    compile: bool = False
    log_every: int = 1


def tiny(**overrides) -> TrainConfig:
    """The configuration the tests use: trains in seconds on a CPU."""
    cfg = TrainConfig()
    for key, value in overrides.items():
        setattr(cfg, key, value)
    return cfg
