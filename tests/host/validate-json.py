#!/usr/bin/env python3
"""Validates vfiotop JSON against docs/vfiotop.schema.json; prints TAP lines.

  validate-json.py [--label L] snapshot FILE...   each FILE one snapshot document
  validate-json.py [--label L] lines FILE...      each FILE --json-lines output
  validate-json.py [--label L] results FILE...    snapshots and --json-lines framed in a
                                                  VM results.txt
"""
import json
import os
import re
import sys

import jsonschema

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs",
                      "vfiotop.schema.json")


def validator(defname):
    with open(SCHEMA) as f:
        schema = json.load(f)
    sub = {"$schema": schema["$schema"], "$ref": "#/$defs/" + defname, "$defs": schema["$defs"]}
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(sub)


def report(ok, what, errors):
    print(("ok" if ok else "not ok") + " - " + what)
    for e in errors[:5]:
        print("#   " + "/".join(str(p) for p in e.absolute_path) + ": " + e.message[:300])


def main():
    args = sys.argv[1:]
    label = ""
    if args[:1] == ["--label"]:
        label, args = args[1] + ": ", args[2:]
    kind, files = args[0], args[1:]
    docs = []  # (name, text, which $defs entry)
    for path in files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if kind == "snapshot":
            docs.append((path, text, "snapshot"))
        elif kind == "lines":
            lines = [l for l in text.split("\n") if l]
            if not lines:
                print(f"not ok - {label}{path}: no lines")
            docs += [(f"{path} line {i + 1}", l, "json_line") for i, l in enumerate(lines)]
        elif kind == "results":
            for name, body in re.findall(r"@@VT BEGIN snapshot (\S+)\n(.*?)\n@@VT END", text, re.S):
                docs.append((f"snapshot {name}", body.strip(), "snapshot"))
            for name, body in re.findall(r"@@VT BEGIN lines (\S+)\n(.*?)\n@@VT END", text, re.S):
                docs += [(f"json-lines {name} line {i + 1}", l, "json_line")
                         for i, l in enumerate(body.split("\n")) if l.strip()]
        else:
            sys.exit(f"validate-json.py: unknown kind {kind!r}")
    validators = {d: validator(d) for d in ("snapshot", "json_line")}
    bad = []
    for name, text, defname in docs:
        try:
            errs = list(validators[defname].iter_errors(json.loads(text)))
        except ValueError as e:
            print(f"not ok - {label}{name}: not JSON: {e}")
            continue
        if errs:
            bad.append(name)
            report(False, f"{label}{name} matches the schema", errs)
    if docs:
        report(not bad, f"{label}{len(docs) - len(bad)}/{len(docs)} documents ({kind}) match "
               "docs/vfiotop.schema.json", [])


main()
