"""Issue 23: the daemon's capabilities, per thread and per phase."""
import json
import re


CAP_NAMES = {0: "chown", 1: "dac_override", 2: "dac_read_search", 6: "setgid", 7: "setuid",
             8: "setpcap", 12: "net_admin", 19: "sys_ptrace", 21: "sys_admin", 24: "sys_resource",
             38: "perfmon", 39: "bpf"}
CAPS_KEPT = 1 << 39 | 1 << 38 | 1 << 21 | 1 << 19 | 1 << 2
CAPS_SCANS = 1 << 19 | 1 << 2


def caps_between(model):
    """In effect between attaches: the /proc scans' two. From 6.1 on __sys_bpf()
    gates only map creation and program loading on CAP_BPF, so the daemon's try of a
    map read without it must have worked."""
    return CAPS_SCANS


def caps_block(text):
    """(pid, {tid: (comm, CapPrm, CapEff)}, {cap: hits} of those tids, the tids that
    asked) from vt_caps_dump."""
    pid, threads, asked, askers = None, {}, {}, set()
    for line in (text or "").splitlines():
        f = line.split()
        if f[:1] == ["pid"] and len(f) == 2:
            pid = int(f[1])
        elif f[:1] == ["thread"] and len(f) == 5:
            threads[int(f[1])] = (f[2], int(f[3], 16), int(f[4], 16))
    for m in re.finditer(r"common_pid:.*?\[\s*(\d+)\],\s*cap:\s*(\d+)\s*\}\s*hitcount:\s*(\d+)",
                         text or ""):
        if int(m.group(1)) in threads:
            cap = int(m.group(2))
            asked[cap] = asked.get(cap, 0) + int(m.group(3))
            askers.add(int(m.group(1)))
    return pid, threads, asked, askers


def cap_names(mask_or_dict):
    caps = mask_or_dict if isinstance(mask_or_dict, dict) else \
        {c: 0 for c in range(64) if mask_or_dict >> c & 1}
    return " ".join(CAP_NAMES.get(c, str(c)) + (f"x{n}" if n else "")
                    for c, n in sorted(caps.items())) or "none"


def check_capabilities(t, blocks, model):
    """Issue 23: what each thread holds after (re-)attaching, and what attaching asks for."""
    want_eff = caps_between(model)
    for label in ("attach", "steady", "reattach"):
        _, _, asked, _ = caps_block(blocks.get(("caps", label)))
        print(f"# capabilities the daemon asked for, {label}: {cap_names(asked)}")
    for label in ("attach", "reattach"):
        pid, threads, asked, _ = caps_block(blocks.get(("caps", label)))
        t.ok({39, 38, 21} <= set(asked), f"capabilities: {label}ing asks for bpf, perfmon and "
             f"sys_admin, which is why they stay permitted ({cap_names(asked)})")
        main = threads.get(pid, ("", 0, 0))
        t.eq((hex(main[1]), hex(main[2])), (hex(CAPS_KEPT), hex(want_eff)),
             f"capabilities: after {label}ing, the main thread keeps {cap_names(CAPS_KEPT)}, "
             f"in effect {cap_names(want_eff)}")
    pid, threads, _, askers = caps_block(blocks.get(("caps", "steady")))
    others = {tid: v for tid, v in threads.items() if tid != pid}
    want = {tid: (1 << 19, 1 << 19) if comm == "vfiotopd-names" else (0, 0)
            for tid, (comm, _, _) in others.items()}
    t.ok({tid: v[1:] for tid, v in others.items()} == want and
         "vfiotopd-names" in {v[0] for v in others.values()} and not askers - {pid},
         "capabilities: the VM names' thread keeps sys_ptrace, the HTTP server's none, "
         "and none of them asked for one",
         json.dumps({tid: [v[0], hex(v[1]), hex(v[2])] for tid, v in others.items()}))
