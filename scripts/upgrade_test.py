#!/usr/bin/env python3
"""A rolling upgrade across two builds (issue 27's versioned entries; issue 30's upgrade test).

Three agents on 127.0.14.1-3 start on the OLD build with a StatefulSet of `ordinal/pause`
pods and a writer that puts a new key through a rotating agent every 20 ms. Then:

  1. one follower is replaced by the NEW build and rolled back to the OLD one (a rollout
     abandoned half way),
  2. every agent is replaced by the NEW build, followers first and the leader last,

each replacement a kill -9 and a start of the other binary on the same data directory,
so the pods stay with their keepers and the restarted agent adopts them. Throughout, the
cluster version every agent reports is sampled: it must stay 1 while any agent runs the
OLD build, and reach 2 once all run the NEW one. At the end: every acknowledged write is on
every agent with its value, the pods have the same uids, keeper processes and restart
counts as before the first replacement, and all are Ready. Every process started here is
stopped here.
"""
import argparse
import os
import sys
import threading
import time

import harness as H

IPS = ["127.0.14.1", "127.0.14.2", "127.0.14.3"]
NAMES = ["u1", "u2", "u3"]
PODS = 3


def api(i):
    return f"http://{IPS[i]}:{H.API_PORT}"


class Cluster:
    def __init__(self, pg, out, bins):
        self.pg, self.out, self.bins = pg, out, bins
        self.build = {}

    def start(self, i, build):
        self.build[i] = build
        argv = H.agent_argv(self.bins[build], NAMES[i], IPS[i], os.path.join(self.out, NAMES[i]), bootstrap_expect=3,
                            join=[ip for j, ip in enumerate(IPS) if j != i])
        self.pg.spawn(NAMES[i], argv, os.path.join(self.out, f"{NAMES[i]}.log"))

    def replace(self, i, build):
        """kill -9 agent i and start `build` on its data directory; -> seconds until it
        answers with a Raft status again."""
        self.pg.kill9(NAMES[i])
        started = time.monotonic()
        self.start(i, build)
        ok, _ = H.wait_for(lambda: (bool(H.get_json(api(i) + "/ordinal/v1/raft")), None), 30, period=0.1)
        if not ok:
            sys.exit(f"upgrade-test: {NAMES[i]} on the {build} build did not answer within 30 s")
        return round(time.monotonic() - started, 2)

    def versions(self):
        """{agent: cluster version it reports (1 when a build has none), or None}."""
        result = {}
        for i in range(len(IPS)):
            raft = H.get_json(api(i) + "/ordinal/v1/raft", timeout=0.5)
            result[NAMES[i]] = None if not isinstance(raft, dict) else int(raft.get("clusterVersion") or 1)
        return result

    def leader(self):
        for i in range(len(IPS)):
            raft = H.get_json(api(i) + "/ordinal/v1/raft", timeout=0.5) or {}
            if raft.get("leader") in NAMES:
                return NAMES.index(raft["leader"])
        return None

    def caught_up(self, timeout=30):
        """Waits until every agent has applied what the leader had committed when asked."""
        def check():
            statuses = [H.get_json(api(i) + "/ordinal/v1/raft", timeout=0.5) or {} for i in range(len(IPS))]
            commit = max((s.get("commitIndex") or 0) for s in statuses)
            return all((s.get("appliedIndex") or 0) >= commit > 0 and s.get("leader") for s in statuses), None
        return H.wait_for(check, timeout, period=0.2)[0]


class Writer(threading.Thread):
    """Puts k<n> = v<n> through agent n % 3 every 20 ms; remembers what was acknowledged."""

    def __init__(self):
        super().__init__(daemon=True)
        self.halt = threading.Event()
        self.acknowledged, self.failed = {}, 0

    def run(self):
        n = 0
        deadline = time.monotonic() + 900
        while not self.halt.is_set() and time.monotonic() < deadline:
            try:
                status, _ = H.request("PUT", f"{api(n % 3)}/ordinal/v1/kv/k{n}", f"v{n}".encode(), timeout=3,
                                      content_type="application/octet-stream")
            except OSError:
                status = None  # the agent it went to is being replaced
            if status == 200:
                self.acknowledged[f"k{n}"] = f"v{n}"
            else:
                self.failed += 1
            n += 1
            time.sleep(0.02)


