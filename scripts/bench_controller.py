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
import platform
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request


def http(method, url, body=None, timeout=10):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


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


def memory_kib(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                fields[key] = int(value.split()[0])
    return fields


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

    agents, procs = ["a1", "a2", "a3"], []
    apis = [f"http://127.0.2.{i}:7480" for i in (1, 2, 3)]
    try:
        for i, name in enumerate(agents, start=1):
            log = open(os.path.join(args.out, f"{name}.log"), "w")
            cmd = [args.ordinal_bin, "agent", "--name", name, "--bind", f"127.0.2.{i}:7400",
                   "--api", f"127.0.2.{i}:7480", "--data-dir", os.path.join(args.out, name),
                   "--bootstrap-expect", "3", "--max-pods", str(args.max_pods)]
            if i > 1:
                cmd += ["--join", "127.0.2.1:7400"]
            procs.append(subprocess.Popen(cmd, stdout=log, stderr=log))
        deadline = time.time() + 60
        leader = None
        while time.time() < deadline:
            try:
                status, raft = http("GET", apis[0] + "/ordinal/v1/raft", timeout=1)
                status2, nodes = http("GET", apis[0] + "/api/v1/nodes", timeout=1)
                if raft.get("leaderAPI") and len(nodes.get("items", [])) == 3:
                    leader = "http://" + raft["leaderAPI"]
                    break
            except OSError:
                pass
            time.sleep(0.2)
        if leader is None:
            sys.exit("bench-controller: the cluster did not form within 60 s")
        start_commit = http("GET", leader + "/ordinal/v1/raft")[1]["commitIndex"]
        total = args.sets * args.replicas
        t0 = time.time()
        with concurrent.futures.ThreadPoolExecutor(args.clients) as pool:
            creates = list(pool.map(lambda i: http("POST", apis[i % 3] + "/apis/apps/v1/namespaces/default/statefulsets",
                                                   statefulset(i, args.replicas, not args.no_claims), timeout=30),
                                    range(args.sets)))
        applied_at = time.time() - t0
        failures = [body for status, body in creates if status != 201]
        if failures:
            sys.exit(f"bench-controller: {len(failures)} creates failed, first: {failures[0]}")
        scheduled_at = running_at = None
        while time.time() - t0 < args.timeout:
            pods = http("GET", leader + "/api/v1/namespaces/default/pods", timeout=30)[1].get("items", [])
            placed = sum(1 for p in pods if p["spec"].get("nodeName"))
            running = sum(1 for p in pods if p.get("status", {}).get("phase") == "Running")
            now = time.time() - t0
            if scheduled_at is None and placed == total:
                scheduled_at = now
            if running == total:
                running_at = now
                break
            time.sleep(0.2)
        end_commit = http("GET", leader + "/ordinal/v1/raft")[1]["commitIndex"]
        elapsed = running_at or (time.time() - t0)
        replicas_agree = len({json.dumps(sorted((p["metadata"]["name"], p["spec"].get("nodeName"), p["metadata"]["resourceVersion"])
                                                for p in http("GET", api + "/api/v1/namespaces/default/pods", timeout=30)[1]["items"]))
                              for api in apis}) == 1
        memory = {name: memory_kib(proc.pid) for name, proc in zip(agents, procs)}
        result = {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, {platform.platform()}",
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
        print(json.dumps(result, indent=2))
        with open(os.path.join(args.out, "result.json"), "w") as out:
            json.dump(result, out, indent=2)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=10)


if __name__ == "__main__":
    main()
