"""The checks of one VM run (tests/vm/check.py), by concern: results.py reads
the guest's framed blocks, models.py turns a workload's ground truth into the
counts each kernel's model expects, scenario.py runs the phases of
tests/vm/scenarios/full.sh in order, plan.py pads a run to its PLAN."""
