#!/usr/bin/env python3
"""Failover across machines (issue 15 targets), on the machines of scripts/hosts.

  pod failover     kill -9 of the agent of a pod's machine and its link down, to the pod
                   Ready on another machine AND answering by its DNS name from a third
                   machine (curl to serve-hostname through that machine's resolver);
                   target: median under 10 s.
  leader partition the Raft leader's machine cut off (link down, agent running), to the
                   first write acknowledged by an agent of the majority (one put every
                   20 ms, 1 s timeout): a new leader's commit; target: median under 1 s.
                   (That the old leader's pods die first is scripts/chaos-hosts' check.)

Each repetition heals (link up, agent started again) and waits until the machines agree.
Writes the figures to stdout and .cluster/bench-hosts/<UTC>/result.json. Needs root.
"""
import argparse
import json
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chaos_hosts as CH  # noqa: E402


def wait(pred, timeout, step=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(step)
    return None


def pods(bed, m):
    j = bed.json(m, "/api/v1/namespaces/default/pods", timeout=1)
    out = {}
    for item in (j or {}).get("items", []):
        ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                    for c in item.get("status", {}).get("conditions", []) or [])
        out[item["metadata"]["name"]] = (item.get("spec", {}).get("nodeName"), ready)
    return out


def leader_of(bed):
    for m in bed.machines:
        j = bed.json(m, "/ordinal/v1/raft", timeout=1)
        if j and j.get("leader"):
            return j["leader"]
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--machines", type=int, default=5)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--binary", default=os.path.join(CH.REPO, ".build", "debug", "ordinal"))
    a = ap.parse_args()
    if os.getuid() != 0:
        sys.exit("bench-hosts: needs root")
    if not 3 <= a.machines <= 9 or not 1 <= a.reps <= 50:
        sys.exit("bench-hosts: --machines 3..9, --reps 1..50")
    out = os.path.join(CH.REPO, ".cluster", "bench-hosts", time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()))
    os.makedirs(out, exist_ok=True)
    bed = CH.Bed(os.path.join(out, "bed"), a.machines, a.binary)
    result = {"machines": a.machines, "reps": a.reps, "binary": a.binary, "pod_failover_s": [], "leader_partition_write_s": []}
    try:
        bed.up()
        manifest = os.path.join(out, "roam.yaml")
        with open(manifest, "w") as f:
            f.write(CH.MANIFEST.format(replicas=a.machines))
        if bed.cli("apply", "-f", manifest).returncode != 0 or CH.converge(bed, a.machines, 90) is None:
            raise RuntimeError("the workload did not come up")
        for rep in range(a.reps):
            # Pod failover: the machine of roam-<rep % n>, seen from a machine that is neither.
            name = f"roam-{rep % a.machines}"
            placed = CH.converge(bed, a.machines, 90)
            victim = placed[name][0]
            others = [m for m in bed.machines if m != victim]
            observer, reader = others[0], others[1]
            bed.hosts("kill", victim)
            bed.run_in(victim, "ip", "link", "set", "eth0", "down")
            t0 = time.monotonic()

            def moved():
                node, ready = pods(bed, observer).get(name, (None, False))
                if node in (None, victim) or not ready:
                    return None
                r = bed.run_in(reader, "curl", "-s", "--max-time", "1", f"http://{name}.roam.default.svc.cluster.local:8080/", timeout=3)
                return r.stdout.split("\n")[0] == name
            if wait(moved, 60, step=0.1) is None:
                raise RuntimeError(f"{name} did not move off {victim}")
            result["pod_failover_s"].append(round(time.monotonic() - t0, 3))
            bed.run_in(victim, "ip", "link", "set", "eth0", "up")
            bed.hosts("start", victim)
            if CH.converge(bed, a.machines, 90) is None:
                raise RuntimeError("no convergence after the pod failover")

            # Leader partition: the leader's machine cut off, until the majority commits a write.
            leader = leader_of(bed)
            majority = [m for m in bed.machines if m != leader]
            bed.run_in(leader, "ip", "link", "set", "eth0", "down")
            t0 = time.monotonic()
            i = 0

            def committed():
                nonlocal i
                i += 1
                m = majority[i % len(majority)]
                try:
                    status, _ = bed.request(m, "PUT", f"/ordinal/v1/kv/bench-{rep}-{i}", b"x", timeout=1)
                    return status == 200
                except Exception:
                    return False
            if wait(committed, 30, step=0.02) is None:
                raise RuntimeError("the majority never committed")
            result["leader_partition_write_s"].append(round(time.monotonic() - t0, 3))
            bed.run_in(leader, "ip", "link", "set", "eth0", "up")
            if CH.converge(bed, a.machines, 90) is None:
                raise RuntimeError("no convergence after the partition")
            print(f"rep {rep}: pod failover {result['pod_failover_s'][-1]} s, "
                  f"write after leader partition {result['leader_partition_write_s'][-1]} s", flush=True)
    except Exception as e:
        result["error"] = str(e)
    finally:
        bed.hosts("down")
    for key in ("pod_failover_s", "leader_partition_write_s"):
        if result[key]:
            result[key + "_median"] = statistics.median(result[key])
    with open(os.path.join(out, "result.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result, indent=1))
    sys.exit(0 if "error" not in result else 1)


if __name__ == "__main__":
    main()
