// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <stddef.h>
#include <xxhash.h>

#include "device_hash.h"

uint64_t device_content_hash(const struct device *d)
{
	uint64_t h = XXH3_64bits(d, offsetof(struct device, identity_ms));

	h = XXH3_64bits_withSeed(d->owners, d->n_owners * sizeof(*d->owners), h);
	return XXH3_64bits_withSeed(d->vectors, d->n_vectors * sizeof(*d->vectors), h);
}
