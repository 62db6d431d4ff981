#!/usr/bin/env python3
"""The benchmark harness: what scripts/bench_*.py, chaos.py and the peer scripts share,
written once (Python 3 stdlib only; nothing outside this repository is imported).

  processes   spawn(), ProcGroup: start processes, remember their PIDs, stop or kill them
              by PID only (never by name), on exit and on SIGINT/SIGTERM too; busy_load().
  agents      agent_argv() (the `ordinal agent` command line), serf_argv(), Members (a
              benchmarked cluster whose member i runs in a ProcGroup), wait_formed(),
              wait_for(), port_free(), tcp_answers(), wait_tcp(), copy_binary().
  HTTP        request() / request_json() (one request, fresh connection), get_json() /
              get_text() (None on any error), KeepAlive (one keep-alive connection),
              pod_summary() / pod_up() / pods_by_name() for the pods API.
  serf        SerfRPC, the agent RPC `serf members` speaks (a minimal msgpack inside).
  DNS         dns_query() (an A query packet), query_a() (one UDP query), dns_rtt().
  /proc       keeper_pids(), proc_cpu_ticks(), proc_status(), sample_idle(), sys_cpu(), busy_pct(),
              wait_quiet(), top_others().
  statistics  quantile(), stats(), fmt_stats(), quantile_or_max().
  facts       machine_facts() (cores, CPU model, memory, kernel, date), host_line(),
              sha256(), binary_facts(), git_commit(), data_fs().
  reports     append_section() (a run into docs/benchmarks.md), fmt(), stat_cell(), win_cell(), md_row(), md_sep(), shown(), bin_label(),
              command_line(), systems_arg(), recorded(), publish(), print_json(), stamp(),
              utc_date(), iso_utc(), write_json(), write_text().

Every wait loop has a deadline.  Run as a program it serves the shell scripts under
scripts/peers/:
    python3 scripts/harness.py wait-quiet [PID...]   background CPU % (one core = 100)
    python3 scripts/harness.py sys-cpu               "busy total" jiffies of the machine
    python3 scripts/harness.py dns-rtt --server A --port P --names-file F [--count N] [--out J]
"""
import argparse
import atexit
import contextlib
import hashlib
import http.client
import json
import os
import platform
import random
import shlex
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLK_TCK = os.sysconf("SC_CLK_TCK")
PEER_PORT, API_PORT, DNS_PORT = 7400, 7480, 7453


def now():
    return time.monotonic()


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------------------
# processes
# ----------------------------------------------------------------------------------------
def spawn(argv, logpath, env=None):
    """Start argv in a session of its own, stdin from /dev/null, stdout and stderr appended
    to logpath. -> Popen"""
    with open(logpath, "ab") as lf:
        return subprocess.Popen(argv, stdout=lf, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env, start_new_session=True)


class ProcGroup:
    """Every process a run starts, by key; they are stopped or killed by PID only, at the
    latest at exit or on SIGINT/SIGTERM. pidfile (optional) lists the live ones."""

    def __init__(self, pidfile=None):
        self.procs = {}  # key -> Popen
        self.pidfile = pidfile
        atexit.register(self.kill_all)
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, frame):
        self.kill_all()
        sys.exit(128 + signum)

    def _write_pidfile(self):
        if not self.pidfile:
            return
        with open(self.pidfile, "w") as f:
            for k, p in self.procs.items():
                if p.poll() is None:
                    f.write(f"{p.pid} {k}\n")

    def spawn(self, key, argv, logpath, env=None):
        if key in self.procs and self.procs[key].poll() is None:
            raise RuntimeError(f"{key} already running")
        p = spawn(argv, logpath, env)
        self.procs[key] = p
        self._write_pidfile()
        return p

    def pid(self, key):
        return self.procs[key].pid

    def alive(self, key):
        p = self.procs.get(key)
        return p is not None and p.poll() is None

    def kill9(self, key):
        """SIGKILL one process by PID and reap it; returns the time of the kill (now())."""
        p = self.procs[key]
        os.kill(p.pid, signal.SIGKILL)
        t = now()
        p.wait(timeout=10)
        self._write_pidfile()
        return t

    def stop_keys(self, keys):
        """SIGKILL (and reap) those of `keys` still running; errors are ignored."""
        for key in keys:
            p = self.procs.get(key)
            if p is not None and p.poll() is None:
                try:
                    os.kill(p.pid, signal.SIGKILL)
                    p.wait(timeout=10)
                except (OSError, subprocess.TimeoutExpired):
                    pass

    def stop_all(self, grace=15.0):
        """SIGTERM every live process, wait up to `grace` s for each, then SIGKILL."""
        for p in self.procs.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in self.procs.values():
            try:
                p.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                p.kill()
        self._write_pidfile()

    def kill_all(self):
        self.stop_keys(list(self.procs))
        self._write_pidfile()


