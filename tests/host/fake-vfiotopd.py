#!/usr/bin/env python3
"""A stand-in for vfiotopd, for testing vfiotop without a VM: serves recorded
snapshots over the same unix socket protocol (docs/protocol.md: one request
line, one JSON document, close) until killed.

Each `snapshot` request gets the next recorded file, round robin, with
time_ns set to now and the counters the table turns into rates (faults.count,
zaps.count, mapped.pages_*, zaps.by_reason.*) replaced by their running sum
over the requests served: they only ever grow, by a known step, so every rate
is non-zero wherever the recording has a non-zero count. The recordings come from
two daemons; each answer names this one (its pid and start), as the client would
see one daemon, so no pair of answers looks like a restart.

    fake-vfiotopd.py --socket PATH SNAPSHOT.json...
"""
import argparse
import copy
import json
import os
import signal
import socket
import sys
import time

SUMMED = ["faults.count", "zaps.count", "mapped.pages_4k", "mapped.pages_2m",
          "mapped.pages_1g"] + ["zaps.by_reason." + r for r in (
              "mem_disable", "power_state", "flr", "reset", "hot_reset", "low_power", "other")]


def get(d, path):
    for k in path.split("."):
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def put(d, path, value):
    *parents, last = path.split(".")
    for k in parents:
        d = d[k]
    d[last] = value


class Snapshots:
    def __init__(self, docs):
        self.docs = docs
        self.served = 0
        self.sums = {}  # (bdf, path) -> running sum
        self.started_at = int(time.time())

    def next(self):
        doc = copy.deepcopy(self.docs[self.served % len(self.docs)])
        self.served += 1
        doc["time_ns"] = time.time_ns()
        if isinstance(doc.get("daemon"), dict):
            doc["daemon"]["pid"] = os.getpid()
            doc["daemon"]["started_at"] = self.started_at
        for dev in doc.get("devices", []):
            for path in SUMMED:
                v = get(dev, path)
                if isinstance(v, int):
                    key = (dev.get("bdf"), path)
                    self.sums[key] = self.sums.get(key, 0) + v
                    put(dev, path, self.sums[key])
        return doc


def answer(line, snaps):
    words = line.split()
    if words == ["ping"]:
        return {"pong": True}, False
    if words == ["version"]:
        return {"version": "fake", "schema_version": 1}, False
    if words and words[0] == "snapshot" and words[1:] in ([], ["pretty"]):
        return snaps.next(), words[1:] == ["pretty"]
    return {"error": "unknown request: " + line.strip()}, False


def serve(path, snaps):
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(16)
    while True:
        conn, _ = srv.accept()
        with conn:
            conn.settimeout(5)
            buf = b""
            try:
                while b"\n" not in buf and len(buf) < 256:
                    chunk = conn.recv(256)
                    if not chunk:
                        break
                    buf += chunk
                doc, pretty = answer(buf.split(b"\n")[0].decode(errors="replace"), snaps)
                conn.sendall(json.dumps(doc, indent=2 if pretty else None).encode() + b"\n")
            except OSError:
                pass  # a client that went away is its own problem


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--socket", required=True)
    ap.add_argument("snapshots", nargs="+")
    args = ap.parse_args()
    docs = []
    for f in args.snapshots:
        with open(f) as fh:
            docs.append(json.load(fh))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        serve(args.socket, Snapshots(docs))
    finally:
        try:
            os.unlink(args.socket)
        except OSError:
            pass


if __name__ == "__main__":
    main()
