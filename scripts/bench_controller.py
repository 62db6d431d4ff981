#!/usr/bin/env python3
"""Controller benchmark: N StatefulSets x R Parallel replicas applied to a 3-agent cluster.

Measures, from the first create request: time until every pod is placed on a node, time
until every pod is Running, the Raft commit rate over that interval, and each agent's
resident memory (current and peak) at the end. Agents run on 127.0.2.1-3 with their own
data directories under the output directory; every process started here is stopped here.
"""
import argparse
import concurrent.futures
import json
import os
import sys
import time

import harness as H


def statefulset(index, replicas, claims):
    name = f"set-{index:03d}"
    spec = {
        "replicas": replicas,
        "podManagementPolicy": "Parallel",
        "serviceName": name,
        "selector": {"matchLabels": {"app": name}},
        "template": {
            "metadata": {"labels": {"app": name}},
            "spec": {"containers": [{"name": "main", "image": "ordinal/pause"}]},
        },
    }
    if claims:
        spec["volumeClaimTemplates"] = [{
            "metadata": {"name": "data"},
            "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "local",
                     "resources": {"requests": {"storage": "1Gi"}}},
        }]
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ordinal-bin", required=True)
    parser.add_argument("--sets", type=int, default=100)
    parser.add_argument("--replicas", type=int, default=10)
    parser.add_argument("--no-claims", action="store_true", help="StatefulSets without volumeClaimTemplates")
    parser.add_argument("--clients", type=int, default=8, help="concurrent create requests")
    parser.add_argument("--max-pods", type=int, default=500, help="--max-pods of each agent (a kubelet's default is 110)")
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    agents = ["a1", "a2", "a3"]
    apis = [f"http://127.0.2.{i}:7480" for i in (1, 2, 3)]
    pg = H.ProcGroup()
    try:
        for i, name in enumerate(agents, start=1):
            pg.spawn(name, H.agent_argv(args.ordinal_bin, name, f"127.0.2.{i}", os.path.join(args.out, name),
                                        bootstrap_expect=3, max_pods=args.max_pods,
                                        join=["127.0.2.1"] if i > 1 else ()),
                     os.path.join(args.out, f"{name}.log"))
        formed, raft = H.wait_formed(apis[0], 3, timeout=60, need="leaderAPI")
        if not formed:
            sys.exit("bench-controller: the cluster did not form within 60 s")
        leader = "http://" + raft["leaderAPI"]
        start_commit = H.request_json("GET", leader + "/ordinal/v1/raft")[1]["commitIndex"]
        total = args.sets * args.replicas
        t0 = time.time()
        with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
            creates = list(pool.map(lambda i: H.request_json(
                "POST", apis[i % 3] + "/apis/apps/v1/namespaces/default/statefulsets",
                statefulset(i, args.replicas, not args.no_claims), timeout=30), range(args.sets)))
        applied_at = time.time() - t0
        failures = [body for status, body in creates if status != 201]
        if failures:
            sys.exit(f"bench-controller: {len(failures)} creates failed, first: {failures[0]}")
        scheduled_at = running_at = None
        while time.time() - t0 < args.timeout:
            pods = H.request_json("GET", leader + "/api/v1/namespaces/default/pods", timeout=30)[1].get("items", [])
            placed = sum(1 for p in pods if p["spec"].get("nodeName"))
            running = sum(1 for p in pods if p.get("status", {}).get("phase") == "Running")
            now = time.time() - t0
            if scheduled_at is None and placed == total:
                scheduled_at = now
            if running == total:
                running_at = now
                break
            time.sleep(0.2)
        end_commit = H.request_json("GET", leader + "/ordinal/v1/raft")[1]["commitIndex"]
        elapsed = running_at or (time.time() - t0)
        replicas_agree = len({json.dumps(sorted((p["metadata"]["name"], p["spec"].get("nodeName"), p["metadata"]["resourceVersion"])
                                                for p in H.request_json("GET", api + "/api/v1/namespaces/default/pods", timeout=30)[1]["items"]))
                              for api in apis}) == 1
        memory = {name: H.proc_status(pg.pid(name), ("VmRSS", "VmHWM")) for name in agents}
        result = {
            "date": H.utc_date(),
            "machine": H.host_line(),
            "sets": args.sets, "replicas": args.replicas, "pods": total, "claims": not args.no_claims,
            "creates_acknowledged_s": round(applied_at, 3),
            "all_scheduled_s": None if scheduled_at is None else round(scheduled_at, 3),
            "all_running_s": None if running_at is None else round(running_at, 3),
            "commits": end_commit - start_commit,
            "commits_per_s": round((end_commit - start_commit) / elapsed, 1),
            "replicas_agree": replicas_agree,
            "rss_mib": {name: round(m["VmRSS"] / 1024, 1) for name, m in memory.items()},
            "peak_rss_mib": {name: round(m["VmHWM"] / 1024, 1) for name, m in memory.items()},
        }
        H.print_json(os.path.join(args.out, "result.json"), result)
    finally:
        pg.kill_all()


if __name__ == "__main__":
    main()