class VersionWatch(threading.Thread):
    """Samples every agent's cluster version every 0.25 s with the builds running then."""

    def __init__(self, cluster):
        super().__init__(daemon=True)
        self.cluster, self.halt = cluster, threading.Event()
        self.mixed_max, self.samples = 0, 0

    def run(self):
        deadline = time.monotonic() + 900
        while not self.halt.is_set() and time.monotonic() < deadline:
            builds = dict(self.cluster.build)
            versions = [v for v in self.cluster.versions().values() if v is not None]
            if "old" in builds.values() and versions:
                self.mixed_max = max(self.mixed_max, max(versions))
                self.samples += 1
            time.sleep(0.25)


def pods():
    """{pod name: (uid, node, restart count, ready)} from agent 1's replica."""
    body = H.get_json(api(0) + "/api/v1/namespaces/default/pods", timeout=2) or {}
    result = {}
    for p in body.get("items") or []:
        statuses = (p.get("status") or {}).get("containerStatuses") or []
        result[p["metadata"]["name"]] = (p["metadata"].get("uid"), (p.get("spec") or {}).get("nodeName"),
                                         sum(s.get("restartCount", 0) for s in statuses), H.pod_ready(p))
    return result


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old-bin", required=True, help="the OLD build's ordinal (ordinal-keeper beside it)")
    ap.add_argument("--new-bin", required=True, help="the NEW build's ordinal (ordinal-keeper beside it)")
    ap.add_argument("--old-label", default="old")
    ap.add_argument("--new-label", default="new")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    pg = H.ProcGroup()
    cluster = Cluster(pg, a.out, {"old": a.old_bin, "new": a.new_bin})
    writer, watch = Writer(), VersionWatch(cluster)
    steps, failures = [], []
    try:
        for i in range(len(IPS)):
            cluster.start(i, "old")
        if not H.wait_formed(api(0), 3, timeout=60)[0]:
            sys.exit("upgrade-test: the OLD cluster did not form within 60 s")
        manifest = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "up", "namespace": "default"},
                    "spec": {"replicas": PODS, "podManagementPolicy": "Parallel", "serviceName": "up",
                             "selector": {"matchLabels": {"app": "up"}},
                             "template": {"metadata": {"labels": {"app": "up"}},
                                          "spec": {"containers": [{"name": "main", "image": "ordinal/pause"}]}}}}
        status, body = H.request_json("POST", f"{api(0)}/apis/apps/v1/namespaces/default/statefulsets", manifest, timeout=30)
        if status != 201:
            sys.exit(f"upgrade-test: the StatefulSet was not created: {status} {body}")
        if not H.wait_for(lambda: (len(pods()) == PODS and all(p[3] for p in pods().values()), None), 120)[0]:
            sys.exit(f"upgrade-test: the pods were not Ready within 120 s: {pods()}")
        before_pods, before_keepers = pods(), set(H.keeper_pids(a.out))
        writer.start()
        watch.start()
        time.sleep(3)

        leader = cluster.leader()
        follower = next(i for i in range(len(IPS)) if i != leader)
        plan = [(follower, "new", "one follower to the NEW build"), (follower, "old", "rolled back to the OLD build")]
        plan += [(i, "new", "follower to the NEW build") for i in range(len(IPS)) if i != leader]
        plan.append((leader, "new", "the leader to the NEW build"))
        for i, build, what in plan:
            answered = cluster.replace(i, build)
            caught = cluster.caught_up()
            time.sleep(2)
            versions = cluster.versions()
            steps.append((NAMES[i], what, answered, caught, versions, len(writer.acknowledged)))
            H.log(f"upgrade-test: {NAMES[i]}: {what}; answered after {answered} s; versions {versions}")
            if not caught:
                failures.append(f"the agents did not catch up after {NAMES[i]}: {what}")
        raised, _ = H.wait_for(lambda: (all(v == 2 for v in cluster.versions().values()), None), 30)
        if not raised:
            failures.append(f"the cluster version did not reach 2 on every agent: {cluster.versions()}")
        time.sleep(2)
        writer.halt.set()
        watch.halt.set()
        writer.join(10)
        watch.join(10)
        if not cluster.caught_up():
            failures.append("the agents did not catch up after the writes stopped")
        missing = {}
        for i in range(len(IPS)):
            for key, value in writer.acknowledged.items():
                try:
                    status, body = H.request("GET", f"{api(i)}/ordinal/v1/kv/{key}", timeout=3)
                except OSError:
                    status, body = None, b""
                if status != 200 or body.decode(errors="replace") != value:
                    missing.setdefault(NAMES[i], []).append(key)
        after_pods, after_keepers = pods(), set(H.keeper_pids(a.out))
        if watch.mixed_max > 1:
            failures.append(f"an agent reported cluster version {watch.mixed_max} while an OLD build ran")
        if missing:
            failures.append(f"acknowledged writes missing: { {k: len(v) for k, v in missing.items()} }")
        if {n: p[:3] for n, p in after_pods.items()} != {n: p[:3] for n, p in before_pods.items()}:
            failures.append(f"pods changed: before {before_pods}, after {after_pods}")
        if not all(p[3] for p in after_pods.values()):
            failures.append(f"pods not Ready at the end: {after_pods}")
        if after_keepers != before_keepers:
            failures.append(f"keeper processes changed: before {sorted(before_keepers)}, after {sorted(after_keepers)}")
        summary = {
            "date": H.utc_date(), "machine": H.host_line(), "old": a.old_label, "new": a.new_label,
            "steps": [{"agent": s[0], "step": s[1], "answered_s": s[2], "caught_up": s[3], "versions": s[4], "acknowledged": s[5]} for s in steps],
            "acknowledged": len(writer.acknowledged), "failed_writes": writer.failed,
            "version_samples_while_mixed": watch.samples, "max_version_while_mixed": watch.mixed_max,
            "final_versions": cluster.versions(), "pods_before": before_pods, "pods_after": after_pods,
            "keepers": len(after_keepers), "failures": failures,
        }
        H.write_json(os.path.join(a.out, "upgrade.json"), summary)
        print(H.md_row(["agent", "step", "answered after", "caught up", "cluster versions after", "writes acknowledged so far"]))
        print(H.md_sep(6))
        for s in steps:
            print(H.md_row([s[0], s[1], f"{s[2]} s", "yes" if s[3] else "NO", ", ".join(f"{k} {v}" for k, v in s[4].items()), str(s[5])]))
        print(f"\nOLD {a.old_label}, NEW {a.new_label}. {len(writer.acknowledged)} writes acknowledged ({writer.failed} refused "
              f"or timed out during the kills), all present on every agent: {'yes' if not missing else 'NO'}. "
              f"Cluster version while mixed: at most {watch.mixed_max} over {watch.samples} samples; at the end "
              f"{cluster.versions()}. Pods: {len(after_pods)} with the same uids, nodes and restart counts: "
              f"{'yes' if not any('pods changed' in f for f in failures) else 'NO'}; the same {len(after_keepers)} keeper processes: "
              f"{'yes' if after_keepers == before_keepers else 'NO'}.")
        if failures:
            print("\nFAILED:\n  " + "\n  ".join(failures))
            sys.exit(1)
        print("\nupgrade-test: passed")
    finally:
        writer.halt.set()
        watch.halt.set()
        pg.stop_all(grace=30)


if __name__ == "__main__":
    main()
