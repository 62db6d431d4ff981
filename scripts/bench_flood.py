#!/usr/bin/env python3
"""A flood of unauthenticated connections on one agent's peer port (issue 14): RSS of the
agent and the health of its cluster while a stranger holds N connections open.

Three keyed agents (--encrypt) run on 127.0.10.1-3. The stranger opens --connections TCP
connections to 127.0.10.1:7400 from loopback and, per phase:
  idle     sends nothing;
  partial  sends the 4-byte prefix of a 4 MiB frame and --partial-kib KiB of it, then stalls.
It keeps reopening what the agent closes until the phase ends (--seconds). Every 0.5 s the
agent's VmRSS is read; during the phase a key-value write goes through the flooded agent
every second and must commit. Prints a markdown table; raw JSON to --out.
"""
import argparse
import base64
import os
import shutil
import socket
import sys
import time

import harness as H

IPS = ["127.0.10.1", "127.0.10.2", "127.0.10.3"]


def open_conn(phase, partial):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(True)
    s.settimeout(0.5)
    s.connect((IPS[0], H.PEER_PORT))
    if phase == "partial":
        s.sendall((4 << 20).to_bytes(4, "big") + os.urandom(partial))
    return s


def still_open(s):
    try:
        s.setblocking(False)
        return s.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def run_phase(phase, a, pid, api):
    conns, rss, writes, refused = [], [], [0, 0], 0
    end = time.time() + a.seconds
    next_write = time.time()
    while time.time() < end:
        conns = [c for c in conns if still_open(c) or c.close()]
        while len(conns) < a.connections and time.time() < end:
            try:
                conns.append(open_conn(phase, a.partial_kib * 1024))
            except OSError:
                refused += 1
                break
        rss.append(H.proc_status(pid, ("VmRSS",))["VmRSS"])
        if time.time() >= next_write:
            next_write += 1.0
            writes[1] += 1
            try:
                status, _ = H.request("PUT", f"{api}/ordinal/v1/kv/flood-{phase}-{writes[1]}", body=b"x", timeout=5,
                                      content_type="application/octet-stream")
                writes[0] += status < 300
            except OSError:
                pass
        time.sleep(0.5)
    held = sum(1 for c in conns if still_open(c))
    for c in conns:
        c.close()
    return {"phase": phase, "peak_rss_kib": max(rss), "last_rss_kib": rss[-1], "held_at_end": held,
            "connect_failures": refused, "writes_ok": writes[0], "writes": writes[1]}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ordinal-bin", required=True)
    ap.add_argument("--connections", type=int, default=1000)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--partial-kib", type=int, default=256)
    ap.add_argument("--phases", default="idle,partial")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    if a.connections > 5000 or a.seconds > 300 or a.partial_kib > 4096:
        sys.exit("bench-flood: at most 5000 connections, 300 s and 4096 KiB")
    out = a.out or os.path.join(".cluster", "bench-flood", H.stamp())
    work = os.path.join(out, "data")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    binary = os.path.abspath(os.path.join(work, "ordinal"))
    shutil.copy2(a.ordinal_bin, binary)
    key = base64.b64encode(os.urandom(32)).decode()
    pg = H.ProcGroup()
    try:
        for i, ip in enumerate(IPS):
            d = os.path.join(work, f"f{i + 1}")
            os.makedirs(d)
            argv = H.agent_argv(binary, f"f{i + 1}", ip, d, bootstrap_expect=3, join=[o for o in IPS if o != ip],
                                extra=f"--encrypt {key}")
            pg.spawn(("ordinal", f"f{i + 1}"), argv, d + ".log")
        api = f"http://{IPS[0]}:{H.API_PORT}"
        ok, _ = H.wait_formed(api, 3, timeout=60)
        if not ok:
            sys.exit("bench-flood: the cluster did not form within 60 s")
        pid = pg.pid(("ordinal", "f1"))
        before = H.proc_status(pid, ("VmRSS",))["VmRSS"]
        results = [run_phase(phase, a, pid, api) for phase in a.phases.split(",")]
        alive = all(pg.alive(("ordinal", f"f{i + 1}")) for i in range(3))
        H.write_json(os.path.join(out, "flood.json"), {"before_rss_kib": before, "phases": results, "all_alive": alive,
                                                       "connections": a.connections, "seconds": a.seconds})
        print(f"RSS of the flooded agent before: {before / 1024:.1f} MiB; all agents alive after: {alive}\n")
        print(H.md_row(["phase", "connections attempted", "held at end", "peak RSS MiB", "RSS at end MiB",
                        "writes committed"]))
        print(H.md_sep(6))
        for r in results:
            print(H.md_row([r["phase"], str(a.connections), str(r["held_at_end"]), f"{r['peak_rss_kib'] / 1024:.1f}",
                            f"{r['last_rss_kib'] / 1024:.1f}", f"{r['writes_ok']}/{r['writes']}"]))
        print(f"\nRaw JSON: {out}/flood.json")
    finally:
        pg.stop_all(grace=15)


if __name__ == "__main__":
    main()
