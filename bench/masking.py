"""Naive dense gene masking in PyTorch CPU (run by bench/masking.R; prints key=value lines).

Usage: python bench/masking.py <work dir> <n_threads> <n_samples> <first set (0-based)> <n_sets to time>
Loads our network's safetensors bytes (weights stored [in, out]) into an ordinary
nn.Sequential (Linear -> BatchNorm1d (eval) -> Tanh ..., Linear -> Sigmoid), standardizes the
samples with the stored training mean/SD, and for every gene set builds the masked matrix (zeros
= training mean outside the set) and runs the whole network on it, as the reference code does
with `model.predict`. Writes the AUC of each timed set to <work dir>/auc_<first>.txt.
"""
import json
import struct
import sys
import time

import numpy as np
import torch
from torch import nn

work, threads, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
first, n_timed = int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(threads)


def read_safetensors(path):
    raw = open(path, "rb").read()
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_len])
    data = raw[8 + header_len :]
    meta = header.pop("__metadata__", {})
    dtypes = {"F32": np.float32, "F64": np.float64}
    tensors = {
        name: np.frombuffer(data[t["data_offsets"][0] : t["data_offsets"][1]], dtype=dtypes[t["dtype"]]).reshape(t["shape"])
        for name, t in header.items()
    }
    return tensors, meta


tensors, meta = read_safetensors(f"{work}/weights.safetensors")
header = json.loads(meta["radiogenomics"]) if "radiogenomics" in meta else {"architecture": json.loads(meta["architecture"])}
arch = header["architecture"]
modules = []
for l, spec in enumerate(arch["layers"]):
    w = torch.from_numpy(tensors[f"layers.{l}.weight"].copy())  # [in, out]
    linear = nn.Linear(w.shape[0], w.shape[1])
    with torch.no_grad():
        linear.weight.copy_(w.T)
        linear.bias.copy_(torch.from_numpy(tensors[f"layers.{l}.bias"].copy()))
    modules.append(linear)
    if spec["batch_norm"]:
        bn = nn.BatchNorm1d(w.shape[1], eps=1e-3)
        with torch.no_grad():
            bn.weight.copy_(torch.from_numpy(tensors[f"layers.{l}.bn.gamma"].copy()))
            bn.bias.copy_(torch.from_numpy(tensors[f"layers.{l}.bn.beta"].copy()))
            bn.running_mean.copy_(torch.from_numpy(tensors[f"layers.{l}.bn.moving_mean"].copy()))
            bn.running_var.copy_(torch.from_numpy(tensors[f"layers.{l}.bn.moving_var"].copy()))
        modules.append(bn)
    modules.append({"tanh": nn.Tanh(), "sigmoid": nn.Sigmoid(), "relu": nn.ReLU(), "linear": nn.Identity()}[spec["activation"]])
model = nn.Sequential(*modules).eval()

mean, sd = tensors["standardizer.mean"], tensors["standardizer.sd"]
p = mean.shape[0]
x = np.fromfile(f"{work}/x.f64", dtype=np.float64).reshape(n, p)  # R's genes x samples = samples x genes
z = torch.from_numpy(((x - mean) / sd).astype(np.float32))
sets = [np.array(line.split(), dtype=np.int64) for line in open(f"{work}/sets.txt")]
y = np.array([int(v) for v in open(f"{work}/y.txt").read().split()])


def roc_auc(truth, score):
    order = np.argsort(score, kind="mergesort")
    ranks = np.empty(len(score))
    s = score[order]
    i = 0
    while i < len(s):  # mid-ranks for ties
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2 + 1
        i = j + 1
    pos = truth.sum()
    return (ranks[truth == 1].sum() - pos * (pos + 1) / 2) / (pos * (len(truth) - pos))


timed = sets[first : first + n_timed]
aucs = []
with torch.no_grad():
    model(z)  # warm-up
    start, cpu_start = time.perf_counter(), time.process_time()
    for s in timed:
        masked = torch.zeros_like(z)
        masked[:, s] = z[:, s]
        prob = model(masked)[:, 0].numpy()
        aucs.append(roc_auc(y, prob.astype(np.float64)))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start

# saliency: gradient of the output logit w.r.t. the standardized input, all samples in one pass
logit_model = nn.Sequential(*modules[:-1]).eval()
start = time.perf_counter()
inp = z.clone().requires_grad_(True)
logit_model(inp)[:, 0].sum().backward()
saliency = time.perf_counter() - start

np.savetxt(f"{work}/auc_{first}.txt", np.array(aucs))
print(f"seconds={elapsed}")
print(f"cpu={cpu}")
print(f"saliency={saliency}")
