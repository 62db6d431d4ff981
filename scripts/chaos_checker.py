#!/usr/bin/env python3
"""Outside checks for scripts/chaos and scripts/bench-failover (stdlib only).

  HolderChecker  samples /proc every 50 ms and flags any pod identity (namespace/name)
                 held by two or more sessions at one sample. Every pod runs in the
                 session of its keeper (`ordinal-keeper ... <namespace>/<name> <uid>
                 <epoch>`, the session leader), so a holder is a live (not zombie)
                 process other than the keeper in such a session; what a workload does
                 to its environment (nginx rewrites it) changes nothing. The identity of
                 a session whose keeper is gone is the one last seen for it. Session ids
                 come from field 6 of /proc/PID/stat (parsed after the last ')', since
                 comm may hold spaces and parens).
                 A sample's reads are not atomic, so a suspect is re-read at once: it is
                 a violation when a process of each session is still alive with the same
                 start time (so both lived across an instant); otherwise it is kept as an
                 unconfirmed suspect (a hand-over inside one scan, a few ms).
  ledger_*       reads the counter files the `ledger` pods append to.
(Pod objects and HTTP: scripts/harness.py.)

Self-test (spawns sessions led by a process named ordinal-keeper, no cluster needed):
    python3 scripts/chaos_checker.py --self-test
"""
import os
import signal
import subprocess
import sys
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


# ----------------------------------------------------------------------------------------
# /proc
def parse_stat(text):
    """(state, session id, start time in ticks) from the text of /proc/PID/stat."""
    rest = text[text.rindex(")") + 2:].split()
    # rest[0] is field 3 (state); field 6 (session) is rest[3]; field 22 (starttime) rest[19]
    return rest[0], int(rest[3]), int(rest[19])


