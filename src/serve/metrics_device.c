// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stdbool.h>
#include <stdio.h>

#include "metrics_device.h"
#include "metrics_families.h"

void device_metrics(struct prom_ctx *c)
{
	for (size_t fam = 0; fam < metrics_families_n(); fam++) {
		bool ticks = metrics_family_ticks(fam);

		metrics_family_header(c->f, fam);
		for (size_t i = 0; i < c->n; i++) {
			const struct device_samples *s = c->samples[i];

			if (ticks)
				metrics_family_samples(c->f, fam, c->dev[i], s->labels, c->now_ns);
			else
				fwrite(s->text + s->at[fam], 1, s->at[fam + 1] - s->at[fam], c->f);
		}
	}
}
