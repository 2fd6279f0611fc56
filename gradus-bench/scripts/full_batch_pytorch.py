"""PyTorch on the full-batch tabular workload of dev.gradus.bench.FullBatchBench: rows x 20 -> 32
ReLU -> 2, Adam (PyTorch defaults), cross-entropy on the logits (mean over rows), batch = all
rows, float32. Each epoch is one step: zero_grad, forward, loss, backward, optimizer step. Prints
every epoch's wall and CPU seconds and their medians after the warm-up epochs. Run with Debian's PyTorch
(apt-get install python3-torch):

    /usr/bin/python3 gradus-bench/scripts/full_batch_pytorch.py [--rows 1000000] [--epochs 8]
        [--warmup 2] [--threads 2]

The data are drawn like FullBatchBench's (two Gaussian classes, the first 5 features shifted by
0.8 for class 1), from PyTorch's own generator: the work per epoch does not depend on the draws.
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    g = torch.Generator().manual_seed(7)
    labels = torch.randint(0, 2, (a.rows,), generator=g)
    x = torch.randn(a.rows, 20, generator=g)
    x[:, :5] += 0.8 * labels.unsqueeze(1).float()
    torch.manual_seed(1)
    model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 2))
    opt = torch.optim.Adam(model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    seconds = []
    cpu = []
    loss = None
    for _ in range(a.warmup + a.epochs):
        start = time.perf_counter()
        start_cpu = time.process_time()   # CPU seconds of the process, all threads
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), labels)
        loss.backward()
        opt.step()
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    measured = seconds[a.warmup:]
    measured_cpu = cpu[a.warmup:]
    print(f"pytorch {torch.__version__} full batch {a.rows} x 20 -> 32 relu -> 2, adam, cross-entropy, "
          f"{torch.get_num_threads()} threads: median {statistics.median(measured):.4f} s/epoch, "
          f"cpu {statistics.median(measured_cpu):.4f} s/epoch over "
          f"{len(measured)} epochs (after {a.warmup} warm-up)  epochs {[round(s, 4) for s in measured]}  "
          f"cpu {[round(s, 4) for s in measured_cpu]}  final loss {loss.item():.4f}")


if __name__ == "__main__":
    main()
