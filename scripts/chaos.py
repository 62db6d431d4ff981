#!/usr/bin/env python3
"""Chaos run against a local Ordinal cluster (usually started through scripts/chaos).

  1. setup       refuse when a cluster already runs (.cluster/a*/pid alive, or an API
                 answering on 127.0.1.1..N:7480) or when processes of namespace `chaos`
                 are alive; remove the stale .cluster/a<i>/ state; `scripts/cluster up N`
                 (builds, ORDINAL_NO_EXAMPLE=1); apply cluster/manifests/chaos.yaml; wait
                 until every pod is Running and Ready.
  2. chaos       for --duration s, the seeded plan (random.Random(seed): the same seed,
                 agent count, duration and lease give the same plan; `--print-plan` shows
                 it) runs: kill -9 an agent (some actions target whoever leads then) and
                 restart it after 1-15 s, or SIGSTOP one for a time shorter or longer than
                 the lease, then SIGCONT. Never more than a minority of agents down, frozen
                 or still rejoining, and never a voter when that would cost the Raft
                 majority: such an action tries the plan's fallback agents, is retried for
                 up to 5 s, then skipped (all in the timeline).
     meanwhile   checker  /proc every 50 ms: at most one live session per pod identity
                          of namespace `chaos` (scripts/chaos_checker.py);
                 observer Raft status of every running agent every 250 ms (leader
                          changes), the pod list every 100 ms (moves, failover times:
                          kill -9 of a pod's node -> the pod Running and Ready elsewhere);
                 writer   `ordinal apply` of headless Services ack-<n> (and label updates
                          of them) about once a second through a running agent; exit 0 =
                          acknowledged;
                 reader   each ledger volume's counter file (PV spec.local.path, or a
                          replicated volume's primary copy) every 0.5 s: the last value
                          never goes backwards (--replicated: except after a failover, by
                          values written within the last --rpo seconds).
  3. recovery    restart every killed agent, SIGCONT every frozen one, wait until every
                 agent sees all N alive and one leader, every pod is Running and Ready and
                 all agents list the same pods.
  4. checks      zero violations; every acknowledged change present (with an allowed
                 label value) through every agent; counters never went backwards and each
                 counter file strictly increases line by line; counters still advance;
                 every pod answers its name on podIP:8080; ledger pods never left their
                 volume's node (--replicated: instead, every volume has all its copies
                 again, each holding a snapshot); no agent died on its own; after
                 `scripts/cluster down` no process of a chaos pod is left.
  --replicated   agents with btrfs volume pools (root) and the ledger's volumes replicated,
                 so ledger pods move with their data.
Report: .cluster/chaos-report/report.json and report.md (timeline). Exit 0 only when every
check passed; 1 when one failed; 2 on bad usage or a refused start; 3 when the cluster or
the workload never came up.

Every loop has a deadline, every subprocess a timeout; only processes this run started
(the agents, through scripts/cluster or restarted here) are signalled, by PID.
"""
import argparse
import glob
import heapq
import json
import os
import random
import re
import signal
import subprocess
import sys
import threading
import time

import chaos_checker as C
import harness as H

REPO = H.REPO
STATE = os.path.join(REPO, ".cluster")
MANIFEST = os.path.join(REPO, "cluster", "manifests", "chaos.yaml")
NS = "chaos"
MOVABLE_SETS = ("roam",)          # sets without volumes: their pods fail over
PINNED_SETS = ("ledger",)         # sets with local volumes: their pods wait for the node
MAX_ACTIONS = 500
MAX_TIMELINE = 5000


def api_of(name):
    return f"http://127.0.1.{int(name[1:])}:7480"


# ----------------------------------------------------------------------------------------
# the plan
def make_plan(seed, agents, duration, lease=4.0):
    """The seeded list of actions. Pure: depends only on its arguments.

    Each action: at (s after the chaos phase starts), kind kill|freeze, target a<i> or
    "leader", fallbacks (a seeded order of every agent), pause (s down or frozen), and for
    freezes whether the pause is longer than the lease."""
    rng = random.Random(seed)
    max_down = (agents - 1) // 2
    plan, busy = [], {}          # busy: agent -> planned end of its current action
    t = rng.uniform(2.0, 6.0)
    while t < duration - 5 and len(plan) < MAX_ACTIONS:
        busy = {k: v for k, v in busy.items() if v > t}
        if len(busy) >= max_down:
            t = min(busy.values()) + 0.5
            continue
        kind = "kill" if rng.random() < 0.6 else "freeze"
        at_leader = rng.random() < 0.3
        fallbacks = [f"a{i}" for i in rng.sample(range(1, agents + 1), agents)]
        if kind == "kill":
            pause = rng.uniform(1.0, 15.0)
            occupies = pause + 5.0          # restart, rejoin, settle
            longer = None
        else:
            longer = rng.random() < 0.5
            pause = rng.uniform(lease * 1.25, max(10.0, lease * 2.5)) if longer \
                else rng.uniform(1.0, lease * 0.8)
            occupies = pause + 1.0
        free = [a for a in fallbacks if a not in busy]
        target = "leader" if at_leader else free[0]
        plan.append({"i": len(plan), "at": round(t, 3), "kind": kind, "target": target,
                     "fallbacks": fallbacks, "pause": round(pause, 3), "longer_than_lease": longer})
        busy[target if target != "leader" else f"?{len(plan)}"] = t + occupies
        t += rng.uniform(3.0, 10.0)
    return plan


# ----------------------------------------------------------------------------------------
# timeline and output
class Timeline:
    def __init__(self, verbose=False):
        self.t0 = time.monotonic()
        self.lock = threading.Lock()
        self.events = []
        self.dropped = 0
        self.verbose = verbose

    def now(self):
        return time.monotonic() - self.t0

    def add(self, kind, text, echo=False, **data):
        t = self.now()
        with self.lock:
            if len(self.events) < MAX_TIMELINE:
                self.events.append({"t": round(t, 3), "kind": kind, "text": text, **data})
            else:
                self.dropped += 1
        if echo or self.verbose:
            print(f"[{t:7.1f}s] {text}", file=sys.stderr, flush=True)
        return t


