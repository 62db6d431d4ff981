#!/usr/bin/env python3
"""Replicated volume benchmark (issue 16). Usually started through scripts/bench-volumes.

Three agents a1..a3 on 127.0.9.<i> (peer :7400, API :7480), each with a loop-mounted btrfs
volume pool (--volume-pool-size 4GiB; needs root and btrfs-progs), data dirs under the
output directory. Then:

  1. Replication lag (the recovery point objective at each instant). For each write rate
     (--rates, MB/s) a one-pod StatefulSet writes that many MB/s of zeros to its replicated
     volume (two copies) in tenths of a second, fsyncing each, then writes the wall-clock
     time to `stamp` (atomic rename). Every --sample-ms the benchmark reads `stamp` from the
     newest whole snapshot the copy holds (`pool/copies/<pv>/<snapshot>/`): everything the
     pod wrote up to that instant is on the other machine, so now − stamp is what a kill of
     the primary at that instant would lose. p50/p99 over --secs seconds (after 5 s).
  2. Writer throughput: a pod writes 4 MiB blocks for 8 s, fsyncing each (the figure is
     its own bytes / seconds), on a replicated volume (snapshots and shipping running) and
     on a local one, --reps times each, alternating.
  3. Failover with a 1 GiB volume: a pod writes 1 GiB, then a stamp every 100 ms; once the
     copy holds the whole GiB, kill -9 the primary's agent and the pod's processes and clock
     until the pod is Running on the other copy's agent (API polled every 50 ms); restart the
     victim. --kills times.

Prints a markdown table; raw JSON and logs go to <out>/<UTC timestamp>/; --write appends
the section to docs/benchmarks.md. Every process is tracked by PID and killed by PID at the
end; every wait has a deadline; pools are unmounted at the end.
"""
import argparse
import glob
import os
import re
import signal
import subprocess
import sys
import time

import chaos_checker as C
import harness as H

REPO = H.REPO
NS = "volbench"
SECTION = "## Replicated volumes: replication lag, writer throughput, failover with data"
WRITER = r"""
import os, sys, time
d = os.environ["VOLUME_DATA"]; rate = float(sys.argv[1]); buf = b"\0" * int(rate * 1e6 / 10)
t0 = time.time(); i = 0; written = 0
while True:
    with open(f"{d}/blob.{i % 20}", "wb") as f:
        f.write(buf); f.flush(); os.fsync(f.fileno())
    written += len(buf)
    with open(f"{d}/stamp.tmp", "w") as f:
        f.write(repr(time.time())); f.flush(); os.fsync(f.fileno())
    os.replace(f"{d}/stamp.tmp", f"{d}/stamp")
    i += 1
    if i % 50 == 0:
        print(f"wrote {written / (time.time() - t0) / 1e6:.1f} MB/s", flush=True)
    time.sleep(max(0.0, t0 + i * 0.1 - time.time()))
"""
THROUGHPUT = r"""
import os, time
d = os.environ["VOLUME_DATA"]; block = b"\7" * (4 << 20); written = 0; t0 = time.time(); i = 0
while time.time() - t0 < 8:
    with open(f"{d}/block.{i % 25}", "wb") as f:
        f.write(block); f.flush(); os.fsync(f.fileno())
    written += len(block); i += 1
print(f"throughput {written / (time.time() - t0) / 1e6:.1f} MB/s", flush=True)
time.sleep(600)
"""
BIG = r"""
import os, time
d = os.environ["VOLUME_DATA"]
if not os.path.exists(f"{d}/done"):
    with open(f"{d}/big", "wb") as f:
        for _ in range(1024):
            f.write(b"\1" * (1 << 20))
        f.flush(); os.fsync(f.fileno())
    open(f"{d}/done", "w").write("1")
while True:
    with open(f"{d}/stamp.tmp", "w") as f:
        f.write(repr(time.time()))
    os.replace(f"{d}/stamp.tmp", f"{d}/stamp")
    time.sleep(0.1)
"""


