#!/usr/bin/env python3
"""DNS benchmark: an Ordinal agent and dnsmasq side by side under dnsperf, same number of
names, same dnsperf runs; then how fast every agent answers a pod's new address.

1. Starts 3 agents on 127.0.4.1-3 (DNS on port 7453), creates SETS headless services and
   StatefulSets of REPLICAS pods (no volumes), waits until every pod is Running.
2. Runs scripts/peers/dns_bench.sh against agent a1 (START_SERVER=0, the pod names as
   the query file) and against dnsmasq on 127.0.4.9:5353 serving the same number of names.
3. Moves one pod between nodes MOVES times (its set's nodeSelector alternates between a2
   and a3, so the pod is replaced on the other node with an address from that node's
   block) and measures, for each move, the time from the leader first showing the new
   address to every agent answering it over DNS (each polled every 2 ms), while queries
   keep flowing.
4. Runs dnsperf against a follower for 10 s and kills the leader with kill -9 after 3 s:
   lost queries and response codes show whether answers kept flowing.
Every process started here is stopped here by its PID.
"""
import argparse
import os
import subprocess
import sys
import time

import harness as H

PEERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ordinal-bin", required=True)
    parser.add_argument("--shared", help="ignored: the peer scripts live in scripts/peers/ now "
                        "(kept so older command lines still work)")
    parser.add_argument("--sets", type=int, default=100)
    parser.add_argument("--replicas", type=int, default=10)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--runs", default="c10|-c 10;T2_c10|-T 2 -c 10;Q20k|-Q 20000")
    parser.add_argument("--moves", type=int, default=10)
    parser.add_argument("--skip-load", action="store_true", help="only measure moves")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    apis = [f"http://127.0.4.{i}:7480" for i in (1, 2, 3)]
    pg = H.ProcGroup()
    try:
        for i in (1, 2, 3):
            pg.spawn(f"a{i}", H.agent_argv(args.ordinal_bin, f"a{i}", f"127.0.4.{i}", os.path.join(args.out, f"a{i}"),
                                           bootstrap_expect=3, dns=True, max_pods=1000,
                                           # dnsperf asks from one loopback address as fast as it can:
                                           # response-rate limiting off, as dnsmasq has none.
                                           extra="--dns-rate-limit 0",
                                           join=["127.0.4.1"] if i > 1 else ()),
                     os.path.join(args.out, f"a{i}.log"))
        deadline = time.time() + 60
        formed, raft = H.wait_formed(apis[0], 3, timeout=60, need="leaderAPI")
        if not formed:
            sys.exit("bench-dns: the cluster did not form")
        leader = "http://" + raft["leaderAPI"]
        for s in range(args.sets):
            name = f"set-{s:03d}"
            H.request_json("POST", apis[0] + "/api/v1/namespaces/default/services", {
                "apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
                "spec": {"clusterIP": "None", "selector": {"app": name}, "ports": [{"name": "web", "port": 80}]}})
            template = {"metadata": {"labels": {"app": name}}, "spec": {"containers": [{"name": "main", "image": "ordinal/pause"}]}}
            if s == 0:
                template["spec"]["nodeSelector"] = {"kubernetes.io/hostname": "a2"}
            H.request_json("POST", apis[0] + "/apis/apps/v1/namespaces/default/statefulsets", {
                "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": name},
                "spec": {"replicas": 1 if s == 0 else args.replicas, "podManagementPolicy": "Parallel", "serviceName": name,
                         "selector": {"matchLabels": {"app": name}}, "template": template}})
        total = 1 + (args.sets - 1) * args.replicas
        while time.time() < deadline + 300:
            pods = H.request_json("GET", leader + "/api/v1/namespaces/default/pods", timeout=30)[1].get("items", [])
            if sum(1 for p in pods if p.get("status", {}).get("phase") == "Running") == total:
                break
            time.sleep(0.5)
        names = [f"{p['metadata']['name']}.{p['spec']['subdomain']}.default.svc.cluster.local" for p in pods]
        queries = os.path.join(args.out, "queries.txt")
        with open(queries, "w") as out:
            out.writelines(f"{n} A\n" for n in names)
        peer = os.path.join(PEERS, "dns_bench.sh")
        env = dict(os.environ, DURATION=str(args.duration), RUNS=args.runs, DIG_COUNT="51", RTT_COUNT="2000")
        if not args.skip_load:
            subprocess.run(["bash", peer], env=dict(env, ADDR="127.0.4.1", PORT="7453", START_SERVER="0", QUERYFILE=queries,
                                                       SERVER_PID=str(pg.pid("a1")), OUTDIR=os.path.abspath(os.path.join(args.out, "ordinal"))), check=False)
            # dnsmasq drops privileges, so its hosts file lives in a world-readable temp directory.
            subprocess.run(["bash", peer], env=dict(env, ADDR="127.0.4.9", PORT="5353", NAMES=str(len(names)),
                                                       WORK=f"/tmp/ordinal-bench-dns-{os.getpid()}",
                                                       OUTDIR=os.path.abspath(os.path.join(args.out, "dnsmasq"))), check=False)

        moves = []
        target = "set-000-0.set-000.default.svc.cluster.local"
        servers = [(f"127.0.4.{i}", 7453) for i in (1, 2, 3)]
        for move in range(args.moves):
            node = "a3" if move % 2 == 0 else "a2"
            old = H.query_a(servers[0], target)
            H.request_json("PATCH", leader + "/apis/apps/v1/namespaces/default/statefulsets/set-000",
                 {"spec": {"template": {"spec": {"nodeSelector": {"kubernetes.io/hostname": node}}}}},
                 content_type="application/merge-patch+json")
            committed = new_ip = None
            seen = {}
            limit = time.time() + 30
            while time.time() < limit and len(seen) < 3:
                now = time.time()
                if committed is None:
                    code, pod = H.request_json("GET", leader + "/api/v1/namespaces/default/pods/set-000-0", timeout=2)
                    if code != 200:
                        continue
                    ip = pod.get("status", {}).get("podIP")
                    if pod.get("spec", {}).get("nodeName") == node and ip and [ip] != old:
                        committed, new_ip = now, ip
                    continue
                for server in servers:
                    if server not in seen and H.query_a(server, target) == [new_ip]:
                        seen[server] = time.time()
                time.sleep(0.002)
            if committed and len(seen) == 3:
                moves.append(round((max(seen.values()) - committed) * 1000, 1))
        # 4. kill -9 the leader while dnsperf asks a follower: answers must keep coming.
        raft = H.request_json("GET", leader + "/ordinal/v1/raft")[1]
        victim = int(raft["node"][1:]) - 1
        asked = (victim + 1) % 3
        perf = subprocess.Popen(["dnsperf", "-s", f"127.0.4.{asked + 1}", "-p", "7453", "-d", queries, "-l", "10", "-c", "4"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(3)
        pg.kill9(f"a{victim + 1}")
        report = perf.communicate(timeout=60)[0]
        with open(os.path.join(args.out, "leader-kill-dnsperf.txt"), "w") as out:
            out.write(report)
        stats = {}
        for line in report.splitlines():
            words = line.split()
            if line.strip().startswith("Queries sent:"):
                stats["sent"] = int(words[2])
            elif line.strip().startswith("Queries lost:"):
                stats["lost"] = int(words[2])
            elif line.strip().startswith("Response codes:"):
                stats["response_codes"] = line.split(":", 1)[1].strip()
        result = {"names": len(names), "moves_ms": moves,
                  "move_median_ms": sorted(moves)[len(moves) // 2] if moves else None,
                  "move_max_ms": max(moves) if moves else None,
                  "leader_kill": dict(stats, killed=f"a{victim + 1}", asked=f"a{asked + 1}")}
        H.print_json(os.path.join(args.out, "moves.json"), result)
    finally:
        pg.kill_all()


if __name__ == "__main__":
    main()
