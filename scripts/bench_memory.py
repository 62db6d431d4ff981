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
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time


def status_kib(pid):
    fields = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status"))
    return {k: int(fields[k].split()[0]) for k in ("VmRSS", "RssAnon", "RssFile")}


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


def wait_listening(host, port, seconds):
    """Whether a TCP connect to host:port succeeds within `seconds` (tried every 100 ms)."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


def sample(pid, binary):
    row = status_kib(pid)
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
    out = a.out or os.path.join(".cluster", "bench-memory", time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()))
    work = os.path.join(out, "data")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    binary = os.path.abspath(os.path.join(work, "ordinal"))
    shutil.copy2(a.ordinal_bin, binary)
    systems = a.systems.split(",")
    procs = {}
    try:
        if "ordinal" in systems:
            ips = [f"127.0.8.{i + 1}" for i in range(a.agents)]
            for i, ip in enumerate(ips):
                d = os.path.join(work, f"a{i + 1}")
                os.makedirs(d)
                argv = [binary, "agent", "--name", f"a{i + 1}", "--bind", f"{ip}:7400", "--api", f"{ip}:7480",
                        "--dns", f"{ip}:7453", "--data-dir", d, "--bootstrap-expect", str(a.agents),
                        "--join", ",".join(f"{o}:7400" for o in ips if o != ip)]
                procs[("ordinal", f"a{i + 1}")] = subprocess.Popen(argv, stdout=open(d + ".log", "w"), stderr=subprocess.STDOUT)
        if "serf" in systems:
            if shutil.which("serf") is None:
                sys.exit("bench-memory: serf is not installed (scripts/setup bench)")
            for i in range(a.agents):
                ip = f"127.0.8.{101 + i}"
                argv = ["serf", "agent", f"-node=s{i + 1}", f"-bind={ip}:7946", f"-rpc-addr={ip}:7373"]
                if i > 0:
                    argv.append("-join=127.0.8.101:7946")
                procs[("serf", f"s{i + 1}")] = subprocess.Popen(argv, stdout=open(os.path.join(work, f"s{i + 1}.log"), "w"),
                                                                 stderr=subprocess.STDOUT)
                if i == 0 and not wait_listening("127.0.8.101", 7946, seconds=10):
                    sys.exit("bench-memory: serf s1 did not listen on 127.0.8.101:7946 within 10 s")
        started = time.time()
        results = {}
        for t in at:
            time.sleep(max(0.0, started + t - time.time()))
            for (system, name), p in procs.items():
                if p.poll() is not None:
                    sys.exit(f"bench-memory: {system} {name} exited with {p.returncode}")
                results.setdefault(str(t), {})[f"{system}/{name}"] = sample(p.pid, binary if system == "ordinal" else None)
        with open(os.path.join(out, "memory.json"), "w") as f:
            json.dump({"agents": a.agents, "at": at, "samples": results}, f, indent=1)
        mib = lambda kib: "—" if kib is None else f"{kib / 1024:.1f}"
        print("| after s | agent | VmRSS MiB | RssAnon MiB | RssFile MiB | code resident MiB | PSS MiB |")
        print("|---|---|---|---|---|---|---|")
        for t in at:
            for key, row in results[str(t)].items():
                print(f"| {t} | {key} | {mib(row['VmRSS'])} | {mib(row['RssAnon'])} | {mib(row['RssFile'])} | "
                      f"{mib(row['code'])} | {mib(row['Pss'])} |")
        print(f"\nRaw JSON: {out}/memory.json")
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs.values():
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    main()
