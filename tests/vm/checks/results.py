"""Reading results.txt: the guest's `@@VT BEGIN KIND LABEL` ... `@@VT END`
blocks and `@@VT` lines, and the pieces of them the checks look up."""
import json
import re


def parse_results(path):
    blocks, lines, cur, cur_lines = {}, [], None, []
    with open(path, errors="replace") as f:
        for raw in f:
            line = raw.rstrip("\r\n")
            if cur is not None:
                if line == "@@VT END":
                    blocks[cur] = "\n".join(cur_lines)
                    cur = None
                else:
                    cur_lines.append(line)
                continue
            m = re.match(r"@@VT BEGIN (\S+) (\S+)$", line)
            if m:
                cur, cur_lines = (m.group(1), m.group(2)), []
            elif line.startswith("@@VT "):
                lines.append(line[5:])
    return blocks, lines


def kprobe_counts(text):
    counts = {}
    for line in (text or "").splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            counts[parts[0].split("/")[-1]] = int(parts[1])
    return counts


def kdiff(after, before):
    return {k: after.get(k, 0) - before.get(k, 0) for k in after}


def workload_truth(text):
    """The workload's ground truth: the fields of all its VFIOTOP-WORKLOAD lines."""
    truth = None
    for line in (text or "").splitlines():
        if line.startswith("VFIOTOP-WORKLOAD "):
            truth = {**(truth or {}), **json.loads(line[len("VFIOTOP-WORKLOAD "):])}
    return truth


def snapshot_pair(blocks, before, after):
    """The snapshots labelled before and after, parsed; both {} if either is not JSON."""
    try:
        return (json.loads(blocks.get(("snapshot", before), "")),
                json.loads(blocks.get(("snapshot", after), "")))
    except ValueError:
        return {}, {}


def get(d, path, default=None):
    for k in path.split("."):
        if not isinstance(d, dict) or k not in d:
            return default
        d = d[k]
    return d


def device(snap, bdf):
    for d in (snap or {}).get("devices", []):
        if d.get("bdf") == bdf:
            return d
    return None


def link_ids(text):
    return [l.split(":")[0] for l in (text or "").splitlines() if re.match(r"^\d+: ", l)]
