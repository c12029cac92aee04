"""How many checks a complete run makes: a run that stopped early is padded
with failures up to it."""

# The checks a complete run makes, per model (and under systemd). Which checks
# run depends only on what the workloads did, never on how fast: a complete run
# that makes another number fails, so this cannot go stale.
PLAN = {"whole_vma": 581, "per_page": 580, "huge": 575, "huge7": 579}
PLAN_SYSTEMD = 62


def pay_plan(t, lines, model, systemd):
    plan = PLAN[model] + (PLAN_SYSTEMD if systemd else 0)
    if "DONE" in lines:
        if t.n != plan:
            t.ok(False, f"a complete run makes {plan} checks, this one made {t.n} (update PLAN?)")
        return
    for i in range(plan - t.n):
        t.ok(False, f"check {t.n + 1} not made: the scenario did not finish")
