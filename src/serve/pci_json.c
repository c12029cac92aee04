// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>

#include "device_values.h"
#include "json_util.h"
#include "names.h"
#include "pci_json.h"

void reset_how_json(json_object *resets, const struct device *d)
{
	const struct vtop_dev_stats *s = &d->stats;
	json_object *tried = json_object_new_object(), *wait = json_object_new_object();
	char err[16];

	for (unsigned int i = 0; i < pci_attempt_keys.n; i++) {
		unsigned int m = key_index(&pci_attempt_keys, i);
		json_object *t = json_object_new_object();

		add_u64(t, "count", s->reset_attempts[m]);
		add_u64(t, "failed", s->reset_attempts_failed[m]);
		json_object_object_add(tried, pci_attempt_keys.name(m), t);
	}
	json_object_object_add(resets, "by_pci_method", keyed_counts(&pci_reset_keys, s->resets_by_how));
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
	json_object *p = json_object_new_object(), *time = json_object_new_object();
	const char *state = device_power_state(d);

	json_object_object_add(p, "state", state ? json_object_new_string(state) : NULL);
	add_u64(p, "in_state_ns", device_power_in_state_ns(d, now_ns));
	for (unsigned int st = 0; st < VTOP_PWR_MAX; st++)
		add_u64(time, power_state_name(st), device_power_time_ns(d, st, now_ns));
	json_object_object_add(p, "transitions", keyed_counts(&power_state_keys, s->power_transitions));
	add_u64(p, "requested", s->power_requested);
	add_u64(p, "failed", s->power_failures);
	json_object_object_add(p, "time_ns", time);
	return p;
}
