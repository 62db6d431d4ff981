#!/usr/bin/env python3
"""API read latency while writes run at full rate (issue 27): a 3-agent cluster on
127.0.12.1-3 with a StatefulSet of --pods Parallel `ordinal/pause` pods; one client reads
through a follower, alternating a GET of one pod and a LIST of all of them on one keep-alive
connection, first alone (quiet), then while --writers processes each put key-value writes
through the leader as fast as their answers come back. Reports get and list p50/p99 and the
writes per second. Every process started here is stopped here.
"""
import argparse
import json
import multiprocessing
import os
import sys
import time

import harness as H

IPS = ["127.0.12.1", "127.0.12.2", "127.0.12.3"]


def writer(host, index, seconds, counts):
    client = H.KeepAlive(host, H.API_PORT, timeout=5.0)
    end = time.time() + seconds
    done = 0
    while time.time() < end:
        try:
            status, _ = client.request("PUT", f"/ordinal/v1/kv/bench-{index}-{done}", b"x",
                                       headers={"Content-Type": "application/octet-stream"})
            if status < 300:
                done += 1
        except Exception:
            client.close()
    counts[index] = done


def read_phase(follower, pod, seconds):
    client = H.KeepAlive(follower, H.API_PORT, timeout=5.0)
    gets, lists, failed = [], [], 0
    end = time.time() + seconds
    while time.time() < end:
        for path, into in ((f"/api/v1/namespaces/default/pods/{pod}", gets), ("/api/v1/namespaces/default/pods", lists)):
            started = time.monotonic()
            try:
                status, _ = client.request("GET", path)
                if status == 200:
                    into.append(time.monotonic() - started)
                else:
                    failed += 1
            except Exception:
                client.close()
                failed += 1
    client.close()
    ms = lambda xs, q: round(H.quantile(xs, q) * 1000, 2) if xs else None
    return {"gets": len(gets), "get_p50_ms": ms(gets, 0.5), "get_p99_ms": ms(gets, 0.99),
            "lists": len(lists), "list_p50_ms": ms(lists, 0.5), "list_p99_ms": ms(lists, 0.99), "failed": failed}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ordinal-bin", required=True)
    ap.add_argument("--pods", type=int, default=20)
    ap.add_argument("--writers", type=int, default=4)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if not (1 <= a.pods <= 200 and 1 <= a.writers <= 16 and 5 <= a.seconds <= 120):
        sys.exit("bench-reads: 1 to 200 pods, 1 to 16 writers, 5 to 120 s")
    os.makedirs(a.out, exist_ok=True)
    pg = H.ProcGroup()
    try:
        for i, ip in enumerate(IPS, start=1):
            pg.spawn(f"r{i}", H.agent_argv(a.ordinal_bin, f"r{i}", ip, os.path.join(a.out, f"r{i}"), bootstrap_expect=3,
                                           join=[IPS[0]] if i > 1 else ()), os.path.join(a.out, f"r{i}.log"))
        formed, raft = H.wait_formed(f"http://{IPS[0]}:{H.API_PORT}", 3, timeout=60, need="leaderAPI")
        if not formed:
            sys.exit("bench-reads: the cluster did not form within 60 s")
        leader = raft["leaderAPI"].split(":")[0]
        follower = next(ip for ip in IPS if ip != leader)
        manifest = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "read", "namespace": "default"},
                    "spec": {"replicas": a.pods, "podManagementPolicy": "Parallel", "serviceName": "read",
                             "selector": {"matchLabels": {"app": "read"}},
                             "template": {"metadata": {"labels": {"app": "read"}},
                                          "spec": {"containers": [{"name": "main", "image": "ordinal/pause"}]}}}}
        status, body = H.request_json("POST", f"http://{leader}:{H.API_PORT}/apis/apps/v1/namespaces/default/statefulsets", manifest, timeout=30)
        if status != 201:
            sys.exit(f"bench-reads: the StatefulSet was not created: {status} {body}")
        running = lambda: sum(1 for p in (H.request_json("GET", f"http://{follower}:{H.API_PORT}/api/v1/namespaces/default/pods")[1] or {}).get("items", [])
                              if p.get("status", {}).get("phase") == "Running") == a.pods
        if not H.wait_for(lambda: (running(), None), 120)[0]:
            sys.exit("bench-reads: the pods did not run within 120 s")
        results = {"quiet": read_phase(follower, "read-0", a.seconds)}
        counts = multiprocessing.Manager().dict()
        writers = [multiprocessing.Process(target=writer, args=(leader, i, a.seconds + 2, counts)) for i in range(a.writers)]
        for w in writers:
            w.start()
        time.sleep(1.0)
        results["writes"] = read_phase(follower, "read-0", a.seconds)
        for w in writers:
            w.join(timeout=a.seconds + 30)
        results["writes"]["writes_per_s"] = round(sum(counts.values()) / (a.seconds + 2), 1)
        summary = {"date": H.utc_date(), "machine": H.host_line(), "pods": a.pods, "writers": a.writers,
                   "seconds": a.seconds, "leader": leader, "follower": follower, "phases": results}
        H.write_json(os.path.join(a.out, "reads.json"), summary)
        print(H.md_row(["phase", "writes/s", "gets", "get p50 ms", "get p99 ms", "lists", "list p50 ms", "list p99 ms", "failed"]))
        print(H.md_sep(9))
        for phase, r in results.items():
            print(H.md_row([phase, str(r.get("writes_per_s", "—")), str(r["gets"]), str(r["get_p50_ms"]), str(r["get_p99_ms"]),
                            str(r["lists"]), str(r["list_p50_ms"]), str(r["list_p99_ms"]), str(r["failed"])]))
        print(f"\nRaw JSON: {a.out}/reads.json")
    finally:
        pg.stop_all(grace=15)


if __name__ == "__main__":
    main()
