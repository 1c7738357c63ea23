"""numpy vectorised binary pass@k weights (baseline 'loo-1'), for bench/backends.bench.ts.

Usage: python3 bench/pass-at-k.numpy.py <rewards.f64> <n> <k> <samples> <weights-out.f64>
Reads float64 0/1 rewards (B groups of n), computes per sample
w = r * (k/n) * C(n-c, k-1) / C(n-1, k-1) with c the group's count of ones (the per-count table built
once per call, then gathered: the vectorised way), and times it and its own memory floor (np.copyto of
the same bytes), median of `samples` runs each, interleaved. Prints one JSON line; writes the weights.
"""
import json
import sys
import time

import numpy as np


def weights(r, n, k):
    counts = r.reshape(-1, n).sum(axis=1).astype(np.int64)
    c = np.arange(n + 1, dtype=np.float64)
    # C(n-c, k-1)/C(n-1, k-1) = prod_{j<k-1} (n-c-j)/(n-1-j), zero once n-c < k-1 (a cumulative product).
    j = np.arange(k - 1, dtype=np.float64)
    terms = (n - c[:, None] - j[None, :]) / (n - 1 - j[None, :])
    table = (k / n) * np.prod(np.clip(terms, 0.0, None), axis=1)
    table[0] = 0.0
    return (r.reshape(-1, n) * table[counts][:, None]).reshape(-1)


def main():
    path, n, k, samples, out_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    r = np.fromfile(path, dtype=np.float64)
    dst = np.empty_like(r)
    w = weights(r, n, k)  # warm-up
    np.copyto(dst, r)
    t_w, t_f = [], []
    for _ in range(samples):
        t0 = time.perf_counter()
        w = weights(r, n, k)
        t1 = time.perf_counter()
        np.copyto(dst, r)
        t2 = time.perf_counter()
        t_w.append((t1 - t0) * 1e3)
        t_f.append((t2 - t1) * 1e3)
    if dst[-1] != r[-1]:
        raise SystemExit("floor copy wrong")
    w.tofile(out_path)
    med = lambda xs: float(np.median(xs))
    print(json.dumps({"numpy": np.__version__, "medianMs": med(t_w), "floorMs": med(t_f), "samples": samples}))


main()