def ip(i):
    return f"127.0.9.{i}"


def api(i):
    return f"http://{ip(i)}:7480"


def stateful_set(name, command, storage_class="replicated", size="2Gi"):
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name, "namespace": NS},
            "spec": {"replicas": 1, "serviceName": name, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"terminationGracePeriodSeconds": 1,
                                           "containers": [{"name": "main", "command": command,
                                                           "volumeMounts": [{"name": "data", "mountPath": "/data"}]}]}},
                     "volumeClaimTemplates": [{"metadata": {"name": "data"},
                                               "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": storage_class,
                                                        "resources": {"requests": {"storage": size}}}}]}}


class Bench:
    def __init__(self, a, pg, outdir, data_root):
        self.a, self.pg, self.outdir, self.data_root = a, pg, outdir, data_root
        self.down = set()

    def data(self, i):
        return os.path.join(self.data_root, f"a{i}")

    def start(self, i):
        os.makedirs(self.data(i), exist_ok=True)
        argv = H.agent_argv(self.a.ordinal_bin_run, f"a{i}", ip(i), self.data(i), bootstrap_expect=3,
                            join=[ip(j) for j in (1, 2, 3) if j != i], extra="--volume-pool-size 4GiB")
        self.pg.spawn(f"a{i}", argv, os.path.join(self.outdir, f"a{i}.log"))
        self.down.discard(i)

    def live(self):
        return next(i for i in (1, 2, 3) if i not in self.down)

    def apply(self, obj):
        status, body = H.request("POST", api(self.live()) + f"/apis/apps/v1/namespaces/{NS}/statefulsets", obj)
        if status >= 300:
            raise RuntimeError(f"create {obj['metadata']['name']}: {status} {body[:200]}")

    def delete(self, name):
        H.request("DELETE", api(self.live()) + f"/apis/apps/v1/namespaces/{NS}/statefulsets/{name}")
        H.request("DELETE", api(self.live()) + f"/api/v1/namespaces/{NS}/persistentvolumeclaims/data-{name}-0")
        H.wait_for(lambda: (self.volume(name) is None, None), 30, period=0.5)

    def volume(self, name):
        pvs = H.get_json(api(self.live()) + "/api/v1/persistentvolumes", timeout=1.0) or {}
        return next((v for v in pvs.get("items") or []
                     if (v["spec"].get("claimRef") or {}).get("name") == f"data-{name}-0"), None)

    def copy_stamp(self, pv, node):
        """The stamp in the newest whole snapshot `node` holds of `pv`."""
        names = sorted(glob.glob(os.path.join(self.data(int(node[1:])), "pool", "copies", pv, "*", "*", "stamp")),
                       key=lambda p: tuple(int(x) for x in re.findall(r"\d+", os.path.basename(os.path.dirname(p)))))
        if not names:
            return None
        try:
            return float(open(names[-1]).read())
        except (OSError, ValueError):
            return None

    def pod(self, name):
        return (H.pods_by_name(api(self.live()), NS, timeout=1.0) or {}).get(f"{name}-0")

    def logs(self, name):
        return H.get_text(api(self.live()) + f"/api/v1/namespaces/{NS}/pods/{name}-0/log", timeout=2.0, limit=1 << 16)[1] or ""


def lag(b, rate, res):
    name = f"w{int(rate)}"
    b.apply(stateful_set(name, ["python3", "-c", WRITER, str(rate)]))
    ok, _ = H.wait_for(lambda: ((v := b.volume(name)) is not None and len((v.get("status") or {}).get("copies") or []) >= 2, None), 90)
    if not ok:
        raise RuntimeError(f"{name}: the copy never held a snapshot")
    v = b.volume(name)
    pv, copy = v["metadata"]["name"], v["spec"]["replicated"]["nodes"][1]
    time.sleep(5)
    lags = []
    end = H.now() + b.a.secs
    while H.now() < end:
        stamp = b.copy_stamp(pv, copy)
        if stamp is not None:
            lags.append(time.time() - stamp)
        time.sleep(b.a.sample_ms / 1000)
    achieved = re.findall(r"wrote ([\d.]+) MB/s", b.logs(name))
    res["lag"].append({"rate_mb_s": rate, "achieved_mb_s": float(achieved[-1]) if achieved else None,
                       "lags_s": [round(x, 3) for x in lags]})
    H.log(f"lag at {rate} MB/s: {H.fmt_stats(H.stats(lags, 3))}")
    b.delete(name)