def read_stat(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return parse_stat(f.read())
    except (OSError, ValueError, IndexError):
        return None


def keeper_identity(pid):
    """(namespace, name, uid) from the arguments of an ordinal-keeper, or None: its last three
    arguments are <namespace>/<name>, <uid> and <epoch>."""
    found = keeper_arguments(pid)
    return found[0] if found else None


def cgroup_pids(path, depth=0):
    """Every pid in the cgroup at `path` and below it."""
    pids = []
    try:
        with open(os.path.join(path, "cgroup.procs")) as f:
            pids = [int(line) for line in f if line.strip().isdigit()]
        children = [e.path for e in os.scandir(path) if e.is_dir(follow_symlinks=False)] if depth < 8 else []
    except OSError:
        return pids
    for child in children:
        pids += cgroup_pids(child, depth + 1)
    return pids


def keeper_arguments(pid):
    """((namespace, name, uid), cgroup or None) of an ordinal-keeper, or None. A container pod's
    keeper names its sandbox's cgroup before the pod's identity
    (`ordinal-keeper <socket> <lease> <grace> <cgroup> <ns/name> <uid> <epoch>`)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
    except OSError:
        return None
    if argv and argv[-1] == b"":
        argv = argv[:-1]
    if len(argv) < 4 or os.path.basename(argv[0]) != b"ordinal-keeper":
        return None
    ns, sep, name = argv[-3].decode(errors="replace").partition("/")
    if not sep or not name:
        return None
    cgroup = argv[4].decode(errors="replace") if len(argv) == 8 else None
    return (ns, name, argv[-2].decode(errors="replace")), cgroup


def uptime_ticks():
    with open("/proc/uptime") as f:
        return float(f.read().split()[0]) * CLK_TCK


class HolderScanner:
    """One pass over /proc: {(namespace, name): {sid: [(pid, starttime, uid)]}}.

    A session's identity is read from its leader's arguments once per (leader pid, start
    time) and kept while any process of the session lives. `namespaces`: only these
    identities count (None = all)."""

    def __init__(self, namespaces=None):
        self.namespaces = set(namespaces) if namespaces else None
        self.leaders = {}    # pid -> (starttime, identity or None)
        self.sessions = {}   # sid -> identity, as last seen from its keeper
        self.own = os.getpid()

    def scan(self):
        holders = {}
        try:
            names = os.listdir("/proc")
        except OSError:
            return holders
        live = []
        for entry in names:
            if not entry.isdigit():
                continue
            pid = int(entry)
            if pid == self.own:
                continue
            st = read_stat(pid)
            if st is None:
                continue
            state, sid, start = st
            if pid == sid:
                cached = self.leaders.get(pid)
                if cached is None or cached[0] != start:
                    found = keeper_arguments(pid)
                    cached = (start, found[0] if found else None, found[1] if found else None)
                    self.leaders[pid] = cached
                if cached[1] is not None:
                    self.sessions[sid] = cached[1]
                if cached[2] is not None:
                    # A container pod's processes live in its sandbox's cgroup, not the
                    # keeper's session: they hold the identity under the keeper's session id.
                    for member in cgroup_pids("/sys/fs/cgroup/pids/" + cached[2]):
                        member_stat = read_stat(member)
                        if member_stat is not None and member_stat[0] not in ("Z", "X", "x"):
                            live.append((member, sid, member_stat[2]))
                continue
            if state not in ("Z", "X", "x"):
                live.append((pid, sid, start))
        sids = set()
        for pid, sid, start in live:
            sids.add(sid)
            ident = self.sessions.get(sid)
            if ident is None:
                continue
            ns, name, uid = ident
            if self.namespaces is not None and ns not in self.namespaces:
                continue
            holders.setdefault((ns, name), {}).setdefault(sid, []).append((pid, start, uid))
        if len(self.sessions) > len(sids) + 256:
            self.sessions = {k: v for k, v in self.sessions.items() if k in sids}
        if len(self.leaders) > len(names) + 256:
            self.leaders = {p: v for p, v in self.leaders.items() if str(p) in names}
        return holders


def still_alive(pid, start):
    st = read_stat(pid)
    return st is not None and st[2] == start and st[0] not in ("Z", "X", "x")


class HolderChecker(threading.Thread):
    """Samples every `interval` s until stop(); counts violations (bounded detail)."""

    MAX_DETAILS = 200

    def __init__(self, namespaces=None, interval=0.05, on_violation=None, clock=time.monotonic):
        super().__init__(name="holder-checker", daemon=True)
        self.scanner = HolderScanner(namespaces)
        self.interval = interval
        self.on_violation = on_violation
        self.clock = clock
        self._halt = threading.Event()
        self.lock = threading.Lock()
        self.samples = 0
        self.max_gap_s = 0.0
        self.max_scan_s = 0.0
        self.scan_s_total = 0.0
        self.violations = 0          # samples with >= 2 confirmed live sessions of one identity
        self.suspects = 0            # >= 2 sessions in one scan, not confirmed by the re-read
        self.details = []            # bounded list of dicts
        self.identities = set()      # every identity ever seen
        self.uids = set()            # every POD_UID ever seen
        self.last = {}               # last sample's holders
        self.t0 = clock()

    def stop(self):
        self._halt.set()

    def sample_once(self):
        t = self.clock()
        holders = self.scanner.scan()
        dt = self.clock() - t
        events = []
        for ident, sessions in holders.items():
            if len(sessions) < 2:
                continue
            confirmed = [sid for sid, procs in sessions.items()
                         if any(still_alive(pid, start) for pid, start, _ in procs)]
            kind = "violation" if len(confirmed) >= 2 else "suspect"
            events.append({"kind": kind, "t": round(t - self.t0, 3), "identity": "/".join(ident),
                           "sessions": {str(sid): [p for p, _, _ in procs]
                                        for sid, procs in sessions.items()},
                           "uids": sorted({u for procs in sessions.values() for _, _, u in procs})})
        with self.lock:
            self.samples += 1
            self.scan_s_total += dt
            self.max_scan_s = max(self.max_scan_s, dt)
            self.last = holders
            for ident, sessions in holders.items():
                self.identities.add("/".join(ident))
                for procs in sessions.values():
                    self.uids.update(u for _, _, u in procs if u)
            for e in events:
                if e["kind"] == "violation":
                    self.violations += 1
                else:
                    self.suspects += 1
                if len(self.details) < self.MAX_DETAILS:
                    self.details.append(e)
        for e in events:
            if self.on_violation:
                self.on_violation(e)
        return holders, events

    def run(self):
        last = None
        while not self._halt.is_set():
            t = self.clock()
            if last is not None:
                self.max_gap_s = max(self.max_gap_s, t - last)
            last = t
            try:
                self.sample_once()
            except Exception as e:  # never let the checker die silently
                with self.lock:
                    if len(self.details) < self.MAX_DETAILS:
                        self.details.append({"kind": "checker-error", "t": round(t - self.t0, 3),
                                             "error": repr(e)})
            self._halt.wait(max(0.0, self.interval - (self.clock() - t)))

    def summary(self):
        with self.lock:
            return {"samples": self.samples, "interval_ms": self.interval * 1000,
                    "max_gap_ms": round(self.max_gap_s * 1000, 1),
                    "mean_scan_ms": round(1000 * self.scan_s_total / max(self.samples, 1), 2),
                    "max_scan_ms": round(self.max_scan_s * 1000, 1),
                    "violations": self.violations, "unconfirmed_suspects": self.suspects,
                    "identities_seen": sorted(self.identities), "details": list(self.details)}

    def current_holders(self):
        """Fresh scan, {identity string: [pids]} (for leak checks after teardown)."""
        holders = self.scanner.scan()
        return {"/".join(k): sorted(p for procs in v.values() for p, _, _ in procs)
                for k, v in holders.items()}


# ----------------------------------------------------------------------------------------
# ledger counter files
def ledger_last(path):
    """The last complete value in a counter file, or None (missing, empty)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 256))
            tail = f.read()
    except OSError:
        return None
    lines = tail.split(b"\n")
    lines = lines[:-1]   # the part after the last newline is incomplete (or empty)
    for line in reversed(lines):
        line = line.strip()
        if line.isdigit():
            return int(line)
        if line:
            return -1    # garbage: report it as a value no counter can follow
    return None


