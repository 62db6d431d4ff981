#!/usr/bin/env python3
"""Capture check (issue 13): with a cluster key, what a client hands a follower never crosses
the peer port in the clear.

Usually started through scripts/check-sealed-forwarding (which installs tcpdump when missing).
Two runs, each on a fresh 3-agent cluster on 127.0.7.1-3 (peer :7400, API :7480, DNS :7453),
`--bootstrap-expect 3 --api-token-file <random token>`:

  sealed   the agents also get `--encrypt <base64 of 32 random bytes>`.
  control  the same without --encrypt (skip with --no-control): it must find the value in the
           capture, which shows that the check can fail.

In each run: wait (bounded) until all three agree on a leader; pick a follower
(GET /ordinal/v1/raft with the token: "role" follower, "leader" another agent); start
`tcpdump -i lo -s 0 -U -w capture.pcap 'port 7400 and net 127.0.7.0/24'` (TCP and UDP, the
peer port only, so the client's own HTTP to :7480 is not in it); then, through the follower
and with `Authorization: Bearer <token>`:
  1. PUT /ordinal/v1/kv/sealcheck-<random> with the body SECRET-PAYLOAD-<random>, and wait
     until the leader's replica has it (so it did cross the peer port, to the leader and on
     to the other follower);
  2. `ordinal apply -f objects.yaml --agent http://<follower>` with ORDINAL_API_TOKEN: a
     Service sealed-svc-<random> and a StatefulSet sealed-sts-<random> with 0 replicas (no
     pod starts), and wait until the leader serves the Service;
wait until every agent has applied the leader's commit index, stop tcpdump, and search the
capture (the raw pcap and `tcpdump -A -r` of it) for the value, the token, the KV key and the
two object names.

PASS when the sealed capture holds none of them (with at least --min-packets packets and
none dropped by the kernel) and the control capture holds the value.  Anything else, a write
that did not go through included, is FAIL (exit status 1).  Before the capture each run also
notes whether the API refuses a write without the token (informational only).

Every process is started by this script, tracked by PID and stopped by PID; every wait has a
deadline; only 127.0.7.x addresses are used.  Output: <out>/<UTC timestamp>/{sealed,control}/
(agent logs, capture.pcap, capture.txt) and result.json.
"""
import argparse
import base64
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse

import harness as H

IPS = [f"127.0.7.{i}" for i in (1, 2, 3)]
MANIFEST = """apiVersion: v1
kind: Service
metadata:
  name: {svc}
spec:
  clusterIP: None
  selector:
    app: {svc}
  ports:
  - name: web
    port: 8080
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {sts}
spec:
  serviceName: {svc}
  replicas: 0
  selector:
    matchLabels:
      app: {svc}
  template:
    metadata:
      labels:
        app: {svc}
    spec:
      containers:
      - name: c
        image: ordinal/serve-hostname
"""


def api(ip):
    return f"http://{ip}:{H.API_PORT}"


def wait_until(pred, seconds, period=0.2):
    """pred() until truthy or the deadline; -> the last value."""
    end = H.now() + seconds
    v = pred()
    while not v and H.now() < end:
        time.sleep(period)
        v = pred()
    return v


def taken_addresses():
    out = []
    for ip in IPS:
        for port, proto in ((H.PEER_PORT, "tcp"), (H.PEER_PORT, "udp"), (H.API_PORT, "tcp"),
                            (H.DNS_PORT, "tcp"), (H.DNS_PORT, "udp")):
            if not H.port_free(ip, port, proto):
                out.append(f"{ip}:{port}/{proto}")
    return out


def agreed(timeout, token):
    """Wait until all three answer and name one leader. -> {ip: raft status} or None."""
    def look():
        sts = {ip: H.get_json(api(ip) + "/ordinal/v1/raft", timeout=1.0, token=token) for ip in IPS}
        if all(isinstance(s, dict) and s.get("leader") for s in sts.values()) and \
                len({s["leader"] for s in sts.values()}) == 1:
            return sts
        return None
    return wait_until(look, timeout, 0.25)


def caught_up(timeout, token):
    """Wait until every agent has applied the leader's commit index. -> bool"""
    def look():
        sts = [H.get_json(api(ip) + "/ordinal/v1/raft", timeout=1.0, token=token) for ip in IPS]
        if not all(isinstance(s, dict) for s in sts):
            return False
        lead = [s for s in sts if s.get("role") == "leader"]
        if len(lead) != 1:
            return False
        target = int(lead[0].get("commitIndex", 0))
        return all(int(s.get("appliedIndex", 0)) >= target for s in sts)
    return bool(wait_until(look, timeout, 0.2))


