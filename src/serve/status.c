// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include "status.h"

const char *const lost_cause_names[LOST_CAUSES] = {
	[LOST_RINGBUF_FULL] = "ringbuf_full",
	[LOST_DEVICE_MAP_FULL] = "device_map_full",
	[LOST_FAULT_EXIT_MISSED] = "fault_exit_missed",
	[LOST_PROGRAM_RECURSION] = "program_recursion",
	[LOST_MALFORMED_RECORD] = "malformed_record",
	[LOST_VECTOR_MAP_FULL] = "vector_map_full",
	[LOST_ACCESS_EXIT_MISSED] = "access_exit_missed",
};

uint64_t lost_events(const struct daemon_status *st, enum lost_cause cause)
{
	switch (cause) {
	case LOST_RINGBUF_FULL:
		return st->self.ringbuf_drops;
	case LOST_DEVICE_MAP_FULL:
		return st->self.devmap_full;
	case LOST_FAULT_EXIT_MISSED:
		return st->self.exits_missed;
	case LOST_PROGRAM_RECURSION:
		return st->prog_misses;
	case LOST_MALFORMED_RECORD:
		return st->records_malformed;
	case LOST_VECTOR_MAP_FULL:
		return st->self.vecmap_full;
	case LOST_ACCESS_EXIT_MISSED:
		return st->self.access_exits_missed;
	case LOST_CAUSES:
		break;
	}
	return 0;
}

bool daemon_attached(const struct daemon_status *st)
{
	return st->state && !strcmp(st->state, DAEMON_ATTACHED);
}

int status_hook_count(const struct daemon_status *st, bool attached)
{
	int n = 0;

	for (int i = 0; i < st->n_hooks; i++)
		n += st->hooks[i].selected && st->hooks[i].attached == attached;
	return n;
}

uint64_t status_json_lines_dropped(const struct daemon_status *st)
{
	return st->json_lines_dropped ? *st->json_lines_dropped : 0;
}

uint64_t status_kernel_memory(const struct daemon_status *st)
{
	uint64_t total = 0;

	for (int i = 0; i < st->n_maps; i++)
		total += st->maps[i].bytes;
	return total;
}
