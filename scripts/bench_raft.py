#!/usr/bin/env python3
"""Raft benchmark: Ordinal and etcd side by side, in one run, 3 members on loopback.

Usually started through scripts/bench-raft (which installs etcd when missing).  Both
systems persist with fsync (etcd: its WAL, fsync per batch, the default; Ordinal: SQLite
WAL with synchronous=FULL).  For each system (etcd first, then Ordinal, so the two runs
are close in time) the same phases run on a fresh 3-member cluster:

  1. bootstrap     start the 3 members; clock until all agree on a leader.
  2. idle window   --window-secs with nothing but status polling: every member's status
                   (term, leader) is polled every 250 ms; leader changes and term changes
                   are counted.  No member is stopped, so every change is spurious.
  3. loaded window the same while --busy-procs `python3 -c 'while True: pass'` processes
                   (default: one per core) keep every core busy.
  4. failover      --reps times: wait until all members agree on a leader; kill -9 it;
                   clock  elected = until a survivor reports a leader other than the
                                    killed one (status polled every --poll-ms),
                          write   = until the first put to a survivor succeeds (a put is
                                    fired every --put-every-ms to the survivors in turn,
                                    each on its own connection with a --put-timeout,
                                    at most --max-inflight in flight; the completion
                                    time of the first success counts);
                   restart the killed member on its data dir; wait until all 3 agree on a
                   leader; settle --settle-secs.  (Method of anchors/raft_failover.py.)
  5. throughput    for each of --tput-clients (1,8,16): that many Python threads, each
                   with one keep-alive HTTP/1.1 connection to the leader, put 64-byte
                   values (1000 keys per client, cycled) for --tput-secs; puts/s, latency
                   p50/p99/max, CPU of each member, client CPU, machine busy.
                   etcd: POST /v3/kv/put on its grpc-gateway (base64 key/value, JSON);
                   Ordinal: PUT /ordinal/v1/kv/{key} with the raw value.
  6. durability    every acknowledged throughput/failover write is tracked (per key: the
                   last acknowledged value, plus any later unacknowledged value that may
                   have committed).  After the throughput runs: wait until every member
                   has applied what the leader committed, then read a sample of keys
                   (--verify-keys, plus every failover write) from EVERY member's own
                   replica (Ordinal: GET /ordinal/v1/kv/{key} on each agent; etcd:
                   serializable range on each member) -> mismatches (must be 0).
                   Then (unless --no-crash-verify) kill -9 all 3 members at once, restart
                   them on their data dirs and read the same sample again.

Optional phases (issue 13):

  5b. encryption   (--encrypt-compare; Ordinal only, etcd has no equivalent flag here)
                   after the throughput phase, paired: kill -9 all agents, restart them on
                   their data dirs, run the throughput settings --encrypt-clients (8,16) for
                   --tput-secs each; kill -9 all again, restart them with `--encrypt <base64
                   of 32 random bytes>`, run the same settings; report encrypted / plaintext
                   puts/s (target ≥ 0.85); then once more with the key, TLS on the API and a
                   token (scripts/api-certs makes the CA, certificate and token; the clients
                   verify the certificate and send the token on every request), secure /
                   plaintext (target ≥ 0.85); restart them without either.  Their writes are
                   tracked, so the durability check covers them too.
  7. long phase    (--long-writes N, 0 = skip; the issue's run is 1,000,000) after the
                   durability check, on the same cluster: every member is restarted on its
                   data dir (etcd with --long-etcd-args, by default
                   `--auto-compaction-mode=periodic --auto-compaction-retention=10s`: etcd
                   keeps its whole MVCC history unless told to compact, and never
                   defragments by itself; revision mode would compact only every 5 min;
                   --snapshot-count stays at its default, 100,000 in 3.4, --max-wals at 5),
                   then N puts from --long-clients (8) threads, the throughput phase's
                   clients and keys (long-<client>-<0..999>, 64-byte values), to the
                   leader.  Each member's VmRSS (/proc/<pid>/status) and data size
                   (Ordinal: ordinal.db + -wal + -shm; etcd: the member dir, WAL + snapshots
                   + bbolt db, whose db is also reported alone; apparent sizes) are sampled
                   at the start, every --long-sample-secs (10), once when the acknowledged
                   writes reach --long-ref-writes (10,000), and at the end.  Verdicts per
                   member:
                     RSS     end − (sample nearest --long-ref-writes) ≤ --long-rss-slack-mib
                             (10 MiB), and every write acknowledged;
                     growth  the largest data size sampled in the last third of the writes
                             ≤ the largest of the middle third + --long-growth-pct (10 %);
                             the last third's slope in bytes per write is reported too.

Ordinal agent i: name o<i+1>, peer 127.0.5.<i+1>:7400, API 127.0.5.<i+1>:7480,
  `--bootstrap-expect 3 --join <the other two>`, plus --ordinal-args.
etcd member i: name e<i+1>, client http://127.0.6.<i+1>:2379, peer :2380,
  --heartbeat-interval --etcd-hb --election-timeout --etcd-et, plus --etcd-args.
All traffic stays on 127.0.0.0/8.  Every process started is tracked by PID and killed by
PID (never by name) when a system's run ends, on SIGINT/SIGTERM and at exit.  Every wait
loop has a deadline.  The Ordinal binary is copied to a temporary directory first (so a
rebuild during the run does not change it) and its sha256 is recorded.

Output: <out>/<UTC timestamp>/<system>.json, summary.json, table.md, and the members'
logs and data dirs under <system>/.  The markdown table is printed to stdout; progress
goes to stderr.

Quick smoke test:  scripts/bench-raft --reps 2 --tput-secs 2 --window-secs 5
Long phase and encryption only:
  scripts/bench-raft --reps 0 --window-secs 0 --tput-clients 8,16 --encrypt-compare \
                     --long-writes 1000000
"""
import argparse
import array
import base64
import http.client
import json
import os
import platform
import random
import shlex
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

import harness as H

REPO = H.REPO
M = 3                 # members per cluster
WINDOW_POLL_S = 0.25  # status polling period in the leader-change windows
KEYS_PER_CLIENT = 1000


def b64(x):
    return base64.b64encode(x.encode() if isinstance(x, str) else x).decode()


def unb64(s):
    return base64.b64decode(s) if s else b""


# ----------------------------------------------------------------------------------------
# HTTP errors
# ----------------------------------------------------------------------------------------
def err_kind(e):
    if isinstance(e, socket.timeout) or "timed out" in str(e):
        return "timeout"
    if isinstance(e, ConnectionRefusedError):
        return "refused"
    if isinstance(e, (ConnectionResetError, http.client.RemoteDisconnected, BrokenPipeError)):
        return "reset"
    return type(e).__name__


# ----------------------------------------------------------------------------------------
# systems
# ----------------------------------------------------------------------------------------
class System(H.Members):
    """A 3-member Raft cluster.  status(i) -> {"term", "leader" (member index, -1 none,
    -2 unknown), "role", "applied", "commit"} or None when member i does not answer.
    put(i, key, value, timeout, cli) -> (ok, status-or-error-kind, detail)."""

    def __init__(self, a, pg, workdir):
        super().__init__(pg, workdir, M)
        self.a = a
        self.extra = ""   # flags added for the members' next starts (encrypt / long phase)
        self.tls = None   # ssl.SSLContext for an API behind TLS (the secure runs)
        self.auth = None  # headers every request carries (the secure runs' token)

    def logpath(self, i):
        return os.path.join(self.workdir, f"{self.name(i)}.log")

    def datadir(self, i):
        return os.path.join(self.workdir, f"{self.name(i)}.data")

    def _c(self, i):
        if i not in self.cli:
            self.cli[i] = self.client(i, 1.0)
        return self.cli[i]

    def client(self, i, timeout):
        host, port = self.api(i)
        return H.KeepAlive(host, port, timeout=timeout, tls=self.tls, headers=self.auth)


class Etcd(System):
    key = "etcd"

    def __init__(self, *args):
        super().__init__(*args)
        self.ids = {}  # member id (string) -> index

    def name(self, i):
        return f"e{i + 1}"

    def ip(self, i):
        return f"127.0.6.{i + 1}"

    def api(self, i):
        return self.ip(i), 2379

    def ports(self, i):
        return [(self.ip(i), 2379), (self.ip(i), 2380)]

    def argv(self, i):
        a = self.a
        ic = ",".join(f"{self.name(j)}=http://{self.ip(j)}:2380" for j in range(M))
        return ["etcd", "--name", self.name(i), "--data-dir", self.datadir(i),
                "--listen-client-urls", f"http://{self.ip(i)}:2379",
                "--advertise-client-urls", f"http://{self.ip(i)}:2379",
                "--listen-peer-urls", f"http://{self.ip(i)}:2380",
                "--initial-advertise-peer-urls", f"http://{self.ip(i)}:2380",
                "--initial-cluster", ic, "--initial-cluster-state", "new",
                "--initial-cluster-token", "bench-raft",
                "--heartbeat-interval", str(a.etcd_hb), "--election-timeout", str(a.etcd_et),
                "--logger", "zap", "--log-level", "info"] + shlex.split(a.etcd_args) \
            + shlex.split(self.extra)

    def data_sizes(self, i):
        """{"data": the member dir's total bytes, "db": member/snap/db (bbolt), "wal":
        member/wal, "snap": member/snap without the db}."""
        d = self.datadir(i)
        db = file_bytes(os.path.join(d, "member", "snap", "db"))
        return {"data": dir_bytes(d), "db": db, "wal": dir_bytes(os.path.join(d, "member", "wal")),
                "snap": max(0, dir_bytes(os.path.join(d, "member", "snap")) - (db or 0))}

    def _post(self, i, path, obj, timeout, cli=None):
        c = cli or self._c(i)
        st, data = c.request("POST", path, json.dumps(obj).encode(),
                             {"Content-Type": "application/json"}, timeout=timeout)
        try:
            j = json.loads(data or b"{}")
        except ValueError:
            j = {"raw": data[:200].decode("utf-8", "replace")}
        return st, j

    def status(self, i, timeout=0.2):
        try:
            st, j = self._post(i, "/v3/maintenance/status", {}, timeout)
        except Exception:
            self.drop(i)
            return None
        if st != 200:
            return None
        mid = j.get("header", {}).get("member_id")
        if mid:
            self.ids[str(mid)] = i
        lid = str(j.get("leader", "0"))
        if lid in ("0", "None"):
            ld = -1
        else:
            ld = self.ids.get(lid, -2)
        g = lambda *ks: next((int(j[k]) for k in ks if k in j), None)  # noqa: E731
        return {"term": g("raft_term", "raftTerm") or 0, "leader": ld,
                "role": "leader" if ld == i else "?",
                "commit": g("raft_index", "raftIndex"),
                "applied": g("raft_applied_index", "raftAppliedIndex")}

    def put(self, i, key, val, timeout=1.0, cli=None):
        st, j = self._post(i, "/v3/kv/put", {"key": b64(key), "value": b64(val)},
                           timeout, cli)
        if st == 200 and "header" in j:
            return True, 200, None
        return False, st, str(j.get("error") or j.get("message") or j)[:160]

    def get(self, i, key, timeout=1.0):
        """(found, value bytes) from member i's own replica (serializable read)."""
        st, j = self._post(i, "/v3/kv/range", {"key": b64(key), "serializable": True},
                           timeout)
        if st != 200:
            raise RuntimeError(f"range HTTP {st}: {str(j)[:160]}")
        kvs = j.get("kvs") or []
        if not kvs:
            return False, None
        return True, unb64(kvs[0].get("value"))

    def version(self):
        try:
            out = subprocess.run(["etcd", "--version"], capture_output=True, text=True,
                                 timeout=10).stdout.splitlines()
            return out[0].split(":", 1)[1].strip() if out else "?"
        except Exception:
            return "?"


