#!/usr/bin/env python3
"""Pods on the process runtime beside the container runtime, in one run (issues 27 and 28).

For each runtime, one agent on 127.0.13.1 (a fresh data dir; with --container-runtime-endpoint
for containers) runs --pods Parallel `ordinal/pause` pods. Reported per runtime:
  - apply -> Ready latency of each pod, p50/p99 and the last (the pod list polled every
    50 ms; the time includes the controller creating the pod and the scheduler binding it,
    which the apply triggers at once for a Parallel set), with the image already present
    (`imagePullPolicy: IfNotPresent`: an untagged image defaults to Always, a registry round
    trip per start);
  - what a running pod costs the machine: the drop of MemAvailable from before the apply to
    once every pod is Ready and has settled (after `sync`), and the RSS/anonymous memory/PSS of
    each keeper, pause process and (containers) containerd shim.
Then the time containerd takes to pull a 100 MB image (one incompressible layer) from the local
registry, through the same mirror configuration the CRI uses. Every process and image started
here is stopped or removed here.
"""
import argparse
import json
import os
import subprocess
import sys
import time

import harness as H

IP = "127.0.13.1"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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


def processes_named(name):
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as f:
                    if f.read().strip() == name:
                        found.append(int(entry))
            except OSError:
                pass
    return set(found)


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def mean(rows, key):
    rows = [r for r in rows if r]
    return round(sum(r[key] for r in rows) / len(rows), 1) if rows else None


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))] if ordered else None


def run(runtime, a, endpoint):
    """One runtime's round; returns its summary."""
    out = os.path.join(a.out, runtime)
    data_dir = os.path.join(out, "p1")
    os.makedirs(out, exist_ok=True)
    extra = f"--container-runtime-endpoint {endpoint}" if runtime == "container" else ""
    shims_before = processes_named("containerd-shim")
    pg = H.ProcGroup()
    try:
        agent = pg.spawn("p1", H.agent_argv(a.ordinal_bin, "p1", IP, data_dir, bootstrap_expect=1,
                                            max_pods=max(110, a.pods), extra=extra), os.path.join(out, "p1.log"))
        api = f"http://{IP}:{H.API_PORT}"
        formed, _ = H.wait_formed(api, 1, timeout=60)
        if not formed:
            sys.exit(f"bench-pods: the {runtime} agent did not elect itself within 60 s")
        time.sleep(3)
        agent_before = memory_of(agent.pid)
        before = settled_available()
        manifest = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "mem", "namespace": "default"},
                    "spec": {"replicas": a.pods, "podManagementPolicy": "Parallel", "serviceName": "mem",
                             "selector": {"matchLabels": {"app": "mem"}},
                             "template": {"metadata": {"labels": {"app": "mem"}},
                                          "spec": {"terminationGracePeriodSeconds": 2,
                                                   "containers": [{"name": "main", "image": "ordinal/pause",
                                                                   "imagePullPolicy": "IfNotPresent"}]}}}}
        started = time.monotonic()
        status, body = H.request_json("POST", f"{api}/apis/apps/v1/namespaces/default/statefulsets", manifest, timeout=30)
        if status != 201:
            sys.exit(f"bench-pods: the StatefulSet was not created: {status} {body}")
        ready = {}
        deadline = started + 300
        while len(ready) < a.pods and time.monotonic() < deadline:
            now = time.monotonic()
            for pod in (H.request_json("GET", f"{api}/api/v1/namespaces/default/pods")[1] or {}).get("items", []):
                if H.pod_ready(pod):
                    ready.setdefault(pod["metadata"]["name"], now)
            time.sleep(0.05)
        if len(ready) < a.pods:
            sys.exit(f"bench-pods: {len(ready)} of {a.pods} {runtime} pods Ready within 300 s")
        latencies = [at - started for at in ready.values()]
        all_ready_s = round(max(latencies), 2)
        time.sleep(a.settle)
        after = settled_available()
        agent_after = memory_of(agent.pid)
        keepers = H.keeper_pids(os.path.join(data_dir, "keepers"))
        pauses = [c for k in keepers for c in children(k)]
        shims = sorted(processes_named("containerd-shim") - shims_before)
        if runtime == "container":
            pauses = [c for s in shims for c in children(s) if open(f"/proc/{c}/comm").read().strip() == "pause"]
        summary = {
            "runtime": runtime, "pods": a.pods, "all_ready_s": all_ready_s,
            "start_p50_s": round(percentile(latencies, 0.5), 3), "start_p99_s": round(percentile(latencies, 0.99), 3),
            "keepers": len(keepers), "pause": len(pauses), "shims": len(shims),
            "machine_kib_per_pod": round((before - after) / a.pods, 1),
            "agent_anon_kib_per_pod": round(((agent_after or {}).get("anon", 0) - (agent_before or {}).get("anon", 0)) / a.pods, 1),
            "keeper_kib": {k: mean([memory_of(p) for p in keepers], k) for k in ("rss", "anon", "pss")},
            "pause_kib": {k: mean([memory_of(p) for p in pauses], k) for k in ("rss", "anon", "pss")},
            "shim_kib": {k: mean([memory_of(p) for p in shims], k) for k in ("rss", "anon", "pss")},
        }
        # Leave the runtime as found: the pods' sandboxes removed (their addresses released)
        # by the agent, not left to a keeper's fence.
        H.request_json("DELETE", f"{api}/apis/apps/v1/namespaces/default/statefulsets/mem", timeout=30)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (H.request_json("GET", f"{api}/api/v1/namespaces/default/pods")[1] or {}).get("items"):
            time.sleep(0.5)
        return summary
    finally:
        pg.stop_all(grace=60)


