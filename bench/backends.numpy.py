"""numpy, vectorised, on the same work as bench/backends.bench.ts: max@k and best-of-N weights with the
'loo-1' baseline over groups stored as rows, each timed against numpy's own memory floor (np.copyto of
the same bytes). Prints one JSON object; the TypeScript bench runs it when python3 and numpy are present.

max@k loo-1 over the ascending sort x of a row: w_p = sum_{q<=p} mu_q (x_q - x_{q-1}), mu_q = C(q, k-1)/C(n, k)
(0-based), scattered back to input order. best-of-N loo-1 without score ties is the same recurrence on the
rewards taken in ascending score order. Usage: python3 backends.numpy.py B n k [samples]
"""
import json
import sys
import time
from math import comb

import numpy as np


def mu_table(n, k):
    total = comb(n, k)
    return np.array([comb(q, k - 1) / total if q >= k - 1 else 0.0 for q in range(n)])


def max_at_k_loo1(g, mu, out):
    order = np.argsort(g, axis=1, kind="stable")
    x = np.take_along_axis(g, order, axis=1)
    d = np.diff(x, axis=1, prepend=x[:, :1])
    np.put_along_axis(out, order, np.cumsum(mu * d, axis=1), axis=1)
    return out


def best_of_n_loo1(scores, rewards, mu, out):
    order = np.argsort(scores, axis=1, kind="stable")
    y = np.take_along_axis(rewards, order, axis=1)
    d = np.diff(y, axis=1, prepend=y[:, :1])
    np.put_along_axis(out, order, np.cumsum(mu * d, axis=1), axis=1)
    return out


def median_ms(fn, samples):
    fn()
    times = []
    for _ in range(samples):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    times.sort()
    return times[len(times) // 2]


def main():
    B, n, k = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    samples = int(sys.argv[4]) if len(sys.argv) > 4 else 9
    rng = np.random.default_rng(2)
    g = rng.random((B, n))
    s = rng.random((B, n))
    out = np.empty_like(g)
    floor_dst = np.empty_like(g)
    mu = mu_table(n, k)
    floor = median_ms(lambda: np.copyto(floor_dst, g), samples)
    mk = median_ms(lambda: max_at_k_loo1(g, mu, out), samples)
    bon = median_ms(lambda: best_of_n_loo1(s, g, mu, out), samples)
    print(json.dumps({
        "numpy": np.__version__,
        "floorMs": floor,
        "maxAtKMs": mk,
        "bestOfNMs": bon,
        "maxAtKRatio": mk / floor,
        "bestOfNRatio": bon / floor,
    }))


if __name__ == "__main__":
    main()
