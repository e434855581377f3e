#!/usr/bin/python3
"""scikit-learn's KMeans on the same customers and the same transform as
crm-segment --by kmeans (log1p, then z-score with the population standard deviation).

usage: segment_sklearn.py IN.csv K N_INIT SEED
Prints one line: inertia, iterations, load seconds, fit seconds (wall), fit CPU seconds.
"""
import sys
import time

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans


def main():
    path, k, n_init, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    t0 = time.time()
    x = pd.read_csv(path, usecols=["recency_days", "frequency", "monetary"]).to_numpy(np.float64)
    x = np.log1p(x)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    t1, c1 = time.time(), time.process_time()
    km = KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(x)
    t2, c2 = time.time(), time.process_time()
    print("%.9g %d %.3f %.3f %.3f" % (km.inertia_, km.n_iter_, t1 - t0, t2 - t1, c2 - c1))


if __name__ == "__main__":
    main()
