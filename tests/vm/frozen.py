#!/usr/bin/env python3
"""Where a frozen guest's vCPUs stood: boot.sh's frozen.txt (QEMU's `info
registers -a`), each RIP named from the kernel's System.map, moved by the KASLR
offset the guest said at start (@@VT KTEXT). Prints TAP comment lines.
    frozen.py FROZEN_TXT RESULTS_TXT KERNEL_DIR
"""
import bisect
import glob
import os
import re
import sys


def system_map(kdir):
    for path in glob.glob(os.path.join(kdir, "**", "System.map-*"), recursive=True):
        syms = []
        with open(path) as f:
            for line in f:
                addr, kind, name = (line.split() + ["", "", ""])[:3]
                if kind.lower() in ("t", "w"):
                    syms.append((int(addr, 16), name))
        syms.sort()
        text = next((a for a, n in syms if n == "_text"), None)
        return syms, text
    return [], None


def main():
    frozen, results, kdir = sys.argv[1:4]
    text = open(frozen, errors="replace").read().replace("\r", "")
    ktext = None
    for line in open(results, errors="replace"):
        if line.startswith("@@VT KTEXT "):
            ktext = int(line.split()[2], 16) if len(line.split()) > 2 else None
    syms, map_text = system_map(kdir)
    addrs = [a for a, _ in syms]
    print(f"#   {text.splitlines()[0] if text else 'no frozen.txt'}")
    for cpu, rip in re.findall(r"CPU#(\d+)\s.*?[RE]IP=([0-9a-f]+)", text, re.S):
        rip = int(rip, 16)
        where = "?"
        if syms and ktext is not None and map_text is not None:
            at = rip - (ktext - map_text)
            i = bisect.bisect_right(addrs, at) - 1
            if i >= 0:
                where = f"{syms[i][1]}+0x{at - syms[i][0]:x}"
        print(f"#   CPU#{cpu}: RIP {rip:016x} {where}")
    for line in text.splitlines():
        if line.startswith("* CPU") or line.startswith("  CPU"):
            print(f"#   {line.strip()}")


if __name__ == "__main__":
    sys.exit(main())