def throughput(b, storage_class, rep, res):
    name = f"tp-{storage_class[:3]}-{rep}"
    b.apply(stateful_set(name, ["python3", "-c", THROUGHPUT], storage_class))
    ok, text = H.wait_for(lambda: ((t := b.logs(name)) and "throughput" in t, t), 120, period=0.5)
    m = re.search(r"throughput ([\d.]+) MB/s", text or "")
    if not ok or not m:
        raise RuntimeError(f"{name}: no throughput: {text!r:.200}")
    res["throughput"].append({"class": storage_class, "mb_s": float(m.group(1))})
    H.log(f"writer on {storage_class}: {m.group(1)} MB/s")
    b.delete(name)


def failover(b, kill, res):
    name = "big"
    if kill == 0:
        b.apply(stateful_set(name, ["python3", "-c", BIG]))
    def whole():
        v = b.volume(name)
        if not v:
            return False, None
        src = v["spec"]["replicated"]
        holders = [c["node"] for c in (v.get("status") or {}).get("copies") or [] if c["epoch"] == src["epoch"]]
        other = next((n for n in src["nodes"] if n != src["primary"]), None)
        done = other in holders and glob.glob(os.path.join(b.data(int(other[1:])), "pool", "copies", v["metadata"]["name"], "*", "*", "done"))
        return bool(done), (src["primary"], other)
    ok, info = H.wait_for(whole, 240, period=0.5)
    if not ok:
        raise RuntimeError(f"the copy never held the whole GiB: {info}")
    primary, other = info
    victim = int(primary[1:])
    time.sleep(2)
    t0 = H.now()
    b.pg.kill9(f"a{victim}")
    b.down.add(victim)
    kill_sessions(lambda pod: pod == f"{name}-0")
    ok, node = H.wait_for(lambda: ((p := b.pod(name)) is not None and p["node"] == other and H.pod_up(p), (p or {}).get("node")), 60, period=0.05)
    took = H.now() - t0
    res["failover"].append({"seconds": round(took, 2) if ok else None, "from": primary, "to": other})
    H.log(f"failover with 1 GiB: {took:.2f} s ({primary} -> {other})" if ok else f"failover did not finish: {node}")
    subprocess.run(["umount", "-l", os.path.join(b.data(victim), "pool")], stderr=subprocess.DEVNULL)
    b.start(victim)
    H.wait_formed(api(victim), 3, timeout=60)


def kill_sessions(which):
    """kill -9 of the sessions of this benchmark's pods that `which(pod name)` selects."""
    for (_, pod), sessions in C.HolderScanner([NS]).scan().items():
        for session, procs in sessions.items() if which(pod) else ():
            for pid in [session] + [p for p, _, _ in procs]:   # the keeper and every process it holds
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass


def run(a, pg, outdir):
    b = Bench(a, pg, outdir, a.data_root or outdir)
    res = {"lag": [], "throughput": [], "failover": [], "errors": []}
    for i in (1, 2, 3):
        b.start(i)
    ok, info = H.wait_formed(api(1), 3, timeout=60)
    if not ok:
        res["errors"].append(f"the cluster did not form: {info}")
        return res
    try:
        for rate in a.rates if "lag" in a.phases else []:
            lag(b, rate, res)
        for rep in range(a.reps) if "throughput" in a.phases else []:
            throughput(b, "replicated", rep, res)
            throughput(b, "local", rep, res)
        for kill in range(a.kills) if "failover" in a.phases else []:
            failover(b, kill, res)
    except Exception as e:
        res["errors"].append(f"{type(e).__name__}: {e}")
        H.log(f"bench-volumes ERROR: {e}")
    return res


