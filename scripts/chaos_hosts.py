#!/usr/bin/env python3
"""Chaos across machines (issue 15): network faults between the machines of scripts/hosts.

Brings up N machines (network namespaces, one secured agent each, pods routed in
198.19.0.0/16), runs a Parallel set of N `serve-hostname` pods and a client that writes a
key every 100 ms through the agents in turn, then on a seeded schedule cuts the network:

  isolate     one machine's link down (its agent keeps running)
  leader      the Raft leader's machine's link down
  partition   two machines cut from the other N-2 (blackhole routes on both sides)
  oneway      one machine's packets to the others dropped, theirs to it delivered
  netem       100 ms ± 50 ms delay and 10 % loss on one machine's link (tc netem)
  flap        one machine's link down and up every second, four times

each healed after 6-14 s. Meanwhile /proc is sampled every 50 ms across every namespace
for two live holders of one pod identity (chaos_checker.HolderChecker). At the end
everything is healed and the checks are: 0 double holders; every isolated machine stopped
its pods within the lease (+3 s) and started none while cut off; every acknowledged write
is readable from every agent's replica; every pod Ready and serving its name by DNS from
every machine; the agents agree. Report and timeline: .cluster/chaos-hosts/<UTC>/.
Exit 0 only when every check passes. Needs root.
"""
import argparse
import base64
import http.client
import json
import os
import random
import ssl
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chaos_checker as C  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOSTS = os.path.join(REPO, "scripts", "hosts")
LEASE_S = 4.0

MANIFEST = os.path.join(REPO, "cluster", "manifests", "roam.yaml")


def manifest(replicas):
    """cluster/manifests/roam.yaml with `replicas` pods."""
    with open(MANIFEST) as f:
        return f.read().replace("replicas: 3", f"replicas: {replicas}", 1)



def ip_of(m):
    return f"198.18.0.{10 + int(m[1:])}"


class Bed:
    """The machines of one scripts/hosts test bed and an HTTPS client for their agents."""

    def __init__(self, state, n, binary):
        self.state, self.n, self.binary = state, n, binary
        self.machines = [f"m{i}" for i in range(1, n + 1)]
        self.env = dict(os.environ, ORDINAL_HOSTS_STATE=state, ORDINAL_BIN=binary)
        self.tls = None
        self.token = None

    def hosts(self, *args, timeout=120):
        return subprocess.run([HOSTS, *args], env=self.env, capture_output=True, text=True, timeout=timeout)

    def up(self):
        r = self.hosts("up", str(self.n))
        if r.returncode != 0:
            raise RuntimeError(f"hosts up failed: {r.stdout[-500:]} {r.stderr[-500:]}")
        creds = os.path.join(self.state, "credentials")
        self.tls = ssl.create_default_context(cafile=os.path.join(creds, "ca.pem"))
        with open(os.path.join(creds, "token")) as f:
            self.token = f.read().strip()

    def request(self, m, method, path, body=None, timeout=2.0):
        c = http.client.HTTPSConnection(ip_of(m), 7480, context=self.tls, timeout=timeout)
        try:
            c.request(method, path, body, {"Authorization": "Bearer " + self.token})
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def json(self, m, path, timeout=2.0):
        try:
            status, data = self.request(m, "GET", path, timeout=timeout)
            return json.loads(data) if status == 200 else None
        except Exception:
            return None

    def ns(self, m):
        return f"ord-{m}"

    def run_in(self, m, *args, timeout=10):
        return subprocess.run(["ip", "netns", "exec", self.ns(m), *args], capture_output=True, text=True, timeout=timeout)

    def cli(self, *args, timeout=30):
        agents = ",".join(f"https://{ip_of(m)}:7480" for m in self.machines)
        return subprocess.run([self.binary, *args, "--agent", agents, "--ca",
                               os.path.join(self.state, "credentials", "ca.pem"), "--token", self.token],
                              capture_output=True, text=True, timeout=timeout)

    def pod_processes(self, m):
        """Names of the roam pods with a live process in machine m's namespace: processes in
        the session of a pod keeper (chaos_checker's rule, not the environment a workload may
        rewrite)."""
        r = subprocess.run(["ip", "netns", "pids", self.ns(m)], capture_output=True, text=True, timeout=5)
        inside = {int(pid) for pid in r.stdout.split()}
        names = set()
        for (_, name), sessions in C.HolderScanner().scan().items():
            if name.startswith("roam-") and any(pid in inside for procs in sessions.values() for pid, _, _ in procs):
                names.add(name)
        return names


