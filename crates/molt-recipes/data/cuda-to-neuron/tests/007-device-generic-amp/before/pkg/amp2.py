import torch

from .model import Net


@torch.cuda.amp.autocast()
def forward(model, x):
    return model(x)


def run(model, x):
    scaler = torch.amp.GradScaler("cuda")
    plain = torch.amp.GradScaler()
    with torch.autocast("cuda", dtype=torch.bfloat16):
        a = model(x)
    with torch.autocast(device_type="cuda", enabled=True):
        b = model(x)
    with torch.amp.autocast("cuda"):
        c = model(x)
    return scaler, plain, a, b, c
