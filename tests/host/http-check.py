#!/usr/bin/env python3
"""vfiotopd's HTTP exporter from outside: good and bad requests, promtool, schema.

  http-check.py [--label L] HOST:PORT

Prints TAP lines. Every bad request is followed by a good one: the daemon
must keep serving.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LONG = b"a" * 20000

# request bytes, the status line it must get ("" = connection closed, no status)
BAD = [
    (b"POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi", 405),
    (b"DELETE /json HTTP/1.1\r\nHost: x\r\n\r\n", 405),
    # a body announced and never sent: answered on the headers, not waited for
    (b"GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n", 413),
    (b"GET /json HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 413),
    (b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", 404),
    (b"GET /metrics/../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", 404),
    (b"GET /metrics?x=1 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET /json?pretty=maybe HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET /json?" + b"&".join(b"k%d=1" % i for i in range(20)) + b" HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    (b"GET /metrics\r\n\r\n", 400),
    (b"GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n", 505),
    (b"GET /" + LONG + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    (b"GET /metrics HTTP/1.1\r\nX: " + LONG + b"\r\n\r\n", 431),
    (b"GET /metrics HTTP/1.1\r\n" + b"".join(b"X%d: y\r\n" % i for i in range(3000)) + b"\r\n", 431),
    (b"GARBAGE\r\n\r\n", ""),
]


def raw(addr, data, timeout=8):
    host, port = addr.rsplit(":", 1)
    s = socket.create_connection((host, int(port)), timeout=timeout)
    try:
        s.sendall(data)
        resp = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            resp += chunk
            if b"\r\n\r\n" in resp:
                head, _, body = resp.partition(b"\r\n\r\n")
                length = [int(l.split(b":")[1]) for l in head.split(b"\r\n")
                          if l.lower().startswith(b"content-length:")]
                if length and len(body) >= length[0]:
                    break
    except OSError:
        pass
    finally:
        s.close()
    head, _, body = resp.partition(b"\r\n\r\n")
    status = head.split(b"\r\n")[0].decode("latin-1")
    return status, body


def get(addr, path):
    return raw(addr, b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")


def main():
    args = sys.argv[1:]
    label = ""
    if args[:1] == ["--label"]:
        label, args = args[1] + ": ", args[2:]
    addr = args[0]
    fails = 0

    def ok(cond, what, detail=""):
        nonlocal fails
        print(("ok" if cond else "not ok") + f" - {label}http: {what}")
        if not cond:
            fails += 1
            for line in str(detail).splitlines()[:20]:
                print("#   " + line)

    status, metrics = get(addr, "/metrics")
    ok(status == "HTTP/1.1 200 OK", "GET /metrics is 200", status)
    p = subprocess.run(["promtool", "check", "metrics"], input=metrics, capture_output=True)
    ok(p.returncode == 0, "promtool check metrics is clean", p.stdout.decode() + p.stderr.decode())
    status, body = get(addr, "/json")
    ok(status == "HTTP/1.1 200 OK", "GET /json is 200", status)
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        f.write(body)
    v = subprocess.run([sys.executable, os.path.join(HERE, "validate-json.py"), "--label",
                        label + "http /json", "snapshot", f.name], capture_output=True, text=True)
    os.unlink(f.name)
    print(v.stdout, end="")
    ok(get(addr, "/")[0] == "HTTP/1.1 200 OK", "GET / lists what is served")

    for req, want in BAD:
        t0 = time.monotonic()
        status, _ = raw(addr, req)
        took = time.monotonic() - t0
        shown = req[:40].decode("latin-1").replace("\r\n", " ")
        if want == "":
            ok(not status.startswith("HTTP/1.1 2"), f"'{shown}...' gets no document", status)
        else:
            ok(status.startswith(f"HTTP/1.1 {want} "), f"'{shown}...' gets {want} ({took:.2f} s)",
               status)
        ok(get(addr, "/metrics")[0] == "HTTP/1.1 200 OK", f"still serving after '{shown[:20]}...'")
    sys.exit(1 if fails else 0)


main()
