#!/usr/bin/env python3
"""make bench's report (tests/bench/report.py): its comparison of two runs
(a ratio whose median lies in the other run's range is reproduced, ranges
that only overlap are within the spread, apart ones are not reproduced) and
the daemon's kernel memory read from its log.

  bench-report.py     TAP
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import report  # noqa: E402

results = []


def check(ok, what):
    results.append((bool(ok), what))


def row(text, name):
    return next((l for l in text.splitlines() if l.startswith(f"| {name} |")), "")


prev = {"generated": "2026-12-01, abc1234",
        "ratios": {"a": [0.2, 0.3, 0.4], "b": [0.1, 0.2, 0.3], "c": [0.1, 0.15, 0.2],
                   "cpu": [1.5], "gone": [1.0, 2.0]}}
now = {"a": [0.25, 0.35, 0.5], "b": [0.28, 0.5, 0.6], "c": [0.3, 0.4, 0.5],
       "cpu": [1.25], "new": [1.0, 1.1]}
text = report.reproduction(prev, now)
check("2026-12-01, abc1234" in text, "names the previous run")
check(row(text, "a").endswith("| reproduced |"), "median 0.35 within 0.2–0.4: reproduced")
check(row(text, "b").endswith("| within the spread |"),
      "0.2 (0.1–0.3) against 0.5 (0.28–0.6): ranges overlap, medians outside: within the spread")
check(row(text, "c").endswith("| **not reproduced** |"), "0.1–0.2 against 0.3–0.5: not reproduced")
check(row(text, "cpu") == "| cpu | 1.50 | 1.25 | -0.25 points |", "one value per boot: shown, not judged")
check(row(text, "gone").endswith("| not in both runs |") and
      row(text, "new").endswith("| not in both runs |"), "a ratio only one run has")
check("1 reproduced, 1 within the spread, 1 **not reproduced**." in text, "the closing count")
check("next `make bench` compares" in report.reproduction(None, now), "no previous run: says so")


class Boot:
    blocks = {("log", "vfiotopd"): "vfiotopd[1.0] info: BPF maps hold 4254 KiB of kernel memory; "
              "dev_hot 484 KiB of it: 1024 device slots x 240 bytes x 2 possible CPUs; "
              "dev_rare 1676 KiB: 1024 x 1672 bytes\n"}


km = report.kernel_memory(Boot())
check(km == (4254, 484, 1024, 240, 2), "kernel memory read from the daemon's log line")
check(abs(report.kernel_memory_at(km, 256) - (4254 - 484 + 240 * 256) / 1024) < 1e-9,
      "kernel memory projected to 256 CPUs: only dev_hot grows")
check(report.kernel_memory(None) is None, "no device boot: no kernel memory")

print(f"1..{len(results)}")
for i, (ok, what) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - bench report: {what}")
sys.exit(0 if all(ok for ok, _ in results) else 1)
