#!/usr/bin/env python3
"""/readyz latency on the probe port while idle and slowloris connections are open.

usage: probe_bench.py PORT [--idle N] [--slow N] [--probes N]

Opens N idle sockets that never send, and N slow ones that send one header
line a second and never finish their head, then times --probes fresh
GET /readyz requests (connect to last byte). Prints one JSON object; exits 1
if a probe failed or took 1 s or more (the kubelet's default probe timeout).
"""
import argparse
import json
import socket
import time


def readyz(port):
    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=1.0) as s:
        s.sendall(b"GET /readyz HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
        data = b""
        while chunk := s.recv(4096):
            data += chunk
    took = time.monotonic() - start
    return data.startswith(b"HTTP/1.1 200 "), took


def main():
    p = argparse.ArgumentParser()
    p.add_argument("port", type=int)
    p.add_argument("--idle", type=int, default=500)
    p.add_argument("--slow", type=int, default=50)
    p.add_argument("--probes", type=int, default=200)
    a = p.parse_args()
    held = [socket.create_connection(("127.0.0.1", a.port)) for _ in range(a.idle)]
    slow = [socket.create_connection(("127.0.0.1", a.port)) for _ in range(a.slow)]
    for s in slow:
        s.sendall(b"GET /readyz HTTP/1.1\r\nHost: bench\r\n")
    times, failed, last_drip = [], 0, time.monotonic()
    for _ in range(a.probes):
        if time.monotonic() - last_drip >= 1.0:
            for s in slow:
                try:
                    s.sendall(b"X-Slow: 1\r\n")
                except OSError:
                    pass  # the server may cut a head that takes too long
            last_drip = time.monotonic()
        try:
            ok, took = readyz(a.port)
        except OSError:
            ok, took = False, 1.0
        failed += not ok
        times.append(took * 1000)
        time.sleep(0.01)
    for s in held + slow:
        s.close()
    times.sort()
    pick = lambda q: round(times[min(len(times) - 1, int(q * len(times)))], 3)
    print(json.dumps({"idle": a.idle, "slow": a.slow, "probes": a.probes, "failed": failed,
                      "ms": {"p50": pick(0.5), "p99": pick(0.99), "max": round(times[-1], 3)}}))
    return 1 if failed or times[-1] >= 1000 else 0


if __name__ == "__main__":
    raise SystemExit(main())
