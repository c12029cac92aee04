#!/usr/bin/env python3
"""vfiotopd's HTTP exporter attacked as issue 23 did it, on the host. TAP.

  http-attack.py BUILD_DIR

A daemon with TLS and basic auth (bcrypt cost 10):
- 24 threads send a known user with wrong passwords on fresh TLS connections
  for 6 s: the daemon's socket `ping` must keep its p99 under 20 ms, a scrape
  with the right password must take under 1 s, and the worker may have checked
  no more passwords than its bound (AUTH_BURST + AUTH_RATE a second);
- an unknown user must take as long as a known one with a wrong password;
- 200 TCP connections that never send a byte: scrapes still succeed within
  2 s, and the daemon closes the silent ones by its deadline.
A daemon without --web-config: the same 200 idle connections, a client
trickling its headers, and /json without pids (with basic auth it has them).
"""
import base64
import http.client
import json
import multiprocessing
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import crypt

AUTH_BURST, AUTH_RATE = 8, 4        # src/serve/http_auth.h
DEADLINE_S = 3                      # HTTP_REQUEST_DEADLINE_MS
ATTACKERS, ATTACK_S = 24, 6

n = 0
fails = 0


def ok(cond, what, detail=""):
    global n, fails
    n += 1
    print(("ok" if cond else "not ok") + f" {n} - http-attack: {what}", flush=True)
    if not cond:
        fails += 1
        for line in str(detail).splitlines()[-15:]:
            print("#   " + line)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Daemon:
    def __init__(self, build, tmp, name, extra):
        self.port = free_port()
        self.sock = os.path.join(tmp, name + ".sock")
        self.log = os.path.join(tmp, name + ".log")
        with open(self.log, "w") as log:
            self.p = subprocess.Popen([os.path.join(build, "vfiotopd"), "-s", self.sock,
                                       "--no-pin", "--no-reports", "--listen",
                                       str(self.port)] + extra, stdout=log, stderr=log)
        for _ in range(100):
            if os.path.exists(self.sock) and "serving /metrics" in self.text():
                break
            time.sleep(0.1)

    def text(self):
        with open(self.log) as f:
            return f.read()

    def stop(self):
        self.p.terminate()
        try:
            return self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return -1


def ping(path):
    t0 = time.monotonic()
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    try:
        s.connect(path)
        s.sendall(b"ping\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(256)
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    return time.monotonic() - t0, data.strip() == b'{"pong":true}'


def basic(user, password):
    raw = user.encode() + b":" + (password if isinstance(password, bytes) else password.encode())
    return "Basic " + base64.b64encode(raw).decode()


def request(port, path, auth=None, ctx=None, timeout=10):
    """status, body, seconds from the request to the whole answer (the connection made before)"""
    conn = (http.client.HTTPSConnection("127.0.0.1", port, context=ctx, timeout=timeout) if ctx
            else http.client.HTTPConnection("127.0.0.1", port, timeout=timeout))
    try:
        conn.connect()
        t0 = time.monotonic()
        conn.request("GET", path, headers={"Authorization": auth} if auth else {})
        r = conn.getresponse()
        body = r.read()
        return r.status, body, time.monotonic() - t0
    except (OSError, http.client.HTTPException) as e:
        return str(e), b"", timeout
    finally:
        conn.close()


def timed_scrape(port, path, auth=None, ctx=None, timeout=10):
    """status and seconds including the connection (and TLS handshake)"""
    t0 = time.monotonic()
    status, body, _ = request(port, path, auth, ctx, timeout)
    return status, time.monotonic() - t0, body


def p99(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * 0.99))]