class Ordinal(System):
    key = "ordinal"

    def name(self, i):
        return f"o{i + 1}"

    def ip(self, i):
        return f"127.0.5.{i + 1}"

    def api(self, i):
        return self.ip(i), 7480

    def ports(self, i):
        return [(self.ip(i), 7400), (self.ip(i), 7480)]

    def argv(self, i):
        os.makedirs(self.datadir(i), exist_ok=True)
        return H.agent_argv(self.a.ordinal_bin_run, self.name(i), self.ip(i), self.datadir(i),
                            bootstrap_expect=M, join=[self.ip(j) for j in range(M) if j != i],
                            extra=self.a.ordinal_args + " " + self.extra)

    def data_sizes(self, i):
        """{"data": ordinal.db + -wal + -shm, the three files' bytes, "dir": the data dir}."""
        d = self.datadir(i)
        parts = {f"ordinal.db{x}": file_bytes(os.path.join(d, "ordinal.db" + x))
                 for x in ("", "-wal", "-shm")}
        return {"data": sum(v or 0 for v in parts.values()), **parts, "dir": dir_bytes(d)}

    def status(self, i, timeout=0.2):
        try:
            st, data = self._c(i).request("GET", "/ordinal/v1/raft", timeout=timeout)
            if st != 200:
                return None
            j = json.loads(data)
        except Exception:
            self.drop(i)
            return None
        ln = j.get("leader")
        if not ln:
            ld = -1
        else:
            ld = next((k for k in range(M) if self.name(k) == ln), -2)
        return {"term": int(j.get("term", 0)), "leader": ld, "role": j.get("role"),
                "commit": int(j.get("commitIndex", 0)), "applied": int(j.get("appliedIndex", 0)),
                "voters": j.get("voters"), "learners": j.get("learners")}

    def _path(self, key):
        return "/ordinal/v1/kv/" + urllib.parse.quote(key, safe="")

    def put(self, i, key, val, timeout=1.0, cli=None):
        c = cli or self._c(i)
        st, data = c.request("PUT", self._path(key), val.encode() if isinstance(val, str) else val,
                             {"Content-Type": "application/octet-stream"}, timeout=timeout)
        if st == 200:
            return True, 200, None
        return False, st, data[:160].decode("utf-8", "replace")

    def get(self, i, key, timeout=1.0):
        st, data = self._c(i).request("GET", self._path(key), timeout=timeout)
        if st == 404:
            return False, None
        if st != 200:
            raise RuntimeError(f"GET HTTP {st}: {data[:160]!r}")
        return True, data


SYSTEMS = {"etcd": Etcd, "ordinal": Ordinal}


# ----------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------
def agreed_leader(sysm, deadline, members=range(M)):
    """Wait (bounded) until every member answers and all name the same leader, which
    itself answers as leader.  -> leader index or None."""
    while H.now() < deadline:
        sts = [sysm.status(i) for i in members]
        if all(s is not None for s in sts):
            ls = {s["leader"] for s in sts}
            if len(ls) == 1:
                ld = ls.pop()
                if ld >= 0 and (sysm.key != "ordinal" or sts[list(members).index(ld)]["role"] == "leader"):
                    return ld
        time.sleep(0.05)
    return None


def ensure_whole(sysm, a, why):
    """Restart any member that is not running, then wait for an agreed leader."""
    for i in range(M):
        if not sysm.running(i):
            H.log(f"{sysm.key}: {sysm.name(i)} not running before {why}; restarting it")
            sysm.start(i)
    ld = agreed_leader(sysm, H.now() + a.phase_timeout)
    if ld is None:
        raise RuntimeError(f"no agreed leader before {why} within {a.phase_timeout:.0f}s; "
                           f"crashed: {sysm.crashed()}")
    return ld


def wait_caught_up(sysm, a, deadline):
    """Wait until every member has applied what the leader has committed.
    -> {"ok": bool, "s": seconds, "target": index, "applied": {name: index}}"""
    t0 = H.now()
    target = None
    applied = {}
    while H.now() < deadline:
        sts = {i: sysm.status(i, timeout=1.0) for i in range(M)}
        if target is None:
            lead = [s for s in sts.values() if s and s["leader"] >= 0]
            if lead:
                ls = sts.get(lead[0]["leader"])
                if ls and ls.get("commit") is not None:
                    target = ls["commit"]
        if target is not None:
            applied = {sysm.name(i): (s or {}).get("applied") for i, s in sts.items()}
            if all(v is not None and v >= target for v in applied.values()):
                return {"ok": True, "s": H.now() - t0, "target": target, "applied": applied}
        time.sleep(0.1)
    return {"ok": False, "s": H.now() - t0, "target": target, "applied": applied}


def bump(d, k, n=1):
    d[k] = d.get(k, 0) + n


def file_bytes(path):
    """Apparent size of a file, None when it does not exist."""
    try:
        return os.stat(path).st_size
    except OSError:
        return None


def dir_bytes(path):
    """Apparent size of every file under path (0 when it does not exist)."""
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                total += os.lstat(os.path.join(root, f)).st_size
            except OSError:
                pass
    return total


def wire_encrypted(sysm):
    """{member: whether its last "agent starting" log line says wire.encrypted=true}."""
    out = {}
    for i in range(M):
        try:
            with open(sysm.logpath(i), errors="replace") as f:
                lines = [ln for ln in f if "agent starting" in ln]
        except OSError:
            lines = []
        out[sysm.name(i)] = ("wire.encrypted=true" in lines[-1]) if lines else None
    return out


def restart_all(sysm, a, why):
    """kill -9 every member, start all again on their data dirs (with sysm.extra), wait
    for an agreed leader. -> (leader, seconds)"""
    sysm.drop_all()
    for i in range(M):
        if sysm.running(i):
            sysm.kill9(i)
    t0 = H.now()
    for i in range(M):
        sysm.start(i)
    ld = agreed_leader(sysm, H.now() + a.phase_timeout)
    if ld is None:
        raise RuntimeError(f"no agreed leader {a.phase_timeout:.0f}s after restarting all "
                           f"members ({why}); crashed: {sysm.crashed()}")
    return ld, H.now() - t0


# ----------------------------------------------------------------------------------------
# phases
# ----------------------------------------------------------------------------------------
def window(sysm, a, secs, label):
    """Leader-change window: poll every member's status every 250 ms."""
    t0 = H.now()
    end = t0 + secs
    s0 = H.sys_cpu()
    cpu0 = {i: H.safe_ticks(sysm.pid(i)) for i in range(M)}
    epochs = []           # distinct (term, leader) pairs in the order first seen
    last_view = {}        # observer -> leader it reported last
    view_changes = {sysm.name(i): 0 for i in range(M)}
    leaderless = unanswered = polls = 0
    term_first = term_last = None
    events = []
    while H.now() < end:
        tick = H.now()
        for i in range(M):
            s = sysm.status(i, timeout=1.0)
            polls += 1
            if s is None:
                unanswered += 1
                continue
            term_first = s["term"] if term_first is None else min(term_first, s["term"])
            term_last = s["term"] if term_last is None else max(term_last, s["term"])
            ld = s["leader"]
            if ld < 0:
                leaderless += 1
            else:
                ep = (s["term"], ld)
                if ep not in epochs:
                    epochs.append(ep)
                    if len(epochs) > 1:
                        events.append({"t": round(H.now() - t0, 3), "observer": sysm.name(i),
                                       "term": s["term"], "leader": sysm.name(ld)})
            obs = sysm.name(i)
            if obs in last_view and last_view[obs] != ld:
                view_changes[obs] += 1
            last_view[obs] = ld
        time.sleep(max(0.0, WINDOW_POLL_S - (H.now() - tick)))
    el = H.now() - t0
    busy = H.busy_pct(s0, H.sys_cpu())
    leaders = {e[1] for e in epochs}
    res = {"window_s": el, "machine_busy_pct": busy,
           "leader_changes": max(0, len(epochs) - 1),
           "distinct_leaders": sorted(sysm.name(x) for x in leaders),
           "term_changes": (term_last - term_first) if term_first is not None else None,
           "term_first": term_first, "term_last": term_last,
           "observer_view_changes": view_changes,
           "leaderless_observations": leaderless, "polls": polls,
           "unanswered_polls": unanswered, "events": events[:100],
           "member_cpu_pct": {sysm.name(i): 100 * (H.safe_ticks(sysm.pid(i)) - cpu0[i])
                              / H.CLK_TCK / el for i in range(M)},
           "crashed": sysm.crashed()}
    H.log(f"{sysm.key} {label} window {el:.0f}s: leader changes {res['leader_changes']}, "
          f"term changes {res['term_changes']}, leaderless polls {leaderless}, unanswered "
          f"{unanswered}/{polls}, machine busy {busy:.0f}%")
    return res