def ledger_sequence_breaks(path, limit=20):
    """(number of complete lines, [(line number, previous, value)] where the sequence does
    not strictly increase or a line is not a number), bounded by `limit` entries."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return 0, [(0, None, "no counter file")]
    except OSError as e:
        return 0, [(0, None, f"unreadable: {e.strerror}")]
    lines = data.split(b"\n")[:-1]
    breaks, prev = [], None
    for i, raw in enumerate(lines, start=1):
        s = raw.strip()
        if not s.isdigit():
            breaks.append((i, prev, s.decode(errors="replace")[:40]))
            prev = None
        else:
            v = int(s)
            if prev is not None and v <= prev:
                breaks.append((i, prev, v))
            prev = v
        if len(breaks) >= limit:
            break
    return len(lines), breaks


# ----------------------------------------------------------------------------------------
# self-test
def _spawn_holder(ns, name, seconds=30):
    """A session led by a process named ordinal-keeper with a keeper's last three arguments,
    holding one child (the `sleep`): what a pod under its keeper looks like in /proc."""
    script = f"sleep {seconds}; :"
    return subprocess.Popen(["setsid", "bash", "-c",
                             f'exec -a ordinal-keeper bash -c "{script}" sock 0 0 "$0" "$1" 1',
                             f"{ns}/{name}", f"uid-{name}"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _wait_exec(procs, deadline_s=5.0):
    """Wait until each spawned session's leader is the keeper and holds its child."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        held = HolderScanner().scan()
        sids = {sid for sessions in held.values() for sid in sessions}
        if all(keeper_identity(p.pid) and p.pid in sids for p in procs):
            return True
        time.sleep(0.01)
    return False


