"""Training: one process per GPU, DistributedDataParallel over NCCL when
launched with torchrun, mixed precision with a gradient scaler."""

import argparse
import os

import torch
import torch.distributed as dist
from torch.cuda.amp import GradScaler, autocast
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.utils.data import DataLoader
from torch.utils.data.distributed import DistributedSampler

from .config import tiny
from .data import CharDataset
from .model import GPT


def setup_distributed():
    """Rank, world size and this process's GPU."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if world_size > 1:
        local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        dist.init_process_group(backend="nccl")
        torch.cuda.set_device(local_rank)
        device = f"cuda:{local_rank}"
    else:
        local_rank = 0
        device = "cuda"
    return rank, local_rank, world_size, device


def make_loader(cfg, world_size, rank):
    dataset = CharDataset(cfg.model.block_size)
    generator = torch.Generator().manual_seed(cfg.seed)
    sampler = None
    if world_size > 1:
        sampler = DistributedSampler(dataset, num_replicas=world_size, rank=rank, seed=cfg.seed)
    return DataLoader(
        dataset,
        batch_size=cfg.batch_size,
        shuffle=sampler is None,
        sampler=sampler,
        generator=generator,
        drop_last=True,
        num_workers=0,
        pin_memory=True,
    )


def train(cfg, out_dir=None, verbose=True):
    """Trains for `cfg.max_steps` steps; returns the loss of every step."""
    rank, local_rank, world_size, device = setup_distributed()
    torch.backends.cudnn.benchmark = True
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.backends.cudnn.allow_tf32 = True
    torch.manual_seed(cfg.seed)
    torch.cuda.manual_seed_all(cfg.seed)

    model = GPT(cfg.model)
    optimizer = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    model.cuda()
    if cfg.compile:
        model = torch.compile(model, mode="reduce-overhead")
    if world_size > 1:
        model = DDP(model, device_ids=[local_rank])
    scaler = GradScaler(enabled=cfg.amp)
    loader = make_loader(cfg, world_size, rank)

    losses = []
    step = 0
    model.train()
    for epoch in range(cfg.epochs):
        if world_size > 1:
            loader.sampler.set_epoch(epoch)
        for x, y in loader:
            if step >= cfg.max_steps:
                break
            x = x.cuda(non_blocking=True)
            y = y.to(device, non_blocking=True)
            with autocast(enabled=cfg.amp, dtype=torch.float16):
                _, loss = model(x, y)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
            scaler.step(optimizer)
            scaler.update()
            losses.append(loss.detach())
            if verbose and rank == 0 and step % cfg.log_every == 0:
                print(f"step {step} loss {loss.item():.4f}", flush=True)
            step += 1
    torch.cuda.synchronize()
    if out_dir is not None and rank == 0:
        os.makedirs(out_dir, exist_ok=True)
        raw = model.module if world_size > 1 else model
        checkpoint = {"model": raw.state_dict(), "optimizer": optimizer.state_dict(), "step": step}
        torch.save(checkpoint, os.path.join(out_dir, "ckpt.pt"))
    if world_size > 1:
        dist.destroy_process_group()
    return [float(l) for l in losses], model


def main(argv=None):
    parser = argparse.ArgumentParser(description="train tinytrain's GPT on its small text")
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--no-amp", action="store_true")
    parser.add_argument("--compile", action="store_true")
    parser.add_argument("--out-dir", default=None)
    args = parser.parse_args(argv)
    cfg = tiny(max_steps=args.steps, amp=not args.no_amp, compile=args.compile)
    losses, _ = train(cfg, out_dir=args.out_dir)
    print("final loss %.4f" % losses[-1])


if __name__ == "__main__":
    main()
