#!/usr/bin/env python3
"""Gossip benchmark: Ordinal and HashiCorp serf side by side, in one run, on loopback.

Usually started through scripts/bench-gossip (which installs serf and builds ordinal when
missing).  For each N in --ns, and for each system (serf first, then Ordinal, so the two
runs of one N are close in time), the same phases run on a fresh cluster:

  1. cold join     agent 0 (the seed) starts; once it answers, agents 1..N-1 are spawned
                   back to back, each joining the seed.  Clock: from the spawn of the LAST
                   agent until every agent lists all N members alive.
  2. settle        --settle-secs without polling.
  3. idle          CPU% (of one core) and RSS of every agent from /proc over --idle-secs,
                   nothing polls the agents meanwhile.
  4. idle window   --window-secs: false suspicions / dead declarations with the machine idle.
  5. loaded window --window-secs while `nproc` busy-loop processes saturate every core.
  6. kill -9 reps  --reps times: kill -9 one non-seed agent; clock until EVERY survivor
                   lists it dead (serf: failed), and until the FIRST does.  Restart it with
                   the same name, address and data dir; clock until all see it alive again
                   (re-join); settle; next rep.

False suspicions in a window, counted separately from dead declarations:
  * Ordinal: `member suspect` / `member dead` lines every agent logged during the window
    (one line per observing agent and transition).
  * serf: memberlist `Suspect X has failed, no acks received` lines (logged only by the
    agent whose probe failed, so one per suspicion it started) and serf
    `EventMemberFailed` lines (one per observing agent, like Ordinal's `member dead`).
  * both: every agent is polled every 250 ms; each time an observer first sees a member
    that is in fact running in a non-alive state, that is one polled observation.
No member is stopped during a window, so every one of these is false.

Ordinal agent i: name a<i+1>, peer 127.0.3.<i+1>:7400, API 127.0.3.<i+1>:7480 (the layout
of scripts/cluster, moved to 127.0.3.x so it does not collide with a running cluster).
serf agent i: name a<i+1>, bind 127.0.4.<i+1>:7946, RPC 127.0.4.<i+1>:7373, profile lan.
All traffic stays on 127.0.0.0/8.  Every process started is tracked by PID and killed by
PID (never by name) when a system's run ends, on SIGINT/SIGTERM and at exit.  Every wait
loop has a deadline.

Output: <out>/<UTC timestamp>/<system>-n<N>.json (one per system and N), summary.json,
table.md, and the agents' logs and data dirs under <system>-n<N>/.  The markdown table is
printed to stdout; progress goes to stderr.

Quick smoke test:  scripts/bench-gossip --ns 5 --reps 1 --idle-secs 5 --window-secs 5
"""
import argparse
import os
import re
import shutil
import signal
import sys
import time

import harness as H

REPO = H.REPO
POLL_WINDOW_S = 0.25


# ----------------------------------------------------------------------------------------
# systems
# ----------------------------------------------------------------------------------------
class System(H.Members):
    """One gossip implementation: how to start agent i and how to read its member list.
    members(i) returns [(name, state)] with state normalised to alive/suspect/dead/left,
    or None when the agent does not answer."""
    cmd_file = "agent-cmd.txt"

    def __init__(self, a, pg, n, workdir):
        super().__init__(pg, workdir, n)
        self.a, self.n = a, n

    def name(self, i):
        return f"a{i + 1}"

    def logpath(self, i):
        return os.path.join(self.workdir, f"agent{i}.log")

    def pkey(self, i):
        return (self.key, self.n, i)

    # log accounting ------------------------------------------------------------------
    def log_size(self, i):
        try:
            return os.path.getsize(self.logpath(i))
        except OSError:
            return 0

    def log_slice(self, i, start, end):
        with open(self.logpath(i), "rb") as f:
            f.seek(start)
            return f.read(max(0, end - start)).decode("utf-8", "replace")


