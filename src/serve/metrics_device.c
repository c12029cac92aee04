// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "metrics_device.h"
#include "metrics_families.h"

bool device_metrics(struct prom_ctx *c)
{
	for (size_t fam = 0; fam < metrics_families_n(); fam++) {
		const char *name = metrics_family_name(fam);
		bool ticks = metrics_family_ticks(fam);

		if (!name || (c->exclude && metrics_family_excluded(c->exclude, name, strlen(name))))
			continue;
		metrics_family_header(c->f, fam);
		for (size_t i = 0; i < c->n; i++) {
			const struct device_samples *s = c->samples[i];

			if (ticks)
				metrics_family_samples(c->f, fam, c->dev[i], s->labels, c->now_ns);
			else if (!metrics_doc_ref(c->doc, s->text, s->at[fam],
						  s->at[fam + 1] - s->at[fam]))
				return false;
		}
	}
	return true;
}