def busy_load(pg, n):
    """n busy-loop processes (one core each) in pg; -> their keys (pg.stop_keys ends them)."""
    keys = []
    for k in range(n):
        key = ("busy", k)
        pg.spawn(key, [sys.executable, "-c", "while True: pass"], os.devnull)
        keys.append(key)
    return keys


# ----------------------------------------------------------------------------------------
# agents and peers
# ----------------------------------------------------------------------------------------
def agent_argv(binary, name, ip, data_dir, bootstrap_expect=None, join=(), dns=False,
               max_pods=None, log_level=None, extra=""):
    """`ordinal agent` for agent `name` on `ip` (peer :7400, API :7480, DNS :7453 with
    dns=True); join: the seeds' IPs; extra: more flags as one shell-quoted string."""
    argv = [binary, "agent", "--name", name, "--bind", f"{ip}:{PEER_PORT}",
            "--api", f"{ip}:{API_PORT}"]
    if dns:
        argv += ["--dns", f"{ip}:{DNS_PORT}"]
    argv += ["--data-dir", data_dir]
    if bootstrap_expect is not None:
        argv += ["--bootstrap-expect", str(bootstrap_expect)]
    if max_pods is not None:
        argv += ["--max-pods", str(max_pods)]
    if log_level:
        argv += ["--log-level", log_level]
    if join:
        argv += ["--join", ",".join(f"{j}:{PEER_PORT}" for j in join)]
    return argv + shlex.split(extra)


def serf_argv(name, ip, port=7946, rpc_port=7373, join=None, profile=None, log_level=None,
              extra=""):
    """`serf agent` named `name` on ip:port with its RPC on ip:rpc_port; join: a seed ip."""
    argv = ["serf", "agent", f"-node={name}", f"-bind={ip}:{port}", f"-rpc-addr={ip}:{rpc_port}"]
    if profile:
        argv.append(f"-profile={profile}")
    if log_level:
        argv.append(f"-log-level={log_level}")
    if join:
        argv.append(f"-join={join}:{port}")
    return argv + shlex.split(extra)


class Members:
    """A benchmarked cluster of `count` members, member i tracked in the ProcGroup pg under
    pkey(i). Subclasses give name(i), argv(i), logpath(i); cli holds each member's open
    client (anything with close()), dropped whenever the member is started or killed."""
    key = "?"
    cmd_file = "member-cmd.txt"   # member 0's command line, written once per workdir

    def __init__(self, pg, workdir, count):
        self.pg, self.workdir, self.count = pg, workdir, count
        self.cli = {}

    def pkey(self, i):
        return (self.key, i)

    def pid(self, i):
        return self.pg.pid(self.pkey(i))

    def running(self, i):
        return self.pg.alive(self.pkey(i))

    def pids(self):
        return [self.pid(i) for i in range(self.count) if self.running(i)]

    def crashed(self):
        return [self.name(i) for i in range(self.count) if not self.running(i)]

    def start(self, i):
        self.drop(i)
        argv = self.argv(i)
        path = os.path.join(self.workdir, self.cmd_file)
        if i == 0 and not os.path.exists(path):
            write_text(path, shlex.join(argv) + "\n")
        return self.pg.spawn(self.pkey(i), argv, self.logpath(i))

    def kill9(self, i):
        self.drop(i)
        return self.pg.kill9(self.pkey(i))

    def stop_all(self):
        self.drop_all()
        self.pg.stop_keys([self.pkey(i) for i in range(self.count)])

    def drop(self, i):
        c = self.cli.pop(i, None)
        if c:
            c.close()

    def drop_all(self):
        for i in range(self.count):
            self.drop(i)


def wait_for(pred, timeout, period=0.25, halt=None):
    """Call pred() until it returns (True, info) or the deadline passes (or halt is set);
    returns the last (ok, info)."""
    end = now() + timeout
    last = (False, "never evaluated")
    while now() < end:
        last = pred()
        if last[0]:
            return last
        if halt is not None and halt.is_set():
            break
        time.sleep(period)
    return last


