#!/usr/bin/env python3
"""Drain benchmark (issue 18): a node holding 10 pods of one StatefulSet, with a
PodDisruptionBudget of maxUnavailable 1, drained by `ordinal drain` (one pod at a time, each
Ready elsewhere before the next) and, side by side, by `kubectl drain` (every eviction at
once, 429s retried every 5 s, waiting only for deletion).

Two pod shapes: Ready as soon as they run (no probe), and with a readiness probe whose
initial delay is --probe-delay seconds, so the pods' own readiness time is known. Reports the
drain's wall time, each pod's move (eviction accepted to replacement Ready, from the CLI's
own timestamped lines), and the target: under 10 s plus the pods' readiness time.
Agents run on 127.0.23.1-3; every process started here is stopped here.
"""
import argparse
import os
import subprocess
import sys
import time

import harness as H

IPS = [f"127.0.23.{i}" for i in (1, 2, 3)]
NAMES = ["d1", "d2", "d3"]


def manifest(name, replicas, probe_delay):
    container = {"name": "main", "image": "ordinal/pause"}
    if probe_delay:
        container["readinessProbe"] = {"exec": {"command": ["true"]}, "initialDelaySeconds": probe_delay, "periodSeconds": 1}
    return [
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name, "namespace": "default"},
         "spec": {"selector": {"matchLabels": {"app": name}}, "maxUnavailable": 1}},
        {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name, "namespace": "default"},
         "spec": {"replicas": replicas, "podManagementPolicy": "Parallel", "serviceName": name,
                  "selector": {"matchLabels": {"app": name}},
                  "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [container]}}}},
    ]


def set_schedulable(api, node, schedulable):
    body = b'{"spec":{"unschedulable":null}}' if schedulable else b'{"spec":{"unschedulable":true}}'
    status, _ = H.request("PATCH", f"{api}/api/v1/nodes/{node}", body, content_type="application/merge-patch+json")
    if status != 200:
        sys.exit(f"bench-drain: PATCH node {node} answered {status}")


def ready_pods(api, name):
    pods = H.request_json("GET", f"{api}/api/v1/namespaces/default/pods", timeout=5)[1].get("items", [])
    return [p for p in pods if p["metadata"]["name"].startswith(name + "-") and H.pod_ready(p)
            and not p["metadata"].get("deletionTimestamp")]


def place_all_on(api, node, name, replicas, probe_delay, timeout):
    """Cordons the other nodes, creates the set and its budget, waits for every pod Ready
    on `node`, then uncordons the others."""
    others = [n for n in NAMES if n != node]
    for other in others:
        set_schedulable(api, other, False)
    for obj in manifest(name, replicas, probe_delay):
        path = "/apis/policy/v1/namespaces/default/poddisruptionbudgets" if obj["kind"] == "PodDisruptionBudget" \
            else "/apis/apps/v1/namespaces/default/statefulsets"
        status, body = H.request_json("POST", api + path, obj, timeout=30)
        if status != 201:
            sys.exit(f"bench-drain: create {obj['kind']} answered {status}: {body}")
    if not H.wait_for(lambda: (len(ready_pods(api, name)) == replicas, None), timeout)[0]:
        sys.exit(f"bench-drain: {name}'s {replicas} pods were not Ready on {node} within {timeout} s")
    for other in others:
        set_schedulable(api, other, True)


def remove(api, name, timeout):
    """Deletes the set and its budget and waits for its pods to be gone, so the next run's
    node holds only its own pods."""
    H.request("DELETE", f"{api}/apis/apps/v1/namespaces/default/statefulsets/{name}")
    H.request("DELETE", f"{api}/apis/policy/v1/namespaces/default/poddisruptionbudgets/{name}")
    def gone():
        pods = H.request_json("GET", f"{api}/api/v1/namespaces/default/pods", timeout=5)[1].get("items", [])
        return (not any(p["metadata"]["name"].startswith(name + "-") for p in pods), None)
    if not H.wait_for(gone, timeout)[0]:
        sys.exit(f"bench-drain: {name}'s pods were not gone within {timeout} s")


def timed_lines(argv, env, timeout):
    """Runs argv; -> (exit code, [(seconds since start, line)], wall seconds)."""
    t0 = time.time()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    lines = []
    try:
        for line in proc.stdout:
            lines.append((time.time() - t0, line.rstrip("\n")))
            if time.time() - t0 > timeout:
                proc.kill()
                break
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, lines, time.time() - t0


