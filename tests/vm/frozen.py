#!/usr/bin/env python3
"""Where a frozen guest's vCPUs stood: boot.sh's frozen.txt (QEMU's `info
registers -a` and each vCPU's `info lapic`), each RIP named from the idle
functions the guest said at start (@@VT KSYM name start end), or from the
kernel's System.map moved by the KASLR offset (@@VT KTEXT) where it has one
(Debian's names nothing). Prints TAP comment lines.
    frozen.py FROZEN_TXT RESULTS_TXT KERNEL_DIR
    frozen.py --idle FROZEN_TXT     exit 0 if every vCPU sat halted with
                                    interrupts on (HLT=1, IF set)

A guest whose every vCPU halts with interrupts on and stays so for minutes
waits for an interrupt the emulator never delivers: its own timers (the
scenario's watchdog among them) stop with it. Seen under multi-threaded TCG
(QEMU 7.2): 6.1, 2026-12-05, both vCPUs in the idle loop after workload a.
No guest code runs then, vfiotop's included; run-tests.sh boots it once more.
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


def vcpus(text):
    """[(cpu, rip, halted, interrupts_on)] from `info registers -a`"""
    out = []
    for cpu, rip, rfl, hlt in re.findall(
            r"CPU#(\d+)\s.*?[RE]IP=([0-9a-f]+) RFL=([0-9a-f]+).*?HLT=(\d)", text, re.S):
        out.append((int(cpu), int(rip, 16), hlt == "1", bool(int(rfl, 16) & 0x200)))
    return out


def all_idle(text):
    cpus = vcpus(text)
    return bool(cpus) and all(h and i for _, _, h, i in cpus)


def namer(results, kdir):
    ktext, ksyms = None, []
    for line in open(results, errors="replace"):
        f = line.split()
        if line.startswith("@@VT KTEXT ") and len(f) > 2:
            ktext = int(f[2], 16)
        elif line.startswith("@@VT KSYM ") and len(f) == 5:
            ksyms.append((f[2], int(f[3], 16), int(f[4], 16)))
    syms, map_text = system_map(kdir)
    addrs = [a for a, _ in syms]

    def name(rip):
        for n, start, end in ksyms:
            if start <= rip < end:
                return f"{n}+0x{rip - start:x}"
        if syms and ktext is not None and map_text is not None:
            at = rip - (ktext - map_text)
            i = bisect.bisect_right(addrs, at) - 1
            if i >= 0:
                return f"{syms[i][1]}+0x{at - syms[i][0]:x}"
        return "?"
    return name


def main():
    if sys.argv[1:2] == ["--idle"]:
        return 0 if all_idle(open(sys.argv[2], errors="replace").read()) else 1
    frozen, results, kdir = sys.argv[1:4]
    text = open(frozen, errors="replace").read().replace("\r", "")
    name = namer(results, kdir)
    print(f"#   {text.splitlines()[0] if text else 'no frozen.txt'}")
    for cpu, rip, halted, intr in vcpus(text):
        print(f"#   CPU#{cpu}: RIP {rip:016x} {name(rip)}"
              f"{', halted' if halted else ''}{', interrupts on' if intr else ', interrupts off'}")
    if all_idle(text):
        print("#   every vCPU halted with interrupts on: waiting for an interrupt that never came")
    for line in text.splitlines():
        if (line.startswith(("* CPU", "  CPU")) or
                re.match(r"\s*(timer|ISR|IRR|LVT\s*T)", line, re.I)):
            print(f"#   {line.strip()}")


if __name__ == "__main__":
    sys.exit(main())
