"""PyTorch on the side-by-side workloads W1, W2, W3 (issue 3): float32, the seed's loss written
out as ((y_hat - y)**2).sum() / N, plain SGD, 2 threads, one warm-up epoch, then the median
of 3 measured epochs in samples/s. Run with Debian's PyTorch (apt-get install python3-torch):

    /usr/bin/python3 gradus-bench/scripts/pytorch_workloads.py [--threads 2] [--epochs 3] [--warmup 1] [--workloads W1,W2,W3]

Same shapes, batch sizes and learning rates as dev.gradus.bench.SideBySide (W1 lr 0.02: at the
issue's 0.05 the seed's loss diverges on Fashion-MNIST); the data differ only in the random
draws of W2 and W3.
"""
import argparse
import gzip
import statistics
import time

import numpy as np
import torch
import torch.nn as nn

FASHION = "/usr/share/datasets/fashion-mnist/"


def idx(path, images):
    with gzip.open(path, "rb") as f:
        data = f.read()
    if images:
        n = int.from_bytes(data[4:8], "big")
        return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(n, 784).astype(np.float32) / 255.0
    return np.frombuffer(data, dtype=np.uint8, offset=8).astype(np.int64)


def workloads(wanted):
    out = []
    g = torch.Generator().manual_seed(7)
    if "W1" in wanted:
        x1 = torch.from_numpy(idx(FASHION + "train-images-idx3-ubyte.gz", True))
        y1 = nn.functional.one_hot(torch.from_numpy(idx(FASHION + "train-labels-idx1-ubyte.gz", False)), 10).float()
        out.append(("W1", [784, 256, 128, 10], nn.ReLU, 64, 0.02, x1, y1))
    x2 = torch.rand(20000, 8, generator=g) * 2 - 1
    y2 = torch.sin(x2.sum(dim=1, keepdim=True))
    if "W2" in wanted:
        out.append(("W2", [8, 32, 32, 1], nn.Tanh, 32, 0.05, x2, y2))
    if "W3" in wanted:
        x3 = torch.rand(16384, 1024, generator=g)
        y3 = nn.functional.one_hot(torch.randint(0, 10, (16384,), generator=g), 10).float()
        out.append(("W3", [1024, 2048, 2048, 10], nn.ReLU, 256, 0.05, x3, y3))
    return out


def mlp(sizes, act):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(act())
    return nn.Sequential(*layers)


def epoch(model, opt, x, y, batch):
    order = torch.randperm(x.shape[0])
    start = time.perf_counter()
    cpu = time.process_time()
    for s in range(0, x.shape[0], batch):
        idx_ = order[s:s + batch]
        xb, yb = x[idx_], y[idx_]
        opt.zero_grad(set_to_none=True)
        loss = ((model(xb) - yb) ** 2).sum() / xb.shape[0]
        loss.backward()
        opt.step()
    return x.shape[0] / (time.perf_counter() - start), time.process_time() - cpu


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--workloads", default="W1,W2,W3")
    a = p.parse_args()
    wanted = a.workloads.split(",")
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads, {a.warmup} warm-up + {a.epochs} epochs")
    for name, sizes, act, batch, lr, x, y in workloads(wanted):
        model = mlp(sizes, act)
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        for _ in range(a.warmup):
            epoch(model, opt, x, y, batch)
        measured = [epoch(model, opt, x, y, batch) for _ in range(a.epochs)]
        rates = [r for r, _ in measured]
        cpu = statistics.median(c for _, c in measured)   # CPU seconds of the process per epoch
        print(f"{name} {sizes} batch {batch}: {statistics.median(rates):,.0f} samples/s  epochs "
              + str([round(r) for r in rates]))
        overall = len(rates) / sum(1 / r for r in rates)
        print(f"RESULT pytorch {name} median {statistics.median(rates):.1f} overall {overall:.1f} cpu {cpu:.4f}")


if __name__ == "__main__":
    main()