def moves(lines):
    """Per pod: seconds from `pod/x evicted` to `pod/x ready on node/y` (ordinal drain's lines)."""
    evicted, out = {}, []
    for t, line in lines:
        words = line.split()
        if len(words) >= 2 and words[0].startswith("pod/") and words[1] == "evicted":
            evicted[words[0]] = t
        elif len(words) >= 3 and words[0].startswith("pod/") and words[1] == "ready" and words[0] in evicted:
            out.append(t - evicted[words[0]])
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ordinal-bin", required=True)
    parser.add_argument("--kubectl", default="/usr/lib/google-cloud-sdk/bin/kubectl.1.33")
    parser.add_argument("--pods", type=int, default=10)
    parser.add_argument("--probe-delay", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    apis = [f"http://{ip}:{H.API_PORT}" for ip in IPS]
    pg = H.ProcGroup()
    rows = []
    try:
        for i, (name, ip) in enumerate(zip(NAMES, IPS)):
            pg.spawn(name, H.agent_argv(args.ordinal_bin, name, ip, os.path.join(args.out, name), bootstrap_expect=3,
                                        join=[IPS[0]] if i else ()), os.path.join(args.out, f"{name}.log"))
        formed, _ = H.wait_formed(apis[0], 3, timeout=60)
        if not formed:
            sys.exit("bench-drain: the cluster did not form within 60 s")
        env = dict(os.environ, ORDINAL_AGENT=apis[0], HOME=args.out)
        runs = [("ordinal drain", 0), ("ordinal drain", args.probe_delay)]
        if os.access(args.kubectl, os.X_OK):
            runs += [("kubectl drain", 0), ("kubectl drain", args.probe_delay)]
        for number, (tool, delay) in enumerate(runs):
            node = NAMES[number % 3]
            name = f"bench-{number}"
            place_all_on(apis[0], node, name, args.pods, delay, args.timeout)
            H.log(f"{tool}: {args.pods} pods of {name} on {node}, probe delay {delay} s")
            if tool == "ordinal drain":
                argv = [args.ordinal_bin, "drain", node, "--timeout", str(int(args.timeout))]
            else:
                argv = [args.kubectl, "--server", apis[0], "drain", node, "--ignore-daemonsets", f"--timeout={int(args.timeout)}s"]
            start = time.time()
            code, lines, wall = timed_lines(argv, env, args.timeout)
            with open(os.path.join(args.out, f"{number}-{tool.split()[0]}.log"), "w") as f:
                f.writelines(f"{t:8.3f} {line}\n" for t, line in lines)
            if code != 0:
                sys.exit(f"bench-drain: {tool} exited {code}; see {args.out}")
            # kubectl returns once the old pods are deleted; count until every replacement is Ready.
            all_ready, _ = H.wait_for(lambda: (len(ready_pods(apis[0], name)) == args.pods, None), args.timeout)
            ready_s = time.time() - start
            per = moves(lines)
            readiness = args.pods * delay
            rows.append({"tool": tool, "probe_delay_s": delay, "pods": args.pods, "exit": code, "drain_s": round(wall, 2), "all_ready_s": round(ready_s, 2),
                         "replacements_ready": bool(all_ready),
                         "move_median_s": round(H.quantile(per, 0.5), 2) if per else None,
                         "move_max_s": round(max(per), 2) if per else None,
                         "readiness_floor_s": readiness,
                         "target_s": 10 + readiness})
            set_schedulable(apis[0], node, True)
            remove(apis[0], name, args.timeout)
        result = {"date": H.utc_date(), "machine": H.host_line(), "rows": rows}
        H.print_json(os.path.join(args.out, "result.json"), result)
        table = ["| tool | pods | readiness probe delay | drain returns | every replacement Ready | per-pod move (median / max) | target (10 s + readiness) |",
                 "|---|---|---|---|---|---|---|"]
        for r in rows:
            move = f"{r['move_median_s']} / {r['move_max_s']} s" if r["move_median_s"] is not None else "— (kubectl prints no per-pod Ready)"
            table.append(f"| {r['tool']} | {r['pods']} | {r['probe_delay_s']} s | {r['drain_s']} s | {r['all_ready_s']} s | {move} | < {r['target_s']} s |")
        text = "\n".join(table)
        print(text)
        if os.environ.get("BENCH_DRAIN_WRITE"):
            H.append_section("## Drain (issue 18)",
                             "scripts/bench-drain: 3 agents on 127.0.23.1-3; one node holds 10 pods of a Parallel StatefulSet "
                             "with a PodDisruptionBudget of maxUnavailable 1; the node is drained by ordinal drain (one pod at "
                             "a time, each Ready elsewhere first) and by kubectl 1.33 drain (all evictions at once, 429s retried "
                             "every 5 s, returns once the old pods are deleted). The target is under 10 s plus the pods' own "
                             "readiness time (the probe's initial delay times the pods moved one after another).",
                             f"Command: `{os.environ.get('BENCH_DRAIN_CMD', 'scripts/bench-drain')}`. Machine: {H.host_line()}.\n\n{text}",
                             H.utc_date())
    finally:
        pg.kill_all()


if __name__ == "__main__":
    main()
