#!/usr/bin/env python3
"""What a local user may try against vfiotopd and vfiotop (issue 23, "Safe to
expose"), rerun on the host's own kernel: idle clients hoarding the socket,
planted links and files where the daemon writes, a --json-lines reader that
stops reading, terminal escapes in what the client prints, reports that are
huge or not files. Each attack is followed by a check that the daemon still
serves. TAP lines.

  local-attacks.py BUILD_DIR
"""
import json
import re
import os
import resource
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NOBODY = 65534
results = []
stopped = []  # (name, exit status) of every daemon the tests stopped


def tap(good, name, detail=""):
    results.append(good)
    print(("ok" if good else "not ok") + f" {len(results)} - local: {name}")
    if not good and detail:
        for line in str(detail).splitlines()[:20]:
            print("#   " + line)
    sys.stdout.flush()


def wait_for(cond, seconds=10.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


class Daemon:
    """vfiotopd on a private socket, its log in a file."""

    def __init__(self, build, tmp, name, args, env=None, stdout=None):
        self.sock = os.path.join(tmp, name, "sock")
        self.log = os.path.join(tmp, name + ".log")
        self.proc = subprocess.Popen([f"{build}/vfiotopd", "--no-pin", "-s", self.sock] + args,
                                     stdout=stdout or subprocess.DEVNULL,
                                     stderr=open(self.log, "w"),
                                     env=dict(os.environ, **(env or {})))
        self.ready = wait_for(lambda: os.path.exists(self.sock) or self.proc.poll() is not None)

    def text(self):
        return open(self.log, errors="replace").read()

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        stopped.append((os.path.basename(self.log), self.proc.returncode))
        return self.proc.returncode


def vfiotop(build, args, user=None, timeout=10):
    cmd = [f"{build}/vfiotop"] + args
    if user is not None:
        cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups"] + cmd
    t0 = time.monotonic()
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return None, (e.stdout or b"") + (e.stderr or b""), time.monotonic() - t0
    return r.returncode, r.stdout + r.stderr, time.monotonic() - t0


def idle_clients(path, n):
    """n connections that never send a byte."""
    held = []
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(5)
        try:
            s.connect(path)
        except OSError:
            s.close()
            break
        held.append(s)
    return held


def close_all(socks):
    for s in socks:
        s.close()


# ---- 2. connections cannot be hoarded -----------------------------------

# connects N times, says how many; then, at a line on stdin, how many the
# daemon has not closed (a closed one reads as end of file)
HOARDER = r"""
import select, socket, sys
held = []
for _ in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    held.append(s)
print(len(held), flush=True)
sys.stdin.readline()
print(sum(1 for s in held if not select.select([s], [], [], 0)[0]), flush=True)
"""


def test_hoarding(build, tmp):
    d = Daemon(build, tmp, "hoard", ["--no-reports"])
    if not d.ready:
        tap(False, "daemon for the hoarding tests starts", d.text())
        return
    held = idle_clients(d.sock, 300)
    rc, out, took = vfiotop(build, ["--json", "-s", d.sock])
    tap(len(held) == 300 and rc == 0 and took < 2,
        f"300 idle clients: vfiotop --json answers ({took:.2f} s)", out[-300:])
    close_all(held)

    held = idle_clients(d.sock, 1100)
    rc, out, took = vfiotop(build, ["--json", "-s", d.sock])
    tap(len(held) == 1100 and rc == 0 and took < 2,
        f"1100 idle clients, more than the daemon's 1024 slots: the oldest idle goes, "
        f"vfiotop --json answers ({took:.2f} s)", out[-300:])
    close_all(held)

    s = socket.socket(socket.AF_UNIX)
    s.settimeout(10)
    s.connect(d.sock)
    t0 = time.monotonic()
    try:
        got = s.recv(100)
    except OSError as e:
        got = repr(e).encode()
    took = time.monotonic() - t0
    s.close()
    tap(got == b"" and 1.5 < took < 4,
        f"a client silent after connecting is dropped at its 2 s request deadline "
        f"({took:.1f} s)", got)
    tap(d.alive(), "daemon still serving after the hoarding", d.text()[-500:])
    d.stop()

    # another user, allowed by --socket-group, cannot take others' slots, nor keep
    # its own next client out
    g = Daemon(build, tmp, "hoardgroup", ["--no-reports", "--socket-group", str(NOBODY)])
    wait_for(lambda: os.path.exists(g.sock) and stat.S_IMODE(os.stat(g.sock).st_mode) == 0o660)
    hoarder = subprocess.Popen(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}",
                                "--clear-groups", sys.executable, "-c", HOARDER, g.sock, "300"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    connected = hoarder.stdout.readline().strip()
    rc, out, took = vfiotop(build, ["--json", "-s", g.sock])
    tap(connected == "300" and rc == 0 and took < 2,
        f"300 idle clients of another user: root's vfiotop --json answers ({took:.2f} s)",
        f"hoarder connected {connected!r}; {out[-300:]!r}")
    rc, out, took = vfiotop(build, ["--json", "-s", g.sock], user=NOBODY)
    tap(rc == 0 and took < 2,
        f"that user's own vfiotop --json answers too: its oldest idle client goes "
        f"({took:.2f} s)", out[-300:])
    hoarder.stdin.write("count\n")
    hoarder.stdin.flush()
    mine = hoarder.stdout.readline().strip()
    tap(mine.isdigit() and int(mine) <= 32,
        f"that user holds at most 32 open connections ({mine} of its 300)")
    tap("connection limit reached" in g.text(), "the drops are logged", g.text()[-500:])
    # release takes the capture away: the socket's group may read, not that
    rc, out, _ = vfiotop(build, ["release", "-s", g.sock], user=NOBODY)
    tap(rc == 1 and b"only root" in out,
        "vfiotop release from the socket group's user: refused, only root may", out[-300:])
    rc, out, _ = vfiotop(build, ["release", "-s", g.sock])
    rc2, snap, _ = vfiotop(build, ["--json", "-s", g.sock])
    tap(rc == 0 and b"let go" in out and rc2 == 0 and b'"state":"waiting for vfio-pci"' in snap,
        "vfiotop release from root without vfio loaded: answered, the daemon still waits "
        "for vfio-pci", out[-300:] + snap[:300])
    hoarder.kill()
    hoarder.wait()
    g.stop()


# ---- 3. files are written safely ----------------------------------------

def refused(build, tmp, name, args, says):
    """vfiotopd with args must exit 1 at once, saying says."""
    log = os.path.join(tmp, name + ".log")
    try:
        r = subprocess.run([f"{build}/vfiotopd", "--no-pin"] + args, capture_output=True,
                           text=True, timeout=20)
    except subprocess.TimeoutExpired:
        return False, "still running after 20 s"
    open(log, "w").write(r.stderr)
    return r.returncode == 1 and says in r.stderr, f"exit {r.returncode}: {r.stderr[-400:]}"


def victim_file(tmp, name):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write("root only\n")
    os.chmod(path, 0o600)
    return path


def intact(path):
    st = os.lstat(path)
    return stat.S_ISREG(st.st_mode) and open(path).read() == "root only\n"


def test_files(build, tmp):
    # the socket path never removes what is not a socket
    f = victim_file(tmp, "not-a-socket")
    good, why = refused(build, tmp, "sock-file", ["--no-reports", "-s", f],
                        "exists and is not a socket: not removing it")
    tap(good and intact(f), "--socket PATH: a regular file at PATH is refused, not deleted", why)
    link = os.path.join(tmp, "sock-link")
    os.symlink(f, link)
    good, why = refused(build, tmp, "sock-link", ["--no-reports", "-s", link],
                        "exists and is not a socket")
    tap(good and intact(f) and os.path.islink(link),
        "--socket PATH: a link at PATH is refused, not deleted", why)

    # a shared socket folder: refused; allowed, --socket-group leaves it alone
    shared = os.path.join(tmp, "sticky")
    os.mkdir(shared)
    os.chmod(shared, 0o1777)
    good, why = refused(build, tmp, "sock-shared",
                        ["--no-reports", "-s", os.path.join(shared, "vfiotopd.sock")],
                        "is writable by its group or others (mode 1777)")
    tap(good, "a socket in a folder others may write in (1777) is refused", why)
    sock = os.path.join(shared, "vfiotopd.sock")
    p = subprocess.Popen([f"{build}/vfiotopd", "--no-pin", "--no-reports", "-s", sock,
                          "--allow-shared-dirs", "--socket-group", str(NOBODY)],
                         stderr=subprocess.PIPE, text=True)
    up = wait_for(lambda: os.path.exists(sock) and
                  stat.S_IMODE(os.stat(sock).st_mode) == 0o660)
    st = os.stat(shared)
    rc, out, _ = vfiotop(build, ["--json", "-s", sock], user=NOBODY)
    p.terminate()
    _, err = p.communicate(timeout=10)
    tap(up and stat.S_IMODE(st.st_mode) == 0o1777 and st.st_gid == 0 and rc == 0,
        f"--socket-group with --allow-shared-dirs: the socket is 0660, its 1777 folder "
        f"is left as it was ({stat.S_IMODE(st.st_mode):o}, gid {st.st_gid})", err[-400:])
    tap(os.path.isdir(shared) and not os.path.exists(sock),
        "a folder the daemon did not make stays when it exits")

    # a folder that was there is left alone; one systemd made for the service
    # (RuntimeDirectory=, $RUNTIME_DIRECTORY) is the daemon's to share
    for env, want in ((None, (0o700, 0)), ("same", (0o750, NOBODY))):
        pre = os.path.join(tmp, f"pre-{env}")
        os.mkdir(pre, 0o700)
        sock = os.path.join(pre, "vfiotopd.sock")
        p = subprocess.Popen([f"{build}/vfiotopd", "--no-pin", "--no-reports", "-s", sock,
                              "--socket-group", str(NOBODY)], stderr=subprocess.PIPE, text=True,
                             env=dict(os.environ, RUNTIME_DIRECTORY=pre) if env else None)
        up = wait_for(lambda: os.path.exists(sock) and
                      stat.S_IMODE(os.stat(sock).st_mode) == 0o660)
        time.sleep(0.2)
        st = os.stat(pre)
        p.terminate()
        _, err = p.communicate(timeout=10)
        got = (stat.S_IMODE(st.st_mode), st.st_gid)
        if env:
            tap(up and got == want, f"--socket-group: the folder systemd made for it "
                f"($RUNTIME_DIRECTORY) becomes 0750 with the group ({got[0]:o}, gid {got[1]})",
                err[-400:])
        else:
            tap(up and got == want and "left as it is" in err,
                f"--socket-group: a 0700 folder that was there is left as it was, and the "
                f"log says the group cannot reach the socket ({got[0]:o}, gid {got[1]})",
                err[-400:])

    # the report folder: shared, a link, another user's
    rep = os.path.join(tmp, "reports-shared")
    os.mkdir(rep)
    os.chmod(rep, 0o777)
    good, why = refused(build, tmp, "rep-shared", ["-s", os.path.join(tmp, "r1", "s"),
                                                   "--report-dir", rep],
                        "is writable by its group or others (mode 0777)")
    tap(good, "--report-dir a folder others may write in: refused at start", why)
    own = os.path.join(tmp, "reports-own")
    os.mkdir(own, 0o750)
    link = os.path.join(tmp, "reports-link")
    os.symlink(own, link)
    good, why = refused(build, tmp, "rep-link", ["-s", os.path.join(tmp, "r2", "s"),
                                                 "--report-dir", link], "is a symbolic link")
    tap(good, "--report-dir a symbolic link: refused at start", why)
    theirs = os.path.join(tmp, "reports-theirs")
    os.mkdir(theirs, 0o755)
    os.chown(theirs, NOBODY, NOBODY)
    good, why = refused(build, tmp, "rep-theirs", ["-s", os.path.join(tmp, "r3", "s"),
                                                   "--report-dir", theirs],
                        f"belongs to uid {NOBODY}")
    tap(good, "--report-dir another user's folder: refused at start", why)

    # --json-lines: a link, another user's file
    f = victim_file(tmp, "jl-victim")
    link = os.path.join(tmp, "lines-link")
    os.symlink(f, link)
    good, why = refused(build, tmp, "jl-link", ["--no-reports", "-s", os.path.join(tmp, "j1", "s"),
                                                "--json-lines", link], "is a symbolic link")
    tap(good and intact(f), "--json-lines a link to a root file: refused, the file untouched",
        why)
    theirs = os.path.join(tmp, "lines-theirs")
    open(theirs, "w").close()
    os.chown(theirs, NOBODY, NOBODY)
    good, why = refused(build, tmp, "jl-theirs", ["--no-reports", "-s",
                                                  os.path.join(tmp, "j2", "s"),
                                                  "--json-lines", theirs],
                        f"belongs to uid {NOBODY}")
    tap(good, "--json-lines another user's file: refused (they would read every line)", why)


# ---- 4. a --json-lines reader that stops reading -------------------------

def fake_sysfs(tmp, n):
    """n devices bound to vfio-pci, as the daemon lists them (VFIOTOP_SYSFS)."""
    root = os.path.join(tmp, "sysfs")
    for i in range(n):
        dev = os.path.join(root, "bus", "pci", "devices", f"0000:{i + 1:02x}:00.0")
        os.makedirs(dev)
        os.symlink("../../../bus/pci/drivers/vfio-pci", os.path.join(dev, "driver"))
        for name, value in (("vendor", "0x1af4"), ("device", "0x1110"), ("class", "0x050000")):
            with open(os.path.join(dev, name), "w") as f:
                f.write(value + "\n")
    return root


def snapshot(build, sock):
    rc, out, took = vfiotop(build, ["--json", "-s", sock])
    try:
        return json.loads(out) if rc == 0 else None, took, out
    except ValueError:
        return None, took, out


def test_json_lines_shared_file(build, tmp):
    """--json-lines - >file 2>&1: the lines and the log share one offset."""
    path = os.path.join(tmp, "shared-out")
    sock = os.path.join(tmp, "jl-shared", "sock")
    with open(path, "w") as out:  # as a shell's `>file 2>&1`: one description, no O_APPEND
        proc = subprocess.Popen([f"{build}/vfiotopd", "--no-pin", "--no-reports", "-v", "-s", sock,
                                 "--json-lines", "-", "--interval", "0.25"],
                                stdout=out, stderr=out,
                                env=dict(os.environ, VFIOTOP_SYSFS=fake_sysfs(
                                    os.path.join(tmp, "jl-shared-sys"), 2)))
    time.sleep(2)
    proc.terminate()
    proc.wait(timeout=10)
    text = open(path, errors="replace").read()
    bad, objects = [], 0
    for line in text.splitlines():
        if line.startswith("vfiotopd["):
            continue
        try:
            objects += isinstance(json.loads(line), dict)
        except ValueError:
            bad.append(line[:120])
    tap(objects >= 4 and not bad and "detaching and exiting" in text,
        f"--json-lines - into a file it shares with stderr: {objects} whole lines, "
        f"and the log after them overwrote none", "\n".join(bad[:5]) or text[-400:])


def test_json_lines_stall(build, tmp):
    sysfs = fake_sysfs(tmp, 16)
    env = {"VFIOTOP_SYSFS": sysfs}
    # 16 devices, ~1.5 KiB a line, 4 times a second: a pipe's 64 KiB is full in 1 s
    r, w = os.pipe()
    d = Daemon(build, tmp, "jl-pipe", ["--no-reports", "--json-lines", "-", "--interval", "0.25"],
               env=env, stdout=w)
    os.close(w)
    worst, answers = 0.0, 0
    end = time.monotonic() + 4
    while time.monotonic() < end:
        snap, took, out = snapshot(build, d.sock)
        worst = max(worst, took)
        answers += snap is not None
        time.sleep(0.2)
    snap, took, out = snapshot(build, d.sock)
    dropped = snap["daemon"]["json_lines_dropped"] if snap else None
    tap(answers >= 10 and worst < 2 and snap is not None,
        f"--json-lines - into a pipe nobody reads: the daemon keeps answering "
        f"({answers} snapshots in 4 s, slowest {worst:.2f} s)", out[-300:])
    tap(isinstance(dropped, int) and dropped > 0 and len(snap["devices"]) == 16,
        f"the lines it could not write are counted: daemon.json_lines_dropped {dropped}",
        out[-300:])
    tap(d.text().count("not taking lines as fast as they come") == 1,
        "the drops are logged once", d.text()[-500:])
    # the reader comes back: what it gets is whole lines, and new ones follow
    got = b""
    os.set_blocking(r, False)
    end = time.monotonic() + 3
    while time.monotonic() < end:
        try:
            chunk = os.read(r, 1 << 20)
            got += chunk
        except BlockingIOError:
            time.sleep(0.1)
    lines = got.split(b"\n")[:-1]  # the last one may still be on its way
    try:
        whole = all(json.loads(l)["bdf"] for l in lines)
    except (ValueError, KeyError, TypeError) as e:
        whole = repr(e)
    tap(whole is True and len(lines) > 48,
        f"a reader that resumes gets whole lines, and new ones ({len(lines)} lines)", whole)
    tap(d.stop() == 0, "the daemon exits 0 on SIGTERM after all that")
    os.close(r)

    fifo = os.path.join(tmp, "lines.fifo")
    os.mkfifo(fifo, 0o600)
    good, why = refused(build, tmp, "jl-fifo", ["--no-reports", "-s", os.path.join(tmp, "j3", "s"),
                                                "--json-lines", fifo], "a FIFO nobody reads")
    tap(good, "--json-lines a FIFO nobody reads: refused at once, not waited on", why)
    rfd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    d = Daemon(build, tmp, "jl-fifo2", ["--no-reports", "--json-lines", fifo, "--interval", "0.25"],
               env=env)
    time.sleep(2.5)
    snap, took, out = snapshot(build, d.sock)
    tap(snap is not None and took < 2 and snap["daemon"]["json_lines_dropped"] > 0,
        f"--json-lines a FIFO whose reader stopped: the daemon answers ({took:.2f} s), "
        f"lines dropped {snap and snap['daemon']['json_lines_dropped']}", out[-300:])
    d.stop()
    os.close(rfd)


# ---- 7. terminal-safe output -----------------------------------------------

EVIL = "\x1b]0;OWNED\x07\x1b[2J"          # retitles the terminal, clears it
EVIL_C1 = "\u009b2J\u202egnp.exe"          # CSI as one C1 character, a bidi override
RAW = [b"\x1b]0;OWNED", b"\x07", b"\x1b[2J", b"\xc2\x9b", b"\xe2\x80\xae"]


def raw_escapes(out):
    return [r for r in RAW if r in out]


class OneAnswer:
    """A unix socket that answers every request with the same bytes."""

    def __init__(self, path, body):
        import threading
        self.srv = socket.socket(socket.AF_UNIX)
        self.srv.bind(path)
        self.srv.listen(16)
        self.body = body
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        while True:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            with c:
                try:
                    c.settimeout(5)
                    c.recv(256)
                    c.sendall(self.body)
                except OSError:
                    pass

    def close(self):
        self.srv.close()


def hostile_snapshot():
    doc = json.load(open(os.path.join(HERE, "..", "unit", "data", "snapshot-6.12-running.json")))
    doc["kernel"]["release"] = "6.12" + EVIL
    doc["daemon"]["state"] = "attached" + EVIL_C1
    for dev in doc["devices"]:
        for p in dev.get("processes", []):
            p["comm"] = EVIL
            p["vm"]["name"] = ""    # no VM name: the table shows pid/comm
        dev["zaps"]["by_reason"][EVIL_C1] = 7
        dev["driver"] = "vfio-pci" + EVIL
    return doc


def run_in_pty(argv, seconds, keys=b"q"):
    """What argv draws on a terminal in seconds, then keys."""
    import pty
    import select
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm"
        os.execv(argv[0], argv)
    out = b""
    end = time.monotonic() + seconds
    sent = False
    while True:
        left = end - time.monotonic()
        if left <= 0 and not sent:
            os.write(fd, keys)
            sent = True
            end = time.monotonic() + 5
            continue
        if left <= 0:
            break
        r, _, _ = select.select([fd], [], [], min(left, 0.2))
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    os.waitpid(pid, 0)
    os.close(fd)
    return out


def test_terminal(build, tmp):
    sock = os.path.join(tmp, "evil.sock")
    srv = OneAnswer(sock, json.dumps(hostile_snapshot()).encode() + b"\n")
    rc, out, _ = vfiotop(build, ["-b", "-n", "2", "-d", "0.2", "-s", sock])
    tap(rc == 0 and not raw_escapes(out) and b"\\x1b]0;OWNED\\x07" in out,
        "vfiotop -b: escapes in process names, kernel release, state print as \\xHH",
        f"raw {raw_escapes(out)}: {out[-600:]!r}")
    rc, out, _ = vfiotop(build, ["--json", "-s", sock])
    try:
        doc = json.loads(out)
    except ValueError:
        doc = {}
    tap(rc == 0 and not raw_escapes(out) and doc.get("kernel", {}).get("release") == "6.12" + EVIL
        and doc["daemon"]["state"] == "attached" + EVIL_C1,
        "vfiotop --json: the same document, C1 controls and bidi overrides as \\u escapes",
        f"exit {rc}, raw {raw_escapes(out)}: {out[:300]!r}")
    screen = run_in_pty([f"{build}/vfiotop", "-s", sock, "-d", "0.3"], 1.5)
    tap(b"OWNED" in screen and b"\x1b]0;OWNED" not in screen and b"\xc2\x9b" not in screen,
        "live view: the process name shows escaped, never as a title sequence",
        repr(screen[-400:]))
    detail = run_in_pty([f"{build}/vfiotop", "-s", sock, "-d", "0.3"], 1.5, keys=b"\rq")
    tap(b"\x1b]0;OWNED" not in detail and b"\xc2\x9b" not in detail,
        "live view detail: no raw escape either", repr(detail[-400:]))
    srv.close()
    os.unlink(sock)
    srv = OneAnswer(sock, json.dumps({"error": EVIL}).encode() + b"\n")
    rc, out, _ = vfiotop(build, ["--json", "-s", sock])
    tap(rc == 1 and not raw_escapes(out) and b"vfiotopd says:" in out,
        "an error from the socket prints escaped", repr(out))
    srv.close()

    # reports: hostile strings, a FIFO, a device, 500 MB, deep nesting
    real = json.load(open(os.path.join(HERE, "..", "..", "fuzz", "corpus", "report", "real.json")))
    real["bdf"] = EVIL
    real["explanation"] = "reset" + EVIL_C1
    for w in real["waits"]:
        w["comm"] = EVIL
        w["holder_comm"] = EVIL
    for o in real["operations"]:
        o["what"] = EVIL
    rdir = os.path.join(tmp, "evil-reports")
    os.mkdir(rdir)
    evil = os.path.join(rdir, "stall-1\x1b]0;OWNED\x07.json")
    json.dump(real, open(evil, "w"))
    rc, out, _ = vfiotop(build, ["report", evil])
    tap(rc == 0 and not raw_escapes(out) and b"OWNED" in out,
        "vfiotop report: every string of a hostile report escaped", repr(out[-600:]))
    fifo = os.path.join(rdir, "stall-2.json")
    os.mkfifo(fifo)
    rc, out, took = vfiotop(build, ["report", fifo], timeout=10)
    tap(rc == 1 and b"not a regular file" in out and took < 5,
        f"vfiotop report FIFO: refused without waiting ({took:.2f} s)", repr(out))
    rc, out, took = vfiotop(build, ["reports", rdir], timeout=10)
    tap(rc == 0 and not raw_escapes(out) and b"OWNED" in out and took < 5,
        f"vfiotop reports: a FIFO among the reports does not hang it, names escaped "
        f"({took:.2f} s)", repr(out))
    rc, out, _ = vfiotop(build, ["report", "/dev/zero"])
    tap(rc == 1 and b"not a regular file" in out, "vfiotop report /dev/zero: refused", repr(out))
    big = os.path.join(tmp, "big.json")
    with open(big, "w") as f:
        f.write('{"report_version": 1, "explanation": "')
        f.truncate(500 << 20)  # sparse: costs no disk
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    rc, out, took = vfiotop(build, ["report", big], timeout=60)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    tap(rc == 1 and b"larger than 64 MiB" in out and rss < 100 * 1024,
        f"vfiotop report of 500 MB: refused ({took:.2f} s, children's max RSS "
        f"{max(rss, before) / 1024:.0f} MiB)", repr(out))
    os.unlink(big)
    deep = os.path.join(tmp, "deep.json")
    with open(deep, "w") as f:
        f.write('{"report_version": 1, "explanation": "x", "waits": ' + "[" * 100000 +
                "]" * 100000 + "}")
    rc, out, _ = vfiotop(build, ["report", deep])
    tap(rc == 1 and b"not a vfiotop stall report" in out,
        "vfiotop report nested 100000 deep: refused, no crash", repr(out[-300:]))


def test_fd_budget(build, tmp):
    """Socket clients get the fds that HTTP connections and BPF objects leave."""
    def free_port():
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    def slots(name, extra):
        sock = os.path.join(tmp, name, "sock")
        log = os.path.join(tmp, name + ".log")
        proc = subprocess.Popen([f"{build}/vfiotopd", "--no-pin", "--no-reports", "-s", sock] + extra,
                                stdout=subprocess.DEVNULL, stderr=open(log, "w"),
                                preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE,
                                                                      (1500, 1500)))
        wait_for(lambda: os.path.exists(sock) or proc.poll() is not None)
        proc.terminate()
        proc.wait(timeout=10)
        stopped.append((name, proc.returncode))
        m = re.search(r"serving (\d+) clients at once", open(log).read())
        return int(m.group(1)) if m else 1024
    plain = slots("fd-plain", [])
    two = slots("fd-http", ["--listen", f"127.0.0.1:{free_port()}",
                            "--listen", f"127.0.0.1:{free_port()}"])
    # 256 for BPF objects and files, 128 + 64 + 8 per HTTP server
    tap(plain == 1024 and two == 1500 - 256 - 2 * 200,
        f"1500 fds allowed: 1024 socket clients alone, {two} beside two HTTP servers' 400")


def main():
    build = os.path.abspath(sys.argv[1])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    tmp = tempfile.mkdtemp(prefix="vfiotop-local-")
    os.chmod(tmp, 0o755)  # other users reach the socket folders; those decide
    try:
        test_hoarding(build, tmp)
        test_files(build, tmp)
        test_json_lines_stall(build, tmp)
        test_json_lines_shared_file(build, tmp)
        test_fd_budget(build, tmp)
        test_terminal(build, tmp)
        bad = [(n, rc) for n, rc in stopped if rc != 0]
        tap(stopped and not bad, f"every daemon attacked exited 0 on SIGTERM ({len(stopped)})", bad)
        found = [n for n in os.listdir(tmp) if n.endswith(".log") and
                 any(w in open(os.path.join(tmp, n), errors="replace").read()
                     for w in ("Sanitizer", "runtime error"))]
        tap(not found, "no sanitizer report in any daemon's log", found)
    finally:
        subprocess.run(["rm", "-rf", tmp])
    print(f"# {sum(results)} of {len(results)} passed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