def attacker_proc(port, cafile, first, count, until, q):
    """count attackers (threads) in a process of their own: the GIL stays out of the pings"""
    ctx = ssl.create_default_context(cafile=cafile)
    codes = {}
    lock = threading.Lock()

    def attacker(i):
        k = 0
        while time.monotonic() < until:
            status, _, _ = request(port, "/metrics", basic("prometheus", f"wrong{i}-{k}"), ctx)
            k += 1
            with lock:
                codes[status] = codes.get(status, 0) + 1

    threads = [threading.Thread(target=attacker, args=(first + i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    q.put(codes)


def pinger_proc(path, until, q):
    pings, pongs = [], True
    while time.monotonic() < until:
        took, pong = ping(path)
        pings.append(took)
        pongs = pongs and pong
        time.sleep(0.02)
    q.put((pings, pongs))


def attack(d, cafile, ctx, good):
    q = multiprocessing.Queue()
    t0 = time.monotonic()
    until = t0 + ATTACK_S
    procs = [multiprocessing.Process(target=attacker_proc,
                                     args=(d.port, cafile, i * 6, 6, until, q))
             for i in range(ATTACKERS // 6)]
    for p in procs:
        p.start()
    time.sleep(0.5)     # the attack under way
    pinger = multiprocessing.Process(target=pinger_proc, args=(d.sock, until, q))
    pinger.start()
    scrapes = []
    while time.monotonic() < until:
        scrapes.append(timed_scrape(d.port, "/metrics", good, ctx)[:2])
        time.sleep(0.5)
    codes, pings, pongs = {}, [], True
    for _ in range(len(procs) + 1):
        r = q.get()
        if isinstance(r, dict):
            for k, v in r.items():
                codes[k] = codes.get(k, 0) + v
        else:
            pings, pongs = r
    for p in procs + [pinger]:
        p.join()
    return time.monotonic() - t0, codes, pings, pongs, scrapes


def idle_clients(port, count):
    socks = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        socks.append(s)
    return socks


def closed_by_server(socks, within):
    """how many of socks the server closed within `within` seconds"""
    end = time.monotonic() + within
    closed = 0
    for s in socks:
        s.settimeout(max(0.01, end - time.monotonic()))
        try:
            if s.recv(1) == b"":
                closed += 1
        except ConnectionResetError:
            closed += 1
        except OSError:
            pass
    return closed


def keys_in(doc):
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield k
            yield from keys_in(v)
    elif isinstance(doc, list):
        for v in doc:
            yield from keys_in(v)


def tls_daemon(build, tmp):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", f"{tmp}/tls.key", "-out", f"{tmp}/tls.crt"],
                   capture_output=True, check=True)
    h = crypt.crypt("s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=1 << 10))
    with open(f"{tmp}/web.yml", "w") as f:
        f.write(f"tls_server_config:\n  cert_file: {tmp}/tls.crt\n  key_file: {tmp}/tls.key\n"
                f"basic_auth_users:\n  prometheus: '{h}'\n")
    ctx = ssl.create_default_context(cafile=f"{tmp}/tls.crt")
    return Daemon(build, tmp, "tls", ["--web-config", f"{tmp}/web.yml"]), ctx


def check_tls_daemon(d, ctx, cafile):
    good = basic("prometheus", "s3cret")
    status, took, _ = timed_scrape(d.port, "/metrics", good, ctx)
    ok(status == 200 and took < 1, f"the right password, first time: 200 in {took:.3f} s",
       f"{status}\n{d.text()}")

    # the same wait for a name that does not exist as for a wrong password
    known, unknown = [], []
    for i in range(6):
        for who, into in (("prometheus", known), ("nobody", unknown)):
            status, _, took = request(d.port, "/metrics", basic(who, f"guess{i}"), ctx)
            into.append((took, status))
            time.sleep(0.3)         # under the bucket's rate: each one checked
    kmin = min(t for t, _ in known)
    umin = min(t for t, _ in unknown)
    ok(all(s == 401 for _, s in known + unknown) and kmin > 0.005 and umin >= 0.5 * kmin,
       f"an unknown user takes as long as a known one: fastest {umin * 1000:.1f} ms "
       f"vs {kmin * 1000:.1f} ms", f"known {known}\nunknown {unknown}")

    time.sleep(AUTH_BURST / AUTH_RATE + 0.5)    # the bucket full again
    took, codes, pings, pongs, scrapes = attack(d, cafile, ctx, good)
    worst = p99(pings) * 1000
    ok(pongs and len(pings) >= 50 and worst < 20,
       f"{ATTACKERS} attackers with wrong passwords: socket ping p99 {worst:.1f} ms "
       f"({len(pings)} pings, max {max(pings) * 1000:.1f} ms)", f"codes {codes}")
    slowest = max(t for _, t in scrapes)
    ok(scrapes and all(s == 200 for s, _ in scrapes) and slowest < 1,
       f"meanwhile the right password scrapes in {slowest:.3f} s at most "
       f"({len(scrapes)} scrapes)", f"{scrapes}")
    bound = AUTH_BURST + AUTH_RATE * took + 1
    ok(0 < codes.get(401, 0) <= bound and codes.get(429, 0) > 0,
       f"at most {bound:.0f} passwords checked in {took:.1f} s: {codes.get(401, 0)} refused "
       f"(401), {codes.get(429, 0)} turned away (429)", f"codes {codes}")

    socks = idle_clients(d.port, 200)
    times = [timed_scrape(d.port, "/metrics", good, ctx, timeout=5) for _ in range(7)]
    good_ones = sum(s == 200 and t < 2 for s, t, _ in times)
    ok(good_ones == 7, f"200 idle TCP clients (no TLS handshake): {good_ones} of 7 scrapes "
       f"within 2 s, the slowest {max(t for _, t, _ in times):.3f} s",
       f"{[(s, t) for s, t, _ in times]}")
    closed = closed_by_server(socks, DEADLINE_S + 3)
    ok(closed == len(socks), f"the silent ones are closed by the deadline: {closed} of "
       f"{len(socks)} within {DEADLINE_S + 3} s")
    for s in socks:
        s.close()

    status, body, _ = request(d.port, "/json", good, ctx)
    doc = json.loads(body) if status == 200 else {}
    ok("pid" in doc.get("daemon", {}), "/json with basic auth has the process details")
    took, pong = ping(d.sock)
    ok(pong and d.p.poll() is None, "the daemon still answers its socket")


def check_plain_daemon(d):
    socks = idle_clients(d.port, 200)
    times = [timed_scrape(d.port, "/metrics", timeout=5) for _ in range(7)]
    good_ones = sum(s == 200 and t < 2 for s, t, _ in times)
    ok(good_ones == 7, f"plain HTTP, 200 idle TCP clients: {good_ones} of 7 scrapes within 2 s, "
       f"the slowest {max(t for _, t, _ in times):.3f} s", f"{[(s, t) for s, t, _ in times]}")
    for s in socks:
        s.close()

    # headers one byte every 0.5 s: each byte is activity, the deadline is not
    s = socket.create_connection(("127.0.0.1", d.port), timeout=DEADLINE_S + 5)
    t0 = time.monotonic()
    closed_after = None
    for ch in b"GET /metrics HTTP/1.1\r\nX-Slow: " + b"a" * 100:
        try:
            s.sendall(bytes([ch]))
            time.sleep(0.5)
        except OSError:
            closed_after = time.monotonic() - t0
            break
        if time.monotonic() - t0 > DEADLINE_S + 5:
            break
    if closed_after is None and closed_by_server([s], 0.5) == 1:
        closed_after = time.monotonic() - t0
    s.close()
    ok(closed_after is not None and closed_after < DEADLINE_S + 3,
       "a client trickling its headers is closed by the deadline: " +
       (f"after {closed_after:.1f} s" if closed_after is not None else "not closed"))

    status, body, _ = request(d.port, "/json")
    keys = set(keys_in(json.loads(body))) if status == 200 else {"?"}
    ok(status == 200 and not keys & {"pid", "comm", "addr", "vaddr", "iova"},
       "/json without authentication has no pid, comm or address", keys & {"pid", "comm"})


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build")
    tmp = tempfile.mkdtemp()
    daemons = []
    try:
        d, ctx = tls_daemon(build, tmp)
        daemons.append(d)
        ok("basic auth" in d.text(), "the daemon serves https with basic auth", d.text())
        check_tls_daemon(d, ctx, f"{tmp}/tls.crt")
        p = Daemon(build, tmp, "plain", [])
        daemons.append(p)
        check_plain_daemon(p)
        for x in daemons:
            status = x.stop()
            ok(status == 0, f"the daemon exits 0 on SIGTERM ({status})", x.text())
    finally:
        for x in daemons:
            if x.p.poll() is None:
                x.p.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    sys.exit(1 if fails else 0)


main()