class Timeline:
    def __init__(self):
        self.t0 = time.monotonic()
        self.events = []
        self.lock = threading.Lock()

    def add(self, kind, text):
        with self.lock:
            self.events.append({"t": round(time.monotonic() - self.t0, 2), "kind": kind, "text": text})
        print(f"[{time.monotonic() - self.t0:7.2f}] {kind}: {text}", flush=True)


class Writer(threading.Thread):
    """One KV put every 100 ms through the agents in turn; remembers what was acknowledged."""

    def __init__(self, bed):
        super().__init__(daemon=True)
        self.bed, self.acked, self.failed, self.running = bed, {}, 0, True

    def run(self):
        i = 0
        while self.running and i < 100_000:
            m = self.bed.machines[i % len(self.bed.machines)]
            key, value = f"chaos-{i}", f"v{i}"
            try:
                status, _ = self.bed.request(m, "PUT", "/ordinal/v1/kv/" + key, value.encode(), timeout=3)
                if status == 200:
                    self.acked[key] = value
                else:
                    self.failed += 1
            except Exception:
                self.failed += 1
            i += 1
            time.sleep(0.1)


class Observer(threading.Thread):
    """Leader changes and pod moves, as any answering agent sees them, every second."""

    def __init__(self, bed, tl):
        super().__init__(daemon=True)
        self.bed, self.tl, self.running = bed, tl, True
        self.leader, self.nodes = None, {}

    def leader_now(self):
        for m in self.bed.machines:
            j = self.bed.json(m, "/ordinal/v1/raft", timeout=1)
            if j and j.get("role") == "leader":
                return j.get("node")
        return None

    def run(self):
        while self.running:
            leader = self.leader_now()
            if leader and leader != self.leader:
                self.tl.add("leader", f"{self.leader} -> {leader}")
                self.leader = leader
            # The leader's view: an isolated agent answers from a replica that cannot move on.
            for m in ([self.leader] if self.leader else []):
                j = self.bed.json(m, "/api/v1/namespaces/default/pods", timeout=1)
                if not j:
                    continue
                for item in j.get("items", []):
                    name, node = item["metadata"]["name"], item.get("spec", {}).get("nodeName")
                    if node and self.nodes.get(name) != node:
                        if name in self.nodes:
                            self.tl.add("move", f"{name}: {self.nodes[name]} -> {node}")
                        self.nodes[name] = node
                break
            time.sleep(1)


