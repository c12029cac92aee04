"""The packaged unit under systemd as PID 1, and the Debian package."""
import json
import os
import subprocess

from .caps import CAPS_KEPT, caps_between
from .exporters import metric_sums
from .models import MODELS
from .results import device, get, workload_truth

DEFAULT_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "../../../packaging/vfiotopd.default")


def line_value(lines, key):
    return next((l[len(key) + 1:] for l in lines if l.startswith(key + " ")), "")


def check_systemd(t, blocks, lines, states, model):
    """The packaged vfiotopd.service, run by systemd as PID 1."""
    t.eq(line_value(lines, "SYSTEMD_START"), "0", "systemd: systemctl start vfiotopd")
    st = states.get("systemd", [])
    t.ok(len(st) > 3 and st[3] == '"state":"attached"', "systemd: the unit's daemon attaches",
         " ".join(st))
    proc = line_value(lines, "SYSTEMD_PROC").split()
    eff = caps_between(model)
    t.eq(proc, ["CapPrm:", f"{CAPS_KEPT:016x}", "CapEff:", f"{eff:016x}",
                "CapBnd:", f"{CAPS_KEPT:016x}", "NoNewPrivs:", "1"],
         "systemd: only the kept capabilities, of them only the readers' in effect, no_new_privs")
    t.eq(line_value(lines, "SYSTEMD_MODES"), "700 600", "systemd: socket 0600 in a 0700 folder")
    journal = blocks.get(("log", "systemd")) or ""
    t.ok("watching kernel uevents" in journal and "no kernel uevents" not in journal,
         "systemd: the sandboxed unit may read the kernel's uevents (AF_NETLINK)",
         next((l for l in journal.splitlines() if "uevents" in l), "no line about uevents"))
    ws = workload_truth(blocks.get(("workload", "s")))
    try:
        snap = json.loads(blocks.get(("snapshot", "systemd"), ""))
        again = json.loads(blocks.get(("snapshot", "systemd-restarted"), ""))
    except ValueError:
        snap = again = {}
    if t.ok(ws is not None, "systemd: workload s ran"):
        dev = device(snap, ws["bdf"])
        want = MODELS[model](ws)
        want["resets.count"] += 1  # s closed the device before the snapshot
        if model != "whole_vma":
            want["memtype.lookups"] = want["memtype.by_mode.uc-"] = 0
        for field, value in want.items():
            t.eq(get(dev, field), value, f"systemd: s: {field}")
        text = blocks.get(("metrics", "systemd")) or ""
        p = subprocess.run(["promtool", "check", "metrics"], input=text + "\n",
                           capture_output=True, text=True)
        t.ok(p.returncode == 0 and "vfiotop_build_info" in text,
             "systemd: the packaged daemon's /metrics passes promtool check metrics",
             (p.stdout + p.stderr + text[:300])[-1500:])
        sums = metric_sums(blocks.get(("metrics", "systemd")), ws["bdf"])
        t.eq(sums.get("vfiotop_faults_total"), float(get(dev, "faults.count", -1)),
             "systemd: /metrics on 127.0.0.1:10230 (IPAddressAllow=localhost) has the faults")
        after = device(again, ws["bdf"])
        for field in ("faults.count", "zaps.count", "resets.count", "mapped.pages_2m"):
            t.eq(get(after, field), get(dev, field), f"systemd: {field} kept across SIGKILL")
    rs = states.get("systemd-restarted", [])
    t.ok(len(rs) > 3 and rs[3] == '"state":"attached"' and
         line_value(lines, "SYSTEMD_RESTARTS") == "1",
         "systemd: SIGKILL -> restarted by the unit (Restart=on-failure), attached",
         " ".join(rs) + " restarts " + line_value(lines, "SYSTEMD_RESTARTS"))
    t.ok(get(again, "daemon.pid") != get(snap, "daemon.pid") and
         get(again, "daemon.counters_since") == get(snap, "daemon.counters_since"),
         "systemd: a new daemon, the same counters_since (ReadWritePaths=/sys/fs/bpf)")
    # remote scraping (live-host.sh checks it from the host) and each example
    # of the shipped /etc/default/vfiotopd, run under the unit's sandbox
    t.eq(line_value(lines, "REMOTE_DONE"), "done",
         "systemd: the host scraped the unit over TLS with a password, then said so")
    shipped = [l for l in open(DEFAULT_FILE) if l.startswith("#VFIOTOPD_OPTS=")]
    t.eq(line_value(lines, "EXAMPLES"), str(len(shipped)),
         "systemd: every example of /etc/default/vfiotopd was tried")
    tried = [l.split(maxsplit=4) for l in lines if l.startswith("EXAMPLE ")]
    bad = [" ".join(e) + " " + " ".join(states.get(f"example-{e[1]}", []))
           for e in tried if len(e) < 5 or e[2] != "active" or
           states.get(f"example-{e[1]}", [None] * 4)[3] != '"state":"attached"']
    t.ok(tried and not bad,
         f"systemd: each example runs under the unit's sandbox and attaches ({len(tried)})",
         "\n".join(bad))
    check_modprobe(t, blocks, lines, states, model)
    t.eq(line_value(lines, "SYSTEMD_STOP"), "0 inactive", "systemd: systemctl stop")
    # the Debian package (make deb), installed and purged as a user would
    t.eq(line_value(lines, "DEB_INSTALL"), "0",
         "deb: apt-get install ./vfiotop_*.deb in the guest (its postinst starts the unit)")
    t.eq(line_value(lines, "DEB_PURGE"), "0", "deb: apt-get purge vfiotop")
    t.eq(line_value(lines, "DEB_LEFT"), "0 inactive",
         "deb: purge leaves no file, state, pinned map or running daemon behind")