class Serf(System):
    key = "serf"
    STATE = {"alive": "alive", "failed": "dead", "left": "left", "leaving": "left"}
    RE_SUSPECT = re.compile(r"memberlist: Suspect (\S+) has failed")
    RE_DEAD = re.compile(r"serf: EventMemberFailed: (\S+)")
    RE_MARK = re.compile(r"memberlist: Marking (\S+) as failed")
    RE_REFUTE = re.compile(r"memberlist: Refuting a (suspect|dead) message")

    def ip(self, i):
        return f"127.0.4.{i + 1}"

    def ports(self, i):
        return [("tcp", self.ip(i), self.a.serf_port), ("udp", self.ip(i), self.a.serf_port),
                ("tcp", self.ip(i), self.a.serf_rpc_port)]

    def argv(self, i):
        return H.serf_argv(self.name(i), self.ip(i), self.a.serf_port, self.a.serf_rpc_port,
                           join=self.ip(0) if i != 0 else None, profile="lan", log_level="info",
                           extra=self.a.serf_args)

    def members(self, i):
        try:
            c = self.cli.get(i)
            if c is None:
                c = self.cli[i] = H.SerfRPC(f"{self.ip(i)}:{self.a.serf_rpc_port}", timeout=1.0)
            return [(n, self.STATE.get(s, s)) for n, s in c.members()]
        except Exception:
            self.drop(i)
            return None

    def scan_log(self, text):
        return {"suspect_lines": len(self.RE_SUSPECT.findall(text)),
                "dead_lines": len(self.RE_DEAD.findall(text)),
                "marking_failed_lines": len(self.RE_MARK.findall(text)),
                "refute_lines": len(self.RE_REFUTE.findall(text)),
                "suspected": sorted(set(self.RE_SUSPECT.findall(text))),
                "declared_dead": sorted(set(self.RE_DEAD.findall(text)))}


class Ordinal(System):
    key = "ordinal"
    RE_PEER = re.compile(r"swim\.peer=(\S+)")

    def ip(self, i):
        return f"127.0.3.{i + 1}"

    def ports(self, i):
        return [("tcp", self.ip(i), 7400), ("tcp", self.ip(i), 7480)]

    def argv(self, i):
        d = os.path.join(self.workdir, f"d{i}")
        os.makedirs(d, exist_ok=True)
        return H.agent_argv(self.a.ordinal_bin, self.name(i), self.ip(i), d, log_level="info",
                            join=[self.ip(0)] if i != 0 else (), extra=self.a.ordinal_args)

    def members(self, i):
        try:
            c = self.cli.get(i)
            if c is None:
                c = self.cli[i] = H.KeepAlive(self.ip(i), 7480, timeout=1.0, retry_fresh=True)
            obj = c.get_json("/ordinal/v1/members")
            out = [(m["name"], m["state"]) for m in obj["members"]]
            if obj.get("observer") and all(n != obj["observer"] for n, _ in out):
                out.append((obj["observer"], "alive"))  # an agent is alive to itself
            return out
        except Exception:
            self.drop(i)
            return None

    def scan_log(self, text):
        sus, dead, alive = [], [], 0
        for line in text.splitlines():
            if "member suspect" in line:
                m = self.RE_PEER.search(line)
                sus.append(m.group(1) if m else "?")
            elif "member dead" in line:
                m = self.RE_PEER.search(line)
                dead.append(m.group(1) if m else "?")
            elif "member alive" in line:
                alive += 1
        return {"suspect_lines": len(sus), "dead_lines": len(dead), "alive_lines": alive,
                "suspected": sorted(set(sus)), "declared_dead": sorted(set(dead))}


SYSTEMS = {"serf": Serf, "ordinal": Ordinal}