class Faults:
    """Applies and heals one fault at a time; `heal_all` undoes anything left."""

    def __init__(self, bed, tl):
        self.bed, self.tl = bed, tl
        self.fenced_checks = []

    def link(self, m, state):
        self.bed.run_in(m, "ip", "link", "set", "eth0", state)

    def blackhole(self, m, others, add):
        for o in others:
            self.bed.run_in(m, "ip", "route", "add" if add else "del", "blackhole", ip_of(o) + "/32")

    def netem(self, m, on):
        if on:
            self.bed.run_in(m, "tc", "qdisc", "replace", "dev", "eth0", "root", "netem", "delay", "100ms", "50ms", "loss", "10%")
        else:
            self.bed.run_in(m, "tc", "qdisc", "del", "dev", "eth0", "root")

    def watch_fencing(self, m, seconds):
        """While m is cut off for `seconds`: its pods must be gone within the lease + 3 s
        and none may run again until the heal."""
        start = time.monotonic()
        had = self.bed.pod_processes(m)
        gone_at = None
        restarted = []
        while time.monotonic() - start < seconds:
            now = self.bed.pod_processes(m)
            if not now and gone_at is None:
                gone_at = time.monotonic() - start
            if gone_at is not None and now:
                restarted.append(sorted(now))
            time.sleep(0.25)
        ok = (not had) or (gone_at is not None and gone_at <= LEASE_S + 3 and not restarted)
        self.fenced_checks.append({"machine": m, "had": sorted(had), "gone_after_s": gone_at,
                                   "restarted_while_cut": restarted[:3], "ok": ok})
        self.tl.add("fencing", f"{m}: pods {sorted(had)} gone after {gone_at if gone_at is None else round(gone_at, 2)} s"
                    + ("" if ok else " — VIOLATION"))

    def apply(self, kind, rng, leader):
        ms = self.bed.machines
        hold = rng.uniform(6, 14)
        if kind in ("isolate", "leader"):
            m = leader if kind == "leader" and leader else rng.choice(ms)
            self.tl.add("fault", f"{kind}: {m} link down for {hold:.1f} s")
            self.link(m, "down")
            self.watch_fencing(m, hold)
            self.link(m, "up")
        elif kind == "partition":
            minority = rng.sample(ms, 2)   # the minority when there are 5 or more machines
            majority = [m for m in ms if m not in minority]
            self.tl.add("fault", f"partition {sorted(minority)} | {majority} for {hold:.1f} s")
            for m in minority:
                self.blackhole(m, majority, True)
            for m in majority:
                self.blackhole(m, minority, True)
            time.sleep(hold)
            for m in minority:
                self.blackhole(m, majority, False)
            for m in majority:
                self.blackhole(m, minority, False)
        elif kind == "oneway":
            m = rng.choice(ms)
            others = [o for o in ms if o != m]
            self.tl.add("fault", f"oneway: {m}'s packets to the others dropped for {hold:.1f} s")
            self.blackhole(m, others, True)
            time.sleep(hold)
            self.blackhole(m, others, False)
        elif kind == "netem":
            m = rng.choice(ms)
            self.tl.add("fault", f"netem: {m} 100±50 ms delay, 10 % loss for {hold:.1f} s")
            self.netem(m, True)
            time.sleep(hold)
            self.netem(m, False)
        elif kind == "flap":
            m = rng.choice(ms)
            self.tl.add("fault", f"flap: {m} link down/up every second ×4")
            for _ in range(4):
                self.link(m, "down")
                time.sleep(1)
                self.link(m, "up")
                time.sleep(1)
        self.tl.add("heal", kind)

    def heal_all(self):
        for m in self.bed.machines:
            self.link(m, "up")
            self.netem(m, False)
            self.blackhole(m, [o for o in self.bed.machines if o != m], False)


