"""PyTorch CPU on the paper network (run by bench/nn-train.sh; prints key=value lines).

Usage: python bench/nn-train.py <epochs> <n_threads> <what: network|autoencoder>
Same architecture as ours (dense -> batch norm -> tanh per hidden layer), Adadelta and the loss
at PyTorch's defaults, 175 samples x 12,042 genes, minibatches of 10 (network) / 50 (autoencoder).
"""
import resource
import sys
import time

import torch
from torch import nn

epochs, threads, what = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
torch.set_num_threads(threads)
torch.manual_seed(1)
n, genes = 175, 12042


def block(n_in, n_out):
    return [nn.Linear(n_in, n_out), nn.BatchNorm1d(n_out, momentum=0.01, eps=1e-3), nn.Tanh()]


x = torch.randn(n, genes)
if what == "network":
    sizes = [genes, 4000, 2000, 1000]
    layers = [m for a, b in zip(sizes, sizes[1:]) for m in block(a, b)]
    model = nn.Sequential(*layers, nn.Linear(1000, 1), nn.Sigmoid())
    y = (torch.rand(n, 1) > 0.5).float()
    loss_fn, batch = nn.BCELoss(), 10
else:
    sizes = [genes, 4000, 2000, 1000, 2000, 4000]
    layers = [m for a, b in zip(sizes, sizes[1:]) for m in block(a, b)]
    model = nn.Sequential(*layers, nn.Linear(4000, genes))
    y = x
    loss_fn, batch = nn.L1Loss(), 50

optimizer = torch.optim.Adadelta(model.parameters())
seconds = []
for epoch in range(epochs):
    model.train()
    start = time.perf_counter()
    order = torch.randperm(n)
    for i in range(0, n, batch):
        idx = order[i:i + batch]
        optimizer.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        optimizer.step()
    seconds.append(time.perf_counter() - start)

print(f"epoch_first={seconds[0]:.4f}")
print(f"epoch={sum(seconds[1:]) / max(1, len(seconds) - 1):.4f}")
if what == "network":
    model.eval()
    times = []
    with torch.no_grad():
        for _ in range(3):
            start = time.perf_counter()
            model(x)
            times.append(time.perf_counter() - start)
    print(f"forward={min(times):.4f}")
print(f"peak_rss_gb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2:.4f}")