class Tracker:
    """What every key may hold, from the client's point of view (one writer per key)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.exp = {}        # key -> set of acceptable values (bytes)
        self.acked = set()   # keys with at least one acknowledged write

    def merge(self, local):
        """local: key -> (acked_value or None, [unacked values after it])"""
        with self.lock:
            for k, (v, pend) in local.items():
                if v is not None:
                    self.exp[k] = {v, *pend}
                    self.acked.add(k)
                elif k in self.exp:
                    self.exp[k] |= set(pend)
                elif pend:
                    self.exp[k] = {None, *pend}   # never acknowledged: absent is fine too


def failover_once(sysm, a, rep, tracker):
    members = list(range(M))
    bg = H.wait_quiet(own_pids=sysm.pids(), max_wait=a.quiet_wait)
    old = agreed_leader(sysm, H.now() + a.phase_timeout)
    if old is None:
        raise RuntimeError("no agreed leader before kill")
    st_old = sysm.status(old) or {}
    survivors = [i for i in members if i != old]
    t0 = sysm.kill9(old)
    deadline = t0 + a.phase_timeout
    elected, write = {}, {}
    lock = threading.Lock()
    inflight = [0]
    seq = [0]
    outcomes = {}
    samples = []
    local = {}

    def one_put(target, k):
        key = f"failover-{rep}-{k}"
        val = f"fo-{rep}-{k}-{sysm.name(target)}".encode()
        t_issue = H.now()
        cli = sysm.client(target, a.put_timeout)
        try:
            ok, code, detail = sysm.put(target, key, val, timeout=a.put_timeout, cli=cli)
        except Exception as e:
            ok, code, detail = False, err_kind(e), str(e)[:120]
        t_done = H.now()
        cli.close()
        with lock:
            inflight[0] -= 1
            bump(outcomes, str(code))
            local[key] = (val, []) if ok else (None, [val])
            if not ok and len(samples) < 5 and detail:
                samples.append(f"{sysm.name(target)} {code}: {detail}")
            if ok and "done" not in write:
                write.update(done=t_done, issued=t_issue, target=target, key=key)

    threads = []
    next_put = H.now()
    while H.now() < deadline and ("done" not in write or not elected):
        tnow = H.now()
        if "done" not in write and tnow >= next_put and inflight[0] < a.max_inflight:
            target = survivors[seq[0] % len(survivors)]
            seq[0] += 1
            with lock:
                inflight[0] += 1
            th = threading.Thread(target=one_put, args=(target, seq[0]), daemon=True)
            th.start()
            threads.append(th)
            next_put = tnow + a.put_every_ms / 1000
        if not elected:
            for i in survivors:
                s = sysm.status(i, timeout=0.1)
                if s is not None and s["leader"] >= 0 and s["leader"] != old:
                    elected.update(t=H.now(), leader=s["leader"], seen_by=i, term=s["term"])
                    break
        time.sleep(a.poll_ms / 1000)
    for th in threads:
        th.join(timeout=a.put_timeout + 2)
    tracker.merge(local)
    rec = {"rep": rep, "killed": sysm.name(old), "term_before": st_old.get("term"),
           "bg_before_pct": bg,
           "elected_s": elected["t"] - t0 if elected else None,
           "new_leader": sysm.name(elected["leader"]) if elected else None,
           "term_after": elected.get("term"),
           "write_s": write["done"] - t0 if write else None,
           "write_issued_s": write["issued"] - t0 if write else None,
           "write_target": sysm.name(write["target"]) if write else None,
           "puts_fired": seq[0], "put_outcomes": outcomes, "put_error_samples": samples}
    t_re = H.now()
    sysm.start(old)
    ld = agreed_leader(sysm, H.now() + a.phase_timeout)
    rec["restart_whole_s"] = H.now() - t_re if ld is not None else None
    if ld is None:
        rec["error"] = f"cluster not whole {a.phase_timeout:.0f}s after restarting {sysm.name(old)}"
    return rec


def throughput(sysm, a, leader, conc, secs, tracker, run_tag):
    lat = []
    errs = {}
    err_samples = []
    lock = threading.Lock()
    start_evt = threading.Event()
    stop_at = [0.0]

    def worker(w):
        cli = sysm.client(leader, 5.0)
        mine = []
        local = {}
        k = 0
        start_evt.wait(30)
        while H.now() < stop_at[0]:
            key = f"bench-{w}-{k % KEYS_PER_CLIENT}"
            val = f"{run_tag}-{w}-{k}-".encode().ljust(a.value_size, b"v")
            t = H.now()
            try:
                ok, code, detail = sysm.put(leader, key, val, timeout=5.0, cli=cli)
            except Exception as e:
                ok, code, detail = False, err_kind(e), str(e)[:120]
            d = H.now() - t
            if ok:
                mine.append(d)
                local[key] = (val, [])
            else:
                prev = local.get(key, (None, []))
                local[key] = (prev[0], prev[1] + [val])
                with lock:
                    bump(errs, str(code))
                    if len(err_samples) < 5:
                        err_samples.append(f"{code}: {detail}")
            k += 1
        cli.close()
        tracker.merge(local)
        with lock:
            lat.extend(mine)

    pids = [sysm.pid(i) for i in range(M)]
    ths = [threading.Thread(target=worker, args=(w,), daemon=True) for w in range(conc)]
    for t in ths:
        t.start()
    cpu0 = {i: H.safe_ticks(p) for i, p in enumerate(pids)}
    s0, me0 = H.sys_cpu(), sum(os.times()[:2])
    t0 = H.now()
    stop_at[0] = t0 + secs
    start_evt.set()
    for t in ths:
        t.join(timeout=max(0.0, stop_at[0] - H.now()) + 30)
    el = H.now() - t0
    busy = H.busy_pct(s0, H.sys_cpu())
    ms = [x * 1000 for x in lat]
    member_cpu = {sysm.name(i): 100 * (H.safe_ticks(p) - cpu0[i]) / H.CLK_TCK / el
                  for i, p in enumerate(pids)}
    client_cpu = 100 * (sum(os.times()[:2]) - me0) / el
    return {"clients": conc, "secs": el, "ok": len(ms), "errors": errs,
            "error_samples": err_samples,
            "puts_per_s": len(ms) / el, "lat_ms_p50": H.quantile(ms, 0.5),
            "lat_ms_p99": H.quantile(ms, 0.99), "lat_ms_max": max(ms) if ms else None,
            "lat_ms_mean": sum(ms) / len(ms) if ms else None,
            "target": f"{sysm.name(leader)} (leader)", "member_cpu_pct": member_cpu,
            "client_cpu_pct": client_cpu, "machine_busy_pct": busy,
            "background_pct": busy - client_cpu - sum(member_cpu.values()),
            "stuck_clients": sum(1 for t in ths if t.is_alive())}


def verify(sysm, a, tracker, keys, label):
    """Read `keys` from every member's own replica and compare with the tracker."""
    cu = wait_caught_up(sysm, a, H.now() + a.phase_timeout)
    res = {"label": label, "keys": len(keys), "caught_up": cu, "per_member": {}}
    total_bad = 0
    bad_samples = []
    for i in range(M):
        r = {"checked": 0, "ok": 0, "missing": 0, "wrong": 0, "read_errors": 0}
        deadline = H.now() + max(60.0, a.phase_timeout)
        for key in keys:
            if H.now() > deadline:
                r["timed_out"] = True
                break
            want = tracker.exp[key]
            try:
                found, v = sysm.get(i, key, timeout=2.0)
            except Exception as e:
                r["read_errors"] += 1
                sysm.drop(i)
                if len(bad_samples) < 10:
                    bad_samples.append(f"{sysm.name(i)} {key}: read error {str(e)[:100]}")
                continue
            r["checked"] += 1
            if not found:
                if None in want:
                    r["ok"] += 1
                else:
                    r["missing"] += 1
                    if len(bad_samples) < 10:
                        bad_samples.append(f"{sysm.name(i)} {key}: missing")
            elif v in want:
                r["ok"] += 1
            else:
                r["wrong"] += 1
                if len(bad_samples) < 10:
                    bad_samples.append(f"{sysm.name(i)} {key}: got {v[:40]!r}, want one of "
                                       f"{[x[:40] if x else x for x in list(want)[:3]]}")
        res["per_member"][sysm.name(i)] = r
        total_bad += r["missing"] + r["wrong"]
    res["mismatches"] = total_bad
    res["read_errors"] = sum(r["read_errors"] for r in res["per_member"].values())
    res["bad_samples"] = bad_samples
    H.log(f"{sysm.key} durability ({label}): {len(keys)} keys × {M} members, mismatches "
          f"{total_bad}, read errors {res['read_errors']}, caught up {cu['ok']} in {cu['s']:.2f}s")
    return res


# ----------------------------------------------------------------------------------------
# long phase: N writes, RSS and data size sampled
# ----------------------------------------------------------------------------------------
def long_sample(sysm, kind, t0, acked, errs_n):
    rec = {"t": round(H.now() - t0, 2), "kind": kind, "writes": sum(acked),
           "errors": sum(errs_n), "rss_kb": {}, "data_bytes": {}, "parts": {}}
    for i in range(M):
        nm = sysm.name(i)
        rss = None
        if sysm.running(i):
            try:
                rss = H.proc_status(sysm.pid(i), ("VmRSS",)).get("VmRSS")
            except OSError:
                pass
        rec["rss_kb"][nm] = rss
        sz = sysm.data_sizes(i)
        rec["data_bytes"][nm] = sz.pop("data")
        rec["parts"][nm] = sz
    return rec