def self_test():
    ns = f"chaos-selftest-{os.getpid()}"
    procs, ok = [], True

    def check(label, cond):
        nonlocal ok
        print(f"  {'ok  ' if cond else 'FAIL'} {label}")
        ok = ok and cond

    def kill_session(p):
        try:
            os.killpg(p.pid, signal.SIGKILL)   # the keeper stand-in and what its session holds
        except ProcessLookupError:
            pass
        p.wait(timeout=5)

    def kill_all():
        for p in procs:
            kill_session(p)

    try:
        print(f"self-test (namespace {ns}):")
        check("parse_stat handles spaces and parens in comm",
              parse_stat("42 (a) b (c)) S 1 42 40 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 777 0 0")
              == ("S", 40, 777))
        # one holder: fine
        procs.append(_spawn_holder(ns, "web-0"))
        check("holder exec'd", _wait_exec(procs))
        c = HolderChecker(namespaces=[ns])
        holders, events = c.sample_once()
        check("one holder: identity seen, 1 session", len(holders.get((ns, "web-0"), {})) == 1)
        check("one holder: no violation", not events and c.violations == 0)
        # a second session for the same identity: violation
        procs.append(_spawn_holder(ns, "web-0"))
        check("second holder exec'd", _wait_exec(procs))
        holders, events = c.sample_once()
        check("two sessions: violation detected",
              c.violations == 1 and events and events[0]["kind"] == "violation")
        # another identity alongside is fine
        procs.append(_spawn_holder(ns, "web-1"))
        _wait_exec(procs)
        kill_session(procs[1])
        holders, events = c.sample_once()
        check("after killing the second: web-0 1 session, web-1 1 session, no new violation",
              len(holders.get((ns, "web-0"), {})) == 1 and len(holders.get((ns, "web-1"), {})) == 1
              and c.violations == 1)
        # a zombie of the same identity (not reaped by us) is ignored
        z = _spawn_holder(ns, "web-1", seconds=0.2)
        procs.append(z)
        _wait_exec([z])
        time.sleep(0.6)   # z exits and stays a zombie: we do not wait() for it yet
        st = read_stat(z.pid)
        check("zombie is in state Z", st is not None and st[0] == "Z")
        holders, events = c.sample_once()
        check("zombie of web-1 ignored: still 1 session, no violation",
              len(holders.get((ns, "web-1"), {})) == 1 and c.violations == 1)
        # other namespaces are not counted
        other = f"{ns}-other"
        procs.append(_spawn_holder(other, "web-0"))
        procs.append(_spawn_holder(other, "web-0"))
        _wait_exec(procs[-2:])
        holders, events = c.sample_once()
        check("namespace filter: another namespace's double holder ignored",
              (other, "web-0") not in holders and c.violations == 1)
        # the thread: 50 ms sampling over 1 s with a double holder
        procs.append(_spawn_holder(ns, "web-1"))
        _wait_exec(procs[-1:])
        t = HolderChecker(namespaces=[ns])
        t.start()
        time.sleep(1.0)
        t.stop()
        t.join(timeout=5)
        s = t.summary()
        check(f"thread: {s['samples']} samples in 1 s (mean scan {s['mean_scan_ms']} ms, "
              f"max gap {s['max_gap_ms']} ms), every sample flags web-1",
              s["samples"] >= 10 and s["violations"] == s["samples"])
        kill_all()
        for p in procs:
            p.wait(timeout=5)
        holders, events = c.sample_once()
        check("all killed: no holders left", not holders)
        # ledger helpers
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "counter")
            with open(path, "w") as f:
                f.write("1\n2\n3\n5\n4\n4\n6\n7")
            check("ledger_last ignores the incomplete last line", ledger_last(path) == 6)
            n, br = ledger_sequence_breaks(path)
            check("ledger_sequence_breaks finds 5→4 and 4→4", n == 7 and [b[0] for b in br] == [5, 6])
            check("ledger_last of a missing file is None", ledger_last(path + "x") is None)
    finally:
        kill_all()
    print("self-test", "passed" if ok else "FAILED")
    return ok


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(0 if self_test() else 1)
    print(__doc__)
    sys.exit(2)
