"""PyTorch reference for bench/shakespeare: the same architecture, data
order, schedule and optimizer as the Go engine run (nanoGPT's CPU
configuration with bias=False, dropout 0, tied embeddings, tanh GELU).

Run by `go run ./bench/shakespeare`; prints one JSON object on stdout.
Needs Debian's python3-torch (/usr/bin/python3).
"""
import argparse
import json
import math
import resource
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

BLOCK, BATCH, EVAL_EVERY, EVAL_BATCHES = 64, 12, 100, 20
WARMUP, LR_MAX, LR_MIN = 100, 1e-3, 1e-4
D, LAYERS, HEADS = 128, 4, 4
MASK64 = (1 << 64) - 1


class LCG:
    """The batch generator shared with main.go."""

    def __init__(self, seed):
        self.s = seed

    def next(self, n):
        self.s = (self.s * 6364136223846793005 + 1442695040888963407) & MASK64
        return (self.s >> 33) % n


class LayerNorm(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, None, 1e-5)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = LayerNorm(D), LayerNorm(D)
        self.qkv = nn.Linear(D, 3 * D, bias=False)
        self.proj = nn.Linear(D, D, bias=False)
        self.fc = nn.Linear(D, 4 * D, bias=False)
        self.fc2 = nn.Linear(4 * D, D, bias=False)
        self.register_buffer("mask", torch.tril(torch.ones(BLOCK, BLOCK)).view(1, 1, BLOCK, BLOCK))

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=2)
        q = q.view(B, T, HEADS, C // HEADS).transpose(1, 2)
        k = k.view(B, T, HEADS, C // HEADS).transpose(1, 2)
        v = v.view(B, T, HEADS, C // HEADS).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.mask[:, :, :T, :T] == 0, float("-inf"))
        y = F.softmax(att, dim=-1) @ v
        x = x + self.proj(y.transpose(1, 2).contiguous().view(B, T, C))
        return x + self.fc2(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.wte = nn.Embedding(vocab, D)
        self.wpe = nn.Embedding(BLOCK, D)
        self.blocks = nn.ModuleList([Block() for _ in range(LAYERS)])
        self.ln_f = LayerNorm(D)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * LAYERS) if name.endswith(("proj.weight", "fc2.weight")) else 0.02
                nn.init.normal_(p, mean=0.0, std=std)

    def forward(self, idx, targets):
        pos = torch.arange(idx.shape[1])
        x = self.wte(idx) + self.wpe(pos)
        for b in self.blocks:
            x = b(x)
        logits = self.ln_f(x) @ self.wte.weight.t()  # tied unembedding
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def lr_at(it, iters):
    if it < WARMUP:
        return LR_MAX * (it + 1) / (WARMUP + 1)
    ratio = (it - WARMUP) / (iters - WARMUP)
    return LR_MIN + 0.5 * (1 + math.cos(math.pi * ratio)) * (LR_MAX - LR_MIN)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--iters", type=int, default=2000)
    ap.add_argument("--data", required=True)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1337)

    text = open(args.data, "rb").read()
    chars = sorted(set(text))
    ids = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([ids[c] for c in text], dtype=torch.long)
    n = len(data) * 9 // 10
    train, val = data[:n], data[n:]

    def batch(src, g):
        offs = [g.next(len(src) - BLOCK) for _ in range(BATCH)]
        x = torch.stack([src[o:o + BLOCK] for o in offs])
        y = torch.stack([src[o + 1:o + BLOCK + 1] for o in offs])
        return x, y

    model = GPT(len(chars))
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=LR_MAX, betas=(0.9, 0.99), eps=1e-8)

    @torch.no_grad()
    def eval_loss():
        g = LCG(4242)
        return sum(model(*batch(val, g)).item() for _ in range(EVAL_BATCHES)) / EVAL_BATCHES

    g = LCG(1337)
    train_time, time_to_19, curve, last = 0.0, -1.0, [], 0.0
    for it in range(args.iters):
        if it % EVAL_EVERY == 0 and it > 0:
            v = eval_loss()
            curve.append(v)
            if v <= 1.9 and time_to_19 < 0:
                time_to_19 = train_time
        x, y = batch(train, g)
        start = time.perf_counter()
        for group in opt.param_groups:
            group["lr"] = lr_at(it, args.iters)
        loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        train_time += time.perf_counter() - start
        last = loss.item()
    v = eval_loss()
    curve.append(v)
    if v <= 1.9 and time_to_19 < 0:
        time_to_19 = train_time
    params = sum(p.numel() for p in model.parameters())
    tok_s = args.iters * BATCH * BLOCK / train_time
    flops_per_token = 6 * params + 12 * LAYERS * BLOCK * D
    print(json.dumps({
        "impl": "PyTorch %s" % torch.__version__, "threads": args.threads, "iters": args.iters,
        "train_seconds": train_time, "tokens_per_sec": tok_s, "time_to_1_9": time_to_19,
        "final_val_loss": v, "final_train_loss": last, "gflops": tok_s * flops_per_token / 1e9,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "allocs_per_step": -1,
        "val_curve": curve, "params": params,
    }))


if __name__ == "__main__":
    main()
