#!/usr/bin/env python3
"""Idle memory of a full agent: Ordinal (with Raft, leases and the controller running) and
serf side by side, N agents each on loopback, sampled from /proc over time.

Ordinal agents run on 127.0.8.1-N with --bootstrap-expect N (a real cluster: Raft ticks,
lease renewals, the controller); serf agents on 127.0.8.101-(100+N), default LAN profile.
Nothing else is asked of either. At each --at second after the last start, every agent's
/proc/PID/status (VmRSS, RssAnon, RssFile) and smaps_rollup (Pss) are read, and the
resident part of the Ordinal binary's code mapping from /proc/PID/smaps. Prints a markdown
table per sample time; raw JSON to --out.
"""
import argparse
import os
import shutil
import sys
import time

import harness as H

STATUS = ("VmRSS", "RssAnon", "RssFile")


def pss_kib(pid):
    return sum(int(line.split()[1]) for line in open(f"/proc/{pid}/smaps_rollup") if line.startswith("Pss:"))


def code_rss_kib(pid, binary):
    total, current = 0, None
    for line in open(f"/proc/{pid}/smaps"):
        fields = line.split()
        if "-" in fields[0] and len(fields) >= 5:
            current = (fields[1], fields[5] if len(fields) > 5 else "")
        elif fields[0] == "Rss:" and current and current[0] == "r-xp" and current[1] == binary:
            total += int(fields[1])
    return total


def sample(pid, binary):
    row = H.proc_status(pid, STATUS)
    row["Pss"] = pss_kib(pid)
    row["code"] = code_rss_kib(pid, binary) if binary else None
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ordinal-bin", required=True)
    ap.add_argument("--agents", type=int, default=3)
    ap.add_argument("--at", default="10,30,60,120", help="seconds after the last start to sample")
    ap.add_argument("--systems", default="ordinal,serf")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    at = [int(x) for x in a.at.split(",")]
    if max(at) > 900 or a.agents > 20:
        sys.exit("bench-memory: at most 900 s and 20 agents")
    out = a.out or os.path.join(".cluster", "bench-memory", H.stamp())
    work = os.path.join(out, "data")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    binary = os.path.abspath(os.path.join(work, "ordinal"))
    shutil.copy2(a.ordinal_bin, binary)
    systems = a.systems.split(",")
    pg = H.ProcGroup()
    try:
        if "ordinal" in systems:
            ips = [f"127.0.8.{i + 1}" for i in range(a.agents)]
            for i, ip in enumerate(ips):
                d = os.path.join(work, f"a{i + 1}")
                os.makedirs(d)
                argv = H.agent_argv(binary, f"a{i + 1}", ip, d, bootstrap_expect=a.agents, dns=True,
                                    join=[o for o in ips if o != ip])
                pg.spawn(("ordinal", f"a{i + 1}"), argv, d + ".log")
        if "serf" in systems:
            if shutil.which("serf") is None:
                sys.exit("bench-memory: serf is not installed (scripts/setup bench)")
            for i in range(a.agents):
                argv = H.serf_argv(f"s{i + 1}", f"127.0.8.{101 + i}", join="127.0.8.101" if i > 0 else None)
                pg.spawn(("serf", f"s{i + 1}"), argv, os.path.join(work, f"s{i + 1}.log"))
                if i == 0 and not H.wait_tcp("127.0.8.101", 7946, seconds=10):
                    sys.exit("bench-memory: serf s1 did not listen on 127.0.8.101:7946 within 10 s")
        started = time.time()
        results = {}
        for t in at:
            time.sleep(max(0.0, started + t - time.time()))
            for (system, name), p in pg.procs.items():
                if p.poll() is not None:
                    sys.exit(f"bench-memory: {system} {name} exited with {p.returncode}")
                results.setdefault(str(t), {})[f"{system}/{name}"] = sample(p.pid, binary if system == "ordinal" else None)
        H.write_json(os.path.join(out, "memory.json"), {"agents": a.agents, "at": at, "samples": results})
        mib = lambda kib: "—" if kib is None else f"{kib / 1024:.1f}"
        print(H.md_row(["after s", "agent", "VmRSS MiB", "RssAnon MiB", "RssFile MiB", "code resident MiB",
                        "PSS MiB"]))
        print(H.md_sep(7))
        for t in at:
            for key, row in results[str(t)].items():
                print(H.md_row([str(t), key] + [mib(row[k]) for k in STATUS + ("code", "Pss")]))
        print(f"\nRaw JSON: {out}/memory.json")
    finally:
        pg.stop_all(grace=15)


if __name__ == "__main__":
    main()