def wait_formed(api, n, timeout=60, need="leader", raft_timeout=1.0):
    """Poll api (http://ip:port) every 0.2 s until its Raft status names `need` (leader or
    leaderAPI) and it lists n nodes. -> (ok, last Raft status or None)"""
    def formed():
        raft = get_json(api + "/ordinal/v1/raft", timeout=raft_timeout)
        nodes = get_json(api + "/api/v1/nodes", timeout=1.0) or {}
        ok = isinstance(raft, dict) and bool(raft.get(need)) and \
            isinstance(nodes, dict) and len(nodes.get("items") or []) == n
        return ok, raft
    return wait_for(formed, timeout, period=0.2)


def port_free(ip, port, proto="tcp"):
    """Whether ip:port can be bound (TCP with SO_REUSEADDR, or UDP)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
    try:
        if proto == "tcp":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((ip, port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def tcp_answers(host, port, timeout=0.3):
    """Whether a TCP connect to host:port succeeds."""
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
        return True
    except OSError:
        return False


def wait_tcp(host, port, seconds, period=0.1, timeout=0.5):
    """Whether host:port accepts a TCP connection within `seconds` (tried every `period`)."""
    deadline = now() + seconds
    while now() < deadline:
        if tcp_answers(host, port, timeout):
            return True
        time.sleep(period)
    return False


def copy_binary(src, prefix):
    """Copy src, and the ordinal-keeper beside it (the agent runs its pods under that), into a
    new temporary directory (a rebuild during the run then does not change what runs).
    -> (directory, path of the copy, its sha256)"""
    tmp = tempfile.mkdtemp(prefix=prefix)
    path = os.path.join(tmp, os.path.basename(src))
    shutil.copy2(src, path)
    keeper = os.path.join(os.path.dirname(src), "ordinal-keeper")
    if os.path.exists(keeper):
        shutil.copy2(keeper, os.path.join(tmp, "ordinal-keeper"))
    return tmp, path, sha256(path)


# ----------------------------------------------------------------------------------------
# HTTP
# ----------------------------------------------------------------------------------------
def request(method, url, body=None, timeout=10, content_type="application/json", limit=None, token=None):
    """One request on a fresh connection -> (status, body bytes; at most `limit` bytes).
    body: bytes go as they are, anything else but None as JSON; token: sent as a bearer
    token. HTTP error statuses are returned like any other; connection errors and timeouts
    raise OSError."""
    if body is not None and not isinstance(body, (bytes, bytearray)):
        body = json.dumps(body).encode()
    headers = {"Content-Type": content_type} if content_type else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read(limit)
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def request_json(method, url, body=None, timeout=10, content_type="application/json"):
    """request() with the answer parsed as JSON (an empty answer is {})."""
    status, data = request(method, url, body, timeout, content_type)
    return status, json.loads(data or b"{}")


def get_json(url, timeout=1.0, token=None):
    """GET url -> parsed JSON, or None on any error (timeouts and error statuses included)."""
    try:
        status, data = request("GET", url, timeout=timeout, content_type=None, token=token)
        if not 200 <= status < 300:
            return None
        return json.loads(data or b"null")
    except (OSError, ValueError):
        return None


def get_text(url, timeout=2.0, limit=4096, token=None):
    """GET url -> (status, text), (error status, "") or (None, the error)."""
    try:
        status, data = request("GET", url, timeout=timeout, content_type=None, limit=limit, token=token)
    except (OSError, ValueError) as e:
        return None, str(e)
    return status, data.decode(errors="replace") if 200 <= status < 300 else ""


class KeepAlive:
    """A keep-alive HTTP/1.1 client on one connection with TCP_NODELAY (not thread-safe).
    A stale connection is retried once on a new one; a fresh one only with retry_fresh
    (never for writes, so a write is not sent twice to a live server)."""

    def __init__(self, host, port, timeout=1.0, retry_fresh=False, tls=None, headers=None):
        self.host, self.port, self.timeout = host, int(port), timeout
        self.retry_fresh = retry_fresh
        self.tls = tls                  # an ssl.SSLContext: HTTPS verified against its CA
        self.headers = headers or {}    # sent with every request (Authorization)
        self.conn = None

    def request(self, method, path, body=None, headers=None, timeout=None):
        """-> (status, body bytes). Raises on connection errors and timeouts."""
        for attempt in (0, 1):
            fresh = self.conn is None
            if fresh:
                if self.tls is not None:
                    self.conn = http.client.HTTPSConnection(self.host, self.port, context=self.tls,
                                                            timeout=timeout or self.timeout)
                else:
                    self.conn = http.client.HTTPConnection(self.host, self.port,
                                                           timeout=timeout or self.timeout)
                try:
                    self.conn.connect()
                except Exception:
                    self.conn = None
                    raise
                self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            elif timeout is not None:
                self.conn.sock.settimeout(timeout)
            try:
                self.conn.request(method, path, body, {**self.headers, **(headers or {})})
                r = self.conn.getresponse()
                data = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.close()
                return r.status, data
            except (http.client.RemoteDisconnected, http.client.BadStatusLine,
                    BrokenPipeError, ConnectionResetError):
                self.close()
                if attempt or (fresh and not self.retry_fresh):
                    raise
            except Exception:
                self.close()
                raise

    def get_json(self, path):
        """GET path -> parsed JSON; RuntimeError unless the status is 200."""
        status, data = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"HTTP {status}")
        return json.loads(data)

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except Exception:
                pass
        self.conn = None


def pod_ready(pod):
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return c.get("status") == "True"
    return False


def pod_summary(pod):
    """The fields of a pod object the checks look at."""
    meta, spec, status = pod.get("metadata") or {}, pod.get("spec") or {}, pod.get("status") or {}
    return {"name": meta.get("name"), "uid": meta.get("uid"), "node": spec.get("nodeName") or "",
            "phase": status.get("phase") or "", "ready": pod_ready(pod),
            "ip": status.get("podIP") or "", "deleting": bool(meta.get("deletionTimestamp"))}


def pod_up(p, not_on=None):
    """A pod_summary() Running and Ready on a node (other than not_on), not being deleted."""
    return (p["phase"] == "Running" and p["ready"] and p["node"] != "" and not p["deleting"]
            and (not_on is None or p["node"] != not_on))


def pods_by_name(api, namespace, timeout=1.0):
    """{name: pod_summary} of a namespace through api, or None when it does not answer."""
    body = get_json(f"{api}/api/v1/namespaces/{namespace}/pods", timeout=timeout)
    if not isinstance(body, dict) or "items" not in body:
        return None
    return {p["name"]: p for p in map(pod_summary, body["items"])}


# ----------------------------------------------------------------------------------------
# serf: agent RPC over a minimal msgpack
# ----------------------------------------------------------------------------------------
def mp_pack(o):
    if o is None:
        return b"\xc0"
    if o is True:
        return b"\xc3"
    if o is False:
        return b"\xc2"
    if isinstance(o, int):
        if 0 <= o < 128:
            return bytes([o])
        if -32 <= o < 0:
            return struct.pack("b", o)
        if 0 <= o < 2 ** 32:
            return b"\xce" + struct.pack(">I", o)
        if o >= 0:
            return b"\xcf" + struct.pack(">Q", o)
        return b"\xd3" + struct.pack(">q", o)
    if isinstance(o, str):
        b = o.encode()
        n = len(b)
        if n < 32:
            return bytes([0xA0 | n]) + b
        if n < 256:
            return b"\xd9" + bytes([n]) + b
        if n < 65536:
            return b"\xda" + struct.pack(">H", n) + b
        return b"\xdb" + struct.pack(">I", n) + b
    if isinstance(o, (bytes, bytearray)):
        n = len(o)
        if n < 256:
            return b"\xc4" + bytes([n]) + bytes(o)
        return b"\xc6" + struct.pack(">I", n) + bytes(o)
    if isinstance(o, (list, tuple)):
        n = len(o)
        h = bytes([0x90 | n]) if n < 16 else b"\xdd" + struct.pack(">I", n)
        return h + b"".join(mp_pack(x) for x in o)
    if isinstance(o, dict):
        n = len(o)
        h = bytes([0x80 | n]) if n < 16 else b"\xdf" + struct.pack(">I", n)
        return h + b"".join(mp_pack(k) + mp_pack(v) for k, v in o.items())
    raise TypeError(type(o))


class MPReader:
    """Reads msgpack values one at a time from a binary file object."""

    def __init__(self, rfile):
        self.f = rfile

    def _r(self, n):
        b = self.f.read(n)
        if len(b) != n:
            raise EOFError("short read")
        return b

    def _n(self, width):
        return int.from_bytes(self._r(width), "big")

    def unpack(self):
        c = self._r(1)[0]
        if c <= 0x7F:
            return c
        if c >= 0xE0:
            return c - 256
        if 0x80 <= c <= 0x8F:
            return self._map(c & 0x0F)
        if 0x90 <= c <= 0x9F:
            return [self.unpack() for _ in range(c & 0x0F)]
        if 0xA0 <= c <= 0xBF:
            return self._r(c & 0x1F).decode("utf-8", "replace")
        if c == 0xC0:
            return None
        if c in (0xC2, 0xC3):
            return c == 0xC3
        if 0xC4 <= c <= 0xC6:                      # bin 8/16/32
            return self._r(self._n(1 << (c - 0xC4)))
        if 0xC7 <= c <= 0xC9:                      # ext 8/16/32: length, type, data
            ln = self._n(1 << (c - 0xC7))
            self._r(1)
            return self._r(ln)
        if c == 0xCA:
            return struct.unpack(">f", self._r(4))[0]
        if c == 0xCB:
            return struct.unpack(">d", self._r(8))[0]
        if 0xCC <= c <= 0xCF:
            return self._n(1 << (c - 0xCC))
        if 0xD0 <= c <= 0xD3:
            return int.from_bytes(self._r(1 << (c - 0xD0)), "big", signed=True)
        if 0xD4 <= c <= 0xD8:                      # fixext: type, data
            self._r(1)
            return self._r(1 << (c - 0xD4))
        if 0xD9 <= c <= 0xDB:                      # str 8/16/32
            return self._r(self._n(1 << (c - 0xD9))).decode("utf-8", "replace")
        if c in (0xDC, 0xDD):                      # array 16/32
            return [self.unpack() for _ in range(self._n(2 if c == 0xDC else 4))]
        if c in (0xDE, 0xDF):                      # map 16/32
            return self._map(self._n(2 if c == 0xDE else 4))
        raise ValueError(f"msgpack byte {c:#x}")

    def _map(self, n):
        d = {}
        for _ in range(n):
            k = self.unpack()
            if isinstance(k, bytes):
                k = k.decode()
            d[k] = self.unpack()
        return d


class SerfRPC:
    """serf agent RPC (the protocol `serf members` speaks), kept connected."""

    def __init__(self, addr, timeout=2.0):
        host, port = addr.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rf = self.sock.makefile("rb")
        self.rd = MPReader(self.rf)
        self.seq = 0
        self._call("handshake", {"Version": 1}, body=False)

    def _call(self, cmd, args=None, body=True):
        self.seq += 1
        msg = mp_pack({"Command": cmd, "Seq": self.seq})
        if args is not None:
            msg += mp_pack(args)
        self.sock.sendall(msg)
        hdr = self.rd.unpack()
        if hdr.get("Error"):
            raise RuntimeError(hdr["Error"])
        return self.rd.unpack() if body else None

    def members(self):
        """[(name, status)]"""
        r = self._call("members")
        return [(m["Name"], m["Status"]) for m in r["Members"]]

    def close(self):
        try:
            self.rf.close()
            self.sock.close()
        except Exception:
            pass


def serf_version():
    if not shutil.which("serf"):
        return "not installed"
    return subprocess.run(["serf", "version"], capture_output=True, text=True).stdout.split("\n")[0]


# ----------------------------------------------------------------------------------------
# DNS
# ----------------------------------------------------------------------------------------
def dns_query(qid, name, qtype=1):
    """A query packet (RD set, class IN) for name."""
    hdr = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.strip(".").split(".")) + b"\0"
    return hdr + q + struct.pack(">HH", qtype, 1)


def query_a(server, name, timeout=0.5):
    """One UDP A query to server (ip, port); the addresses answered (empty on NXDOMAIN or no
    answer), None on a timeout."""
    packet = dns_query(os.getpid() & 0xFFFF, name)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(packet, server)
        try:
            reply, _ = sock.recvfrom(4096)
        except socket.timeout:
            return None
    count = struct.unpack(">H", reply[6:8])[0]
    offset = len(packet)                  # the answers follow the echoed question
    addresses = []
    for _ in range(count):
        if reply[offset] & 0xC0 == 0xC0:
            offset += 2
        else:
            while reply[offset] != 0:
                offset += reply[offset] + 1
            offset += 1
        rtype, _, _, length = struct.unpack(">HHIH", reply[offset:offset + 10])
        offset += 10
        if rtype == 1 and length == 4:
            addresses.append(socket.inet_ntoa(reply[offset:offset + 4]))
        offset += length
    return addresses


def dns_rtt(server, port, names, count=2000, timeout=1.0, warmup=50, budget=120):
    """Single-query round trip over UDP, one query outstanding at a time: `count` A queries
    (after `warmup`), names round-robin; microseconds median/p90/p99/min/max, rcodes."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    s.connect((server, port))
    rtts, rcodes, timeouts = [], {}, 0
    deadline = now() + budget
    for k in range(warmup + count):
        if now() > deadline:
            break
        qid = random.randrange(65536)
        pkt = dns_query(qid, names[k % len(names)])
        t0 = time.perf_counter()
        s.send(pkt)
        try:
            while True:
                data = s.recv(4096)
                if len(data) >= 12 and struct.unpack(">H", data[:2])[0] == qid:
                    break
        except socket.timeout:
            timeouts += 1
            continue
        dt = time.perf_counter() - t0
        if k >= warmup:
            rtts.append(dt * 1e6)
            rc = data[3] & 0x0F
            rcodes[rc] = rcodes.get(rc, 0) + 1
    s.close()
    return {"server": f"{server}:{port}", "count": len(rtts), "timeouts": timeouts,
            "rcodes": rcodes, "us_median": quantile(rtts, 0.5),
            "us_p90": quantile(rtts, 0.9), "us_p99": quantile(rtts, 0.99),
            "us_min": min(rtts) if rtts else None, "us_max": max(rtts) if rtts else None}


