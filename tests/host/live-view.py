#!/usr/bin/env python3
"""Drives vfiotop's live view in a private tmux server and checks the screen.

    live-view.py --vfiotop PATH --socket PATH [--expect-bdf BDF]... [--expect-owner TEXT]
                 [--save DIR] [--timeout SECONDS]

Works against any daemon, real or tests/host/fake-vfiotopd.py: it only reads what
vfiotop draws. Prints one TAP line per check, "ok - live view: ..." or
"not ok - live view: ..." followed by the screen as "# " lines; no plan (the
caller counts). Every check polls until a deadline, so a screen caught half
drawn or a refresh that reorders rows only costs a retry. Exits 1 on any
failure. The tmux server is always killed on exit. --save DIR keeps the screen
each check ended on, as DIR/NN-check.txt.
"""
import argparse
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time

BDF_RE = re.compile(r"^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$")
MARKERS = "\u25bc\u25b2v^"  # descending, ascending; ASCII when the locale is not UTF-8
DESC = "\u25bcv"
SGR_RE = re.compile(r"\x1b\[[0-9;:]*m")
UNITS = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9, "": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12}
NUM_RE = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(ns|us|ms|s|k|M|G|T)?$")

failures = 0
checks = 0
save_dir = None


class Tmux:
    def __init__(self, name, conf):
        self.base = ["tmux", "-L", name, "-f", conf]
        self.target = "lv"

    def run(self, *args):
        return subprocess.run(self.base + list(args), capture_output=True, text=True, timeout=10)

    def start(self, cmd, x, y):
        r = self.run("new-session", "-d", "-s", self.target, "-x", str(x), "-y", str(y), cmd)
        if r.returncode:
            raise RuntimeError("tmux new-session: " + r.stderr.strip())

    def keys(self, *keys, literal=False):
        self.run("send-keys", "-t", self.target, *(["-l"] if literal else []), *keys)

    def screen(self, escapes=False):
        r = self.run("capture-pane", "-p", "-t", self.target, *(["-e"] if escapes else []))
        return r.stdout if r.returncode == 0 else ""

    def pane(self, fmt):
        r = self.run("display-message", "-p", "-t", self.target, fmt)
        return r.stdout.strip() if r.returncode == 0 else None

    def resize(self, x, y):
        self.run("resize-window", "-t", self.target, "-x", str(x), "-y", str(y))

    def kill(self):
        # the server leaves its socket behind: find it while it still answers
        path = self.run("display-message", "-p", "#{socket_path}").stdout.strip()
        self.run("kill-server")
        if path:
            try:
                os.unlink(path)
            except OSError:
                pass


def report(ok, name, screen):
    global failures, checks
    checks += 1
    print(("ok" if ok else "not ok") + " - live view: " + name)
    if save_dir:
        slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")[:60]
        with open(os.path.join(save_dir, "%02d-%s.txt" % (checks, slug)), "w") as f:
            f.write(screen)
    if not ok:
        failures += 1
        for line in screen.rstrip().split("\n"):
            print("# " + line)
    sys.stdout.flush()