def long_phase(sysm, a, leader):
    """--long-writes puts from --long-clients threads (keep-alive, to the leader, 64-byte
    values, KEYS_PER_CLIENT keys per client, cycled); every member's VmRSS and data size
    sampled at the start, every --long-sample-secs, once when the acknowledged writes
    reach --long-ref-writes, and at the end."""
    n, conc = a.long_writes, a.long_clients
    quota = [n // conc + (1 if w < n % conc else 0) for w in range(conc)]
    acked = [0] * conc
    errs_n = [0] * conc
    lats = [array.array("d") for _ in range(conc)]
    errs, err_samples = {}, []
    lock = threading.Lock()
    start_evt = threading.Event()
    stop_at = [H.now() + 10 ** 6]

    def worker(w):
        cli = sysm.client(leader, 5.0)
        lat = lats[w]
        start_evt.wait(30)
        k = 0
        while k < quota[w] and H.now() < stop_at[0]:
            key = f"long-{w}-{k % KEYS_PER_CLIENT}"
            val = f"long-{w}-{k}-".encode().ljust(a.value_size, b"v")
            t = H.now()
            try:
                ok, code, detail = sysm.put(leader, key, val, timeout=5.0, cli=cli)
            except Exception as e:
                ok, code, detail = False, err_kind(e), str(e)[:120]
            if ok:
                lat.append(H.now() - t)
                acked[w] += 1
            else:
                errs_n[w] += 1
                with lock:
                    bump(errs, str(code))
                    if len(err_samples) < 5:
                        err_samples.append(f"{code}: {detail}")
                time.sleep(0.01)   # a failing member is not hammered
            k += 1
        cli.close()

    pids = [sysm.pid(i) for i in range(M)]
    ths = [threading.Thread(target=worker, args=(w,), daemon=True) for w in range(conc)]
    for t in ths:
        t.start()
    t0 = H.now()
    samples = [long_sample(sysm, "start", t0, acked, errs_n)]
    cpu0 = {i: H.safe_ticks(p) for i, p in enumerate(pids)}
    s0, me0 = H.sys_cpu(), sum(os.times()[:2])
    t0 = H.now()
    stop_at[0] = t0 + a.long_max_secs
    start_evt.set()
    next_tick = t0 + a.long_sample_secs
    ref_done = a.long_ref_writes <= 0
    while any(t.is_alive() for t in ths) and H.now() < stop_at[0] + 30:
        time.sleep(0.05)
        if not ref_done and sum(acked) >= a.long_ref_writes:
            samples.append(long_sample(sysm, "ref", t0, acked, errs_n))
            ref_done = True
        if H.now() >= next_tick:
            r = long_sample(sysm, "tick", t0, acked, errs_n)
            samples.append(r)
            next_tick += a.long_sample_secs
            H.log(f"{sysm.key} long: {r['t']:.0f}s {r['writes']} writes, {r['errors']} errors, "
                  f"RSS MiB {', '.join(f'{k} {mib(v * 1024)}' for k, v in r['rss_kb'].items())}; "
                  f"data MiB {', '.join(f'{k} {mib(v)}' for k, v in r['data_bytes'].items())}")
    for t in ths:
        t.join(timeout=10)
    el = H.now() - t0
    busy = H.busy_pct(s0, H.sys_cpu())
    member_cpu = {sysm.name(i): 100 * (H.safe_ticks(p) - cpu0[i]) / H.CLK_TCK / el
                  for i, p in enumerate(pids)}
    client_cpu = 100 * (sum(os.times()[:2]) - me0) / el
    samples.append(long_sample(sysm, "end", t0, acked, errs_n))
    ms = sorted(x * 1000 for lat in lats for x in lat)
    ok = len(ms)
    res = {"writes_requested": n, "clients": conc, "secs": el, "ok": ok, "errors": errs,
           "error_samples": err_samples, "puts_per_s": ok / el if el else None,
           "lat_ms_p50": H.quantile(ms, 0.5) if ms else None,
           "lat_ms_p99": H.quantile(ms, 0.99) if ms else None,
           "lat_ms_max": ms[-1] if ms else None,
           "target": f"{sysm.name(leader)} (leader)", "member_cpu_pct": member_cpu,
           "client_cpu_pct": client_cpu, "machine_busy_pct": busy,
           "stuck_clients": sum(1 for t in ths if t.is_alive()),
           "timed_out": sum(acked) + sum(errs_n) < n,
           "sample_secs": a.long_sample_secs, "ref_writes": a.long_ref_writes,
           "settings": sysm.extra, "samples": samples}
    res["verdicts"] = long_verdicts(res, a, sysm.key)
    v = res["verdicts"]
    H.log(f"{sysm.key} long: {ok} writes in {el:.0f}s ({res['puts_per_s']:.0f} puts/s), errors "
          f"{errs}; RSS within {a.long_rss_slack_mib:g} MiB: {v['rss']['ok']}; data stops growing: "
          f"{v['growth']['ok']}")
    return res


def mib(b, nd=1):
    return "—" if b is None else f"{b / 1048576:.{nd}f}"


def growth_verdict(samples, names, get, total, pct):
    """Rule: per member, the largest value sampled in the last third of the writes (more
    than 2/3 of `total` done) may exceed the largest of the middle third (1/3 .. 2/3) by at
    most pct %.  Also the slope over the last third in bytes per write."""
    mid = [s for s in samples if total / 3 < s["writes"] <= 2 * total / 3]
    last = [s for s in samples if s["writes"] > 2 * total / 3]
    out = {"rule": f"max over the last third of the writes ≤ max over the middle third + {pct:g} %",
           "samples_middle": len(mid), "samples_last": len(last), "members": {}}
    if not mid or not last:
        out["ok"] = None
        out["why"] = "too few samples in the middle or last third"
        return out
    oks = []
    for nm in names:
        vm = [get(s, nm) for s in mid if get(s, nm) is not None]
        vl = [get(s, nm) for s in last if get(s, nm) is not None]
        if not vm or not vl:
            out["members"][nm] = {"ok": None}
            oks.append(None)
            continue
        g = max(vl) / max(vm) - 1 if max(vm) else None
        a0, a1 = last[0], last[-1]
        dw = a1["writes"] - a0["writes"]
        slope = ((get(a1, nm) or 0) - (get(a0, nm) or 0)) / dw if dw > 0 else None
        ok = g is not None and g <= pct / 100
        out["members"][nm] = {"max_middle": max(vm), "max_last": max(vl),
                              "growth_pct": None if g is None else 100 * g,
                              "last_third_bytes_per_write": slope, "ok": ok}
        oks.append(ok)
    out["ok"] = None if None in oks else all(oks)
    return out


def long_verdicts(res, a, key):
    samples = res["samples"]
    names = list(samples[0]["rss_kb"])
    total = samples[-1]["writes"]
    # RSS: the sample nearest --long-ref-writes against the last one
    ref = min(samples, key=lambda s: (abs(s["writes"] - a.long_ref_writes), -s["t"]))
    end = samples[-1]
    rss = {"rule": f"RSS at the end ≤ RSS at the sample nearest {a.long_ref_writes} writes "
                   f"+ {a.long_rss_slack_mib:g} MiB, per member",
           "ref_sample": {"t": ref["t"], "writes": ref["writes"]},
           "end_sample": {"t": end["t"], "writes": end["writes"]}, "members": {}}
    oks = []
    for nm in names:
        r0, r1 = ref["rss_kb"].get(nm), end["rss_kb"].get(nm)
        d = None if r0 is None or r1 is None else (r1 - r0) / 1024
        ok = d is not None and d <= a.long_rss_slack_mib
        rss["members"][nm] = {"ref_kb": r0, "end_kb": r1, "delta_mib": d,
                              "max_kb": max((s["rss_kb"].get(nm) or 0) for s in samples), "ok": ok}
        oks.append(ok)
    rss["ok"] = all(oks) and total >= res["writes_requested"]
    if total < res["writes_requested"]:
        rss["why"] = f"only {total} of {res['writes_requested']} writes acknowledged"
    out = {"rss": rss,
           "growth": growth_verdict(samples, names, lambda s, nm: s["data_bytes"].get(nm),
                                    total, a.long_growth_pct)}
    out["growth"]["of"] = ("member dir (wal + snap + bbolt db)" if key == "etcd"
                           else "ordinal.db + -wal + -shm")
    if key == "etcd":
        out["growth_db"] = growth_verdict(samples, names,
                                          lambda s, nm: s["parts"].get(nm, {}).get("db"),
                                          total, a.long_growth_pct)
        out["growth_db"]["of"] = "bbolt db (member/snap/db) alone"
    return out


# ----------------------------------------------------------------------------------------
# one system
# ----------------------------------------------------------------------------------------
def run_system(a, pg, key, outdir):
    workdir = os.path.join(outdir, key)
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    sysm = SYSTEMS[key](a, pg, workdir)
    res = {"system": key, "started": H.iso_utc(),
           "workdir": workdir, "errors": []}
    if key == "etcd":
        res["etcd_version"] = sysm.version()
        res["settings"] = {"heartbeat_ms": a.etcd_hb, "election_timeout_ms": a.etcd_et,
                           "extra": a.etcd_args}
    else:
        res["settings"] = {"extra": a.ordinal_args}
    tracker = Tracker()
    busy_keys = []

    def phase(name, fn):
        try:
            return fn()
        except Exception as e:
            res["errors"].append(f"{name}: {type(e).__name__}: {e}")
            H.log(f"{key} ERROR in {name}: {e}")
            return None

    with H.recorded(res, os.path.join(outdir, f"{key}.json"), key,
                    lambda: (pg.stop_keys(busy_keys), sysm.stop_all())):
        taken = [f"{ip}:{port}" for i in range(M) for ip, port in sysm.ports(i)
                 if not H.port_free(ip, port)]
        if taken:
            raise RuntimeError(f"addresses already in use: {', '.join(taken)}")
        # ---- 1. bootstrap -----------------------------------------------------------
        res["bg_before_bootstrap_pct"] = H.wait_quiet(max_wait=a.quiet_wait)
        t0 = H.now()
        for i in range(M):
            sysm.start(i)
        ld = agreed_leader(sysm, H.now() + a.phase_timeout)
        if ld is None:
            raise RuntimeError(f"cluster did not elect an agreed leader within "
                               f"{a.phase_timeout:.0f}s; crashed: {sysm.crashed()}")
        res["bootstrap_s"] = H.now() - t0
        ok = sysm.put(ld, "warmup", b"1", timeout=5.0)
        H.log(f"{key}: cluster up in {res['bootstrap_s']:.3f}s, leader {sysm.name(ld)}, "
              f"warmup put {ok}")
        sysm.drop_all()
        time.sleep(a.settle_secs)

        # ---- 2+3. leader-change windows --------------------------------------------
        if a.window_secs > 0:
            def windows():
                ensure_whole(sysm, a, "idle window")
                res["bg_before_idle_window_pct"] = H.wait_quiet(own_pids=sysm.pids(),
                                                                max_wait=a.quiet_wait)
                res["window_idle"] = window(sysm, a, a.window_secs, "idle")
                ensure_whole(sysm, a, "loaded window")
                busy_keys.extend(H.busy_load(pg, a.busy_procs))
                try:
                    res["window_loaded"] = window(sysm, a, a.window_secs,
                                                  f"loaded ({a.busy_procs} busy procs)")
                    res["window_loaded"]["busy_procs"] = a.busy_procs
                finally:
                    pg.stop_keys(busy_keys)
                    busy_keys.clear()
                time.sleep(a.settle_secs)
            phase("windows", windows)

        # ---- 4. failover ------------------------------------------------------------
        def failover():
            reps = []
            res["failover"] = {"reps": reps}
            for r in range(1, a.reps + 1):
                ensure_whole(sysm, a, f"failover rep {r}")
                try:
                    rec = failover_once(sysm, a, r, tracker)
                except Exception as e:
                    rec = {"rep": r, "error": f"{type(e).__name__}: {e}"}
                reps.append(rec)
                H.log(f"{key} rep {r}: killed {rec.get('killed')} elected "
                      f"{H.fmt(rec.get('elected_s'))} write {H.fmt(rec.get('write_s'))} new "
                      f"{rec.get('new_leader')} term {rec.get('term_before')}->"
                      f"{rec.get('term_after')} puts {rec.get('puts_fired')} "
                      f"{rec.get('put_outcomes')} restart {H.fmt(rec.get('restart_whole_s'))}"
                      f"{' ERROR ' + rec['error'] if rec.get('error') else ''}")
                sysm.drop_all()
                time.sleep(a.settle_secs)
            ws = [x.get("write_s") for x in reps]
            tail, kind = H.quantile_or_max(ws)
            res["failover"].update(
                write_s=H.stats(ws), elected_s=H.stats([x.get("elected_s") for x in reps]),
                restart_whole_s=H.stats([x.get("restart_whole_s") for x in reps]),
                write_tail_s=tail, write_tail_kind=kind,
                failed_reps=sum(1 for x in reps if x.get("write_s") is None or x.get("error")))
            H.log(f"{key} failover write: {H.fmt_stats(res['failover']['write_s'])}")
            H.log(f"{key} failover elected: {H.fmt_stats(res['failover']['elected_s'])}")
        if a.reps > 0:
            phase("failover", failover)

        # ---- 5. throughput ----------------------------------------------------------
        def tput():
            res["throughput"] = []
            for conc in a.tput_clients:
                ld = ensure_whole(sysm, a, f"throughput {conc}")
                sysm.drop_all()
                bg = H.wait_quiet(own_pids=sysm.pids(), max_wait=a.quiet_wait)
                tp = throughput(sysm, a, ld, conc, a.tput_secs, tracker, f"c{conc}")
                tp["bg_before_pct"] = bg
                res["throughput"].append(tp)
                H.log(f"{key} throughput {conc} clients: {tp['puts_per_s']:.0f} puts/s, p50 "
                      f"{H.fmt(tp['lat_ms_p50'], 2)} ms p99 {H.fmt(tp['lat_ms_p99'], 2)} ms max "
                      f"{H.fmt(tp['lat_ms_max'], 2)} ms errors {tp['errors']} client cpu "
                      f"{tp['client_cpu_pct']:.0f}% members "
                      f"{ {k: round(v) for k, v in tp['member_cpu_pct'].items()} }")
                time.sleep(min(a.settle_secs, 2))
        if a.tput_secs > 0:
            phase("throughput", tput)

        # ---- 5b. the same throughput, sealed (Ordinal only) ------------------------
        def encrypt_compare():
            # Paired: restart all plaintext and run each setting, then restart all with the
            # key and run them again, so both sides start from the same state.
            ec = res["encrypt_compare"] = {"clients": a.encrypt_clients, "runs": [],
                                           "secs": a.tput_secs}

            def runs(why, tag):
                ld, rs = restart_all(sysm, a, why)
                ec[f"wire_encrypted_{tag}"] = wire_encrypted(sysm)
                H.log(f"{key}: restarted all {why} in {rs:.2f}s, leader {sysm.name(ld)}; "
                      f"logged wire.encrypted: {ec[f'wire_encrypted_{tag}']}")
                time.sleep(a.settle_secs)
                out = {}
                for conc in a.encrypt_clients:
                    ld = ensure_whole(sysm, a, f"{why}, {conc} clients")
                    sysm.drop_all()
                    bg = H.wait_quiet(own_pids=sysm.pids(), max_wait=a.quiet_wait)
                    tp = throughput(sysm, a, ld, conc, a.tput_secs, tracker, f"{tag}{conc}")
                    tp["bg_before_pct"] = bg
                    out[conc] = tp
                    H.log(f"{key} {why}, {conc} clients: {tp['puts_per_s']:.0f} puts/s, p50 "
                          f"{H.fmt(tp['lat_ms_p50'], 2)} ms p99 {H.fmt(tp['lat_ms_p99'], 2)} ms, "
                          f"errors {tp['errors']}")
                    time.sleep(min(a.settle_secs, 2))
                return out, rs

            plain, ec["restart_plain_s"] = runs("plaintext", "p")
            wire_key = "--encrypt " + base64.b64encode(os.urandom(32)).decode()
            sysm.extra = wire_key
            creds = os.path.join(sysm.workdir, "api-credentials")
            try:
                enc, ec["restart_s"] = runs("with --encrypt <random key>", "e")
                # The deployment docs/security.md asks for: the key, TLS on the API and a
                # token, the clients verifying the agents' certificate (scripts/api-certs).
                subprocess.run([os.path.join(os.path.dirname(os.path.abspath(__file__)), "api-certs"),
                                creds] + [sysm.ip(i) for i in range(M)], check=True,
                               stdout=subprocess.DEVNULL)
                with open(os.path.join(creds, "token")) as f:
                    token = f.read().strip()
                sysm.extra = (f"{wire_key} --api-cert {creds}/api.pem --api-key {creds}/api-key.pem "
                              f"--api-token-file {creds}/token")
                sysm.tls = ssl.create_default_context(cafile=os.path.join(creds, "ca.pem"))
                sysm.auth = {"Authorization": "Bearer " + token}
                sec, ec["restart_secure_s"] = runs("with --encrypt, TLS and a token", "s")
            finally:
                sysm.extra, sysm.tls, sysm.auth = "", None, None
                sysm.drop_all()
                for i in range(M):
                    if sysm.running(i):
                        sysm.kill9(i)
                    # The agents keep their keys in <data-dir>/keyring, which wins over
                    # flags: without removing it they would restart sealed.
                    keyring = os.path.join(sysm.datadir(i), "keyring")
                    if os.path.exists(keyring):
                        os.remove(keyring)
                restart_all(sysm, a, "back to plaintext")
                time.sleep(a.settle_secs)
            for conc in a.encrypt_clients:
                p, e, t = plain[conc], enc[conc], sec[conc]
                ratio = e["puts_per_s"] / p["puts_per_s"] if p["puts_per_s"] else None
                secure_ratio = t["puts_per_s"] / p["puts_per_s"] if p["puts_per_s"] else None
                ec["runs"].append({"clients": conc, "plain": p, "encrypted": e, "ratio": ratio,
                                   "secure": t, "secure_ratio": secure_ratio})
                H.log(f"{key} encrypted / plaintext at {conc} clients: {e['puts_per_s']:.0f} / "
                      f"{p['puts_per_s']:.0f} puts/s = {H.fmt(ratio, 2)}; with TLS and a token "
                      f"{t['puts_per_s']:.0f} = {H.fmt(secure_ratio, 2)}")
        if a.encrypt_compare and key == "ordinal":
            phase("encrypt_compare", encrypt_compare)

        # ---- 6. durability ----------------------------------------------------------
        def durability():
            acked = sorted(tracker.acked)
            fo = [k for k in acked if k.startswith("failover-")]
            bench = [k for k in acked if not k.startswith("failover-")]
            rnd = random.Random(a.seed)
            sample = bench if a.verify_keys <= 0 or a.verify_keys >= len(bench) \
                else rnd.sample(bench, a.verify_keys)
            keys = sorted(set(sample) | set(fo))
            res["durability"] = {"acked_keys": len(acked), "sampled_keys": len(keys),
                                 "failover_keys": len(fo),
                                 "ambiguous_keys": sum(1 for k in keys if len(tracker.exp[k]) > 1)}
            if not keys:
                return
            ensure_whole(sysm, a, "durability check")
            sysm.drop_all()
            res["durability"]["live"] = verify(sysm, a, tracker, keys, "live")
            if a.crash_verify:
                sysm.drop_all()
                for i in range(M):
                    if sysm.running(i):
                        sysm.kill9(i)
                t_re = H.now()
                for i in range(M):
                    sysm.start(i)
                ld = agreed_leader(sysm, H.now() + a.phase_timeout)
                res["durability"]["crash_restart_s"] = H.now() - t_re if ld is not None else None
                if ld is None:
                    raise RuntimeError("no agreed leader after kill -9 of all members and restart")
                res["durability"]["after_crash"] = verify(sysm, a, tracker, keys,
                                                          "after kill -9 of all + restart")
        if a.verify_keys >= 0:
            phase("durability", durability)

        # ---- 7. long phase ----------------------------------------------------------
        def long():
            # Every member is restarted on its data dir first: etcd to take its compaction
            # flags (--long-etcd-args), Ordinal the same way so both start alike.
            sysm.extra = a.long_etcd_args if key == "etcd" else ""
            ld, rs = restart_all(sysm, a, "before the long phase")
            time.sleep(a.settle_secs)
            ld = ensure_whole(sysm, a, "long phase")
            sysm.drop_all()
            bg = H.wait_quiet(own_pids=sysm.pids(), max_wait=a.quiet_wait)
            H.log(f"{key} long phase: {a.long_writes} writes, {a.long_clients} clients, leader "
                  f"{sysm.name(ld)}{', flags ' + sysm.extra if sysm.extra else ''}")
            res["long"] = long_phase(sysm, a, ld)
            res["long"].update(restart_s=rs, bg_before_pct=bg)
        if a.long_writes > 0:
            phase("long", long)
        res["crashed_at_end"] = sysm.crashed()
    return res


# ----------------------------------------------------------------------------------------
# report
# ----------------------------------------------------------------------------------------
def machine_facts(a):
    facts = dict(H.machine_facts(), data_fs=H.data_fs(a.out), python=platform.python_version())
    if "etcd" in a.systems:
        facts["etcd"] = Etcd.version(None)
    if "ordinal" in a.systems:
        facts["ordinal_bin"] = H.binary_facts(a.ordinal_bin, a.ordinal_sha)
    return facts


def tput_cell(r, conc):
    for t in r.get("throughput", []):
        if t["clients"] == conc:
            e = sum(t["errors"].values())
            return (f"{t['puts_per_s']:.0f} ({H.fmt(t['lat_ms_p50'], 2)} / {H.fmt(t['lat_ms_p99'], 2)})"
                    + (f", {e} err" if e else ""))
    return "—"


def dur_cell(r):
    d = r.get("durability")
    if not d:
        return "—"
    out = []
    for k in ("live", "after_crash"):
        if k in d:
            v = d[k]
            out.append(f"{v['mismatches']}" + (f" (+{v['read_errors']} read err)"
                                                 if v["read_errors"] else ""))
        else:
            out.append("—")
    return f"{' / '.join(out)} of {d['sampled_keys']}×{M}"


def render(results, facts, cmdline, a):
    out = []
    out.append(f"Command: `{cmdline}`  ")
    extra = []
    if "etcd" in a.systems:
        extra.append(f"etcd {facts.get('etcd')} (--heartbeat-interval {a.etcd_hb} "
                     f"--election-timeout {a.etcd_et}{' ' + a.etcd_args if a.etcd_args else ''})")
    if "ordinal" in a.systems:
        extra.append(f"ordinal `{H.bin_label(facts.get('ordinal_bin'))}`"
                     f"{' with `' + a.ordinal_args + '`' if a.ordinal_args else ' (default flags)'}")
    out.append(f"Machine: {facts['nproc']} × {facts['model']}, {facts['mem']} RAM, kernel "
               f"{facts['kernel']}, data on {facts['data_fs']}; {facts['date']}; "
               + "; ".join(extra))
    out.append("")
    clients = a.tput_clients
    out.append("| system | failover → committed write, median [min–max] (n) s | tail s | "
               "elected median [min–max] s | "
               + " | ".join(f"{c} client{'s' if c > 1 else ''}: puts/s (p50 / p99 ms)"
                            for c in clients)
               + " | leader changes idle / loaded | term changes idle / loaded | "
                 "durability mismatches live / after crash |")
    out.append(H.md_sep(7 + len(clients)))
    for r in results:
        f = r.get("failover", {})
        tail = f.get("write_tail_s")
        tail_cell = "—" if tail is None else (
            f"{tail:.3f}" if f.get("write_tail_kind") == "p99"
            else f"{tail:.3f} (max of {f['write_s']['n']})")
        if f.get("failed_reps"):
            tail_cell += f"; {f['failed_reps']} failed rep(s)"
        out.append(H.md_row(
            [r["system"], H.stat_cell(f.get("write_s"), n=True), tail_cell,
             H.stat_cell(f.get("elected_s"))]
            + [tput_cell(r, c) for c in clients]
            + [H.win_cell(r, "leader_changes"), H.win_cell(r, "term_changes"), dur_cell(r)]))
    out.append("")
    out.append("Throughput details (latency ms; CPU % of one core, leader first; errors by "
               "HTTP status or client error):")
    out.append("")
    out.append("| system | clients | puts/s | p50 | p99 | max | CPU per member | client CPU | "
               "machine busy | errors |")
    out.append(H.md_sep(10))
    for r in results:
        for t in r.get("throughput", []):
            lead = t["target"].split()[0]
            cpus = sorted(t["member_cpu_pct"].items(), key=lambda kv: kv[0] != lead)
            out.append(H.md_row([
                r["system"], str(t["clients"]), f"{t['puts_per_s']:.0f}",
                H.fmt(t["lat_ms_p50"], 2), H.fmt(t["lat_ms_p99"], 2), H.fmt(t["lat_ms_max"], 2),
                " / ".join(f"{v:.0f}" for _, v in cpus), f"{t['client_cpu_pct']:.0f}",
                f"{t['machine_busy_pct']:.0f}",
                (", ".join(f"{k}×{v}" for k, v in t["errors"].items()) or "0")]))
    out.append("")
    out.append("| system | bootstrap s | restart → whole median [min–max] s | leaderless polls "
               "idle / loaded | unanswered polls idle / loaded | machine busy loaded window % | "
               "max background before phases % | errors |")
    out.append(H.md_sep(8))
    for r in results:
        f = r.get("failover", {})
        bgs = [v for k, v in r.items() if k.startswith("bg_") and isinstance(v, (int, float))]
        bgs += [x.get("bg_before_pct", 0) for x in f.get("reps", []) if "bg_before_pct" in x]
        bgs += [t.get("bg_before_pct", 0) for t in r.get("throughput", [])]
        errs = list(r.get("errors", []))
        errs += [f"rep {x['rep']}: {x['error']}" for x in f.get("reps", []) if x.get("error")]
        if r.get("crashed_at_end"):
            errs.append("crashed: " + ",".join(r["crashed_at_end"]))
        out.append(H.md_row([
            r["system"], H.fmt(r.get("bootstrap_s")), H.stat_cell(f.get("restart_whole_s")),
            H.win_cell(r, "leaderless_observations"), H.win_cell(r, "unanswered_polls"),
            H.fmt((r.get("window_loaded") or {}).get("machine_busy_pct"), 0),
            H.fmt(max(bgs) if bgs else None, 0),
            ("; ".join(errs) or "—").replace("|", "/")]))
    out.append("")
    out.append(
        "Method: failover = kill -9 of the agreed leader, clock until the first put to a "
        f"survivor succeeds (one put every {a.put_every_ms:g} ms to the survivors in turn, "
        f"{a.put_timeout:g} s timeout each, ≤ {a.max_inflight} in flight); *elected* = until a "
        f"survivor reports a different leader (polled every {a.poll_ms:g} ms). With fewer than "
        "100 reps the tail column is the max, and says so. Leader changes = distinct "
        "(term, leader) pairs seen minus one, polling all 3 members every 250 ms; term "
        "changes = highest term at the end minus lowest at the start. Throughput: Python "
        "threads, one keep-alive HTTP/1.1 connection each, to the leader, "
        f"{a.value_size}-byte values, {KEYS_PER_CLIENT} keys per client, {a.tput_secs:g} s per "
        "setting; etcd through its grpc-gateway `POST /v3/kv/put` (JSON, base64). "
        "Durability = sampled acknowledged keys read from every member's own replica, after "
        "the throughput runs and again after kill -9 of all members and a restart.")
    out += render_encrypt(results, a)
    out += render_long(results, a)
    return "\n".join(out)


def tp_cell(t):
    return (f"{t['puts_per_s']:.0f} ({H.fmt(t['lat_ms_p50'], 2)} / {H.fmt(t['lat_ms_p99'], 2)})"
            + (f", {sum(t['errors'].values())} err" if t["errors"] else ""))


def enc_logged(r):
    ec = r["encrypt_compare"]
    e, p = ec.get("wire_encrypted_e") or {}, ec.get("wire_encrypted_p") or {}
    t = ec.get("wire_encrypted_s") or {}
    return ("yes" if e and all(e.values()) and t and all(t.values()) and not any(p.values()) else
            f"**no** (encrypted {e}, secure {t}, plaintext {p})")


def render_encrypt(results, a):
    rows = [(r, x) for r in results for x in (r.get("encrypt_compare") or {}).get("runs", [])]
    if not rows:
        return []
    out = ["", f"Encryption (Ordinal only; etcd has no equivalent here), paired after the "
               f"throughput phase: all agents restarted on their data dirs without a key and the "
               f"{a.tput_secs:g} s runs made, then all restarted with `--encrypt <random 32-byte "
               f"key>` and the same runs made again, then once more with the key, TLS on the API "
               f"(`--api-cert`/`--api-key`, certificates from `scripts/api-certs`, the clients "
               f"verifying them) and a token (`--api-token-file`, sent on every request); target "
               f"ratio ≥ 0.85 for both. The agents logged wire.encrypted=true in the encrypted "
               f"and secure runs: "
               + ", ".join(f"{r['system']} {enc_logged(r)}" for r in results
                           if r.get("encrypt_compare")) + ".", "",
           "| system | clients | plaintext puts/s (p50 / p99 ms) | encrypted puts/s (p50 / p99 ms) "
           "| ratio | encrypted + TLS + token puts/s (p50 / p99 ms) | ratio "
           "| CPU per member plaintext → encrypted → secure | target |", H.md_sep(9)]
    for r, x in rows:
        p, e = x["plain"], x["encrypted"]

        def cpu(t):
            lead = t["target"].split()[0]
            return " / ".join(f"{v:.0f}" for _, v in sorted(t["member_cpu_pct"].items(),
                                                            key=lambda kv: kv[0] != lead))
        t, ratios = x["secure"], [x["ratio"], x["secure_ratio"]]
        out.append(H.md_row([r["system"], str(x["clients"]), tp_cell(p), tp_cell(e),
                             H.fmt(x["ratio"], 2), tp_cell(t), H.fmt(x["secure_ratio"], 2),
                             f"{cpu(p)} → {cpu(e)} → {cpu(t)}",
                             "—" if None in ratios else
                             ("met" if min(ratios) >= 0.85 else "NOT met")]))
    return out


def member_list(d, f):
    return ", ".join(f"{k} {f(v)}" for k, v in d.items())


def verdict_word(ok):
    return {True: "yes", False: "**no**", None: "n/a"}[ok]


def render_long(results, a):
    rs = [r for r in results if r.get("long")]
    if not rs:
        return []
    out = ["", f"Long phase: {a.long_writes} puts from {a.long_clients} keep-alive clients to "
               f"the leader ({KEYS_PER_CLIENT} keys per client, cycled, {a.value_size}-byte values) "
               f"on the same cluster after the other phases, every member restarted on its data "
               f"dir first; VmRSS and data size sampled every {a.long_sample_secs:g} s, once at "
               f"{a.long_ref_writes} writes and at the end. Data = Ordinal `ordinal.db` + `-wal` + "
               f"`-shm`; etcd the member dir (WAL, snapshots, bbolt db), apparent sizes. "
               f"etcd ran this phase with `{a.long_etcd_args or '(no extra flags)'}`: without "
               f"them etcd keeps its whole MVCC history, and it never defragments by itself; "
               f"its --snapshot-count stays at the default (100,000 in 3.4) and --max-wals at 5. "
               f"Ordinal snapshots every 10,000 applied entries by default.", "",
           "| system | writes acked (errors) | s | puts/s (p50 / p99 ms) | RSS MiB at the ref sample "
           "→ end | RSS end − ref ≤ "
           f"{a.long_rss_slack_mib:g} MiB | data MiB max middle third → max last third | data stops "
           f"growing (≤ +{a.long_growth_pct:g} %) |", H.md_sep(8)]
    for r in rs:
        lg = r["long"]
        v = lg["verdicts"]
        rv, gv = v["rss"], v["growth"]
        ref = rv["ref_sample"]
        rss_cell = (f"at {ref['writes']} writes: " + member_list(
            rv["members"], lambda m: f"{mib((m['ref_kb'] or 0) * 1024)} → "
                                     f"{mib((m['end_kb'] or 0) * 1024)}"))
        def growth_cell(g, pct=True):
            if not g["members"]:
                return g.get("why", "—")
            return member_list(g["members"], lambda m: (
                f"{mib(m.get('max_middle'))} → {mib(m.get('max_last'))}"
                + (f" ({m['growth_pct']:+.1f} %)" if pct and m.get("growth_pct") is not None
                   else "")))
        g_cell = growth_cell(gv)
        g_word = verdict_word(gv["ok"])
        if "growth_db" in v:
            dv = v["growth_db"]
            if dv["members"]:
                g_cell += "; bbolt db alone: " + growth_cell(dv, pct=False)
            g_word += f" (db alone: {verdict_word(dv['ok'])})"
        e = sum(lg["errors"].values())
        out.append(H.md_row([
            r["system"], f"{lg['ok']} ({e})", f"{lg['secs']:.0f}",
            f"{lg['puts_per_s']:.0f} ({H.fmt(lg['lat_ms_p50'], 2)} / {H.fmt(lg['lat_ms_p99'], 2)})",
            rss_cell, verdict_word(rv["ok"]) + (f" ({rv['why']})" if rv.get("why") else ""),
            g_cell, g_word]))
    out += ["", "Long phase samples (MiB; RSS = VmRSS; members in order):", "",
            "| system | t s | writes | RSS per member | data per member | etcd bbolt db per member |",
            H.md_sep(6)]
    for r in rs:
        for smp in r["long"]["samples"]:
            dbs = "—"
            if r["system"] == "etcd":
                dbs = " / ".join(mib(p.get("db")) for p in smp["parts"].values())
            out.append(H.md_row([
                r["system"], f"{smp['t']:.0f}" + (f" ({smp['kind']})" if smp["kind"] != "tick" else ""),
                str(smp["writes"]),
                " / ".join(mib(None if v is None else v * 1024) for v in smp["rss_kb"].values()),
                " / ".join(mib(v) for v in smp["data_bytes"].values()), dbs]))
    return out


def targets(results, a):
    by = {r["system"]: r for r in results}
    o, e = by.get("ordinal"), by.get("etcd")
    if not o:
        return ""
    lines = []
    of = o.get("failover", {})
    om = of.get("write_s", {}).get("median")
    em = (e or {}).get("failover", {}).get("write_s", {}).get("median")
    if om is not None and em:
        lines.append(f"failover median {om:.3f}s vs etcd {em:.3f}s (ratio {om / em:.2f}; "
                     f"target ≤ 0.50): {'MET' if om <= em / 2 else 'NOT MET'}")
    elif om is not None:
        lines.append(f"failover median {om:.3f}s (no etcd median in this run to compare)")
    tail = of.get("write_tail_s")
    if tail is not None:
        kind = of.get("write_tail_kind")
        n = of["write_s"]["n"]
        lines.append(f"failover {kind} {tail:.3f}s (target p99 < 1 s"
                     f"{f'; max of {n} reps used, fewer than 100' if kind == 'max' else ''}"
                     f"{'; some reps failed' if of.get('failed_reps') else ''}): "
                     f"{'MET' if tail < 1 and not of.get('failed_reps') else 'NOT MET'}")
    wi, wl = o.get("window_idle"), o.get("window_loaded")
    if wi and wl:
        d = (wi["leader_changes"], wl["leader_changes"], wi["term_changes"], wl["term_changes"])
        lines.append(f"leader changes idle/loaded {d[0]}/{d[1]}, term changes {d[2]}/{d[3]} "
                     f"(target 0): {'MET' if not any(d) else 'NOT MET'}")
    for c in (8, 16):
        ot = next((t for t in o.get("throughput", []) if t["clients"] == c), None)
        et = next((t for t in (e or {}).get("throughput", []) if t["clients"] == c), None)
        if ot and et:
            lines.append(f"throughput {c} clients {ot['puts_per_s']:.0f} vs etcd "
                         f"{et['puts_per_s']:.0f} puts/s (ratio "
                         f"{ot['puts_per_s'] / max(et['puts_per_s'], 1e-9):.2f}; target ≥ 1): "
                         f"{'MET' if ot['puts_per_s'] >= et['puts_per_s'] else 'NOT MET'}")
    d = o.get("durability")
    if d and "live" in d:
        bad = d["live"]["mismatches"] + d.get("after_crash", {}).get("mismatches", 0)
        rerr = d["live"]["read_errors"] + d.get("after_crash", {}).get("read_errors", 0)
        lines.append(f"acknowledged writes durable: {bad} mismatches, {rerr} read errors over "
                     f"{d['sampled_keys']} keys × {M} members"
                     f"{' (live and after kill -9 of all)' if 'after_crash' in d else ' (live)'}"
                     f" (target 0): {'MET' if bad == 0 and rerr == 0 else 'NOT MET'}")
    for x in (o.get("encrypt_compare") or {}).get("runs", []):
        if x["ratio"] is not None:
            lines.append(f"encrypted throughput {x['clients']} clients "
                         f"{x['encrypted']['puts_per_s']:.0f} vs plaintext "
                         f"{x['plain']['puts_per_s']:.0f} puts/s (ratio {x['ratio']:.2f}; target "
                         f"≥ 0.85): {'MET' if x['ratio'] >= 0.85 else 'NOT MET'}")
        if x.get("secure_ratio") is not None:
            lines.append(f"encrypted + TLS + token throughput {x['clients']} clients "
                         f"{x['secure']['puts_per_s']:.0f} vs plaintext "
                         f"{x['plain']['puts_per_s']:.0f} puts/s (ratio {x['secure_ratio']:.2f}; "
                         f"target ≥ 0.85): {'MET' if x['secure_ratio'] >= 0.85 else 'NOT MET'}")
    lg = o.get("long")
    if lg:
        v = lg["verdicts"]
        word = {True: "MET", False: "NOT MET", None: "n/a"}
        rv = v["rss"]
        lines.append(f"RSS after {lg['ok']} writes within {a.long_rss_slack_mib:g} MiB of RSS after "
                     f"{rv['ref_sample']['writes']} writes: "
                     + ", ".join(f"{k} {m['delta_mib']:+.1f} MiB" if m["delta_mib"] is not None
                                 else f"{k} ?" for k, m in rv["members"].items())
                     + f": {word[rv['ok']]}" + (f" ({rv['why']})" if rv.get("why") else ""))
        gv = v["growth"]
        lines.append(f"database stops growing ({gv['of']}; {gv['rule']}): "
                     + (", ".join(f"{k} {m['growth_pct']:+.1f} %" for k, m in gv["members"].items()
                                  if m.get("growth_pct") is not None) or gv.get("why", ""))
                     + f": {word[gv['ok']]}")
        el = (e or {}).get("long")
        if el:
            lines.append(f"etcd in the same long phase: RSS {word[el['verdicts']['rss']['ok']]}, "
                         f"member dir stops growing {word[el['verdicts']['growth']['ok']]}, bbolt db "
                         f"alone {word[el['verdicts']['growth_db']['ok']]}; "
                         f"{el['puts_per_s']:.0f} vs Ordinal {lg['puts_per_s']:.0f} puts/s")
    if o.get("errors"):
        lines.append(f"errors: {'; '.join(o['errors'])}")
    return "\n".join(lines)


def encrypt_summary(ec):
    if not ec:
        return None
    keep = ("clients", "puts_per_s", "lat_ms_p50", "lat_ms_p99", "lat_ms_max", "errors",
            "member_cpu_pct", "client_cpu_pct", "machine_busy_pct")
    return {"secs": ec.get("secs"), "restart_s": ec.get("restart_s"),
            "restart_secure_s": ec.get("restart_secure_s"),
            "wire_encrypted_logged": {"plaintext": ec.get("wire_encrypted_p"),
                                      "encrypted": ec.get("wire_encrypted_e"),
                                      "secure": ec.get("wire_encrypted_s")},
            "runs": [{"clients": x["clients"], "ratio": x["ratio"],
                      "secure_ratio": x.get("secure_ratio"),
                      "plain": {k: x["plain"].get(k) for k in keep},
                      "encrypted": {k: x["encrypted"].get(k) for k in keep},
                      "secure": {k: x["secure"].get(k) for k in keep}}
                     for x in ec.get("runs", [])]}


# ----------------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--reps", type=int, default=10, help="kill -9 reps per system (0 = skip)")
    ap.add_argument("--tput-secs", type=float, default=10,
                    help="seconds per throughput setting (0 = skip)")
    ap.add_argument("--tput-clients", default="1,8,16", help="client counts, comma-separated")
    ap.add_argument("--window-secs", type=float, default=60,
                    help="each leader-change window, idle then loaded (0 = skip)")
    ap.add_argument("--busy-procs", type=int, default=os.cpu_count() or 2,
                    help="busy-loop processes in the loaded window (default: nproc)")
    ap.add_argument("--systems", default="ordinal,etcd")
    ap.add_argument("--etcd-hb", type=int, default=100, help="etcd --heartbeat-interval ms")
    ap.add_argument("--etcd-et", type=int, default=1000, help="etcd --election-timeout ms")
    ap.add_argument("--etcd-args", default="", help="extra flags for every etcd member")
    ap.add_argument("--ordinal-args", default="", help="extra flags for every Ordinal agent")
    ap.add_argument("--ordinal-bin", default=os.path.join(REPO, ".build", "release", "ordinal"))
    ap.add_argument("--out", default=os.path.join(REPO, ".cluster", "bench-raft"),
                    help="base directory; results go to <out>/<UTC timestamp>/")
    ap.add_argument("--poll-ms", type=float, default=5, help="status poll sleep during failover")
    ap.add_argument("--put-every-ms", type=float, default=20)
    ap.add_argument("--put-timeout", type=float, default=1.0)
    ap.add_argument("--max-inflight", type=int, default=64)
    ap.add_argument("--value-size", type=int, default=64)
    ap.add_argument("--settle-secs", type=float, default=3)
    ap.add_argument("--verify-keys", type=int, default=1000,
                    help="acknowledged keys sampled for the durability check (0 = all, -1 = skip)")
    ap.add_argument("--no-crash-verify", dest="crash_verify", action="store_false",
                    help="skip the re-check after kill -9 of all members")
    ap.add_argument("--encrypt-compare", action="store_true",
                    help="Ordinal only: after the throughput phase, run the --encrypt-clients "
                         "settings on the agents restarted without, then with --encrypt <random "
                         "key>; ratio encrypted / plaintext puts/s (target ≥ 0.85)")
    ap.add_argument("--encrypt-clients", default="8,16",
                    help="client counts of the encrypted runs, comma-separated")
    ap.add_argument("--long-writes", type=int, default=0,
                    help="long phase: this many puts after the other phases (0 = skip; "
                         "the issue's run is 1000000)")
    ap.add_argument("--long-clients", type=int, default=8)
    ap.add_argument("--long-sample-secs", type=float, default=10,
                    help="RSS and data size sampled this often in the long phase")
    ap.add_argument("--long-ref-writes", type=int, default=10000,
                    help="the RSS verdict compares the end with the sample nearest this many "
                         "writes (one sample is taken when they are reached)")
    ap.add_argument("--long-rss-slack-mib", type=float, default=10)
    ap.add_argument("--long-growth-pct", type=float, default=10,
                    help="data stops growing: max over the last third of the writes ≤ max "
                         "over the middle third + this %%")
    ap.add_argument("--long-max-secs", type=float, default=7200,
                    help="deadline of the long phase's writes")
    ap.add_argument("--long-etcd-args",
                    default="--auto-compaction-mode=periodic --auto-compaction-retention=10s",
                    help="flags etcd's members are restarted with for the long phase (etcd "
                         "keeps its whole MVCC history unless told to compact; it never "
                         "defragments by itself)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--phase-timeout", type=float, default=60,
                    help="max s for elections, failover, restarts and catch-up")
    ap.add_argument("--quiet-wait", type=float, default=60,
                    help="max s to wait for other processes' CPU to drop before a phase")
    a = ap.parse_args()
    a.systems = H.systems_arg(a.systems, ("etcd", "ordinal"))   # etcd first, then Ordinal
    try:
        a.tput_clients = [int(x) for x in a.tput_clients.split(",") if x.strip()]
    except ValueError:
        sys.exit(f"--tput-clients {a.tput_clients!r}: expected e.g. 1,8,16")
    if any(c < 1 or c > 256 for c in a.tput_clients):
        sys.exit("--tput-clients: each must be 1..256")
    try:
        a.encrypt_clients = [int(x) for x in a.encrypt_clients.split(",") if x.strip()]
    except ValueError:
        sys.exit(f"--encrypt-clients {a.encrypt_clients!r}: expected e.g. 8,16")
    if any(c < 1 or c > 256 for c in a.encrypt_clients):
        sys.exit("--encrypt-clients: each must be 1..256")
    if a.encrypt_compare and a.tput_secs <= 0:
        sys.exit("--encrypt-compare needs --tput-secs > 0 (its runs last that long)")
    if a.encrypt_compare and "--encrypt" in shlex.split(a.ordinal_args):
        sys.exit("--encrypt-compare: --ordinal-args already has --encrypt; nothing to compare")
    if a.long_writes < 0 or not 1 <= a.long_clients <= 256 or a.long_sample_secs <= 0:
        sys.exit("--long-writes must be ≥ 0, --long-clients 1..256, --long-sample-secs > 0")
    if a.reps < 0 or a.busy_procs < 0:
        sys.exit("--reps and --busy-procs must be ≥ 0")
    if "etcd" in a.systems and not shutil.which("etcd"):
        sys.exit("etcd is not on PATH (apt-get install etcd-server etcd-client)")

    outdir = os.path.join(a.out, H.stamp())
    os.makedirs(outdir, exist_ok=True)
    tmpbin = None
    if "ordinal" in a.systems:
        if not os.access(a.ordinal_bin, os.X_OK):
            sys.exit(f"ordinal binary not found: {a.ordinal_bin}")
        tmpbin, a.ordinal_bin_run, a.ordinal_sha = H.copy_binary(a.ordinal_bin, "bench-raft-bin-")
        h = subprocess.run([a.ordinal_bin_run, "agent", "--help"], capture_output=True,
                           text=True, timeout=30)
        if "--bootstrap-expect" not in h.stdout + h.stderr:
            shutil.rmtree(tmpbin, ignore_errors=True)
            sys.exit(f"{a.ordinal_bin} has no Raft (`agent --help` lists no --bootstrap-expect); "
                     f"build a binary with Raft first")
    cmdline = H.command_line("scripts/bench_raft.py", "BENCH_RAFT_CMD")
    facts = machine_facts(a)
    pg = H.ProcGroup(pidfile=os.path.join(outdir, "pids.txt"))
    H.log(f"bench-raft: systems={a.systems} reps={a.reps} tput={a.tput_secs}s "
          f"windows={a.window_secs}s -> {outdir}")
    bg0 = H.wait_quiet(max_wait=a.quiet_wait)
    H.log(f"background CPU before start: {bg0:.0f}% of one core; top: {H.top_others(n=3)}")
    results = []
    try:
        for key in a.systems:
            H.log(f"=== {key} ===")
            results.append(run_system(a, pg, key, outdir))
    finally:
        pg.kill_all()
        if tmpbin:
            shutil.rmtree(tmpbin, ignore_errors=True)
        table = render(results, facts, cmdline, a) if results else "(no results)"
        tg = targets(results, a)
        summary = {"command": cmdline, "machine": facts, "outdir": outdir,
                   "args": {k: v for k, v in vars(a).items() if k != "ordinal_bin_run"},
                   "background_at_start_pct": bg0, "targets": tg,
                   "results": [{k: r.get(k) for k in ("system", "bootstrap_s", "errors")} |
                               {"failover": {k: v for k, v in r.get("failover", {}).items()
                                             if k != "reps"},
                                "throughput": [{k: t[k] for k in (
                                    "clients", "puts_per_s", "lat_ms_p50", "lat_ms_p99",
                                    "lat_ms_max", "errors", "member_cpu_pct")}
                                    for t in r.get("throughput", [])],
                                "window_idle": {k: v for k, v in (r.get("window_idle") or {}).items()
                                                if k != "events"},
                                "window_loaded": {k: v for k, v in (r.get("window_loaded") or {}).items()
                                                  if k != "events"},
                                "durability": r.get("durability"),
                                "encrypt_compare": encrypt_summary(r.get("encrypt_compare")),
                                "long": r.get("long")}
                               for r in results]}
        H.write_json(os.path.join(outdir, "summary.json"), summary)
        H.publish(outdir, table, tg)


if __name__ == "__main__":
    main()
