// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdio.h>
#include <string.h>

#include "device_values.h"
#include "json_util.h"
#include "names.h"
#include "pci_json.h"

void reset_how_json(struct json_writer *w, const struct device *d)
{
	const struct vtop_dev_stats *s = &d->stats;
	char err[16];

	jw_keyed_counts(w, "by_pci_method", &pci_reset_keys, s->resets_by_how);
	jw_object(w, "attempts");
	for (unsigned int i = 0; i < pci_attempt_keys.n; i++) {
		unsigned int m = key_index(&pci_attempt_keys, i);

		jw_object(w, pci_attempt_keys.name(m));
		jw_u64(w, "count", s->reset_attempts[m]);
		jw_u64(w, "failed", s->reset_attempts_failed[m]);
		jw_object_end(w);
	}
	jw_object_end(w);
	jw_str(w, "last_pci_method", d->last_reset_ns ? pci_reset_name(d->last_reset_how) : "");
	/* "ENOTTY": no method of the device worked; "" after a reset that did */
	jw_str(w, "last_error", d->last_reset_ret < 0 ?
	       errno_name(-d->last_reset_ret, err, sizeof(err)) : "");
	jw_object(w, "ready_wait");
	jw_u64(w, "count", s->reset_waits);
	jw_u64(w, "failed", s->reset_waits_failed);
	jw_u64(w, "time_ns", s->reset_wait_ns_sum);
	jw_u64(w, "max_ns", s->reset_wait_ns_max);
	jw_u64(w, "last_ns", d->last_reset_wait_ns);
	jw_object_end(w);
}

void power_json(struct json_writer *w, const struct device *d, uint64_t now_ns)
{
	const struct vtop_dev_stats *s = &d->stats;

	jw_object(w, "power");
	jw_str(w, "state", device_power_state(d));
	jw_u64(w, "in_state_ns", device_power_in_state_ns(d, now_ns));
	jw_keyed_counts(w, "transitions", &power_state_keys, s->power_transitions);
	jw_u64(w, "requested", s->power_requested);
	jw_u64(w, "failed", s->power_failures);
	jw_object(w, "time_ns");
	for (unsigned int st = 0; st < VTOP_PWR_MAX; st++)
		jw_u64(w, power_state_name(st), device_power_time_ns(d, st, now_ns));
	jw_object_end(w);
	jw_object_end(w);
}