# ----------------------------------------------------------------------------------------
# /proc sampling
# ----------------------------------------------------------------------------------------
def proc_cpu_ticks(pid):
    """utime + stime of pid in clock ticks (fields 14 and 15 of /proc/PID/stat)."""
    with open(f"/proc/{pid}/stat") as f:
        data = f.read()
    rest = data[data.rindex(")") + 2:].split()
    return int(rest[11]) + int(rest[12])


def safe_ticks(pid):
    try:
        return proc_cpu_ticks(pid)
    except OSError:
        return 0


def keeper_pids(root):
    """PIDs of the pod keepers (`ordinal-keeper`) whose sockets lie under the directory root."""
    root = os.path.realpath(root)
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if argv and os.path.basename(argv[0]) == b"ordinal-keeper" and len(argv) > 1 \
                and os.path.realpath(argv[1].decode(errors="replace")).startswith(root):
            found.append(int(entry))
    return found


def proc_status(pid, keys):
    """{key: first number} of those `keys` found in /proc/PID/status (kB for the Vm*/Rss*)."""
    found = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in keys:
                found[key] = int(value.split()[0])
    return {k: found[k] for k in keys if k in found}


def sample_idle(pids, seconds):
    """CPU% (of one core), RSS and threads of each pid over `seconds` of wall time."""
    t0 = now()
    c0 = {p: proc_cpu_ticks(p) for p in pids}
    time.sleep(seconds)
    t1 = now()
    out = []
    for p in pids:
        dt = (proc_cpu_ticks(p) - c0[p]) / CLK_TCK
        st = proc_status(p, ("VmRSS", "Threads"))
        out.append({"pid": p, "cpu_pct": 100.0 * dt / (t1 - t0),
                    "rss_kb": st.get("VmRSS", 0), "threads": st.get("Threads", 0)})
    return out


