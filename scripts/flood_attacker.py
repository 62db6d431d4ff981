#!/usr/bin/env python3
"""One attack on one agent port, for scripts/bench-flood (issue 26); run pinned to a core with
`taskset`. Connections come from --sources loopback addresses (127.0.11.1 up), since the agent
caps connections per address; what the agent closes is reopened until --seconds pass.

  peer-idle         connections to the peer port that send nothing
  peer-partial      the 4-byte prefix of a 4 MiB frame and 256 KiB of it, then nothing
  api-halfopen      `GET / HTTP/1.1\\r\\n` and nothing more
  api-slowloris     a request head trickled one byte per connection per second
  dns-tcp-halfopen  connections to the DNS port that send nothing
  dns-tcp-noread    4 connections pipelining queries as fast as they can, never reading
  dns-udp           one socket sending queries as fast as it can, never reading

Prints one JSON line: connections opened, reopened after the agent closed them, failures.
"""
import argparse
import errno
import json
import os
import resource
import socket
import struct
import time

PHASES = ("peer-idle", "peer-partial", "api-halfopen", "api-slowloris", "dns-tcp-halfopen", "dns-tcp-noread",
          "dns-udp")


def query(qid, name="web-0.nginx.default.svc.cluster.local"):
    q = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    return struct.pack(">HHHHHH", qid & 0xFFFF, 0x0100, 1, 0, 0, 0) + q + struct.pack(">HH", 1, 1)


def first_bytes(phase):
    if phase == "peer-partial":
        return (4 << 20).to_bytes(4, "big") + os.urandom(256 * 1024)
    if phase == "api-halfopen":
        return b"GET / HTTP/1.1\r\n"
    if phase == "api-slowloris":
        return b"G"
    return b""


def dial(host, port, source):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    s.bind((source, 0))
    code = s.connect_ex((host, port))
    if code not in (0, errno.EINPROGRESS):
        s.close()
        raise OSError(code, os.strerror(code))
    return s


def open_ended(s):
    try:
        return s.recv(65536, socket.MSG_DONTWAIT) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def hold(a, sources):
    """Keeps --connections open (reopening closed ones) and feeds each what the phase sends."""
    conns, opened, reopened, failures, sent = [], 0, 0, 0, {}
    end = time.time() + a.seconds
    tick = 0
    while time.time() < end:
        alive = []
        for s in conns:
            if open_ended(s):
                alive.append(s)
            else:
                s.close()
                reopened += 1
        conns = alive
        while len(conns) < a.connections and time.time() < end:
            try:
                s = dial(a.host, a.port, sources[(opened + failures) % len(sources)])
            except OSError:
                failures += 1
                if failures % 100 == 0:
                    break
                continue
            conns.append(s)
            sent[s.fileno()] = False
            opened += 1
        time.sleep(0.2)
        tick += 1
        for s in conns:
            try:
                if a.phase == "api-slowloris":
                    if tick % 5 == 0:
                        s.send(b"G" if not sent.get(s.fileno()) else b"X")
                        sent[s.fileno()] = True
                elif not sent.get(s.fileno()):
                    payload = first_bytes(a.phase)
                    if payload:
                        s.send(payload)
                    sent[s.fileno()] = True
            except OSError:
                pass
    for s in conns:
        s.close()
    return {"opened": opened, "reopened_after_close": reopened, "dial_failures": failures}


def pipeline_noread(a, sources):
    """4 connections, each writing queries until its send buffer is full, never reading."""
    conns, queries, closed = [], 0, 0
    end = time.time() + a.seconds
    while time.time() < end:
        while len(conns) < 4:
            try:
                conns.append(dial(a.host, a.port, sources[len(conns) % len(sources)]))
            except OSError:
                break
        time.sleep(0.05)
        for s in list(conns):
            try:
                for _ in range(256):
                    packet = query(queries)
                    s.send(struct.pack(">H", len(packet)) + packet)
                    queries += 1
            except BlockingIOError:
                pass
            except OSError:
                conns.remove(s)
                s.close()
                closed += 1
    for s in conns:
        s.close()
    return {"queries_sent": queries, "connections_closed_by_agent": closed}


def udp_blast(a, sources):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((sources[0], 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sent, qid = 0, 0
    end = time.time() + a.seconds
    while time.time() < end:
        for _ in range(1000):
            qid += 1
            try:
                s.sendto(query(qid), (a.host, a.port))
                sent += 1
            except OSError:
                pass
    s.close()
    return {"queries_sent": sent}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--phase", choices=PHASES, required=True)
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--connections", type=int, default=1500)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--sources", type=int, default=32)
    a = ap.parse_args()
    if a.connections > 5000 or a.seconds > 300 or not 1 <= a.sources <= 250:
        raise SystemExit("flood_attacker: at most 5000 connections, 300 s and 250 sources")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    sources = [f"127.0.11.{i}" for i in range(1, a.sources + 1)]
    if a.phase == "dns-tcp-noread":
        result = pipeline_noread(a, sources)
    elif a.phase == "dns-udp":
        result = udp_blast(a, sources)
    else:
        result = hold(a, sources)
    print(json.dumps({"phase": a.phase, **result}))


if __name__ == "__main__":
    main()
