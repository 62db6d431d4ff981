#!/usr/bin/env python3
"""Attacks on each of one agent's ports (issues 14 and 26): the agent's RSS and descriptors
during each attack, whether it answers /healthz, and the latency of a write through it,
beside a quiet run.

Three keyed agents (--encrypt, DNS on) run on 127.0.10.1-3; every attack targets the first.
Per phase, scripts/flood_attacker.py runs pinned to one core (`taskset -c 1`) for --seconds
(see its --help for the attacks) from 127.0.11.x addresses, while this script, from
127.0.10.50, reads the agent's VmRSS and open descriptors every 0.5 s, asks /healthz on a new
connection every second, and puts key-value writes through it on one kept-alive
connection, one 50 ms after the last answer (a refused or failed write counts as failed and is
reconnected). The quiet phase runs the same with no attacker. Prints a markdown table; raw JSON to --out.
"""
import argparse
import base64
import http.client
import json
import os
import shutil
import subprocess
import sys
import time

import harness as H

IPS = ["127.0.10.1", "127.0.10.2", "127.0.10.3"]
CLIENT = "127.0.10.50"
PHASES = ["quiet", "peer-idle", "peer-partial", "api-halfopen", "api-slowloris", "dns-tcp-halfopen",
          "dns-tcp-noread", "dns-udp"]


def port_of(phase):
    if phase.startswith("peer"):
        return H.PEER_PORT
    if phase.startswith("api"):
        return H.API_PORT
    return H.DNS_PORT


def connection(timeout=3.0):
    return http.client.HTTPConnection(IPS[0], H.API_PORT, timeout=timeout, source_address=(CLIENT, 0))


def healthy():
    c = connection(2.0)
    try:
        c.request("GET", "/healthz")
        return c.getresponse().status == 200
    except OSError:
        return False
    finally:
        c.close()


def descriptors(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def run_phase(phase, a, pid):
    attacker = None
    if phase != "quiet":
        attacker = subprocess.Popen(
            ["taskset", "-c", "1", sys.executable, os.path.join(H.REPO, "scripts", "flood_attacker.py"),
             "--phase", phase, "--host", IPS[0], "--port", str(port_of(phase)),
             "--connections", str(a.connections), "--seconds", str(a.seconds)],
            stdout=subprocess.PIPE, text=True)
        time.sleep(1.0)  # let the attack build up before measuring
    rss, fds, latencies, failed, health = [], [], [], 0, [0, 0]
    timeline, phase_start = [], time.monotonic()
    client = None
    end = time.time() + a.seconds - (1.0 if attacker else 0.0)
    next_health = next_sample = time.time()
    n = 0
    while time.time() < end:
        if time.time() >= next_sample:
            next_sample += 0.5
            status = H.proc_status(pid, ("VmRSS",)) if os.path.exists(f"/proc/{pid}") else {}
            if "VmRSS" in status:
                rss.append(status["VmRSS"])
            d = descriptors(pid)
            if d is not None:
                fds.append(d)
        if time.time() >= next_health:
            next_health += 1.0
            health[1] += 1
            health[0] += healthy()
        n += 1
        started = time.monotonic()
        try:
            if client is None:
                client = connection()
            client.request("PUT", f"/ordinal/v1/kv/flood-{phase}-{n}", body=b"x",
                           headers={"Content-Type": "application/octet-stream"})
            response = client.getresponse()
            response.read()
            if response.status < 300:
                latencies.append(time.monotonic() - started)
                timeline.append((round(time.monotonic() - phase_start, 3), round(latencies[-1] * 1000, 2)))
            else:
                failed += 1
        except (OSError, http.client.HTTPException):
            failed += 1
            if client is not None:
                client.close()
            client = None
        time.sleep(0.05)
    if client is not None:
        client.close()
    result = {"phase": phase, "peak_rss_kib": max(rss) if rss else None, "peak_fds": max(fds) if fds else None,
              "health_ok": health[0], "health": health[1], "writes_ok": len(latencies), "writes_failed": failed,
              "write_p50_ms": H.quantile(latencies, 0.5) * 1000 if latencies else None,
              "write_p99_ms": H.quantile(latencies, 0.99) * 1000 if latencies else None,
              "writes_ms_at_s": timeline}
    if attacker:
        out, _ = attacker.communicate(timeout=a.seconds + 60)
        result["attacker"] = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
    return result


def fmt(v, nd=1):
    return "—" if v is None else f"{v:.{nd}f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ordinal-bin", required=True)
    ap.add_argument("--connections", type=int, default=1500)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--phases", default=",".join(PHASES))
    ap.add_argument("--nofile", type=int, default=1024, help="the attacked agent's descriptor limit (prlimit)")
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    phases = a.phases.split(",")
    if a.connections > 5000 or a.seconds > 300 or not 5 <= a.seconds or any(p not in PHASES for p in phases):
        sys.exit(f"bench-flood: at most 5000 connections, 5 to 300 s, phases among {','.join(PHASES)}")
    if shutil.which("taskset") is None or shutil.which("prlimit") is None:
        sys.exit("bench-flood: needs taskset and prlimit (util-linux)")
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
                                dns=True, extra=f"--encrypt {key}")
            pg.spawn(("ordinal", f"f{i + 1}"), argv, d + ".log")
        api = f"http://{IPS[0]}:{H.API_PORT}"
        ok, _ = H.wait_formed(api, 3, timeout=60)
        if not ok:
            sys.exit("bench-flood: the cluster did not form within 60 s")
        pid = pg.pid(("ordinal", "f1"))
        subprocess.run(["prlimit", "--pid", str(pid), f"--nofile={a.nofile}:{a.nofile}"], check=True)
        before = H.proc_status(pid, ("VmRSS",))["VmRSS"]
        results = []
        for phase in phases:
            results.append(run_phase(phase, a, pid))
            time.sleep(2.0)  # let closed connections drain before the next phase
        alive = all(pg.alive(("ordinal", f"f{i + 1}")) for i in range(3))
        H.write_json(os.path.join(out, "flood.json"), {"before_rss_kib": before, "phases": results, "all_alive": alive,
                                                       "connections": a.connections, "seconds": a.seconds,
                                                       "nofile": a.nofile, "machine": H.machine_facts()})
        quiet = next((r for r in results if r["phase"] == "quiet"), None)
        print(f"RSS of the attacked agent before: {before / 1024:.1f} MiB; descriptor limit {a.nofile}; "
              f"all agents alive after: {alive}\n")
        print(H.md_row(["phase", "peak RSS MiB", "peak fds", "/healthz ok", "writes ok", "write p50 ms",
                        "write p99 ms", "p99 / quiet", "attacker"]))
        print(H.md_sep(9))
        for r in results:
            ratio = (r["write_p99_ms"] / quiet["write_p99_ms"]
                     if quiet and quiet["write_p99_ms"] and r["write_p99_ms"] is not None else None)
            attack = ", ".join(f"{k} {v}" for k, v in r.get("attacker", {}).items() if k != "phase")
            print(H.md_row([r["phase"], fmt(r["peak_rss_kib"] and r["peak_rss_kib"] / 1024), str(r["peak_fds"]),
                            f"{r['health_ok']}/{r['health']}", f"{r['writes_ok']}/{r['writes_ok'] + r['writes_failed']}",
                            fmt(r["write_p50_ms"], 2), fmt(r["write_p99_ms"], 2), fmt(ratio, 2), attack or "—"]))
        print(f"\nRaw JSON: {out}/flood.json")
    finally:
        pg.stop_all(grace=15)


if __name__ == "__main__":
    main()