def sys_cpu():
    """(busy jiffies, total jiffies) of the whole machine from /proc/stat."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]  # idle + iowait
    return sum(v) - idle, sum(v)


def busy_pct(s0, s1):
    """Machine CPU busy between two sys_cpu() snapshots, in % of ONE core (200 = both
    cores of a 2-core machine fully busy)."""
    db, dt = s1[0] - s0[0], s1[1] - s0[1]
    return 100.0 * os.cpu_count() * db / dt if dt else 0.0


def wait_quiet(own_pids=(), threshold=25.0, window=2.0, max_wait=60.0):
    """Wait (bounded) until the CPU used by processes other than own_pids is below
    `threshold` % of one core over `window` s. -> the last background %, so callers can
    record how noisy the machine was."""
    deadline = now() + max_wait
    while True:
        s0 = sys_cpu()
        o0 = sum(safe_ticks(p) for p in own_pids)
        time.sleep(window)
        s1 = sys_cpu()
        o1 = sum(safe_ticks(p) for p in own_pids)
        own = 100.0 * (o1 - o0) / CLK_TCK / window
        bg = max(0.0, busy_pct(s0, s1) - own)
        if bg < threshold or now() > deadline:
            return bg
        log(f"machine busy (background ~{bg:.0f}% of a core); waiting")


def top_others(exclude_pids=(), n=5):
    """The top CPU consumers (cumulative pcpu from ps) other than exclude_pids and us."""
    try:
        out = subprocess.run(["ps", "-eo", "pid,pcpu,etime,comm", "--sort=-pcpu"],
                             capture_output=True, text=True, timeout=5).stdout
    except Exception:
        return []
    rows = []
    for line in out.splitlines()[1:]:
        f = line.split(None, 3)
        if len(f) == 4 and int(f[0]) not in exclude_pids and int(f[0]) != os.getpid():
            rows.append(" ".join(f))
        if len(rows) >= n:
            break
    return rows


# ----------------------------------------------------------------------------------------
# statistics
# ----------------------------------------------------------------------------------------
def quantile(xs, q):
    s = sorted(xs)
    if not s:
        return float("nan")
    k = (len(s) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def stats(xs, nd=None, mean=True):
    """{n, median, min, max[, mean]} of the values that are not None (rounded to nd digits
    when given); {"n": 0} when there are none."""
    xs = [x for x in xs if x is not None]
    if not xs:
        return {"n": 0}
    r = (lambda v: v) if nd is None else (lambda v: round(v, nd))
    out = {"n": len(xs), "median": r(statistics.median(xs)), "min": r(min(xs)), "max": r(max(xs))}
    if mean:
        out["mean"] = r(statistics.fmean(xs))
    return out


def fmt_stats(s, unit="s", nd=3):
    if not s or s.get("n", 0) == 0:
        return "n=0"
    return (f"median {s['median']:.{nd}f}{unit}  min {s['min']:.{nd}f}{unit}  "
            f"max {s['max']:.{nd}f}{unit}  mean {s['mean']:.{nd}f}{unit}  (n={s['n']})")


def quantile_or_max(xs):
    """(p99, "p99") with 100 or more values, else (max, "max"); (None, "n/a") with none."""
    xs = [x for x in xs if x is not None]
    if not xs:
        return None, "n/a"
    if len(xs) >= 100:
        return quantile(xs, 0.99), "p99"
    return max(xs), "max"


# ----------------------------------------------------------------------------------------
# machine facts
# ----------------------------------------------------------------------------------------
def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            return next((line.split(":", 1)[1].strip() for line in f
                         if line.startswith("model name")), "?")
    except OSError:
        return "?"


def mem_total():
    try:
        with open("/proc/meminfo") as f:
            return f"{int(f.readline().split()[1]) / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        return "?"


def machine_facts():
    """{nproc, model, mem, kernel, date}: what every report says about the machine."""
    return {"nproc": os.cpu_count(), "model": cpu_model(), "mem": mem_total(),
            "kernel": platform.release(), "date": utc_date()}


def host_line():
    """One line: host name, architecture, cores, platform."""
    return f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, {platform.platform()}"


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def binary_facts(path, digest=None):
    """{path, sha256, mtime} of a binary (digest: its sha256 when already known)."""
    st = os.stat(path)
    return {"path": path, "sha256": digest or sha256(path), "mtime": iso_utc(st.st_mtime)}


def git_commit(repo=REPO):
    """The short HEAD commit, "+changes" when tracked files differ from it; "?" without git."""
    try:
        commit = subprocess.run(["git", "-C", repo, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", repo, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    return commit + ("+changes" if dirty else "")


def data_fs(path):
    """"fstype source" of the file system holding path, "?" when df cannot tell."""
    try:
        return " ".join(subprocess.run(["df", "--output=fstype,source", path], capture_output=True,
                                       text=True, timeout=5).stdout.split("\n")[1].split())
    except Exception:
        return "?"


# ----------------------------------------------------------------------------------------
# reports
# ----------------------------------------------------------------------------------------
def fmt(x, nd=3):
    return "—" if x is None else f"{x:.{nd}f}"


def stat_cell(s, nd=3, n=False):
    """"median [min–max]" of a stats() dict (with " (n=N)" when n), "—" without values."""
    if not s or not s.get("n"):
        return "—"
    return (f"{s['median']:.{nd}f} [{s['min']:.{nd}f}–{s['max']:.{nd}f}]"
            + (f" (n={s['n']})" if n else ""))


def win_cell(r, field):
    """"idle / loaded": `field` of a result's window_idle and window_loaded."""
    i, l_ = r.get("window_idle"), r.get("window_loaded")
    return f"{i.get(field, '—') if i else '—'} / {l_.get(field, '—') if l_ else '—'}"