def converge(bed, n, timeout=120):
    """Every agent sees every member alive, all pods Ready, and the same pod placement."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        views = []
        ok = True
        for m in bed.machines:
            members = bed.json(m, "/ordinal/v1/members")
            pods = bed.json(m, "/api/v1/namespaces/default/pods")
            if not members or not pods:
                ok = False
                break
            if sum(1 for x in members["members"] if x["state"] == "alive") != n:
                ok = False
                break
            view = {}
            for item in pods["items"]:
                ready = any(c.get("type") == "Ready" and c.get("status") == "True"
                            for c in item.get("status", {}).get("conditions", []) or [])
                view[item["metadata"]["name"]] = (item.get("spec", {}).get("nodeName"), item.get("status", {}).get("podIP"), ready)
            views.append(view)
        if ok and views and all(v == views[0] for v in views) and len(views[0]) == n and all(r for _, _, r in views[0].values()):
            return views[0]
        time.sleep(1)
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--machines", type=int, default=5, help="machines, 3..9 (default 5)")
    ap.add_argument("--duration", type=float, default=300, help="seconds of faults (default 300)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--binary", default=os.path.join(REPO, ".build", "debug", "ordinal"))
    ap.add_argument("--keep", action="store_true", help="leave the test bed up")
    a = ap.parse_args()
    if os.getuid() != 0:
        sys.exit("chaos-hosts: needs root")
    if not 3 <= a.machines <= 9 or not 10 <= a.duration <= 3600:
        sys.exit("chaos-hosts: --machines 3..9, --duration 10..3600")
    seed = a.seed if a.seed is not None else random.randrange(1 << 31)
    rng = random.Random(seed)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    out = os.path.join(REPO, ".cluster", "chaos-hosts", stamp)
    os.makedirs(out, exist_ok=True)
    bed = Bed(os.path.join(out, "bed"), a.machines, a.binary)
    tl = Timeline()
    tl.add("start", f"seed {seed}, {a.machines} machines, {a.duration:.0f} s")
    report = {"seed": seed, "machines": a.machines, "duration_s": a.duration}
    checker = None
    try:
        bed.up()
        tl.add("bed", "machines up")
        workload = os.path.join(out, "roam.yaml")
        with open(workload, "w") as f:
            f.write(manifest(a.machines))
        r = bed.cli("apply", "-f", workload)
        if r.returncode != 0:
            raise RuntimeError("apply failed: " + r.stderr)
        if converge(bed, a.machines, timeout=90) is None:
            raise RuntimeError("the workload did not come up")
        tl.add("workload", f"{a.machines} pods Ready")
        checker = C.HolderChecker(namespaces={"default"})
        checker.start()
        writer, observer = Writer(bed), Observer(bed, tl)
        writer.start()
        observer.start()
        faults = Faults(bed, tl)
        kinds = ["isolate", "leader", "partition", "oneway", "netem", "flap"]
        end = time.monotonic() + a.duration
        count = 0
        while time.monotonic() < end and count < 500:
            faults.apply(kinds[count % len(kinds)] if count < len(kinds) else rng.choice(kinds), rng, observer.leader)
            count += 1
            time.sleep(rng.uniform(3, 8))
        faults.heal_all()
        tl.add("heal", "everything; waiting for convergence")
        final = converge(bed, a.machines, timeout=120)
        writer.running = False
        writer.join(timeout=10)
        observer.running = False
        checker.stop()
        checker.join(timeout=5)
        holders = checker.summary()
        # Every acknowledged write, from every agent's own replica.
        missing = []
        for m in bed.machines:
            for key, value in list(writer.acked.items()):
                try:
                    status, data = bed.request(m, "GET", "/ordinal/v1/kv/" + key, timeout=3)
                except Exception as e:
                    status, data = None, str(e).encode()
                if status != 200 or data.decode() != value:
                    missing.append(f"{m}:{key}")
                    if len(missing) > 20:
                        break
        serving = {}
        for m in bed.machines:
            for i in range(a.machines):
                name = f"roam-{i}"
                r = bed.run_in(m, "curl", "-s", "--max-time", "3", f"http://{name}.roam.default.svc.cluster.local:8080/")
                serving[f"{m}->{name}"] = r.stdout.split("\n")[0] == name
        report.update({
            "faults": count, "writes_acked": len(writer.acked), "writes_failed": writer.failed,
            "holders": holders, "fencing": faults.fenced_checks, "missing_writes": missing[:20],
            "converged": final is not None, "serving_all": all(serving.values()),
            "not_serving": [k for k, v in serving.items() if not v],
            "timeline": tl.events,
        })
        ok = (holders["violations"] == 0 and all(c["ok"] for c in faults.fenced_checks) and not missing
              and final is not None and all(serving.values()))
        report["ok"] = ok
    except Exception as e:  # the report says what broke; the exit code fails the run
        tl.add("error", str(e))
        report.update({"ok": False, "error": str(e), "timeline": tl.events})
        if checker:
            checker.stop()
    finally:
        if not a.keep:
            bed.hosts("down")
    with open(os.path.join(out, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    lines = [f"# chaos-hosts {stamp}", "", f"seed {seed}, {a.machines} machines, {a.duration:.0f} s of faults", ""]
    for k in ("ok", "faults", "writes_acked", "writes_failed", "converged", "serving_all"):
        lines.append(f"- {k}: {report.get(k)}")
    lines.append(f"- double holders: {(report.get('holders') or {}).get('violations')} over "
                 f"{(report.get('holders') or {}).get('samples')} samples of /proc")
    lines.append(f"- fencing checks: {sum(1 for c in report.get('fencing', []) if c['ok'])} ok of {len(report.get('fencing', []))}")
    lines.append(f"- acknowledged writes missing from a replica: {len(report.get('missing_writes', []))}")
    lines += ["", "## Timeline", ""] + [f"- {e['t']:8.2f} s {e['kind']}: {e['text']}" for e in tl.events]
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines[:12]))
    print(f"report: {out}/report.md")
    sys.exit(0 if report.get("ok") else 1)


if __name__ == "__main__":
    main()
