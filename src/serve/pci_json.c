// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>

#include "json_util.h"
#include "names.h"
#include "pci_json.h"

void reset_how_json(json_object *resets, const struct device *d)
{
	const struct vtop_dev_stats *s = &d->stats;
	json_object *by = json_object_new_object(), *tried = json_object_new_object();
	json_object *wait = json_object_new_object();
	char err[16];

	for (unsigned int m = 0; m < VTOP_PCIRESET_MAX; m++) {
		json_object *t = json_object_new_object();

		add_u64(by, pci_reset_name(m), s->resets_by_how[m]);
		if (m == VTOP_PCIRESET_UNKNOWN) {
			json_object_put(t);
			continue;
		}
		add_u64(t, "count", s->reset_attempts[m]);
		add_u64(t, "failed", s->reset_attempts_failed[m]);
		json_object_object_add(tried, pci_reset_name(m), t);
	}
	json_object_object_add(resets, "by_pci_method", by);
	json_object_object_add(resets, "attempts", tried);
	add_str(resets, "last_pci_method", d->last_reset_ns ? pci_reset_name(d->last_reset_how) : "");
	/* "ENOTTY": no method of the device worked; "" after a reset that did */
	add_str(resets, "last_error", d->last_reset_ret < 0 ?
		errno_name(-d->last_reset_ret, err, sizeof(err)) : "");
	add_u64(wait, "count", s->reset_waits);
	add_u64(wait, "failed", s->reset_waits_failed);
	add_u64(wait, "time_ns", s->reset_wait_ns_sum);
	add_u64(wait, "max_ns", s->reset_wait_ns_max);
	add_u64(wait, "last_ns", d->last_reset_wait_ns);
	json_object_object_add(resets, "ready_wait", wait);
}

json_object *power_json(const struct device *d, uint64_t now_ns)
{
	const struct vtop_dev_stats *s = &d->stats;
	json_object *p = json_object_new_object(), *into = json_object_new_object();
	json_object *time = json_object_new_object();
	bool known = d->power_known && d->power.state < VTOP_PWR_MAX;
	uint64_t in_state = known && now_ns > d->power.since_ns ? now_ns - d->power.since_ns : 0;

	json_object_object_add(p, "state", known ?
			       json_object_new_string(power_state_name(d->power.state)) : NULL);
	add_u64(p, "in_state_ns", in_state);
	for (unsigned int st = 0; st < VTOP_PWR_MAX; st++) {
		add_u64(into, power_state_name(st), s->power_transitions[st]);
		/* the current state's time runs on until its next change */
		add_u64(time, power_state_name(st),
			s->power_ns[st] + (known && d->power.state == st ? in_state : 0));
	}
	json_object_object_add(p, "transitions", into);
	add_u64(p, "requested", s->power_requested);
	add_u64(p, "failed", s->power_failures);
	json_object_object_add(p, "time_ns", time);
	return p;
}