def md_row(cells):
    return "| " + " | ".join(cells) + " |"


def md_sep(columns):
    return "|" + "---|" * columns


def shown(path):
    """A path relative to the repository when it lies inside it."""
    path = os.path.abspath(path)
    return os.path.relpath(path, REPO) if path.startswith(REPO + os.sep) else path


def bin_label(b):
    """"path (sha256 0123456789ab, built …)" of binary_facts(), "—" without."""
    if not b:
        return "—"
    return f"{shown(b['path'])} (sha256 {b['sha256'][:12]}, built {b['mtime']})"


def command_line(prog, env=None):
    """How the run was started: $env when the wrapper set it, else prog and our arguments."""
    return (env and os.environ.get(env)) or " ".join([prog] + [shlex.quote(x) for x in sys.argv[1:]])


def systems_arg(text, order):
    """The systems named in a comma-separated --systems, in `order`; exits on an unknown one."""
    systems = [s.strip() for s in text.split(",") if s.strip()]
    bad = [s for s in systems if s not in order]
    if bad or not systems:
        sys.exit(f"--systems: unknown {bad}; choose from {sorted(order)}")
    return [s for s in order if s in systems]


@contextlib.contextmanager
def recorded(res, path, label, cleanup):
    """Run the body; an exception ends it and goes to res["errors"] (and the log, after
    label). Then cleanup(), res["finished"], and res written to path as JSON."""
    try:
        yield res
    except Exception as e:
        res["errors"].append(f"{type(e).__name__}: {e}")
        log(f"{label} ERROR: {e}")
    finally:
        cleanup()
        res["finished"] = iso_utc()
        write_json(path, res)


