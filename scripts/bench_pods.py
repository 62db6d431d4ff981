#!/usr/bin/env python3
"""Memory per running pod (issue 27): one agent on 127.0.13.1 runs --pods Parallel
`ordinal/pause` pods. Reports what a pod costs the machine two ways: the drop of MemAvailable
from before the apply to once every pod is Ready and has settled (after `sync`; the page
cache makes it noisy by tens of MiB, so use hundreds of pods), and the sum of what is private
to a pod: its keeper's and pause container's anonymous memory and page tables, and the
agent's anonymous growth per pod. Also each keeper's and pause container's VmRSS, RssAnon
and PSS. Every process started here is stopped here.
"""
import argparse
import os
import sys
import time

import harness as H

IP = "127.0.13.1"


def mem_available_kib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1])
    return 0


def settled_available(samples=5):
    os.sync()
    time.sleep(1.0)
    values = []
    for _ in range(samples):
        values.append(mem_available_kib())
        time.sleep(1.0)
    return sorted(values)[len(values) // 2]


def memory_of(pid):
    """VmRSS, RssAnon, VmPTE and PSS (KiB) of pid, or None once it is gone."""
    try:
        status = H.proc_status(pid, ["VmRSS", "RssAnon", "VmPTE"])
        with open(f"/proc/{pid}/smaps_rollup") as f:
            pss = next(int(line.split()[1]) for line in f if line.startswith("Pss:"))
        return {"rss": status["VmRSS"], "anon": status["RssAnon"], "pte": status["VmPTE"], "pss": pss}
    except (OSError, KeyError, StopIteration, ValueError):
        return None


def pod_processes(data_dir):
    """(keeper pids, pause pids) of the keepers listening under data_dir and their children."""
    keepers, children = H.keeper_pids(os.path.join(data_dir, "keepers")), []
    for keeper in keepers:
        try:
            with open(f"/proc/{keeper}/task/{keeper}/children") as f:
                children += [int(p) for p in f.read().split()]
        except OSError:
            pass
    return keepers, children


def mean(rows, key):
    rows = [r for r in rows if r]
    return round(sum(r[key] for r in rows) / len(rows), 1) if rows else None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ordinal-bin", required=True)
    ap.add_argument("--pods", type=int, default=100)
    ap.add_argument("--settle", type=int, default=10, help="seconds to wait once every pod is Ready")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if not (1 <= a.pods <= 500 and 0 <= a.settle <= 300):
        sys.exit("bench-pods: 1 to 500 pods, a settle of 0 to 300 s")
    os.makedirs(a.out, exist_ok=True)
    data_dir = os.path.join(a.out, "p1")
    pg = H.ProcGroup()
    try:
        agent = pg.spawn("p1", H.agent_argv(a.ordinal_bin, "p1", IP, data_dir, bootstrap_expect=1,
                                            max_pods=max(110, a.pods)), os.path.join(a.out, "p1.log"))
        api = f"http://{IP}:{H.API_PORT}"
        formed, _ = H.wait_formed(api, 1, timeout=60)
        if not formed:
            sys.exit("bench-pods: the agent did not elect itself within 60 s")
        time.sleep(3)
        agent_before = memory_of(agent.pid)
        before = settled_available()
        manifest = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "mem", "namespace": "default"},
                    "spec": {"replicas": a.pods, "podManagementPolicy": "Parallel", "serviceName": "mem",
                             "selector": {"matchLabels": {"app": "mem"}},
                             "template": {"metadata": {"labels": {"app": "mem"}},
                                          "spec": {"containers": [{"name": "main", "image": "ordinal/pause"}]}}}}
        started = time.monotonic()
        status, body = H.request_json("POST", f"{api}/apis/apps/v1/namespaces/default/statefulsets", manifest, timeout=30)
        if status != 201:
            sys.exit(f"bench-pods: the StatefulSet was not created: {status} {body}")
        ready = lambda: sum(1 for p in (H.request_json("GET", f"{api}/api/v1/namespaces/default/pods")[1] or {}).get("items", [])
                            if H.pod_ready(p)) == a.pods
        if not H.wait_for(lambda: (ready(), None), 300)[0]:
            sys.exit(f"bench-pods: the pods were not Ready within 300 s")
        ready_s = round(time.monotonic() - started, 1)
        time.sleep(a.settle)
        after = settled_available()
        agent_after = memory_of(agent.pid)
        keepers, pauses = pod_processes(data_dir)
        keeper_mem = [memory_of(p) for p in keepers]
        pause_mem = [memory_of(p) for p in pauses]
        summary = {
            "date": H.utc_date(), "machine": H.host_line(), "pods": a.pods, "ready_s": ready_s,
            "keepers_found": len(keepers), "pause_found": len(pauses),
            "machine_kib_per_pod": round((before - after) / a.pods, 1),
            "agent_rss_kib": {"before": agent_before and agent_before["rss"], "after": agent_after and agent_after["rss"]},
            "agent_anon_kib_per_pod": round(((agent_after or {}).get("anon", 0) - (agent_before or {}).get("anon", 0)) / a.pods, 1),
            "keeper_kib": {k: mean(keeper_mem, k) for k in ("rss", "anon", "pte", "pss")},
            "pause_kib": {k: mean(pause_mem, k) for k in ("rss", "anon", "pte", "pss")},
        }
        private = [summary["keeper_kib"]["anon"], summary["keeper_kib"]["pte"], summary["pause_kib"]["anon"],
                   summary["pause_kib"]["pte"], summary["agent_anon_kib_per_pod"]]
        summary["private_kib_per_pod"] = round(sum(v for v in private if v is not None), 1)
        H.write_json(os.path.join(a.out, "pods.json"), summary)
        print(H.md_row(["pods", "Ready after", "MemAvailable drop per pod", "private per pod", "agent anon per pod", "keeper RSS",
                        "keeper anon", "keeper PSS", "pause RSS", "pause anon", "pause PSS"]))
        print(H.md_sep(11))
        kib = lambda v: "—" if v is None else f"{v / 1024:.2f} MiB"
        print(H.md_row([str(a.pods), f"{ready_s} s", kib(summary["machine_kib_per_pod"]), kib(summary["private_kib_per_pod"]),
                        kib(summary["agent_anon_kib_per_pod"]),
                        kib(summary["keeper_kib"]["rss"]), kib(summary["keeper_kib"]["anon"]), kib(summary["keeper_kib"]["pss"]),
                        kib(summary["pause_kib"]["rss"]), kib(summary["pause_kib"]["anon"]), kib(summary["pause_kib"]["pss"])]))
        print(f"\n{len(keepers)} keepers, {len(pauses)} pause containers measured. Raw JSON: {a.out}/pods.json")
    finally:
        pg.stop_all(grace=30)


if __name__ == "__main__":
    main()
