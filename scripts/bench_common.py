"""Helpers both benchmark scripts share (bench_gossip.py, bench_raft.py).

The importing script puts ../shared/anchors on sys.path first, so lib_anchor resolves.
"""
import os
import subprocess

import lib_anchor as L


def stop_keys(pg, keys):
    for key in keys:
        p = pg.procs.get(key)
        if p is not None and p.poll() is None:
            try:
                os.kill(p.pid, 9)
                p.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass


def quantile_or_max(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None, "n/a"
    if len(xs) >= 100:
        return L.quantile(xs, 0.99), "p99"
    return max(xs), "max"


def _f(x, nd=3):
    return "—" if x is None else f"{x:.{nd}f}"
