#!/usr/bin/env python3
"""Walks docs/bad-input.md against the host's vfiotopd and vfiotop. TAP lines.

  bad-input.py BUILD_DIR
"""
import os
import re
import shlex
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TABLE = os.path.join(HERE, "..", "..", "docs", "bad-input.md")


def rows():
    for line in open(TABLE):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] in ("vfiotopd", "vfiotop", "socket", "http"):
            yield cells


def unquote(cell):
    m = re.fullmatch(r"`(.*)`", cell)
    return m.group(1) if m else cell


def socket_bytes(cell):
    m = re.fullmatch(r"(\d+) × `(.)` then `\\n`", cell)
    if m:
        return m.group(2).encode() * int(m.group(1)) + b"\n"
    if cell == "`snapshot` and nothing more":
        return b"snapshot"
    return unquote(cell).encode().decode("unicode_escape").encode("latin-1")


def http_bytes(cell):
    if cell == "20000 × `a` as the path":
        return b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    if cell == "a 20000-byte header":
        return b"GET /metrics HTTP/1.1\r\nX: " + b"a" * 20000 + b"\r\n\r\n"
    line = unquote(cell).encode()
    return line + (b"\r\nHost: x\r\n\r\n" if b"HTTP/" in line else b"\r\n\r\n")


def talk(family, addr, data, timeout=8):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    t0 = time.monotonic()
    resp = b""
    try:
        s.connect(addr)
        s.sendall(data)
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            resp += chunk
    except OSError:
        pass
    finally:
        s.close()
    return resp, time.monotonic() - t0


def main():
    build = sys.argv[1]
    tmp = tempfile.mkdtemp()
    sock = os.path.join(tmp, "d", "sock")
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    daemon = subprocess.Popen([f"{build}/vfiotopd", "--no-pin", "--no-reports", "-s", sock,
                               "--listen", str(port)],
                              stderr=subprocess.DEVNULL)
    for _ in range(50):
        if os.path.exists(sock):
            break
        time.sleep(0.1)

    def alive():
        r = subprocess.run([f"{build}/vfiotop", "-s", sock, "--json"], capture_output=True)
        h, _ = talk(socket.AF_INET, ("127.0.0.1", port), b"GET /metrics HTTP/1.0\r\n\r\n")
        return r.returncode == 0 and h.startswith(b"HTTP/1.1 200") and daemon.poll() is None

    n = 0
    for where, cell, answer, says in rows():
        n += 1
        says = unquote(says)
        name = f"bad input: {where} {cell[:50]} -> {answer}"
        detail = ""
        if where in ("vfiotopd", "vfiotop"):
            args = shlex.split(unquote(cell))
            if where == "vfiotopd" and "-s" not in args:
                args = ["-s", os.path.join(tmp, f"other{n}", "sock")] + args
            r = subprocess.run([f"{build}/{where}"] + args, capture_output=True, text=True,
                               timeout=10)
            want = int(answer.split()[1])
            good = r.returncode == want and says in r.stderr
            detail = f"exit {r.returncode}: {r.stderr.strip()[:300]}"
        elif where == "socket":
            resp, took = talk(socket.AF_UNIX, sock, socket_bytes(cell))
            if answer.startswith("closed"):
                # closed at the deadline the table gives, not before
                deadline = float(re.search(r"after (\d+) s", answer).group(1))
                good = resp == b"" and deadline * 0.9 <= took < deadline + 4
                detail = f"answer {resp[:80]!r} after {took:.1f} s"
            else:
                good = resp.startswith(b'{"error"') and says.encode() in resp
                detail = resp[:200].decode("latin-1")
        else:
            resp, _ = talk(socket.AF_INET, ("127.0.0.1", port), http_bytes(cell))
            status = resp.split(b"\r\n")[0].decode("latin-1")
            if answer == "closed":
                good = not status.startswith("HTTP/1.1 2")
            else:
                good = status.startswith(f"HTTP/1.1 {answer} ") and says.encode() in resp
            detail = status
        good = good and alive()
        print(("ok" if good else "not ok") + " - " + name)
        if not good:
            print("#   " + detail)
    daemon.terminate()
    daemon.wait(timeout=10)
    print(("ok" if n > 30 else "not ok") + f" - bad input: the table has {n} rows")


main()