def append_section(section, method, text, date):
    """Append a run to docs/benchmarks.md: under the heading `section` as "### Run of
    <date>" (the section is made, with `method` as its first paragraph, when missing).
    -> the file's path"""
    import textwrap
    path = os.path.join(REPO, "docs", "benchmarks.md")
    with open(path) as f:
        doc = f.read()
    if section in doc:
        start = doc.index(section)
        nxt = doc.find("\n## ", start + len(section))
        block = f"\n### Run of {date}\n\n{text}\n"
        doc = doc[:nxt].rstrip("\n") + "\n" + block + doc[nxt:] if nxt >= 0 else doc.rstrip("\n") + "\n" + block
    else:
        doc = doc.rstrip("\n") + f"\n\n{section}\n\n{textwrap.fill(method, 100)}\n\n### Run of {date}\n\n{text}\n"
    with open(path, "w") as f:
        f.write(doc)
    return path


def publish(outdir, table, targets, empty_targets=False):
    """outdir/table.md (the table, then the targets in a block: when there are any, or
    always with empty_targets), the same on stdout, then where the raw JSON is."""
    block = "\n\nTargets (Ordinal):\n\n```\n" + targets + "\n```\n"
    write_text(os.path.join(outdir, "table.md"), table + (block if targets or empty_targets else "\n"))
    print(table)
    if targets:
        print("\nTargets (Ordinal):\n```\n" + targets + "\n```")
    print(f"\nRaw JSON: {outdir}/")
    sys.stdout.flush()


