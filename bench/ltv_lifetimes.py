"""bench/ltv_lifetimes.py: times Python's lifetimes on the customers crm-ltv
fits in bench/ltv.sh (which puts lifetimes and autograd on PYTHONPATH).

    python3 ltv_lifetimes.py MODEL FILE

MODEL is bgnbd, mbgnbd or pnbd; FILE a bench-ltv-simulate table
(customer_id,x,t_x,T,...; times in weeks).  Each timing is one fit() call
with lifetimes' defaults, as a user makes it (BG/NBD's and MBG/NBD's fit()
include their Hessian for the standard errors; Pareto/NBD's has none):
  raw       one row per customer;
  weighted  the distinct (x, t_x, T) with their customers as weights (the
            pandas collapse before it is timed on its own line: a user of
            the weights does it first).
One line per timing on stdout:
  lifetimes MODEL KIND WALL_S CPU_S ROWS P1 P2 P3 P4
(the collapse line has no parameters)."""
import sys
import time
import warnings

import pandas as pd

from lifetimes import BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter

warnings.simplefilter("ignore")

FITTERS = {"bgnbd": BetaGeoFitter, "mbgnbd": ModifiedBetaGeoFitter, "pnbd": ParetoNBDFitter}


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def report(model, kind, wall, cpu, rows, fitter=None):
    params = "" if fitter is None else " " + " ".join("%.6g" % v for v in fitter.params_.values)
    print("lifetimes %s %s %.3f %.3f %d%s" % (model, kind, wall, cpu, rows, params), flush=True)


def main():
    model, path = sys.argv[1], sys.argv[2]
    new = FITTERS[model]
    d = pd.read_csv(path, usecols=["x", "t_x", "T"])

    f, wall, cpu = timed(lambda: new().fit(d["x"].to_numpy(), d["t_x"].to_numpy(), d["T"].to_numpy()))
    report(model, "raw", wall, cpu, len(d), f)

    g, wall, cpu = timed(lambda: d.groupby(["x", "t_x", "T"], sort=False).size().reset_index(name="n"))
    report(model, "collapse", wall, cpu, len(g))
    f, wall, cpu = timed(lambda: new().fit(g["x"].to_numpy(), g["t_x"].to_numpy(), g["T"].to_numpy(),
                                           weights=g["n"].to_numpy()))
    report(model, "weighted", wall, cpu, len(g), f)


if __name__ == "__main__":
    main()