def render(res, facts, cmdline, outdir):
    b = facts["ordinal_bin"]
    where = (f"data dirs on a btrfs filesystem (`{facts['fs']}`), so pools and local volumes share it"
             if facts.get("data_fs_btrfs") else f"pools of 4 GiB (loop-mounted btrfs images on `{facts['fs']}`)")
    out = [f"**Command** `{cmdline}`; 3 agents, {where}, two copies per volume; `{H.shown(b['path'])}` (sha256 {b['sha256'][:12]}, "
           f"built {b['mtime']}, tree at `{facts['commit']}`); {facts['date']}; {facts['nproc']} × "
           f"{facts['model']}, {facts['mem']} RAM, kernel {facts['kernel']}. Raw data: `{H.shown(outdir)}/`.", ""]
    if res["lag"]:
        out += ["| writes, asked (achieved) MB/s | replication lag = RPO at each instant, p50 s | p99 s | max s | samples |",
                H.md_sep(5)]
    for row in res["lag"]:
        s = H.stats(row["lags_s"], 3)
        out.append(H.md_row([f"{row['rate_mb_s']:g} ({row['achieved_mb_s'] if row['achieved_mb_s'] is not None else '?'})",
                             f"{H.quantile(row['lags_s'], 0.5):.3f}" if row["lags_s"] else "—",
                             f"{H.quantile(row['lags_s'], 0.99):.3f}" if row["lags_s"] else "—",
                             f"{s['max']:.3f}" if row["lags_s"] else "—", str(len(row["lags_s"]))]))
    rep = [t["mb_s"] for t in res["throughput"] if t["class"] == "replicated"]
    loc = [t["mb_s"] for t in res["throughput"] if t["class"] == "local"]
    if rep and loc:
        out += ["", "| writer (8 s of 4 MiB blocks, fsync each) | replicated volume MB/s | local volume MB/s | replicated / local |", H.md_sep(4)]
        ratio = H.quantile(rep, 0.5) / H.quantile(loc, 0.5)
        out.append(H.md_row([f"median of {len(rep)}", f"{H.quantile(rep, 0.5):.1f} {rep}", f"{H.quantile(loc, 0.5):.1f} {loc}", f"{ratio:.2f}"]))
    fo = [f["seconds"] for f in res["failover"] if f["seconds"] is not None]
    if res["failover"]:
        out += ["", "| failover of a pod with a 1 GiB volume | kill -9 → Running on the copy's agent, median [min–max] s | failed |", H.md_sep(3)]
        out.append(H.md_row([f"{len(res['failover'])} kills", H.stat_cell(H.stats(fo, 2), 2) if fo else "—",
                             str(len(res["failover"]) - len(fo))]))
    if res["errors"]:
        out += ["", "Errors: " + "; ".join(res["errors"])]
    return "\n".join(out)