def print_json(path, obj):
    """obj as indented JSON on stdout and in path."""
    print(json.dumps(obj, indent=2))
    write_json(path, obj, indent=2)


def stamp():
    """UTC timestamp for a results directory."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


def utc_date():
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


def iso_utc(t=None):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def write_json(path, obj, indent=1):
    with open(path, "w") as f:
        json.dump(obj, f, indent=indent, default=str)


def write_text(path, text):
    with open(path, "w") as f:
        f.write(text)


# ----------------------------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(prog="scripts/harness.py", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("wait-quiet", help="wait until the machine is quiet; print background CPU %%")
    q.add_argument("pids", nargs="*", type=int, help="our own processes (not background)")
    sub.add_parser("sys-cpu", help='print "busy total" jiffies of the machine')
    d = sub.add_parser("dns-rtt", help="single-query DNS round trip over UDP (JSON)")
    d.add_argument("--server", default="127.0.0.1")
    d.add_argument("--port", type=int, default=5353)
    d.add_argument("--names-file", required=True, help='query names, one a line ("name A")')
    d.add_argument("--count", type=int, default=2000)
    d.add_argument("--timeout", type=float, default=1.0)
    d.add_argument("--warmup", type=int, default=50)
    d.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    if a.cmd == "wait-quiet":
        print(f"{wait_quiet(own_pids=a.pids):.1f}")
    elif a.cmd == "sys-cpu":
        print(*sys_cpu())
    else:
        with open(a.names_file) as f:
            names = [ln.split()[0] for ln in f if ln.strip()]
        res = dns_rtt(a.server, a.port, names, a.count, a.timeout, a.warmup)
        if a.out:
            write_json(a.out, res)
        print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