def tcpdump_summary(text):
    """{"captured", "received", "dropped"} from tcpdump's closing lines."""
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0].isdigit():
            if "captured" in line:
                out["captured"] = int(parts[0])
            elif "received by filter" in line:
                out["received"] = int(parts[0])
            elif "dropped by kernel" in line:
                out["dropped"] = int(parts[0])
    return out


def one_run(a, pg, mode, outdir):
    wd = os.path.join(outdir, mode)
    os.makedirs(wd)
    res = {"mode": mode, "errors": [], "notes": []}
    sealed = mode == "sealed"
    tag = secrets.token_hex(6)
    token = f"tok-{secrets.token_hex(16)}"
    needles = {"value": f"SECRET-PAYLOAD-{secrets.token_hex(8)}",
               "token": token,
               "kv key": f"sealcheck-{tag}",
               "service name": f"sealed-svc-{tag}",
               "statefulset name": f"sealed-sts-{tag}"}
    res["needles"] = {k: (v if k != "token" else "tok-…") for k, v in needles.items()}
    tokfile = os.path.join(wd, "token")
    with open(os.open(tokfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write(token + "\n")
    manifest = os.path.join(wd, "objects.yaml")
    H.write_text(manifest, MANIFEST.format(svc=needles["service name"],
                                           sts=needles["statefulset name"]))
    probe = os.path.join(wd, "probe.yaml")    # other names: the tokenless try must not
    H.write_text(probe, MANIFEST.format(svc=f"probe-svc-{tag}", sts=f"probe-sts-{tag}"))
    extra = f"--api-token-file {tokfile}"
    if sealed:
        extra += " --encrypt " + base64.b64encode(os.urandom(32)).decode()
    keys = []
    try:
        taken = taken_addresses()
        if taken:
            raise RuntimeError(f"addresses already in use: {', '.join(taken)}")
        # ---- the cluster ------------------------------------------------------------
        t0 = H.now()
        for i, ip in enumerate(IPS):
            d = os.path.join(wd, f"s{i + 1}.data")
            os.makedirs(d)
            argv = H.agent_argv(a.ordinal_bin_run, f"s{i + 1}", ip, d, bootstrap_expect=3,
                                join=[j for j in IPS if j != ip], extra=extra)
            keys.append(("agent", mode, i))
            pg.spawn(keys[-1], argv, os.path.join(wd, f"s{i + 1}.log"))
        sts = agreed(a.timeout, token)
        if not sts:
            raise RuntimeError(f"no agreed leader within {a.timeout:.0f}s")
        res["formed_s"] = round(H.now() - t0, 2)
        follower = next((ip for ip, s in sts.items()
                         if s.get("role") == "follower" and s.get("node") != s.get("leader")), None)
        leader = next((ip for ip, s in sts.items() if s.get("role") == "leader"), None)
        if follower is None or leader is None:
            raise RuntimeError(f"no follower/leader pair in {json.dumps(sts)[:300]}")
        res.update(follower=follower, leader=leader, term=sts[leader].get("term"))
        logged = []
        for i in range(3):
            with open(os.path.join(wd, f"s{i + 1}.log"), errors="replace") as f:
                start = [ln for ln in f if "agent starting" in ln]
            logged.append(bool(start) and "wire.encrypted=true" in start[-1])
        res["wire_encrypted_logged"] = logged
        if logged != [sealed] * 3:
            res["notes"].append(f"agents logged wire.encrypted {logged}, expected {sealed}")
        H.log(f"{mode}: formed in {res['formed_s']}s, leader {sts[leader]['node']} ({leader}), "
              f"writing through follower {sts[follower]['node']} ({follower})")
        auth = {"Authorization": f"Bearer {token}"}

        # ---- informational: does the API refuse writes without the token? ------------
        try:
            st, _ = H.request("PUT", api(follower) + "/ordinal/v1/kv/no-token-probe", b"x",
                              timeout=10, content_type="application/octet-stream")
            res["kv_put_without_token_status"] = st
            if st == 200:
                res["notes"].append("PUT /ordinal/v1/kv/{key} without the token was accepted "
                                    "(HTTP 200): the token guards the Kubernetes API only")
        except OSError as e:
            res["kv_put_without_token_status"] = f"error {e}"
        env = {k: v for k, v in os.environ.items() if k != "ORDINAL_API_TOKEN"}
        p = subprocess.run([a.ordinal_bin_run, "apply", "-f", probe, "--agent", api(follower)],
                           capture_output=True, text=True, timeout=60, env=env)
        res["apply_without_token"] = {"rc": p.returncode,
                                      "output": (p.stdout + p.stderr).strip()[:200]}
        if p.returncode == 0:
            res["notes"].append("`ordinal apply` without the token succeeded")
        if not caught_up(a.timeout, token):
            res["notes"].append("agents not caught up before the capture")

        # ---- capture ----------------------------------------------------------------
        pcap = os.path.join(wd, "capture.pcap")
        tdlog = os.path.join(wd, "tcpdump.log")
        tkey = ("tcpdump", mode)
        pg.spawn(tkey, ["tcpdump", "-i", "lo", "-n", "-s", "0", "-U", "-B", "8192", "-w", pcap,
                        f"port {H.PEER_PORT} and net 127.0.7.0/24"], tdlog)
        if not wait_until(lambda: "listening on" in open(tdlog, errors="replace").read(), 15, 0.1):
            raise RuntimeError(f"tcpdump did not start listening within 15 s: "
                               f"{open(tdlog, errors='replace').read()[-300:]}")
        time.sleep(0.5)
        t_cap = H.now()
        # 1. the KV write through the follower
        path = "/ordinal/v1/kv/" + urllib.parse.quote(needles["kv key"], safe="")
        c = H.KeepAlive(follower, H.API_PORT, timeout=10)
        try:
            st, body = c.request("PUT", path, needles["value"].encode(),
                                 dict(auth, **{"Content-Type": "application/octet-stream"}))
        finally:
            c.close()
        res["kv_put"] = {"status": st, "body": body[:200].decode("utf-8", "replace")}
        if st != 200:
            raise RuntimeError(f"PUT {path} through the follower: HTTP {st} {body[:200]!r}")

        def on_leader():
            s, text = H.get_text(api(leader) + path, timeout=1.0, token=token)
            return s == 200 and text == needles["value"]
        res["kv_on_leader"] = bool(wait_until(on_leader, 15))
        if not res["kv_on_leader"]:
            raise RuntimeError("the value never reached the leader's replica")
        # 2. objects through the follower, with the CLI
        env["ORDINAL_API_TOKEN"] = token
        p = subprocess.run([a.ordinal_bin_run, "apply", "-f", manifest, "--agent", api(follower)],
                           capture_output=True, text=True, timeout=60, env=env)
        res["apply"] = {"rc": p.returncode, "output": (p.stdout + p.stderr).strip()[:300]}
        if p.returncode != 0:
            raise RuntimeError(f"ordinal apply through the follower failed: {res['apply']['output']}")
        svc_url = (api(leader) + "/api/v1/namespaces/default/services/" + needles["service name"])
        sts_url = (api(leader) + "/apis/apps/v1/namespaces/default/statefulsets/"
                   + needles["statefulset name"])
        res["objects_on_leader"] = bool(wait_until(
            lambda: H.get_json(svc_url, token=token) is not None and H.get_json(sts_url, token=token) is not None, 15))
        if not res["objects_on_leader"]:
            raise RuntimeError("the Service/StatefulSet never showed up on the leader")
        res["caught_up"] = caught_up(a.timeout, token)
        time.sleep(1.0)          # a few heartbeats and gossip rounds more
        res["capture_s"] = round(H.now() - t_cap, 2)
        proc = pg.procs[tkey]
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pg.stop_keys([tkey])
        summary = tcpdump_summary(open(tdlog, errors="replace").read())
        res["tcpdump"] = summary
        # ---- search -------------------------------------------------------------------
        with open(pcap, "rb") as f:
            raw = f.read()
        txt = subprocess.run(["tcpdump", "-n", "-A", "-r", pcap], capture_output=True,
                             timeout=60).stdout
        with open(os.path.join(wd, "capture.txt"), "wb") as f:
            f.write(txt)
        res["pcap_bytes"] = len(raw)
        res["packets"] = summary.get("captured", txt.count(b" IP "))
        hits = {}
        for name, needle in needles.items():
            n = needle.encode()
            hits[name] = {"raw": raw.count(n), "tcpdump -A": txt.count(n)}
        res["hits"] = hits
        res["found"] = [k for k, v in hits.items() if v["raw"] or v["tcpdump -A"]]
    except Exception as e:
        res["errors"].append(f"{type(e).__name__}: {e}")
        H.log(f"{mode} ERROR: {e}")
    finally:
        for k in [("tcpdump", mode)] + keys:
            p = pg.procs.get(k)
            if p is not None and p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for k in [("tcpdump", mode)] + keys:
            p = pg.procs.get(k)
            if p is not None:
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pg.stop_keys([k])
    return res


def verdict(res, a, expect_found):
    """-> (ok, reason)"""
    if res["errors"]:
        return False, "could not run: " + "; ".join(res["errors"])
    td = res.get("tcpdump", {})
    if td.get("dropped"):
        return False, f"tcpdump dropped {td['dropped']} packets; the capture is incomplete"
    if res.get("packets", 0) < a.min_packets:
        return False, f"only {res.get('packets', 0)} packets captured (< {a.min_packets})"
    if expect_found:
        if "value" in res["found"]:
            return True, f"found {', '.join(res['found'])} in the capture (as expected without a key)"
        return False, "the value is not in the plaintext capture: this check cannot see it"
    if res["found"]:
        return False, f"found in the sealed capture: {', '.join(res['found'])}"
    return True, "none of value, token, KV key, object names in the capture"


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ordinal-bin", default=os.path.join(H.REPO, ".build", "release", "ordinal"))
    ap.add_argument("--out", default=os.path.join(H.REPO, ".cluster", "check-sealed-forwarding"))
    ap.add_argument("--no-control", dest="control", action="store_false",
                    help="skip the run without --encrypt")
    ap.add_argument("--timeout", type=float, default=60,
                    help="max s to wait for a leader and for the agents to catch up")
    ap.add_argument("--min-packets", type=int, default=20,
                    help="fewer packets on the peer port than this is a FAIL (nothing seen)")
    a = ap.parse_args()
    if not shutil.which("tcpdump"):
        sys.exit("tcpdump is not on PATH (apt-get install tcpdump)")
    if not os.access(a.ordinal_bin, os.X_OK):
        sys.exit(f"ordinal binary not found: {a.ordinal_bin}")
    outdir = os.path.join(a.out, H.stamp())
    os.makedirs(outdir)
    tmpbin, a.ordinal_bin_run, sha = H.copy_binary(a.ordinal_bin, "check-sealed-bin-")
    pg = H.ProcGroup(pidfile=os.path.join(outdir, "pids.txt"))
    report = {"binary": H.binary_facts(a.ordinal_bin, sha), "date": H.utc_date(), "runs": {}}
    ok_all = True
    try:
        modes = [("sealed", False)] + ([("control", True)] if a.control else [])
        for mode, expect_found in modes:
            H.log(f"=== {mode} ({'without' if expect_found else 'with'} --encrypt) ===")
            res = one_run(a, pg, mode, outdir)
            ok, why = verdict(res, a, expect_found)
            res.update(ok=ok, why=why)
            report["runs"][mode] = res
            ok_all = ok_all and ok
            td = res.get("tcpdump", {})
            print(f"{mode}: {'PASS' if ok else 'FAIL'} — {why}")
            if "hits" in res:
                print(f"  {res['packets']} packets ({res['pcap_bytes']} bytes pcap; tcpdump: "
                      f"{td.get('captured', '?')} captured, {td.get('dropped', '?')} dropped) over "
                      f"{res['capture_s']} s on port {H.PEER_PORT}; follower {res['follower']}, "
                      f"leader {res['leader']}; PUT {res['kv_put']['status']}, value on the "
                      f"leader {res['kv_on_leader']}; agents logged wire.encrypted="
                      f"{str(all(res['wire_encrypted_logged'])).lower()}; apply: "
                      f"{res['apply']['output'].replace(chr(10), '; ')}")
                print("  hits (raw pcap / tcpdump -A): " + ", ".join(
                    f"{k} {v['raw']}/{v['tcpdump -A']}" for k, v in res["hits"].items()))
            for n in res["notes"]:
                print(f"  note: {n}")
            if "apply_without_token" in res:
                print(f"  apply without the token: rc {res['apply_without_token']['rc']} "
                      f"({res['apply_without_token']['output'].splitlines()[0][:80] if res['apply_without_token']['output'] else ''})")
    finally:
        pg.kill_all()
        shutil.rmtree(tmpbin, ignore_errors=True)
        report["ok"] = ok_all
        H.write_json(os.path.join(outdir, "result.json"), report, indent=2)
    print(f"{'PASS' if ok_all else 'FAIL'} (details: {H.shown(outdir)}/result.json)")
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