# ----------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------
def wait_until(sysm, agents, pred, deadline, poll_sleep):
    """Poll agents until pred(members) holds for each; {agent: first time it held}."""
    first = {}
    while H.now() < deadline and len(first) < len(agents):
        for i in agents:
            if i in first:
                continue
            m = sysm.members(i)
            if m is not None and pred(m):
                first[i] = H.now()
        if len(first) < len(agents):
            time.sleep(poll_sleep)
    return first


def all_alive_pred(names):
    def pred(m):
        return names <= {n for n, s in m if s == "alive"}
    return pred


def state_pred(name, state):
    def pred(m):
        return any(n == name and s == state for n, s in m)
    return pred


def window(sysm, secs, label):
    """False-suspicion window: log lines over the window + polling every 250 ms."""
    everyone = range(sysm.n)
    names = {sysm.name(i) for i in everyone}
    off0 = {i: sysm.log_size(i) for i in everyone}
    s0 = H.sys_cpu()
    t0 = H.now()
    end = t0 + secs
    seen = set()          # (observer, member, state) currently non-alive, as polled
    episodes = []         # transitions alive -> non-alive seen by polling
    polls = unanswered = 0
    while H.now() < end:
        tick = H.now()
        for i in everyone:
            m = sysm.members(i)
            polls += 1
            if m is None:
                unanswered += 1
                continue
            obs = sysm.name(i)
            now_bad = {(obs, n, s) for n, s in m if n in names and s != "alive"}
            missing = names - {n for n, _ in m}
            now_bad |= {(obs, n, "missing") for n in missing}
            for e in now_bad - seen:
                episodes.append({"t": round(H.now() - t0, 3), "observer": e[0],
                                 "member": e[1], "state": e[2]})
            seen = {x for x in seen if x[0] != obs} | now_bad
        time.sleep(max(0.0, POLL_WINDOW_S - (H.now() - tick)))
    busy = H.busy_pct(s0, H.sys_cpu())
    per_agent = {}
    tot = {"suspect_lines": 0, "dead_lines": 0}
    suspected, declared = set(), set()
    for i in everyone:
        c = sysm.scan_log(sysm.log_slice(i, off0[i], sysm.log_size(i)))
        per_agent[sysm.name(i)] = c
        tot["suspect_lines"] += c["suspect_lines"]
        tot["dead_lines"] += c["dead_lines"]
        for k in ("marking_failed_lines", "refute_lines", "alive_lines"):
            if k in c:
                tot[k] = tot.get(k, 0) + c[k]
        suspected |= set(c["suspected"])
        declared |= set(c["declared_dead"])
    polled_dead = [e for e in episodes if e["state"] == "dead"]
    polled_suspect = [e for e in episodes if e["state"] == "suspect"]
    res = {"window_s": secs, "machine_busy_pct": busy, **tot,
           "members_suspected": sorted(suspected), "members_declared_dead": sorted(declared),
           "polled_nonalive_observations": len(episodes),
           "polled_suspect_observations": len(polled_suspect),
           "polled_dead_observations": len(polled_dead),
           "polled_events": episodes[:200], "polls": polls, "unanswered_polls": unanswered,
           "crashed_agents": sysm.crashed(), "per_agent_log": per_agent}
    H.log(f"{sysm.key} N={sysm.n} {label} window {secs:.0f}s: suspect lines "
          f"{tot['suspect_lines']}, dead lines {tot['dead_lines']}, polled non-alive "
          f"{len(episodes)} (dead {len(polled_dead)}), machine busy {busy:.0f}%")
    return res