METHOD = (
    "`scripts/bench-volumes` measures replicated volumes (docs/storage.md) on one machine: three "
    "agents with loop-mounted btrfs pools, volumes with two copies. *Replication lag* is read from "
    "the copy's disk, not from reports: a pod writes zeros at the asked rate in tenths of a second "
    "(fsync each), then its wall-clock time to `stamp`; the benchmark reads `stamp` in the newest "
    "whole snapshot the copy holds every 100 ms, so now − stamp is exactly what a kill of the "
    "primary would lose at that instant. *Writer throughput* is what a pod writing 4 MiB blocks "
    "with an fsync after each achieves over 8 s, replicated (snapshots and shipping running) against "
    "local (a directory on the data dir's filesystem). *Failover* is kill -9 of the primary's agent and the pod's processes → "
    "the pod Running on the copy's agent, after the copy held the whole GiB.")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="scripts/bench-volumes", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rates", type=float, nargs="+", default=[1, 10, 50], help="MB/s to write (default 1 10 50)")
    ap.add_argument("--secs", type=float, default=20, help="lag sampling per rate (default 20)")
    ap.add_argument("--sample-ms", type=float, default=100)
    ap.add_argument("--reps", type=int, default=3, help="writer runs per storage class (default 3)")
    ap.add_argument("--kills", type=int, default=3, help="failovers of the 1 GiB pod (default 3)")
    ap.add_argument("--ordinal-bin", default=os.path.join(REPO, ".build", "release", "ordinal"))
    ap.add_argument("--out", default=os.path.join(REPO, ".cluster", "bench-volumes"))
    ap.add_argument("--phases", default="lag,throughput,failover", help="which measurements (default all three)")
    ap.add_argument("--data-fs", choices=["host", "btrfs"], default="host",
                    help="btrfs: put the agents' data dirs on one loop-mounted btrfs filesystem (as an operator "
                         "with /var/lib/ordinal on btrfs), so local volumes and pools share it and only "
                         "replication differs (default: the output directory's filesystem)")
    ap.add_argument("--write", action="store_true", help="append the result to docs/benchmarks.md")
    a = ap.parse_args(argv)
    a.phases = set(a.phases.split(","))
    if os.geteuid() != 0:
        sys.exit("bench-volumes: the agents loop-mount btrfs pools, which needs root")
    if not all(0 < r <= 500 for r in a.rates) or not 1 <= a.reps <= 20 or not 1 <= a.kills <= 20 or not 1 <= a.secs <= 600:
        ap.error("rates 0..500 MB/s, reps and kills 1..20, secs 1..600")
    busy = [ip(i) for i in (1, 2, 3) if H.tcp_answers(ip(i), 7480)]
    if busy:
        sys.exit(f"bench-volumes: something already answers on {busy}; refusing to start")
    outdir = os.path.join(a.out, H.stamp())
    os.makedirs(outdir, exist_ok=True)
    a.data_root = None
    if a.data_fs == "btrfs":
        image, a.data_root = os.path.join(outdir, "data-fs.img"), os.path.join(outdir, "data-fs")
        os.makedirs(a.data_root)
        with open(image, "wb") as f:
            f.truncate(16 << 30)
        subprocess.run(["mkfs.btrfs", "-q", image], check=True, capture_output=True)
        subprocess.run(["mount", "-o", "loop", image, a.data_root], check=True)
    tmpbin, a.ordinal_bin_run, sha = H.copy_binary(a.ordinal_bin, "bench-volumes-bin-")
    facts = dict(H.machine_facts(), commit=H.git_commit(), ordinal_bin=H.binary_facts(a.ordinal_bin, sha),
                 fs=H.data_fs(a.data_root or outdir), data_fs_btrfs=a.data_root is not None)
    cmdline = H.command_line("scripts/bench_volumes.py", "BENCH_VOLUMES_CMD")
    pg = H.ProcGroup(pidfile=os.path.join(outdir, "pids.txt"))
    res = {"errors": ["did not run"]}
    try:
        res = run(a, pg, outdir)
    finally:
        pg.kill_all()
        time.sleep(1)
        kill_sessions(lambda pod: True)
        for i in (1, 2, 3):
            subprocess.run(["umount", "-l", os.path.join(outdir, f"a{i}", "pool")], stderr=subprocess.DEVNULL)
        if a.data_root:
            subprocess.run(["umount", "-l", a.data_root], stderr=subprocess.DEVNULL)
            os.remove(os.path.join(outdir, "data-fs.img"))
        H.write_json(os.path.join(outdir, "result.json"), res)
    text = render(res, facts, cmdline, outdir)
    print(text)
    if a.write and any(res.get(k) for k in ("lag", "throughput", "failover")):
        H.append_section(SECTION, METHOD, text, facts['date'])
        print("\nappended to docs/benchmarks.md")


if __name__ == "__main__":
    main()
