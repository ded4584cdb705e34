"""Text generation from a model, and a fixed inference pass for checks."""

import argparse

import torch
from torch.nn import functional as F

from .config import tiny
from .data import decode, encode
from .model import GPT


@torch.no_grad()
def generate(model, idx, max_new_tokens, temperature=1.0, top_k=None):
    """Extends `idx` (batch, time) by `max_new_tokens`; greedy when `temperature` is 0."""
    for _ in range(max_new_tokens):
        block = model.config.block_size
        idx_cond = idx if idx.size(1) <= block else idx[:, -block:]
        logits, _ = model(idx_cond)
        logits = logits[:, -1, :]
        if temperature == 0:
            idx_next = torch.argmax(logits, dim=-1, keepdim=True)
        else:
            logits = logits / temperature
            if top_k is not None:
                v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
                logits[logits < v[:, [-1]]] = -float("Inf")
            probs = F.softmax(logits, dim=-1)
            idx_next = torch.multinomial(probs, num_samples=1)
        idx = torch.cat((idx, idx_next), dim=1)
    return idx


def load_model(cfg, checkpoint=None):
    """The model from a checkpoint, or freshly initialised from the seed."""
    torch.manual_seed(cfg.seed)
    model = GPT(cfg.model)
    if checkpoint is not None:
        state = torch.load(checkpoint, map_location="cuda")
        model.load_state_dict(state["model"])
    model = model.cuda()
    model.eval()
    return model


def infer(cfg, prompt, max_new_tokens, checkpoint=None):
    """The logits of the prompt's last position and the greedy continuation."""
    model = load_model(cfg, checkpoint)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    idx = torch.tensor([encode(prompt)], dtype=torch.long, device=device)
    with torch.no_grad():
        logits, _ = model(idx)
    out = generate(model, idx, max_new_tokens, temperature=0)
    torch.cuda.synchronize()
    return logits[0, -1].float().cpu(), out[0].tolist()


def main(argv=None):
    parser = argparse.ArgumentParser(description="generate text with tinytrain's GPT")
    parser.add_argument("--prompt", default="the quick ")
    parser.add_argument("--tokens", type=int, default=8)
    parser.add_argument("--checkpoint", default=None)
    args = parser.parse_args(argv)
    logits, tokens = infer(tiny(), args.prompt, args.tokens, args.checkpoint)
    print("logits " + " ".join("%.5f" % v for v in logits.tolist()[:8]))
    print("text " + repr(decode(tokens)))


if __name__ == "__main__":
    main()