# ----------------------------------------------------------------------------------------
# one (system, N) run
# ----------------------------------------------------------------------------------------
def run_one(a, pg, key, n, outdir):
    workdir = os.path.join(outdir, f"{key}-n{n}")
    shutil.rmtree(workdir, ignore_errors=True)
    os.makedirs(workdir)
    sysm = SYSTEMS[key](a, pg, n, workdir)
    everyone = list(range(n))
    all_names = {sysm.name(i) for i in everyone}
    res = {"system": key, "n": n, "started": H.iso_utc(),
           "workdir": workdir, "errors": []}
    busy_keys = []
    # an error is recorded and ends this (system, N) only
    with H.recorded(res, os.path.join(outdir, f"{key}-n{n}.json"), f"{key} N={n}",
                    lambda: (pg.stop_keys(busy_keys), sysm.stop_all())):
        taken = [f"{p}/{ip}:{port}" for i in everyone for p, ip, port in sysm.ports(i)
                 if not H.port_free(ip, port, p)]
        if taken:
            raise RuntimeError(f"addresses already in use: {', '.join(taken[:5])}")
        # ---- 1. cold join ---------------------------------------------------------
        res["bg_before_join_pct"] = H.wait_quiet(max_wait=a.quiet_wait)
        t_first = H.now()
        sysm.start(0)
        if not wait_until(sysm, [0], lambda m: True, H.now() + 30, 0.01):
            raise RuntimeError("seed agent did not answer within 30 s")
        t_last = t_first
        for i in range(1, n):
            t_last = H.now()
            sysm.start(i)
        first = wait_until(sysm, everyone, all_alive_pred(all_names),
                           H.now() + a.phase_timeout, a.poll_ms / 1000)
        if len(first) < n:
            raise RuntimeError(f"join did not converge within {a.phase_timeout:.0f}s: "
                               f"{len(first)}/{n} agents saw everyone alive; "
                               f"crashed: {sysm.crashed()}")
        t_conv = max(first.values())
        res["join"] = {"from_last_spawn_s": t_conv - t_last,
                       "from_first_spawn_s": t_conv - t_first,
                       "spawn_all_s": t_last - t_first,
                       "per_agent_from_last_spawn_s": {sysm.name(i): first[i] - t_last
                                                       for i in everyone}}
        H.log(f"{key} N={n} join: {t_conv - t_last:.3f}s from last spawn "
              f"({t_conv - t_first:.3f}s from first)")

        # ---- 2+3. settle, idle CPU / RSS -----------------------------------------
        sysm.drop_all()
        time.sleep(a.settle_secs)
        pids = sysm.pids()
        res["bg_before_idle_pct"] = H.wait_quiet(own_pids=pids, max_wait=a.quiet_wait)
        s0 = H.sys_cpu()
        samp = H.sample_idle(pids, a.idle_secs)
        busy = H.busy_pct(s0, H.sys_cpu())
        cpu = [s["cpu_pct"] for s in samp]
        rss = [s["rss_kb"] / 1024 for s in samp]
        res["idle"] = {"window_s": a.idle_secs, "per_agent": samp,
                       "cpu_pct": H.stats(cpu), "rss_mib": H.stats(rss),
                       "cpu_pct_total": sum(cpu), "rss_mib_total": sum(rss),
                       "machine_busy_pct": busy, "background_pct": busy - sum(cpu),
                       "top_others": H.top_others(set(pids))}
        H.log(f"{key} N={n} idle: CPU% per agent {H.fmt_stats(H.stats(cpu), '%', 2)}; "
              f"RSS MiB {H.fmt_stats(H.stats(rss), '', 1)}; background {busy - sum(cpu):.0f}%")

        # ---- 4. false-suspicion window, idle ---------------------------------------
        res["bg_before_window_idle_pct"] = H.wait_quiet(own_pids=sysm.pids(),
                                                        max_wait=a.quiet_wait)
        res["window_idle"] = window(sysm, a.window_secs, "idle")

        # ---- 5. false-suspicion window under load -----------------------------------
        res["bg_before_window_loaded_pct"] = H.wait_quiet(own_pids=sysm.pids(),
                                                          max_wait=a.quiet_wait)
        ncores = max(2, os.cpu_count() or 2)
        busy_keys = H.busy_load(pg, ncores)
        try:
            res["window_loaded"] = window(sysm, a.window_secs, "loaded")
            res["window_loaded"]["busy_processes"] = ncores
        finally:
            pg.stop_keys(busy_keys)
        sysm.drop_all()
        time.sleep(a.settle_secs)

        # ---- 6. kill -9 reps ------------------------------------------------------------
        reps = []
        pool = list(range(1, n))
        poll = a.poll_ms / 1000
        for r in range(a.reps):
            victim = pool[(r * 7 + n // 2) % len(pool)]
            vname = sysm.name(victim)
            others = [i for i in everyone if i != victim]
            pre = wait_until(sysm, everyone, all_alive_pred(all_names), H.now() + 60, 0.05)
            rec = {"rep": r + 1, "victim": vname, "all_alive_before": len(pre) == n}
            if len(pre) < n:
                H.log(f"{key} N={n} warning: cluster not fully alive before rep {r + 1}")
            rec["bg_before_pct"] = H.wait_quiet(own_pids=sysm.pids(), max_wait=a.quiet_wait)
            sk0 = H.sys_cpu()
            me0 = sum(os.times()[:2])
            t_kill = sysm.kill9(victim)
            det = wait_until(sysm, others, state_pred(vname, "dead"),
                             H.now() + a.phase_timeout, poll)
            t_det = H.now()
            rec.update({"agents_detected": len(det), "agents_expected": len(others),
                        "machine_busy_during_pct": H.busy_pct(sk0, H.sys_cpu()),
                        "poller_cpu_pct": 100 * (sum(os.times()[:2]) - me0) / max(1e-9, t_det - t_kill)})
            if det:
                rec["first_s"] = min(det.values()) - t_kill
                rec["all_s"] = max(det.values()) - t_kill if len(det) == len(others) else None
                rec["per_agent_s"] = {sysm.name(i): det[i] - t_kill for i in det}
            t_re = H.now()
            sysm.start(victim)
            rj = wait_until(sysm, everyone, all_alive_pred(all_names),
                            H.now() + a.phase_timeout, poll)
            rec["rejoin_all_s"] = (max(rj.values()) - t_re) if len(rj) == n else None
            rec["rejoin_agents"] = len(rj)
            reps.append(rec)
            H.log(f"{key} N={n} rep {r + 1}/{a.reps}: victim {vname} first "
                  f"{H.fmt(rec.get('first_s'))} all {H.fmt(rec.get('all_s'))} "
                  f"({len(det)}/{len(others)}) rejoin {H.fmt(rec['rejoin_all_s'])}")
            sysm.drop_all()
            time.sleep(a.settle_secs)
        all_s = [x.get("all_s") for x in reps]
        pooled = [v for x in reps for v in x.get("per_agent_s", {}).values()]
        tail, tail_kind = H.quantile_or_max(all_s)
        res["failure"] = {
            "reps": reps,
            "all_s": H.stats(all_s), "first_s": H.stats([x.get("first_s") for x in reps]),
            "rejoin_all_s": H.stats([x.get("rejoin_all_s") for x in reps]),
            "all_tail_s": tail, "all_tail_kind": tail_kind,
            "timed_out_reps": sum(1 for x in all_s if x is None),
            "per_observer_pooled": {"n": len(pooled), "p99": H.quantile(pooled, 0.99) if pooled else None,
                                    "max": max(pooled) if pooled else None},
        }
        res["crashed_at_end"] = sysm.crashed()
    return res


# ----------------------------------------------------------------------------------------
# report
# ----------------------------------------------------------------------------------------
def machine_facts(a):
    facts = dict(H.machine_facts(), serf=H.serf_version())
    if "ordinal" in a.systems:
        facts["ordinal_bin"] = H.binary_facts(a.ordinal_bin)
    return facts


def render(results, facts, cmdline, a):
    out = []
    out.append(f"Command: `{cmdline}`  ")
    out.append(f"Machine: {facts['nproc']} × {facts['model']}, {facts['mem']} RAM, "
               f"kernel {facts['kernel']}; {facts['date']}; serf `{facts['serf']}`, "
               f"ordinal `{H.bin_label(facts.get('ordinal_bin'))}`"
               f"{'; extra Ordinal flags `' + a.ordinal_args + '`' if a.ordinal_args else ''}"
               f"{'; extra serf flags `' + a.serf_args + '`' if a.serf_args else ''}")
    out.append("")
    out.append("| system | N | join s | detect all median [min–max] s | detect first median s | "
               "p99 s | false suspects idle / loaded | false dead idle / loaded | "
               "idle CPU % per agent (median) | RSS MiB per agent (median) |")
    out.append(H.md_sep(10))
    for r in results:
        f = r.get("failure", {})
        tail = f.get("all_tail_s")
        tail_cell = "—" if tail is None else (
            f"{tail:.3f}" if f.get("all_tail_kind") == "p99"
            else f"{tail:.3f} (max, n={f['all_s']['n']})")
        if f.get("timed_out_reps"):
            tail_cell += f"; {f['timed_out_reps']} rep(s) not detected by all"
        join = r.get("join", {}).get("from_last_spawn_s")
        idle = r.get("idle", {})
        out.append(H.md_row([
            r["system"], str(r["n"]), H.fmt(join),
            H.stat_cell(f.get("all_s")),
            H.fmt(f.get("first_s", {}).get("median")),
            tail_cell,
            H.win_cell(r, "suspect_lines"), H.win_cell(r, "dead_lines"),
            H.fmt(idle.get("cpu_pct", {}).get("median"), 2),
            H.fmt(idle.get("rss_mib", {}).get("median"), 1),
        ]))
    out.append("")
    out.append("Details: re-join after restart of the victim; polled non-alive observations "
               "(suspect+dead / of which dead) in the idle / loaded windows; CPU/RSS ranges; "
               "how busy the machine was.")
    out.append("")
    out.append("| system | N | re-join median [min–max] s | polled non-alive idle / loaded | "
               "polled dead idle / loaded | idle CPU % per agent [min–max] | RSS MiB [min–max] | "
               "machine busy in loaded window % | background before phases % (max) | errors |")
    out.append(H.md_sep(10))
    for r in results:
        f = r.get("failure", {})
        idle = r.get("idle", {})
        bgs = [v for k, v in r.items() if k.startswith("bg_") and isinstance(v, (int, float))]
        bgs += [x.get("bg_before_pct", 0) for x in f.get("reps", [])]
        errs = "; ".join(r.get("errors", [])) or ("crashed: " + ",".join(r["crashed_at_end"])
                                                 if r.get("crashed_at_end") else "—")
        out.append(H.md_row([
            r["system"], str(r["n"]), H.stat_cell(f.get("rejoin_all_s")),
            H.win_cell(r, "polled_nonalive_observations"), H.win_cell(r, "polled_dead_observations"),
            H.stat_cell(idle.get("cpu_pct"), 2), H.stat_cell(idle.get("rss_mib"), 1),
            H.fmt(r.get("window_loaded", {}).get("machine_busy_pct"), 0),
            H.fmt(max(bgs) if bgs else None, 0), errs.replace("|", "/"),
        ]))
    out.append("")
    out.append(
        "Counting: *false suspects* are log lines — Ordinal `member suspect` (each agent logs "
        "its own transition, so one suspicion seen by all N−1 peers is N−1 lines); serf "
        "memberlist `Suspect … has failed, no acks received` (logged only by the prober that "
        "started the suspicion; serf's RPC does not expose suspect). *False dead* are Ordinal "
        "`member dead` lines and serf `EventMemberFailed` lines, both one per observing agent. "
        "No agent is stopped during the windows. Detection: clock from kill -9 until every "
        "survivor lists the victim dead (serf: failed), polled every "
        f"{a.poll_ms:g} ms; *first* = the first survivor. CPU is % of one core. With fewer "
        "than 100 samples the p99 column shows the max and says so.")
    return "\n".join(out)


def targets(results):
    by = {(r["system"], r["n"]): r for r in results}
    lines = []
    for n in sorted({r["n"] for r in results}):
        o, s = by.get(("ordinal", n)), by.get(("serf", n))
        if not o:
            continue
        lines.append(f"N={n}:")
        of = o.get("failure", {})
        om = of.get("all_s", {}).get("median")
        if s and om is not None and s.get("failure", {}).get("all_s", {}).get("median"):
            sm = s["failure"]["all_s"]["median"]
            lines.append(f"  detection median {om:.3f}s vs serf {sm:.3f}s (ratio {om / sm:.2f}; "
                         f"target ≤ 0.50): {'MET' if om <= sm / 2 else 'NOT MET'}")
        tail = of.get("all_tail_s")
        if tail is not None:
            kind = of.get("all_tail_kind")
            lines.append(f"  detection {kind} {tail:.3f}s (target p99 ≤ 5 s"
                         f"{'; max of ' + str(of['all_s']['n']) + ' reps used' if kind == 'max' else ''}"
                         f"{'; some reps never detected' if of.get('timed_out_reps') else ''}): "
                         f"{'MET' if tail <= 5 and not of.get('timed_out_reps') else 'NOT MET'}")
        wi, wl = o.get("window_idle"), o.get("window_loaded")
        if wi and wl:
            d = (wi["dead_lines"], wl["dead_lines"], wi["polled_dead_observations"],
                 wl["polled_dead_observations"])
            lines.append(f"  false dead idle/loaded: log {d[0]}/{d[1]}, polled {d[2]}/{d[3]} "
                         f"(target 0): {'MET' if not any(d) else 'NOT MET'}")
        oc = o.get("idle", {}).get("cpu_pct", {}).get("median")
        sc = s.get("idle", {}).get("cpu_pct", {}).get("median") if s else None
        if oc is not None and sc is not None:
            # /proc counts CPU in clock ticks: over the window, one tick is the resolution,
            # so medians that differ by less than that are the same measurement.
            window = o.get("idle", {}).get("window_s") or 1
            tick_pct = 100.0 / os.sysconf("SC_CLK_TCK") / window
            same_or_lower = round(oc / tick_pct) <= round(sc / tick_pct)
            lines.append(f"  idle CPU per agent {oc:.2f}% vs serf {sc:.2f}% (resolution {tick_pct:.3f}%): "
                         f"{'MET' if same_or_lower else 'NOT MET'}")
        rs = o.get("idle", {}).get("rss_mib", {})
        if rs.get("n"):
            lines.append(f"  RSS per agent median {rs['median']:.1f} MiB, max {rs['max']:.1f} MiB "
                         f"(target ≤ 25 MB = 23.8 MiB): {'MET' if rs['max'] <= 25e6 / 2**20 else 'NOT MET'}")
        if o.get("errors"):
            lines.append(f"  errors: {'; '.join(o['errors'])}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ns", default="5,20", help="cluster sizes, comma-separated (default 5,20)")
    ap.add_argument("--reps", type=int, default=5, help="kill -9 reps per (system, N)")
    ap.add_argument("--idle-secs", type=float, default=30, help="idle CPU/RSS window")
    ap.add_argument("--window-secs", type=float, default=60,
                    help="each false-suspicion window (idle, then loaded)")
    ap.add_argument("--settle-secs", type=float, default=10,
                    help="quiet time after join, after the loaded window and between reps")
    ap.add_argument("--systems", default="ordinal,serf")
    ap.add_argument("--out", default=os.path.join(REPO, ".cluster", "bench-gossip"),
                    help="base directory; results go to <out>/<UTC timestamp>/")
    ap.add_argument("--ordinal-bin", default=os.environ.get("ORDINAL_BIN") or
                    os.path.join(REPO, ".build", "release", "ordinal"),
                    help="agent binary (default $ORDINAL_BIN or .build/release/ordinal)")
    ap.add_argument("--ordinal-args", default="", help="extra flags for every Ordinal agent")
    ap.add_argument("--serf-args", default="", help="extra flags for every serf agent")
    ap.add_argument("--serf-port", type=int, default=7946)
    ap.add_argument("--serf-rpc-port", type=int, default=7373)
    ap.add_argument("--poll-ms", type=float, default=10,
                    help="sleep between polling rounds while timing join/detection/re-join")
    ap.add_argument("--phase-timeout", type=float, default=120,
                    help="max s for join convergence, detection and re-join")
    ap.add_argument("--quiet-wait", type=float, default=60,
                    help="max s to wait for other processes' CPU to drop before a phase")
    a = ap.parse_args()
    try:
        ns = [int(x) for x in a.ns.split(",") if x.strip()]
    except ValueError:
        sys.exit(f"--ns {a.ns!r}: expected e.g. 5,20")
    if not ns or any(n < 2 or n > 250 for n in ns):
        sys.exit("--ns: every N must be 2..250")
    # serf first, then Ordinal, for every N (interleaved, same phases)
    systems = a.systems = H.systems_arg(a.systems, ("serf", "ordinal"))
    if a.reps < 1:
        sys.exit("--reps must be ≥ 1")
    if "ordinal" in systems and not os.access(a.ordinal_bin, os.X_OK):
        sys.exit(f"ordinal binary not found: {a.ordinal_bin}")
    if "serf" in systems and not shutil.which("serf"):
        sys.exit("serf is not on PATH (scripts/setup bench installs it)")

    outdir = os.path.join(a.out, H.stamp())
    os.makedirs(outdir, exist_ok=True)
    cmdline = H.command_line(os.environ.get("BENCH_GOSSIP_PROG") or "scripts/bench_gossip.py")
    facts = machine_facts(a)
    pg = H.ProcGroup(pidfile=os.path.join(outdir, "pids.txt"))

    def on_signal(signum, frame):  # say why the run stops, then ProcGroup kills by PID
        H.log(f"bench-gossip: received signal {signum}; stopping every agent")
        pg._on_signal(signum, frame)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    H.log(f"bench-gossip: N={ns} systems={systems} reps={a.reps} -> {outdir}")
    bg0 = H.wait_quiet(max_wait=a.quiet_wait)
    H.log(f"background CPU before start: {bg0:.0f}% of one core; top: {H.top_others(n=3)}")
    results = []
    try:
        for n in ns:
            for key in systems:
                H.log(f"=== {key} N={n} ===")
                results.append(run_one(a, pg, key, n, outdir))
    finally:
        pg.kill_all()
        table = render(results, facts, cmdline, a) if results else "(no results)"
        tg = targets(results)
        summary = {"command": cmdline, "machine": facts, "args": vars(a), "outdir": outdir,
                   "background_at_start_pct": bg0, "results": [
                       {k: r.get(k) for k in ("system", "n", "join", "errors")} |
                       {"idle_cpu_pct": r.get("idle", {}).get("cpu_pct"),
                        "idle_rss_mib": r.get("idle", {}).get("rss_mib"),
                        "detect_all_s": r.get("failure", {}).get("all_s"),
                        "detect_first_s": r.get("failure", {}).get("first_s"),
                        "rejoin_all_s": r.get("failure", {}).get("rejoin_all_s"),
                        "window_idle": {k: v for k, v in r.get("window_idle", {}).items()
                                        if k not in ("per_agent_log", "polled_events")},
                        "window_loaded": {k: v for k, v in r.get("window_loaded", {}).items()
                                          if k not in ("per_agent_log", "polled_events")}}
                       for r in results], "targets": tg}
        H.write_json(os.path.join(outdir, "summary.json"), summary)
        H.publish(outdir, table, tg, empty_targets=True)


if __name__ == "__main__":
    main()