def pull_big_image(a, endpoint):
    """Seconds containerd takes to pull a fresh 100 MB one-layer image from the local registry."""
    work = os.path.join(a.out, "big")
    os.makedirs(work, exist_ok=True)
    payload = os.path.join(work, "payload")
    with open(payload, "wb") as f:
        f.write(os.urandom(100 * 1024 * 1024))
    spec = os.path.join(work, "spec.json")
    with open(spec, "w") as f:
        json.dump({"files": [["/payload", payload, 420, None]], "config": {"Cmd": ["/payload"]}}, f)
    layout = os.path.join(work, "layout")
    subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "oci_image.py"), layout, "latest", spec], check=True,
                   stdout=subprocess.DEVNULL)
    tag = f"bench/big:{int(time.time())}"
    subprocess.run(["skopeo", "copy", "--quiet", "--dest-tls-verify=false", f"oci:{layout}:latest",
                    f"docker://127.0.0.1:5000/{tag}"], check=True)
    socket = endpoint[len("unix://"):]
    ctr = ["ctr", "--address", socket, "--namespace", "k8s.io"]
    image = f"docker.io/{tag}"
    started = time.monotonic()
    subprocess.run(ctr + ["images", "pull", "--hosts-dir", os.path.join(ROOT, "cluster", "containerd", "certs.d"), image],
                   check=True, stdout=subprocess.DEVNULL)
    seconds = round(time.monotonic() - started, 2)
    subprocess.run(ctr + ["images", "rm", image], check=False, stdout=subprocess.DEVNULL)
    os.remove(payload)
    return seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ordinal-bin", required=True)
    ap.add_argument("--pods", type=int, default=30)
    ap.add_argument("--settle", type=int, default=10, help="seconds to wait once every pod is Ready")
    ap.add_argument("--runtime", choices=["both", "process", "container"], default="both")
    ap.add_argument("--endpoint", required=True, help="the CRI endpoint scripts/runtime up printed")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    if not (1 <= a.pods <= 500 and 0 <= a.settle <= 300):
        sys.exit("bench-pods: 1 to 500 pods, a settle of 0 to 300 s")
    os.makedirs(a.out, exist_ok=True)
    runtimes = ["process", "container"] if a.runtime == "both" else [a.runtime]
    results = [run(runtime, a, a.endpoint) for runtime in runtimes]
    pull_s = pull_big_image(a, a.endpoint) if "container" in runtimes else None
    H.write_json(os.path.join(a.out, "pods.json"), {"date": H.utc_date(), "machine": H.host_line(), "runtimes": results,
                                                    "pull_100mb_s": pull_s})
    kib = lambda v: "—" if v is None else f"{v / 1024:.2f} MiB"
    print(H.md_row(["runtime", "pods", "apply → Ready p50", "p99", "all Ready", "MemAvailable drop per pod",
                    "agent anon per pod", "keeper RSS / PSS", "pause RSS / PSS", "shim RSS / PSS"]))
    print(H.md_sep(10))
    for r in results:
        print(H.md_row([r["runtime"], str(r["pods"]), f"{r['start_p50_s']} s", f"{r['start_p99_s']} s", f"{r['all_ready_s']} s",
                        kib(r["machine_kib_per_pod"]), kib(r["agent_anon_kib_per_pod"]),
                        f"{kib(r['keeper_kib']['rss'])} / {kib(r['keeper_kib']['pss'])}",
                        f"{kib(r['pause_kib']['rss'])} / {kib(r['pause_kib']['pss'])}",
                        f"{kib(r['shim_kib']['rss'])} / {kib(r['shim_kib']['pss'])}" if r["shims"] else "—"]))
    counts = ", ".join(f"{r['runtime']}: {r['keepers']} keepers, {r['pause']} pause processes, {r['shims']} shims" for r in results)
    print(f"\nMeasured: {counts}.")
    if pull_s is not None:
        print(f"Pulling a 100 MB image (one incompressible layer) from the local registry: {pull_s} s.")
    print(f"Raw JSON: {a.out}/pods.json")


if __name__ == "__main__":
    main()
