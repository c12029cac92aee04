#!/usr/bin/env python3
"""The docs' tables of a device's numbers and the schema's device numbers, from
src/common/device_numbers.h (as BUILD/tests/device-numbers prints it).

  device-docs.py BUILD           TAP: each generated part is what the files hold
  device-docs.py --write BUILD   rewrites them (make docs)

Generated: the table between the device-numbers markers in docs/json.md and in
docs/metrics.md; in docs/vfiotop.schema.json, each number's property under
$defs/device_members (type, key set, description) and its place in required.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
BEGIN = "<!-- device-numbers: generated from src/common/device_numbers.h by make docs -->"
END = "<!-- end device-numbers -->"


def shown_path(r):
    """faults.by_origin -> faults.by_origin.<key>; mapped.pages_%s -> mapped.pages_<key>"""
    if "keys" not in r:
        return r["path"]
    if "%s" in r["path"]:
        return r["path"].replace("%s", "<key>")
    return r["path"] + ".<key>"


def keys_text(r):
    return ", ".join("`%s`" % k for k in r["keys"])


def cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def json_table(rows):
    out = ["| number | unit | in `/metrics` | what |", "|---|---|---|---|"]
    for r in rows:
        what = r["help"] + (" " + r["doc"] if r["doc"] else "")
        if "keys" in r:
            what = "By key: %s. %s" % (keys_text(r), what)
        fam = "`%s`" % r["family"] if r["family"] else ""
        out.append("| `%s` | %s | %s | %s |" % (shown_path(r), r["unit"], fam, cell(what)))
    return out


def metrics_table(rows):
    out = ["| metric | type | labels | what |", "|---|---|---|---|"]
    for r in rows:
        if not r["family"]:
            continue
        labels = ""
        if "keys" in r:
            labels = "`%s` = %s" % (r["label"], ", ".join("`%s`" % v for v in r["label_values"]))
            if r["sparse"]:
                labels += " (a sample only where not 0)"
        out.append("| `%s` | %s | %s | %s |" % (r["family"], r["type"], labels, cell(r["help"])))
    return out


def splice(text, lines, name):
    if BEGIN not in text or END not in text:
        raise SystemExit("%s lacks the device-numbers markers" % name)
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return head + BEGIN + "\n" + "\n".join(lines) + "\n" + END + tail


def integer(desc):
    return {"type": "integer", "minimum": 0, "description": desc}


def obj_at(schema, parts):
    """the schema of the object at parts under a device, created if absent"""
    for p in parts:
        props = schema.setdefault("properties", {})
        if p not in props:
            props[p] = {"type": "object", "properties": {}, "required": [],
                        "additionalProperties": False}
        if p not in schema.setdefault("required", []):
            schema["required"].append(p)
        schema = props[p]
    return schema


def put(schema, name, value):
    schema.setdefault("properties", {})[name] = value
    if name not in schema.setdefault("required", []):
        schema["required"].append(name)


def schema_numbers(schema, rows):
    dev = schema["$defs"]["device_members"]
    for r in rows:
        parts = r["path"].split(".")
        if "keys" not in r:
            put(obj_at(dev, parts[:-1]), parts[-1], integer(r["help"]))
        elif r["by_part"]:		# resets.attempts.%s.count: an object per key
            at = parts.index("%s")
            holder = obj_at(dev, parts[:at])
            for k in r["keys"]:
                put(obj_at(holder, [k] + parts[at + 1:-1]), parts[-1], integer(r["help"]))
        elif "%s" in parts[-1]:		# mapped.pages_%s: a member per key beside the others
            holder = obj_at(dev, parts[:-1])
            for k in r["keys"]:
                put(holder, parts[-1].replace("%s", k), integer(r["help"]))
        else:
            put(obj_at(dev, parts[:-1]), parts[-1], {
                "type": "object", "description": r["help"],
                "properties": {k: {"type": "integer", "minimum": 0} for k in r["keys"]},
                "required": list(r["keys"]), "additionalProperties": False})
    return json.dumps(schema, indent=1, ensure_ascii=False) + "\n"


def layout_errors(rows):
    """what the snapshot writer's walk (snapshot_json.c) cannot write: an object
    entered again after it was left (a duplicate key), a path longer than its
    buffers (128 for the open path, 64 a member)"""
    errors, opened, closed = [], [], set()
    for r in rows:
        if r.get("by_part"):	# written by a part, not by the walk
            continue
        path = r["part"] if "part" in r else r["path"]
        obj = path if "part" in r else path.rsplit(".", 1)[0] if "." in path else ""
        parts = [p for p in obj.split(".") if p]
        if len(path) >= 100 or any(len(p) >= 64 for p in path.split(".")):
            errors.append("%s: too long for the writer's buffers" % path)
        while opened and opened != parts[:len(opened)]:
            closed.add(".".join(opened))
            opened.pop()
        for p in parts[len(opened):]:
            opened.append(p)
            if ".".join(opened) in closed:
                errors.append("%s: object %s written twice: keep its rows together" %
                              (path, ".".join(opened)))
    return errors


def main():
    args = sys.argv[1:]
    write = args[:1] == ["--write"]
    if write:
        args = args[1:]
    tool = os.path.join(args[0], "tests", "device-numbers")
    if not os.access(tool, os.X_OK):
        print("not ok - %s is not built: make docs (or make %s) builds it" % (tool, tool))
        return 1
    everything = json.loads(subprocess.check_output([tool]))
    rows = [r for r in everything if "part" not in r]
    errors = layout_errors(everything)
    print("%s - device_numbers.h: each object's rows together, paths the writer can hold" %
          ("not ok" if errors else "ok"))
    for e in errors:
        print("#   " + e)
    files = {
        "docs/json.md": lambda t: splice(t, json_table(rows), "docs/json.md"),
        "docs/metrics.md": lambda t: splice(t, metrics_table(rows), "docs/metrics.md"),
        "docs/vfiotop.schema.json": lambda t: schema_numbers(json.loads(t), rows),
    }
    failed = 0
    for name, make in files.items():
        path = os.path.join(ROOT, name)
        with open(path) as f:
            old = f.read()
        new = make(old)
        if write:
            if new != old:
                with open(path, "w") as f:
                    f.write(new)
                print("wrote " + name)
            continue
        ok = new == old
        failed += not ok
        print("%s - %s: its device numbers are device_numbers.h's%s" %
              ("ok" if ok else "not ok", name, "" if ok else " (run make docs)"))
    return 1 if failed or errors else 0


if __name__ == "__main__":
    sys.exit(main())