def check_modprobe(t, blocks, lines, states, model):
    """modprobe -r vfio_pci with the unit's daemon attached, as operators
    unload vfio: in the default mode (fentry) through the package's
    modprobe.d rule, and with --kprobe-modules; the daemon attaches again and
    counts on."""
    t.ok(line_value(lines, "DEPMOD") == "0", "modprobe: depmod -a over the test's vfio modules",
         blocks.get(("log", "depmod"), ""))
    # the daemon says so when asked while attached: once per mode
    journal = blocks.get(("log", "systemd")) or ""
    t.ok(journal.count("release asked") == 2,
         "modprobe: the package's modprobe.d rule asked the daemon to let go, in each mode",
         blocks.get(("log", "modprobe-config"), ""))
    for mode in ("default", "kprobe"):
        rc = line_value(lines, f"MODPROBE_R {mode}").split()
        t.ok(rc == ["0"], f"modprobe: {mode}: modprobe -r vfio_pci exits 0 and unloads vfio_pci "
             "and vfio_pci_core, the daemon running",
             " ".join(rc) + "\n" + blocks.get(("log", f"modprobe-{mode}"), ""))
        st = states.get(f"modprobe-{mode}", [])
        t.ok(len(st) > 3 and st[3] == '"state":"attached"' and
             line_value(lines, f"MODPROBE {mode}") == "0",
             f"modprobe: {mode}: the daemon attaches again after modprobe vfio_pci", " ".join(st))
        w = workload_truth(blocks.get(("workload", f"m{mode}")))
        bdf = w["bdf"] if w else ""
        try:
            before = device(json.loads(blocks.get(("snapshot", f"modprobe-{mode}-before"), "")),
                            bdf)
            after = device(json.loads(blocks.get(("snapshot", f"modprobe-{mode}"), "")), bdf)
        except ValueError:
            before = after = {}
        # pages mapped: what every model predicts exactly (faults are not, on 6.12+)
        want_w = MODELS[model](w) if w else {}
        keys = [k for k in ("mapped.pages_4k", "mapped.pages_2m", "mapped.pages_1g")
                if k in want_w]
        got = {k: get(after, k) for k in keys}
        want = {k: get(before, k, 0) + want_w[k] for k in keys}
        t.ok(keys and got == want,
             f"modprobe: {mode}: the device's pages mapped go on from where they were "
             f"(+ workload m{mode}'s)", f"got {got}, want {want}")
