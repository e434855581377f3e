#!/usr/bin/python3
"""Writes N simulated customers (customer_id, recency_days, frequency, monetary) as CSV.

Reproducible: numpy's PCG64 generator with a fixed seed.  Customers come from a few
behaviour groups (purchase rate, spend level) so that the features have structure:
frequency ~ 1 + Poisson(rate * 2 years), recency ~ exponential with a mean that falls
with the rate, monetary ~ lognormal around the group's spend level.

usage: segment_gen.py OUT.csv [N] [SEED]
"""
import sys

import numpy as np


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20261123
    rng = np.random.default_rng(seed)
    group = rng.choice(4, size=n, p=[0.45, 0.30, 0.18, 0.07])
    rate = np.array([0.5, 2.0, 6.0, 15.0])[group] * rng.gamma(4.0, 0.25, n)
    frequency = 1 + rng.poisson(rate * 2.0)
    recency = np.minimum(rng.exponential(30.0 + 400.0 / (1.0 + rate)), 730.0).round()
    spend = np.array([3.0, 3.6, 4.2, 5.0])[group]
    monetary = (frequency * rng.lognormal(spend, 0.7)).round(2)
    ids = np.arange(1, n + 1)
    with open(out, "w") as f:
        f.write("customer_id,recency_days,frequency,monetary\n")
        np.savetxt(f, np.column_stack([ids, recency, frequency, monetary]),
                   fmt=["c%d", "%d", "%d", "%.2f"], delimiter=",")


if __name__ == "__main__":
    main()
