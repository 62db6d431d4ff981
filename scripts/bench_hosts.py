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

  gossip detection kill -9 of a follower's agent, to every other agent reporting it dead
                   (members polled every 20 ms), on the test bed and, in the same run, on
                   N agents on loopback (127.0.9.x, the same cluster key); target: the test
                   bed's median within 20 % of loopback's.

Each repetition heals (link up, agent started again) and waits until the machines agree.
Writes the figures to stdout and .cluster/bench-hosts/<UTC>/result.json. Needs root.
"""
import argparse
import base64
import http.client
import json
import subprocess
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


def detect(members_of, names, victim, kill, timeout=30):
    """Seconds from kill() until every agent but the victim reports it dead."""
    survivors = [n for n in names if n != victim]
    kill()
    t0 = time.monotonic()

    def all_dead():
        for n in survivors:
            view = members_of(n) or {}
            if view.get(victim) != "dead":
                return False
        return True
    if wait(all_dead, timeout, step=0.02) is None:
        raise RuntimeError(f"{victim} not reported dead within {timeout} s")
    return round(time.monotonic() - t0, 3)


def bed_members(bed, m):
    j = bed.json(m, "/ordinal/v1/members", timeout=1)
    return {x["name"]: x["state"] for x in j["members"]} if j else None


class Loopback:
    """N agents on 127.0.9.x with the test bed's flags but loopback addresses."""

    def __init__(self, n, binary, out, key):
        self.n, self.binary, self.out, self.key = n, binary, out, key
        self.procs = {}

    def ip(self, i):
        return f"127.0.9.{i}"

    def start(self, i):
        data = os.path.join(self.out, f"l{i}")
        os.makedirs(data, exist_ok=True)
        join = ",".join(f"{self.ip(j)}:7400" for j in range(1, min(self.n, 3) + 1) if j != i)
        log = open(os.path.join(data, "agent.log"), "ab")
        self.procs[i] = subprocess.Popen(
            [self.binary, "agent", "--name", f"l{i}", "--bind", f"{self.ip(i)}:7400", "--api", f"{self.ip(i)}:7480",
             "--dns", f"{self.ip(i)}:7453", "--data-dir", os.path.join(data, "data"), "--bootstrap-expect", str(min(self.n, 3)),
             "--join", join, "--encrypt", self.key], stdout=log, stderr=log, stdin=subprocess.DEVNULL, close_fds=True)

    def members(self, name):
        i = int(name[1:])
        try:
            c = http.client.HTTPConnection(self.ip(i), 7480, timeout=1)
            c.request("GET", "/ordinal/v1/members")
            j = json.loads(c.getresponse().read())
            return {x["name"]: x["state"] for x in j["members"]}
        except Exception:
            return None

    def stop(self):
        for p in self.procs.values():
            p.kill()
            p.wait()


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
    result = {"machines": a.machines, "reps": a.reps, "binary": a.binary, "pod_failover_s": [], "leader_partition_write_s": [],
              "gossip_detect_bed_s": [], "gossip_detect_loopback_s": []}
    try:
        bed.up()
        workload = os.path.join(out, "roam.yaml")
        with open(workload, "w") as f:
            f.write(CH.manifest(a.machines))
        if bed.cli("apply", "-f", workload).returncode != 0 or CH.converge(bed, a.machines, 90) is None:
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
        # Gossip detection on the bed: a follower's agent killed, then started again.
        for rep in range(a.reps):
            leader = leader_of(bed)
            victim = [m for m in bed.machines if m != leader][rep % (a.machines - 1)]
            result["gossip_detect_bed_s"].append(detect(lambda m: bed_members(bed, m), bed.machines, victim,
                                                         lambda: bed.hosts("kill", victim)))
            bed.hosts("start", victim)
            if CH.converge(bed, a.machines, 90) is None:
                raise RuntimeError("no convergence after the gossip kill")
        bed.hosts("down")
        # The same on loopback, in the same run.
        key = base64.b64encode(os.urandom(32)).decode()
        loop = Loopback(a.machines, a.binary, os.path.join(out, "loopback"), key)
        names = [f"l{i}" for i in range(1, a.machines + 1)]
        try:
            for i in range(1, a.machines + 1):
                loop.start(i)
            for rep in range(a.reps):
                if wait(lambda: all(sum(1 for v in (loop.members(n) or {}).values() if v == "alive") == a.machines for n in names), 60, 0.2) is None:
                    raise RuntimeError("the loopback agents did not converge")
                time.sleep(2)
                victim = names[a.machines - 1 - rep % (a.machines - 1)]
                result["gossip_detect_loopback_s"].append(detect(loop.members, names, victim, lambda: loop.procs[int(victim[1:])].kill()))
                loop.procs[int(victim[1:])].wait()
                loop.start(int(victim[1:]))
        finally:
            loop.stop()
    except Exception as e:
        result["error"] = str(e)
    finally:
        bed.hosts("down")
    for key in ("pod_failover_s", "leader_partition_write_s", "gossip_detect_bed_s", "gossip_detect_loopback_s"):
        if result[key]:
            result[key + "_median"] = statistics.median(result[key])
    with open(os.path.join(out, "result.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result, indent=1))
    sys.exit(0 if "error" not in result else 1)


if __name__ == "__main__":
    main()
