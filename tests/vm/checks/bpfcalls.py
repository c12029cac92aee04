"""The daemon reads its maps without a map syscall: one would hold
bpf_prog_active on its CPU, and kprobe programs of tasks run there meanwhile
would be skipped (src/capture/map_read.h)."""
import re

# bpf() commands that hold bpf_prog_active (bpf_disable_instrumentation()):
# lookup, update, delete, lookup-and-delete, and their batches
MAP_ACCESS = {1: "MAP_LOOKUP_ELEM", 2: "MAP_UPDATE_ELEM", 3: "MAP_DELETE_ELEM",
              21: "MAP_LOOKUP_AND_DELETE_ELEM", 24: "MAP_LOOKUP_BATCH",
              25: "MAP_LOOKUP_AND_DELETE_BATCH", 26: "MAP_UPDATE_BATCH", 27: "MAP_DELETE_BATCH"}
ITER_CREATE = 33


def bpfcalls(text):
    """{cmd: calls} the daemon's threads made, from vt_bpfcalls_dump; None if the
    dump is missing."""
    if text is None:
        return None
    threads = {int(f[1]) for f in (l.split() for l in text.splitlines())
               if len(f) == 2 and f[0] == "thread" and f[1].isdigit()}
    calls = {}
    for m in re.finditer(r"common_pid:.*?\[\s*(\d+)\],\s*cmd:\s*(\d+)\s*\}\s*hitcount:\s*(\d+)",
                         text):
        if int(m.group(1)) in threads:
            calls[int(m.group(2))] = calls.get(int(m.group(2)), 0) + int(m.group(3))
    return calls


def check_map_syscalls(t, blocks):
    """From the idle snapshot to the running one: three workloads, their snapshots."""
    calls = bpfcalls(blocks.get(("bpfcalls", "steady")))
    print(f"# bpf() commands the daemon made while steady: {calls}")
    calls = calls or {}
    t.ok(calls.get(ITER_CREATE, 0) > 0,
         "map reads: the daemon read the DMA processes through their iterator while steady",
         f"bpf() commands by number: {calls}")
    t.eq({MAP_ACCESS[c]: n for c, n in calls.items() if c in MAP_ACCESS}, {},
         "map reads: no map lookup, update or batch syscall while steady "
         "(each holds off kprobe programs on its CPU)")