def check(tmux, name, pred, timeout, escapes=False):
    """Polls the screen until pred(screen) is true or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        screen = tmux.screen(escapes)
        try:
            ok = bool(pred(screen))
        except (ValueError, IndexError, TypeError, AttributeError):
            ok = False  # half-drawn screen: try again
        if ok or time.monotonic() >= deadline:
            report(ok, name, SGR_RE.sub("", screen))
            return ok
        time.sleep(0.05)


def header(screen):
    """The column header: its tokens, and which one carries the sort marker."""
    for line in screen.split("\n"):
        tokens = line.split()
        if tokens and tokens[0].rstrip(MARKERS) == "BDF":
            return tokens
    return None


def sort_col(tokens):
    marked = [i for i, t in enumerate(tokens) if t[-1] in MARKERS and len(t) > 1]
    return marked[0] if len(marked) == 1 else None


def rows(screen):
    """The device rows, as lists of cells (cells never contain spaces)."""
    return [line.split() for line in screen.split("\n")
            if line.split() and BDF_RE.match(line.split()[0])]


def bdfs(screen):
    return [r[0] for r in rows(screen)]


def sort_key(cell, numeric):
    if not numeric:
        return cell.lower()
    if cell == "-":
        return float("-inf")  # unknown: below every value, as vfiotop sorts it
    m = NUM_RE.match(cell.rstrip("!"))
    return float(m.group(1)) * UNITS[m.group(2) or ""]


def sorted_as_marked(screen):
    tokens = header(screen)
    col = sort_col(tokens)
    rs = rows(screen)
    if col is None or not rs or any(len(r) != len(tokens) for r in rs):
        return False
    cells = [r[col] for r in rs]
    numeric = all(c == "-" or NUM_RE.match(c.rstrip("!")) for c in cells)
    keys = [sort_key(c, numeric) for c in cells]
    if tokens[col][-1] in DESC:
        return all(a >= b for a, b in zip(keys, keys[1:]))
    return all(a <= b for a, b in zip(keys, keys[1:]))


def selected_bdf(tmux):
    """The highlighted row (reverse video), else the first."""
    screen = tmux.screen(escapes=True)
    for line in screen.split("\n"):
        plain = SGR_RE.sub("", line).split()
        if plain and BDF_RE.match(plain[0]) and re.search(r"\x1b\[([0-9;]*;)?7[;m]", line):
            return plain[0]
    found = bdfs(screen)
    return found[0] if found else None


def in_list(screen):
    h = header(screen)
    return h is not None and "FLT/s" in [t.rstrip(MARKERS) for t in h]


def run(args, tmux):
    t = args.timeout
    expect = args.expect_bdf
    cmd = " ".join(shlex.quote(a) for a in [args.vfiotop, "-s", args.socket, "-d", "0.5"])
    # tmux may lose the last output of a pane whose process ends, and does not
    # always learn its exit status: the shell says it, and stays
    cmd += '; echo "vfiotop exited with $?"; exec sleep 600'
    tmux.start(cmd, 160, 40)

    check(tmux, "rows for " + (", ".join(expect) or "some device"),
          lambda s: all(b in bdfs(s) for b in expect) if expect else bdfs(s), t)
    check(tmux, "header shows the columns and one sort marker",
          lambda s: {"BDF", "ID", "OWNER", "STATE", "FLT/s", "P50", "P99", "ZAP/s", "REASON",
                     "MEMTYPE"} <= {x.rstrip(MARKERS) for x in header(s)}
          and sort_col(header(s)) is not None, t)
    check(tmux, "rates known from the second sample on",
          lambda s: rows(s) and all(r[header(s).index(next(
              x for x in header(s) if x.rstrip(MARKERS) == "FLT/s"))] != "-" for r in rows(s)), t)
    if args.expect_owner:
        check(tmux, "owner " + args.expect_owner + " shown",
              lambda s: any(args.expect_owner in " ".join(r) for r in rows(s)), t)

    # sorting: > moves the marker one column right, rows follow; r reverses
    tokens = header(tmux.screen()) or []
    before = sort_col(tokens)
    if before is not None:
        want = tokens[(before + 1) % len(tokens)].rstrip(MARKERS)
        tmux.keys(">")
        check(tmux, "> moves the sort marker to " + want,
              lambda s: header(s)[sort_col(header(s))].rstrip(MARKERS) == want, t)
        check(tmux, "rows follow the " + want + " column", sorted_as_marked, t)
        marker = header(tmux.screen())[sort_col(header(tmux.screen()))][-1]
        tmux.keys("r")
        check(tmux, "r reverses the order of " + want,
              lambda s: header(s)[sort_col(header(s))][-1] != marker and sorted_as_marked(s), t)
        tmux.keys("r")
    else:
        report(False, "a sort marker to start from", tmux.screen())

    # filter: part of one BDF leaves only that device; an empty filter clears it
    shown = bdfs(tmux.screen())
    target = expect[0] if expect else (shown[0] if shown else "0000:00:00.0")
    needle = target.split(":", 1)[1]
    tmux.keys("/")
    check(tmux, "/ opens the filter prompt", lambda s: "filter:" in s.rstrip("\n").split("\n")[-1], t)
    tmux.keys(needle, literal=True)
    tmux.keys("Enter")
    check(tmux, "filter " + needle + " leaves only " + target,
          lambda s: bdfs(s) == [target], t)
    tmux.keys("/")
    tmux.keys("Enter")
    check(tmux, "an empty filter shows every device again",
          lambda s: all(b in bdfs(s) for b in expect) if expect else len(bdfs(s)) >= len(shown), t)

    # detail view of the selected device, and back
    tmux.keys("Home")
    time.sleep(0.05)
    sel = selected_bdf(tmux)
    tmux.keys("Enter")
    check(tmux, "Enter shows the detail view of " + str(sel),
          lambda s: sel and sel in s and "histogram" in s.lower() and "Zaps by reason" in s
          and not in_list(s), t)
    tmux.keys("Escape")
    check(tmux, "Esc returns to the list", in_list, t)

    # help, and any key back
    tmux.keys("h")
    check(tmux, "h shows the keys",
          lambda s: "Keys" in s and "quit" in s and "reverse" in s and "filter" in s
          and not in_list(s), t)
    tmux.keys("x")
    check(tmux, "any key leaves the help", lambda s: in_list(s) and "Keys" not in s, t)

    # small terminal: re-laid out, BDF kept, alive; then big again
    tmux.resize(70, 12)
    check(tmux, "resized to 70x12: alive, BDF column kept, nothing wider",
          lambda s: tmux.pane("#{pane_width} #{pane_dead}") == "70 0" and in_list(s)
          and bdfs(s) and all(len(line) <= 70 for line in s.split("\n")), t)
    tmux.resize(160, 40)
    check(tmux, "resized back to 160x40: every device again",
          lambda s: tmux.pane("#{pane_width}") == "160" and in_list(s)
          and (all(b in bdfs(s) for b in expect) if expect else bdfs(s)), t)

    tmux.keys("q")
    check(tmux, "q exits with status 0",
          lambda s: "vfiotop exited with 0" in s, t)
    check(tmux, "the terminal is restored on exit (list gone from the screen)",
          lambda s: "vfiotop exited with" in s and not in_list(s), t)


def main():
    ap = argparse.ArgumentParser(description="Checks vfiotop's live view in tmux (TAP).")
    ap.add_argument("--vfiotop", required=True)
    ap.add_argument("--socket", required=True)
    ap.add_argument("--expect-bdf", action="append", default=[])
    ap.add_argument("--expect-owner")
    ap.add_argument("--timeout", type=float, default=5.0, help="seconds per check")
    ap.add_argument("--save", metavar="DIR", help="keep each check's last screen here")
    args = ap.parse_args()
    if args.save:
        global save_dir
        os.makedirs(args.save, exist_ok=True)
        save_dir = args.save

    if not shutil.which("tmux"):
        report(False, "tmux is installed", "")
        return 1
    tmp = tempfile.mkdtemp(prefix="vfiotop-lv.")
    conf = os.path.join(tmp, "tmux.conf")
    with open(conf, "w") as f:
        # the dead pane stays to report an exit status; no status line eats a row
        f.write("set -g remain-on-exit on\nset -g status off\n")
    tmux = Tmux("vfiotop-lv-%d" % os.getpid(), conf)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        run(args, tmux)
    except (RuntimeError, subprocess.TimeoutExpired) as e:
        report(False, "tmux runs vfiotop (%s)" % e, "")
    finally:
        tmux.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