def say(msg):
    print(f"chaos: {msg}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------
# the cluster (scripts/cluster's state under .cluster/)
class Cluster:
    def __init__(self, n, binary, timeline):
        self.n = n
        self.names = [f"a{i}" for i in range(1, n + 1)]
        self.bin = binary
        self.tl = timeline
        self.lock = threading.Lock()
        self.state = {a: "up" for a in self.names}        # up | down | frozen
        self.changed = {a: 0.0 for a in self.names}       # timeline time of the last change
        self.healthy = {a: True for a in self.names}      # answered with a leader since
        self.procs = {}                                   # agents restarted here (Popen)
        self.pids = {}
        self.crashes = []

    # -- processes
    def pid_file(self, name):
        return os.path.join(STATE, name, "pid")

    def read_pid(self, name):
        try:
            with open(self.pid_file(name)) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def is_our_agent(self, name, pid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            return False
        return b"agent" in argv and name.encode() in argv and b"--name" in argv

    def ours(self, name, pid):
        """Our child (restarted here; it may still be `bash -c exec ...`), or an agent
        process whose command line names it."""
        p = self.procs.get(name)
        if p is not None and p.pid == pid:
            return p.poll() is None
        return self.is_our_agent(name, pid)

    def alive(self, name):
        pid = self.pids.get(name)
        if pid is None:
            return False
        p = self.procs.get(name)
        if p is not None and p.pid == pid:
            return p.poll() is None
        st = C.read_stat(pid)
        return st is not None and st[0] not in ("Z", "X", "x") and self.is_our_agent(name, pid)

    def adopt_pids(self):
        for a in self.names:
            pid = self.read_pid(a)
            if pid is None or not self.is_our_agent(a, pid):
                raise RuntimeError(f"{a}: no running agent behind {self.pid_file(a)}")
            self.pids[a] = pid

    def up(self, timeout=1800):
        env = dict(os.environ, ORDINAL_NO_EXAMPLE="1")
        r = subprocess.run([os.path.join(REPO, "scripts", "cluster"), "up", str(self.n)],
                           env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=timeout)
        lines = r.stdout.strip().splitlines()
        for line in lines:
            if line.startswith("cluster: ") and "applying" not in line:
                print(line, file=sys.stderr)
        if r.returncode != 0:
            raise RuntimeError("scripts/cluster up failed:\n" + "\n".join(lines[-20:]))
        self.adopt_pids()

    def down(self, timeout=180):
        for a in self.names:
            if self.state[a] == "frozen":
                self.signal(a, signal.SIGCONT)
                self.state[a] = "up"
        # agents restarted here are our children: stop and reap them first, or
        # `scripts/cluster down` would wait 5 s for each zombie (kill -0 succeeds on one)
        for a, p in self.procs.items():
            if p.poll() is None:
                p.terminate()
        for a, p in self.procs.items():
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
        try:
            subprocess.run([os.path.join(REPO, "scripts", "cluster"), "down"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        for a, p in self.procs.items():          # agents restarted here: reap them
            if p.poll() is None:
                try:
                    p.kill()
                    p.wait(timeout=10)
                except (OSError, subprocess.TimeoutExpired):
                    pass

    def signal(self, name, sig):
        pid = self.pids.get(name)
        if pid is None or not self.ours(name, pid):
            return False
        try:
            os.kill(pid, sig)
            return True
        except ProcessLookupError:
            return False

    def kill9(self, name):
        pid = self.pids.get(name)
        if not self.signal(name, signal.SIGKILL):
            return False
        p = self.procs.get(name)
        if p is not None:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        else:                       # not our child: wait until it is gone or a zombie
            end = time.monotonic() + 5
            while time.monotonic() < end:
                st = C.read_stat(pid)
                if st is None or st[0] in ("Z", "X", "x"):
                    break
                time.sleep(0.01)
        with self.lock:
            self.state[name] = "down"
            self.healthy[name] = False
            self.changed[name] = self.tl.now()
        return True

    def freeze(self, name):
        if not self.signal(name, signal.SIGSTOP):
            return False
        with self.lock:
            self.state[name] = "frozen"
            self.healthy[name] = False
            self.changed[name] = self.tl.now()
        return True

    def thaw(self, name):
        ok = self.signal(name, signal.SIGCONT)
        with self.lock:
            self.state[name] = "up"
            self.changed[name] = self.tl.now()
        return ok

    def restart(self, name):
        """Start the agent again with the command scripts/cluster recorded (what
        `scripts/cluster restart` does; done here because a kill -9'd agent that is not our
        child stays a zombie for seconds here, and `kill -0` would call it running)."""
        with open(os.path.join(STATE, name, "cmd")) as f:
            cmd = f.read().strip()
        p = H.spawn(["bash", "-c", "exec " + cmd], os.path.join(STATE, name, "agent.log"))
        self.procs[name] = p
        self.pids[name] = p.pid
        with open(self.pid_file(name), "w") as f:
            f.write(f"{p.pid}\n")
        with self.lock:
            self.state[name] = "up"
            self.healthy[name] = False
            self.changed[name] = self.tl.now()
        return p.pid

    # -- views
    def running(self):
        """Agents that are up (not killed, not frozen): safe to ask over HTTP."""
        with self.lock:
            return [a for a in self.names if self.state[a] == "up"]

    def impaired(self):
        """Agents down, frozen, or restarted but not yet seen with a leader."""
        with self.lock:
            return [a for a in self.names if self.state[a] != "up" or not self.healthy[a]]


# ----------------------------------------------------------------------------------------
# the observer: Raft status and pods
class Observer(threading.Thread):
    def __init__(self, cluster, tl, stop):
        super().__init__(name="observer", daemon=True)
        self.c, self.tl, self.halt = cluster, tl, stop
        self.lock = threading.Lock()
        self.raft = {}                 # agent -> last status
        self.leader, self.term = None, 0
        self.pairs = []                # distinct (term, leader) in order seen
        self.pods = {}                 # name -> summary (last good poll)
        self.last_node = {}
        self.moves = []
        self.pending = {}              # pod -> {t0, from, cause, action}
        self.failovers = []            # resolved
        self.pinned_nodes = {}         # ledger pod -> first node seen
        self.pinned_moves = []
        self.uids = set()
        self.poll_errors = 0
        self.polls = 0

    def leader_api(self):
        run = self.c.running()
        with self.lock:
            lead = self.leader
        if lead in run and lead in self.c.healthy and self.c.healthy.get(lead):
            return api_of(lead)
        return api_of(run[0]) if run else None

    def poll_raft(self):
        best = None
        for a in self.c.running():
            s = H.get_json(api_of(a) + "/ordinal/v1/raft", timeout=0.5)
            if not isinstance(s, dict):
                continue
            with self.lock:
                self.raft[a] = s
            if s.get("leader"):
                if not self.c.healthy.get(a):
                    with self.c.lock:
                        if self.c.state[a] == "up":
                            self.c.healthy[a] = True
                if best is None or s.get("term", 0) > best[0]:
                    best = (s.get("term", 0), s["leader"])
        if best is None:
            return
        with self.lock:
            pair = (best[0], best[1])
            if not self.pairs or (pair != self.pairs[-1] and pair[0] >= self.pairs[-1][0]):
                if pair not in self.pairs:
                    prev = self.pairs[-1] if self.pairs else None
                    self.pairs.append(pair)
                    self.leader, self.term = best[1], best[0]
                    if prev:
                        self.tl.add("leader", f"leader {best[1]} (term {best[0]}, was {prev[1]})",
                                    leader=best[1], term=best[0])

    def poll_pods(self):
        api = self.leader_api()
        if api is None:
            return
        self.polls += 1
        pods = H.pods_by_name(api, NS, timeout=1.0)
        if pods is None:
            self.poll_errors += 1
            return
        now = self.tl.now()
        pods = {n: p for n, p in pods.items() if n}
        with self.lock:
            self.pods = pods
            for name, p in pods.items():
                if p["uid"]:
                    self.uids.add(p["uid"])
                node = p["node"]
                prev = self.last_node.get(name)
                if node and prev and node != prev:
                    self.moves.append({"t": round(now, 3), "pod": name, "from": prev, "to": node})
                    self.tl.add("move", f"{name} moved {prev} -> {node}", pod=name, frm=prev, to=node)
                if node:
                    self.last_node[name] = node
                if name.rsplit("-", 1)[0] in PINNED_SETS and node:
                    first = self.pinned_nodes.setdefault(name, node)
                    if node != first and p["phase"] == "Running":
                        self.pinned_moves.append({"t": round(now, 3), "pod": name, "volume_node": first,
                                                  "running_on": node})
                        self.tl.add("check", f"{name} Running on {node}, its volume is on {first}",
                                    echo=True)
                        self.pinned_nodes[name] = node   # report once per move
            for name, pend in list(self.pending.items()):
                p = pods.get(name)
                if p is None:
                    continue
                if H.pod_up(p, not_on=pend["from"]):
                    rec = dict(pend, pod=name, to=p["node"], seconds=round(now - pend["t0"], 3),
                               outcome="moved")
                    self.failovers.append(rec)
                    del self.pending[name]
                    self.tl.add("failover", f"{name} Running+Ready on {p['node']} "
                                f"{rec['seconds']:.1f}s after {pend['cause']} of {pend['from']}",
                                pod=name, seconds=rec["seconds"], cause=pend["cause"])
                elif H.pod_up(p) and p["node"] == pend["from"] and \
                        self.c.changed.get(pend["from"], 0) > pend["t0"] and \
                        self.c.state.get(pend["from"]) == "up":
                    rec = dict(pend, pod=name, to=p["node"], seconds=round(now - pend["t0"], 3),
                               outcome="stayed")
                    self.failovers.append(rec)
                    del self.pending[name]
                    self.tl.add("failover", f"{name} Ready again on {p['node']} (its agent came "
                                f"back first)", pod=name, outcome="stayed")

    def expect_failover(self, agent, cause, action):
        """Pods of movable sets on `agent` now: clock until each is up elsewhere."""
        t0 = self.tl.now()
        with self.lock:
            for name, p in self.pods.items():
                if p["node"] == agent and name.rsplit("-", 1)[0] in MOVABLE_SETS \
                        and name not in self.pending:
                    self.pending[name] = {"t0": t0, "from": agent, "cause": cause, "action": action}

    def run(self):
        next_raft = 0.0
        while not self.halt.is_set():
            t = time.monotonic()
            try:
                if t >= next_raft:
                    self.poll_raft()
                    next_raft = t + 0.25
                self.poll_pods()
            except Exception as e:   # keep observing; count it
                self.poll_errors += 1
                self.tl.add("error", f"observer: {e!r}")
            self.halt.wait(max(0.0, 0.1 - (time.monotonic() - t)))

    def voters(self):
        with self.lock:
            s = self.raft.get(self.leader) if self.leader else None
            if s is None:
                for v in self.raft.values():
                    if v.get("voters"):
                        s = v
                        break
            return list((s or {}).get("voters") or [])


# ----------------------------------------------------------------------------------------
# the writer: acknowledged changes through `ordinal apply`
def service_yaml(name, rev):
    return (f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {NS}\n"
            f"  labels:\n    app: ack\n    chaos-rev: \"{rev}\"\nspec:\n  clusterIP: None\n"
            f"  selector:\n    app: ack\n  ports:\n  - name: x\n    port: 80\n")


class Writer(threading.Thread):
    def __init__(self, cluster, tl, stop, seed, max_writes, period=1.0, timeout=15.0):
        super().__init__(name="writer", daemon=True)
        self.c, self.tl, self.halt = cluster, tl, stop
        self.rng = random.Random(seed ^ 0x5EED)
        self.max_writes, self.period, self.timeout = max_writes, period, timeout
        self.services = {}      # name -> {"acked": rev or None, "after": [unacked revs issued after]}
        self.next_rev = {}
        self.writes = []        # {t, svc, rev, agent, ok, error}
        self.errors = {}
        self.seq = 0

    def write_once(self):
        run = self.c.running()
        if not run:
            return
        agent = run[self.seq % len(run)]
        acked = sorted(n for n, s in self.services.items() if s["acked"] is not None)
        if acked and self.rng.random() < 0.25:
            name = self.rng.choice(acked)
        else:
            name = f"ack-{self.seq}"
        self.seq += 1
        rev = self.next_rev.get(name, 0)
        self.next_rev[name] = rev + 1
        t = self.tl.now()
        ok, err = False, None
        try:
            r = subprocess.run([self.c.bin, "apply", "-f", "-", "--agent", api_of(agent)],
                               input=service_yaml(name, rev), capture_output=True, text=True,
                               timeout=self.timeout)
            ok = r.returncode == 0
            if not ok:
                err = (r.stderr.strip().splitlines() or [f"exit {r.returncode}"])[-1][:120]
        except subprocess.TimeoutExpired:
            err = f"timeout {self.timeout:g}s"
        except OSError as e:
            err = str(e)
        s = self.services.setdefault(name, {"acked": None, "after": []})
        if ok:
            s["acked"], s["after"] = rev, []
        else:
            s["after"].append(rev)
            key = re.sub(r"\d+", "N", err or "?")[:80]
            self.errors[key] = self.errors.get(key, 0) + 1
        self.writes.append({"t": round(t, 3), "svc": name, "rev": rev, "agent": agent, "ok": ok,
                            "error": err, "s": round(self.tl.now() - t, 3)})

    def run(self):
        while not self.halt.is_set() and len(self.writes) < self.max_writes:
            t = time.monotonic()
            try:
                self.write_once()
            except Exception as e:
                self.tl.add("error", f"writer: {e!r}")
            self.halt.wait(max(0.0, self.period - (time.monotonic() - t)))

    def acked_count(self):
        return sum(1 for w in self.writes if w["ok"])


# ----------------------------------------------------------------------------------------
# the reader: ledger counters never go backwards
def volume_dirs(cluster):
    """{claim name: directory} of the chaos namespace's volumes: PV spec.local.path through
    a running agent, else a glob of the agents' data dirs (then keyed by PV name)."""
    out = {}
    for a in cluster.running():
        body = H.get_json(api_of(a) + "/api/v1/persistentvolumes", timeout=1.0)
        if not isinstance(body, dict):
            continue
        for pv in body.get("items") or []:
            spec = pv.get("spec") or {}
            ref, local = spec.get("claimRef") or {}, (spec.get("local") or {}).get("path")
            source = spec.get("replicated")
            if source and (ref.get("namespace") or NS) == NS:
                # a replicated volume lives where its primary is, under its epoch
                out[ref.get("name")] = os.path.join(STATE, source["primary"], "data", "pool", "volumes",
                                                    f"{pv['metadata']['name']}@e{source['epoch']}")
                continue
            if (ref.get("namespace") or NS) != NS or not local:
                continue
            if not os.path.isabs(local):
                node = ((((spec.get("nodeAffinity") or {}).get("required") or {})
                         .get("nodeSelectorTerms") or [{}])[0].get("matchExpressions") or
                        [{}])[0].get("values", [None])[0]
                local = os.path.join(STATE, node or "?", "data", local)
            out[ref.get("name")] = local
        if out:
            return out
    for path in sorted(glob.glob(os.path.join(STATE, "a*", "data", "volumes", "*", "counter"))):
        out[os.path.basename(os.path.dirname(path))] = os.path.dirname(path)
    return out


class Reader(threading.Thread):
    """rpo: with replicated volumes a failover may take a counter back to the newest snapshot
    a copy held; a step back is allowed when the values lost had been written within the
    last `rpo` seconds before the newest one read (None: no step back is allowed)."""
    def __init__(self, cluster, tl, stop, period=0.5, rpo=None):
        super().__init__(name="reader", daemon=True)
        self.c, self.tl, self.halt, self.period, self.rpo = cluster, tl, stop, period, rpo
        self.dirs = {}
        self.last = {}            # claim -> last value
        self.seen = {}            # claim -> [(t first seen, value)], increasing
        self.backwards = []       # {t, claim, prev, value}
        self.rollbacks = []       # {t, claim, prev, value, lost_s}: allowed steps back
        self.reads = 0

    def refresh(self):
        d = volume_dirs(self.c)
        if d:
            self.dirs = d

    def read_once(self):
        now = self.tl.now()
        for claim, path in sorted(self.dirs.items()):
            v = C.ledger_last(os.path.join(path, "counter"))
            if v is None:
                continue
            self.reads += 1
            prev = self.last.get(claim)
            seen = self.seen.setdefault(claim, [])
            if prev is not None and v < prev:
                # How long before the newest value read was the first value the copy lacks?
                first_lost = next((t for t, value in seen if value > v), None)
                lost_s = None if first_lost is None else round(seen[-1][0] - first_lost, 3)
                event = {"t": round(now, 3), "claim": claim, "prev": prev, "value": v, "lost_s": lost_s}
                if self.rpo is not None and lost_s is not None and lost_s <= self.rpo:
                    self.rollbacks.append(event)
                    self.tl.add("rollback", f"counter of {claim} back {prev} -> {v} after a failover "
                                f"({lost_s}s of writes not yet on a copy)", echo=True)
                    self.last[claim] = v
                    self.seen[claim] = [(now, v)]
                    continue
                self.backwards.append(event)
                self.tl.add("violation", f"counter of {claim} went back {prev} -> {v}"
                            + (f" ({lost_s}s of writes lost)" if lost_s is not None else ""), echo=True)
                self.last[claim] = v          # one violation per step back, not one per read
                self.seen[claim] = [(now, v)]
                continue
            if not seen or v > seen[-1][1]:
                seen.append((now, v))
                del seen[:-200]
            self.last[claim] = max(v, prev or v)

    def run(self):
        next_refresh = 0.0
        while not self.halt.is_set():
            t = time.monotonic()
            try:
                if t >= next_refresh:
                    self.refresh()
                    next_refresh = t + 5.0
                self.read_once()
            except Exception as e:
                self.tl.add("error", f"reader: {e!r}")
            self.halt.wait(max(0.0, self.period - (time.monotonic() - t)))


# ----------------------------------------------------------------------------------------
# setup helpers
def expected_pods(manifest=MANIFEST):
    names = []
    with open(manifest) as f:
        docs = f.read().split("\n---")
    for d in docs:
        if not re.search(r"^kind:\s*StatefulSet\s*$", d, re.M):
            continue
        name = re.search(r"^metadata:\s*\n(?:  .*\n)*?  name:\s*(\S+)", d, re.M)
        reps = re.search(r"^  replicas:\s*(\d+)", d, re.M)
        if name:
            names += [f"{name.group(1)}-{i}" for i in range(int(reps.group(1)) if reps else 1)]
    return sorted(names)


def preflight(n):
    """Refuse when a cluster runs here or chaos pods are alive; return stale agent dirs."""
    problems, stale = [], []
    if os.path.isdir(STATE):
        for entry in sorted(os.listdir(STATE)):
            if not re.fullmatch(r"a\d+", entry):
                continue
            stale.append(entry)
            try:
                with open(os.path.join(STATE, entry, "pid")) as f:
                    pid = int(f.read().strip())
                st = C.read_stat(pid)
                if st is not None and st[0] not in ("Z", "X", "x"):
                    problems.append(f"{entry} runs (pid {pid}); stop it with scripts/cluster down")
            except (OSError, ValueError):
                pass
    for i in range(1, n + 1):
        if H.tcp_answers(f"127.0.1.{i}", 7480):
            problems.append(f"something answers on 127.0.1.{i}:7480 (another cluster?)")
    left = C.HolderScanner([NS]).scan()
    if left:
        pids = sorted(p for s in left.values() for procs in s.values() for p, _, _ in procs)
        problems.append(f"processes of namespace {NS} are alive (pids {pids[:10]}); "
                        f"a previous run left them")
    return problems, stale


def remove_stale(stale):
    import shutil
    for entry in stale:
        shutil.rmtree(os.path.join(STATE, entry), ignore_errors=True)
    try:
        os.remove(os.path.join(STATE, "size"))
    except OSError:
        pass


def run_cli(binary, args, timeout=30, input=None):
    try:
        r = subprocess.run([binary] + args, capture_output=True, text=True, timeout=timeout,
                           input=input)
        return r.returncode, r.stdout, r.stderr
    except subprocess.TimeoutExpired:
        return None, "", f"timeout {timeout}s"


def pods_of(api):
    return H.pods_by_name(api, NS, timeout=2.0)


def workload_up(cluster, expected):
    def pred():
        run = cluster.running()
        if not run:
            return False, "no agent running"
        pods = pods_of(api_of(run[0]))
        if pods is None:
            return False, f"{run[0]} did not list pods"
        missing = [n for n in expected if n not in pods]
        notup = [f"{n}={pods[n]['phase'] or '?'}{'' if pods[n]['ready'] else ',notReady'}"
                 for n in expected if n in pods and not H.pod_up(pods[n])]
        if missing or notup:
            return False, f"missing {missing} not up {notup}"
        return True, pods
    return pred


def converged(cluster, observer, expected):
    def pred():
        names = cluster.names
        leaders = set()
        for a in names:
            m = H.get_json(api_of(a) + "/ordinal/v1/members", timeout=1.0)
            if not isinstance(m, dict):
                return False, f"{a} does not answer"
            alive = {e["name"] for e in m.get("members", []) if e.get("state") == "alive"}
            if not set(names) <= alive:
                return False, f"{a} sees alive {sorted(alive)}"
            r = H.get_json(api_of(a) + "/ordinal/v1/raft", timeout=1.0)
            if not isinstance(r, dict) or not r.get("leader"):
                return False, f"{a} knows no leader"
            leaders.add(r["leader"])
        if len(leaders) != 1:
            return False, f"agents name different leaders {sorted(leaders)}"
        lead = leaders.pop()
        pods = pods_of(api_of(lead))
        if pods is None:
            return False, "the leader did not list pods"
        bad = [f"{n}:{pods[n]['phase'] or '?'}/{'Ready' if pods[n]['ready'] else 'notReady'}"
               if n in pods else f"{n}:missing" for n in expected if n not in pods or not H.pod_up(pods[n])]
        extra = sorted(set(pods) - set(expected))
        if bad or extra:
            return False, f"pods not up {bad} extra {extra}"
        view = {n: (p["node"], p["uid"], p["phase"], p["ready"]) for n, p in pods.items()}
        for a in names:
            other = pods_of(api_of(a))
            if other is None or {n: (p["node"], p["uid"], p["phase"], p["ready"])
                                 for n, p in other.items()} != view:
                return False, f"{a} lists other pods than the leader {lead}"
        return True, {"leader": lead, "pods": pods}
    return pred


# ----------------------------------------------------------------------------------------
# the chaos phase
class Executor:
    def __init__(self, cluster, observer, tl, plan, lease, duration, halt):
        self.c, self.obs, self.tl, self.plan = cluster, observer, tl, plan
        self.lease, self.duration, self.halt = lease, duration, halt
        self.max_down = (cluster.n - 1) // 2
        self.done = []            # executed actions (with their resolution)
        self.skipped = []
        self.pending_ends = {}    # agent -> action record

    def eligible(self, agent):
        imp = set(self.c.impaired())
        if agent in imp or agent in self.pending_ends:
            return False, f"{agent} is already impaired"
        if len(imp | set(self.pending_ends)) + 1 > self.max_down:
            return False, f"{len(imp | set(self.pending_ends))} agents already impaired"
        voters = self.obs.voters()
        if agent in voters:
            vdown = [v for v in voters if v in imp or v in self.pending_ends]
            if len(vdown) + 1 > (len(voters) - 1) // 2:
                return False, f"voter {agent}: voters {voters} impaired {vdown}"
        return True, ""

    def resolve(self, action):
        reasons = []
        candidates = []
        if action["target"] == "leader":
            with self.obs.lock:
                lead = self.obs.leader
            if lead:
                candidates.append(lead)
            else:
                reasons.append("no leader known")
        else:
            candidates.append(action["target"])
        candidates += [a for a in action["fallbacks"] if a not in candidates]
        for a in candidates:
            ok, why = self.eligible(a)
            if ok:
                return a, reasons
            reasons.append(why)
        return None, reasons

    def check_crashes(self):
        for a in self.c.names:
            if self.c.state[a] == "down" or a not in self.c.pids:
                continue
            if not self.c.alive(a):
                t = self.tl.add("crash", f"{a} exited on its own (pid {self.c.pids[a]}); "
                                f"restarting it", echo=True)
                self.c.crashes.append({"t": round(t, 3), "agent": a})
                with self.c.lock:
                    self.c.state[a] = "down"
                self.c.restart(a)

    def start(self, action, attempt):
        target, reasons = self.resolve(action)
        if target is None:
            if attempt < 5:
                return "retry"
            rec = dict(action, skipped=True, reasons=reasons[:4])
            self.skipped.append(rec)
            self.tl.add("skip", f"#{action['i']} {action['kind']} skipped: {reasons[0] if reasons else '?'}")
            return "skipped"
        with self.obs.lock:
            was_leader = (target == self.obs.leader)
        rec = dict(action, agent=target, was_leader=was_leader, attempt=attempt)
        role = " (leader)" if was_leader else ""
        if action["kind"] == "kill":
            self.obs.expect_failover(target, "kill", action["i"])
            if not self.c.kill9(target):
                rec["error"] = "agent not running"
            rec["t"] = self.tl.add("kill", f"#{action['i']} kill -9 {target}{role}, restart in "
                                   f"{action['pause']:.1f}s", echo=True, agent=target, leader=was_leader)
        else:
            if action["longer_than_lease"]:
                self.obs.expect_failover(target, "freeze", action["i"])
            if not self.c.freeze(target):
                rec["error"] = "agent not running"
            lt = "longer" if action["longer_than_lease"] else "shorter"
            rec["t"] = self.tl.add("freeze", f"#{action['i']} SIGSTOP {target}{role} for "
                                   f"{action['pause']:.1f}s ({lt} than the {self.lease:g}s lease)",
                                   echo=True, agent=target, leader=was_leader)
        self.done.append(rec)
        self.pending_ends[target] = rec
        return "started"

    def end(self, agent):
        rec = self.pending_ends.pop(agent, None)
        if rec is None:
            return
        if rec["kind"] == "kill":
            pid = self.c.restart(agent)
            self.tl.add("restart", f"{agent} restarted (pid {pid})", agent=agent)
        else:
            self.c.thaw(agent)
            self.tl.add("thaw", f"{agent} SIGCONT", agent=agent)

    def run(self):
        t0 = time.monotonic()
        heap, seq = [], 0
        for a in self.plan:
            heapq.heappush(heap, (a["at"], seq, "start", a, 0))
            seq += 1
        while heap and not self.halt.is_set():
            at, _, kind, item, attempt = heap[0]
            now = time.monotonic() - t0
            if now >= self.duration:
                break
            if at > now:
                time.sleep(min(at - now, 0.2, self.duration - now))
                self.check_crashes()
                continue
            heapq.heappop(heap)
            if kind == "start":
                r = self.start(item, attempt)
                if r == "retry":
                    heapq.heappush(heap, (at + 1.0, seq, "start", item, attempt + 1))
                elif r == "started":
                    heapq.heappush(heap, (at + item["pause"], seq, "end", self.done[-1]["agent"], 0))
                seq += 1
            else:
                self.end(item)
        # the duration is over: bring everything back now
        for agent in list(self.pending_ends):
            self.end(agent)
        self.check_crashes()


# ----------------------------------------------------------------------------------------
# final checks
def check_acks(cluster, writer, binary, timeout=30):
    required = {n: s for n, s in writer.services.items() if s["acked"] is not None}
    results = {}
    for a in cluster.names:
        def pred(a=a):
            rc, out, err = run_cli(binary, ["get", "services", "-n", NS, "-o", "json",
                                            "--agent", api_of(a)], timeout=20)
            if rc != 0:
                return False, {"error": (err.strip() or f"exit {rc}")[:200]}
            try:
                items = json.loads(out).get("items") or []
            except ValueError as e:
                return False, {"error": f"bad JSON: {e}"}
            labels = {(i.get("metadata") or {}).get("name"):
                      ((i.get("metadata") or {}).get("labels") or {}) for i in items}
            missing, wrong = [], []
            for n, s in sorted(required.items()):
                if n not in labels:
                    missing.append(n)
                    continue
                allowed = {str(s["acked"])} | {str(r) for r in s["after"]}
                if labels[n].get("chaos-rev") not in allowed:
                    wrong.append(f"{n}: chaos-rev={labels[n].get('chaos-rev')} allowed {sorted(allowed)}")
            return not missing and not wrong, {"missing": missing[:20], "n_missing": len(missing),
                                               "wrong": wrong[:20], "n_wrong": len(wrong)}
        ok, info = H.wait_for(pred, timeout, period=1.0)
        results[a] = dict(info, ok=ok)
    return all(r["ok"] for r in results.values()), {"acknowledged": len(required), "agents": results}


def check_ledgers(cluster, reader, settle=3.0):
    dirs = volume_dirs(cluster) or reader.dirs
    before = {c: C.ledger_last(os.path.join(p, "counter")) for c, p in dirs.items()}
    time.sleep(settle)
    after = {c: C.ledger_last(os.path.join(p, "counter")) for c, p in dirs.items()}
    files = {}
    ok = bool(dirs) and not reader.backwards
    for c, p in sorted(dirs.items()):  # replicated: the primary's copy, whole after any failover
        n, breaks = C.ledger_sequence_breaks(os.path.join(p, "counter"))
        advancing = before[c] is not None and after[c] is not None and after[c] > before[c]
        files[c] = {"path": p, "lines": n, "last": after[c], "advancing": advancing,
                    "breaks": [list(b) for b in breaks]}
        ok = ok and not breaks and advancing
    return ok, {"volumes": len(dirs), "backwards": reader.backwards[:50],
                "n_backwards": len(reader.backwards), "reads": reader.reads, "files": files}


def copies_restored(cluster):
    """(ok, detail): every replicated volume of the chaos namespace has as many copies as it
    asks for, each holding a snapshot of the current epoch."""
    for a in cluster.running():
        body = H.get_json(api_of(a) + "/api/v1/persistentvolumes", timeout=1.0)
        if not isinstance(body, dict):
            continue
        detail = {}
        for pv in body.get("items") or []:
            source = (pv.get("spec") or {}).get("replicated")
            if not source:
                continue
            holding = sorted(c["node"] for c in (pv.get("status") or {}).get("copies") or [] if c["epoch"] == source["epoch"])
            detail[pv["metadata"]["name"]] = {"replicas": source["replicas"], "nodes": source["nodes"],
                                              "holding": holding, "epoch": source["epoch"]}
        ok = bool(detail) and all(len(d["nodes"]) == d["replicas"] and sorted(d["nodes"]) == d["holding"]
                                  for d in detail.values())
        return ok, detail
    return False, "no agent answers"


def check_serving(pods):
    res, ok = {}, True
    for name, p in sorted(pods.items()):
        status, body = H.get_text(f"http://{p['ip']}:8080/", timeout=2.0) if p["ip"] else (None, "no pod IP")
        good = status == 200 and name in body
        res[name] = {"ip": p["ip"], "node": p["node"], "ok": good,
                     "answer": body.strip().splitlines()[0][:80] if body.strip() else f"status {status}"}
        ok = ok and good
    return ok, res


# ----------------------------------------------------------------------------------------
# the report
def fmt_stats(s):
    if not s or not s.get("n"):
        return "n/a"
    return f"median {s['median']:.1f} s [{s['min']:.1f}–{s['max']:.1f}] (n={s['n']})"


def summarize(r):
    c = r["counts"]
    lines = [
        f"seed {r['seed']}  (replay: {r['replay']})",
        f"actions   {c['kills']} kills ({c['leader_kills']} of the leader), {c['freezes']} freezes "
        f"({c['freezes_longer']} longer than the {r['lease_s']:g} s lease), {c['skipped']} skipped",
        f"leader    {c['leader_changes']} changes",
        f"pods      {c['pod_moves']} moves; failover after kill -9 {fmt_stats(r['failover_kill_s'])}"
        f"{'; ' + str(c['failovers_stayed']) + ' came back with their agent first' if c['failovers_stayed'] else ''}"
        f"{'; ' + str(c['failovers_unresolved']) + ' unresolved' if c['failovers_unresolved'] else ''}",
        f"writes    {c['writes_acked']} acknowledged, {c['writes_failed']} failed or timed out",
        f"checker   {r['checker']['samples']} samples (every {r['checker']['interval_ms']:g} ms, max gap "
        f"{r['checker']['max_gap_ms']:g} ms): {c['violations']} violations"
        f"{', ' + str(r['checker']['unconfirmed_suspects']) + ' unconfirmed suspects' if r['checker']['unconfirmed_suspects'] else ''}",
    ]
    for name, chk in r["checks"].items():
        lines.append(f"check     {'PASS' if chk['ok'] else 'FAIL'}  {name}"
                     + (f": {chk['why']}" if not chk["ok"] and chk.get("why") else ""))
    lines.append(f"result    {'PASS' if r['passed'] else 'FAIL'}  ({r['report_dir']}/report.md)")
    return lines


def write_report(r, tl, outdir):
    os.makedirs(outdir, exist_ok=True)
    r = dict(r, timeline=tl.events, timeline_dropped=tl.dropped)
    H.write_json(os.path.join(outdir, "report.json"), r)
    md = [f"# Chaos run {r['started']}", "",
          f"Command: `{r['command']}`  ",
          f"Replay: `{r['replay']}`  ",
          f"Agents {r['agents']}, duration {r['duration_s']:g} s, lease {r['lease_s']:g} s, "
          f"binary `{r['binary']}`.", "", "## Summary", "", "```"] + summarize(r) + ["```", ""]
    md += ["## Checks", "", "| check | result | detail |", "|---|---|---|"]
    for name, chk in r["checks"].items():
        md.append(f"| {name} | {'PASS' if chk['ok'] else 'FAIL'} | "
                  f"{str(chk.get('why') or '').replace('|', '/')[:300]} |")
    md += ["", "## Failovers", "",
           "| pod | cause | from | to | outcome | seconds |", "|---|---|---|---|---|---|"]
    for f in r["failovers"]:
        md.append(f"| {f['pod']} | {f['cause']} #{f['action']} | {f['from']} | {f.get('to', '—')} | "
                  f"{f['outcome']} | {f.get('seconds', '—')} |")
    if r["violations"]:
        md += ["", "## Violations", ""]
        for v in r["violations"][:50]:
            md.append(f"* t={v.get('t')}s {v.get('kind')} {v.get('identity', '')} "
                      f"sessions {v.get('sessions', '')}")
    md += ["", "## Timeline", "", "Seconds since the run started. Actions, leader changes, pod "
           "moves and failovers, checks, errors.", "", "```"]
    for e in tl.events:
        md.append(f"{e['t']:9.3f}  {e['kind']:<9} {e['text']}")
    if tl.dropped:
        md.append(f"... {tl.dropped} more events dropped (bounded at {MAX_TIMELINE})")
    md += ["```", ""]
    H.write_text(os.path.join(outdir, "report.md"), "\n".join(md))


# ----------------------------------------------------------------------------------------
def _interrupt(signum, frame):
    raise KeyboardInterrupt()


def parse_args(argv=None):
    ap = argparse.ArgumentParser(prog="scripts/chaos", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agents", type=int, default=5, help="agents (3..9, default 5)")
    ap.add_argument("--duration", type=float, default=300, help="seconds of chaos (default 300)")
    ap.add_argument("--seed", type=int, default=None, help="plan seed (default: random, printed)")
    ap.add_argument("--lease", type=float, default=None,
                    help="agents' lease in s: passed as `--lease Ns` when given; the plan uses "
                         "it (default 4) to freeze for shorter or longer than the lease")
    ap.add_argument("--print-plan", action="store_true",
                    help="print the seeded plan as JSON lines and exit (starts nothing)")
    ap.add_argument("--keep", action="store_true", help="leave the cluster running at the end")
    ap.add_argument("--replicated", action="store_true",
                    help="agents keep btrfs volume pools (root, btrfs-progs) and the ledger's volumes are "
                         "replicated (two copies), so ledger pods move: counters may step back only by "
                         "writes of the last --rpo seconds, and every volume has its copies again after")
    ap.add_argument("--rpo", type=float, default=6.0,
                    help="with --replicated: seconds of writes a failover may lose (default 6: a frozen "
                         "primary's pods write for up to the 4 s lease while nothing ships, plus the 1 s "
                         "snapshot interval and the reader's 0.5 s period; a kill -9 loses about 1 s)")
    ap.add_argument("--verbose", action="store_true", help="echo every timeline event")
    a = ap.parse_args(argv)
    if not 3 <= a.agents <= 9:
        ap.error("--agents must be 3..9 (a minority must be able to fail)")
    if not 10 <= a.duration <= 86400:
        ap.error("--duration must be 10..86400 s")
    if a.lease is not None and not 1 <= a.lease <= 60:
        ap.error("--lease must be 1..60 s")
    if a.seed is None:
        a.seed = random.SystemRandom().randrange(1, 2 ** 31)
    elif a.seed < 0:
        ap.error("--seed must be >= 0")
    return a


def main(argv=None):
    a = parse_args(argv)
    lease = a.lease if a.lease is not None else 4.0
    plan = make_plan(a.seed, a.agents, a.duration, lease)
    if a.print_plan:
        try:
            for p in plan:
                print(json.dumps(p, sort_keys=True))
            sys.stdout.flush()
        except BrokenPipeError:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    lease_flag = f" --lease {int(round(a.lease * 1000))}ms" if a.lease is not None else ""
    replay = f"scripts/chaos --agents {a.agents} --duration {a.duration:g} --seed {a.seed}" + \
        (f" --lease {a.lease:g}" if a.lease is not None else "")
    say(f"seed {a.seed}: {len(plan)} planned actions over {a.duration:g}s on {a.agents} agents "
        f"(replay: {replay})")
    problems, stale = preflight(a.agents)
    if problems:
        for p in problems:
            say("refusing to start: " + p)
        return 2
    if lease_flag:
        os.environ["ORDINAL_AGENT_ARGS"] = (os.environ.get("ORDINAL_AGENT_ARGS", "") + lease_flag).strip()
    manifest = MANIFEST
    if a.replicated:
        if os.geteuid() != 0:
            say("--replicated needs root: the agents loop-mount btrfs volume pools")
            return 2
        os.environ["ORDINAL_AGENT_ARGS"] = (os.environ.get("ORDINAL_AGENT_ARGS", "") + " --volume-pool-size 1GiB").strip()
        manifest = os.path.join(STATE, "chaos-replicated.yaml")
        os.makedirs(STATE, exist_ok=True)
        with open(MANIFEST) as f:
            text = f.read()
        H.write_text(manifest, text.replace("storageClassName: local", "storageClassName: replicated"))
    binary = os.path.join(REPO, ".build", os.environ.get("ORDINAL_BUILD", "release"), "ordinal")
    outdir = os.path.join(STATE, "chaos-report")
    expected = expected_pods()
    tl = Timeline(verbose=a.verbose)
    halt = threading.Event()
    cluster = Cluster(a.agents, binary, tl)
    checker = C.HolderChecker(namespaces=[NS], clock=time.monotonic,
                              on_violation=lambda e: tl.add(e["kind"], f"{e['kind']}: {e['identity']} held by "
                                                            f"sessions {e['sessions']}", echo=True))
    observer = Observer(cluster, tl, halt)
    writer = Writer(cluster, tl, halt, a.seed, max_writes=int(a.duration * 1.5) + 10)
    reader = Reader(cluster, tl, halt, rpo=a.rpo if a.replicated else None)
    executor = None
    report = {"started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
              "command": H.command_line("scripts/chaos", "CHAOS_CMD"),
              "replay": replay + (" --replicated" if a.replicated else ""), "replicated": a.replicated, "seed": a.seed, "agents": a.agents, "duration_s": a.duration,
              "lease_s": lease, "binary": os.path.relpath(binary, REPO), "plan": plan,
              "report_dir": os.path.relpath(outdir, REPO), "checks": {}}
    checks = report["checks"]
    code = None
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        if stale:
            say(f"removing stale cluster state .cluster/{{{','.join(stale)}}}")
            remove_stale(stale)
        os.makedirs(STATE, exist_ok=True)
        try:
            cluster.up()
        except (RuntimeError, subprocess.TimeoutExpired) as e:
            say(str(e))
            checks["cluster came up"] = {"ok": False, "why": str(e)[:300]}
            code = 3
            return code
        tl.add("phase", f"cluster of {a.agents} agents up")
        checker.t0 = tl.t0
        checker.start()
        observer.start()
        rc, out, err = run_cli(binary, ["apply", "-f", manifest, "--agent", api_of("a1")], timeout=60)
        if rc != 0:
            checks["workload applied"] = {"ok": False, "why": (err.strip() or f"exit {rc}")[:300]}
            say(f"apply failed: {err.strip()[:300]}")
            code = 3
            return code
        ok, info = H.wait_for(workload_up(cluster, expected), 180, period=0.5)
        if not ok:
            checks["workload Running and Ready"] = {"ok": False, "why": str(info)[:300]}
            say(f"the workload did not become Ready within 180s: {str(info)[:300]}")
            code = 3
            return code
        tl.add("phase", f"workload up: {len(expected)} pods Running and Ready; chaos for "
               f"{a.duration:g}s", echo=True)
        reader.refresh()
        reader.start()
        writer.start()
        executor = Executor(cluster, observer, tl, plan, lease, a.duration, halt)
        executor.run()
        tl.add("phase", "chaos over: every agent restarted or continued; waiting for convergence",
               echo=True)
        ok, info = H.wait_for(converged(cluster, observer, expected), 180, period=1.0)
        checks["converged after the chaos (agents, leader, pods Ready, replicas agree)"] = \
            {"ok": ok, "why": "" if ok else str(info)[:300]}
        tl.add("phase", "converged" if ok else f"did not converge within 180s: {str(info)[:200]}",
               echo=True)
        halt.set()                               # stop writer, reader, observer
        for th in (writer, reader, observer):
            th.join(timeout=30)
        ok_acks, acks = check_acks(cluster, writer, binary)
        bad = {k: v for k, v in acks["agents"].items() if not v["ok"]}
        checks["acknowledged changes present through every agent"] = {
            "ok": ok_acks, "why": "" if ok_acks else json.dumps(bad)[:300], "detail": acks}
        ok_led, led = check_ledgers(cluster, reader)
        why = []
        if led["n_backwards"]:
            why.append(f"{led['n_backwards']} backward reads")
        why += [f"{c}: breaks {f['breaks'][:3]}" for c, f in led["files"].items() if f["breaks"]]
        why += [f"{c}: not advancing" for c, f in led["files"].items() if not f["advancing"]]
        if not led["volumes"]:
            why.append("no ledger volume found")
        checks["ledger counters monotonic, strictly increasing, advancing"] = {
            "ok": ok_led, "why": "; ".join(why)[:300], "detail": led}
        final = info.get("pods") if isinstance(info, dict) else None
        if final:
            ok_srv, srv = check_serving(final)
            checks["every pod answers its name on podIP:8080"] = {
                "ok": ok_srv, "why": "; ".join(f"{k}: {v['answer']}" for k, v in srv.items()
                                               if not v["ok"])[:300], "detail": srv}
        if a.replicated:
            ok_cp, cp = H.wait_for(lambda: copies_restored(cluster), 120, period=1.0)
            checks["every replicated volume has all its copies again, each holding a snapshot"] = {
                "ok": ok_cp, "why": "" if ok_cp else str(cp)[:300], "detail": cp}
            checks["counter steps back only after a failover, by at most the RPO"] = {
                "ok": not led["n_backwards"], "why": "", "detail": {"rollbacks": reader.rollbacks[:50],
                                                                    "rpo_s": a.rpo}}
        else:
            checks["ledger pods stayed on their volume's node"] = {
                "ok": not observer.pinned_moves,
                "why": json.dumps(observer.pinned_moves[:5]) if observer.pinned_moves else ""}
        checks["no agent died on its own"] = {
            "ok": not cluster.crashes, "why": json.dumps(cluster.crashes[:10]) if cluster.crashes else ""}
    except KeyboardInterrupt:
        tl.add("phase", "interrupted", echo=True)
        checks["ran to the end"] = {"ok": False, "why": "interrupted"}
    finally:
        halt.set()
        if not a.keep:
            cluster.down()
            tl.add("phase", "cluster down")
            ok, left = H.wait_for(lambda: (not checker.current_holders(), checker.current_holders()), 10,
                                period=0.25)
            if not ok and left:
                pids = sorted(p for ps in left.values() for p in ps)
                for pid in pids:      # processes our agents started for chaos pods
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
            if cluster.pids:
                checks["no pod process left after scripts/cluster down"] = {
                    "ok": ok, "why": "" if ok else f"killed leftovers {left}"}
        checker.stop()
        if checker.is_alive():
            checker.join(timeout=10)
        cs = checker.summary()
        checks["at most one live session per pod identity (checker)"] = {
            "ok": cs["violations"] == 0 and cs["samples"] > 0,
            "why": f"{cs['violations']} violations" if cs["violations"] else
                   ("checker took no samples" if not cs["samples"] else "")}
        fo = observer.failovers
        report.update({
            "checker": {k: v for k, v in cs.items() if k != "details"},
            "violations": cs["details"] + [dict(b, kind="counter-backwards") for b in reader.backwards],
            "failovers": fo + [dict(p, pod=n, outcome="unresolved") for n, p in observer.pending.items()],
            "failover_kill_s": H.stats([f["seconds"] for f in fo if f["cause"] == "kill" and f["outcome"] == "moved"],
                                       nd=3, mean=False),
            "failover_freeze_s": H.stats([f["seconds"] for f in fo if f["cause"] == "freeze" and f["outcome"] == "moved"],
                                         nd=3, mean=False),
            "leader_history": observer.pairs, "moves": observer.moves,
            "actions": executor.done if executor else [], "skipped": executor.skipped if executor else [],
            "writes": {"total": len(writer.writes), "acked": writer.acked_count(), "errors": writer.errors,
                       "log": writer.writes[-2000:]},
            "crashes": cluster.crashes,
        })
        done = executor.done if executor else []
        report["counts"] = {
            "kills": sum(1 for d in done if d["kind"] == "kill"),
            "leader_kills": sum(1 for d in done if d["kind"] == "kill" and d["was_leader"]),
            "freezes": sum(1 for d in done if d["kind"] == "freeze"),
            "freezes_longer": sum(1 for d in done if d["kind"] == "freeze" and d["longer_than_lease"]),
            "leader_freezes": sum(1 for d in done if d["kind"] == "freeze" and d["was_leader"]),
            "skipped": len(executor.skipped) if executor else 0,
            "leader_changes": max(0, len(observer.pairs) - 1),
            "pod_moves": len(observer.moves),
            "failovers_moved": sum(1 for f in fo if f["outcome"] == "moved"),
            "failovers_stayed": sum(1 for f in fo if f["outcome"] == "stayed"),
            "failovers_unresolved": len(observer.pending),
            "writes_acked": writer.acked_count(),
            "writes_failed": len(writer.writes) - writer.acked_count(),
            "violations": cs["violations"] + len(reader.backwards),
        }
        report["passed"] = bool(checks) and all(c["ok"] for c in checks.values()) and code is None
        try:
            write_report(report, tl, outdir)
        except OSError as e:
            say(f"could not write the report: {e}")
        print("\n".join("chaos: " + line for line in summarize(report)))
        sys.stdout.flush()
    if code is not None:
        return code
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
