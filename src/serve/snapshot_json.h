/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The snapshot document (docs/json.md): what `vfiotop --json` prints. */
#ifndef VFIOTOP_SNAPSHOT_JSON_H
#define VFIOTOP_SNAPSHOT_JSON_H

#include <json-c/json.h>

#include "devices.h"
#include "status.h"

json_object *snapshot_build(const struct daemon_status *st, const struct device_table *t);
/* The whole document as one string; the caller frees it. NULL on ENOMEM. */
char *snapshot_render(const struct daemon_status *st, const struct device_table *t,
		      bool pretty);
/*
 * The same; without details, pids, comms and addresses are left out (what
 * HTTP serves to a client that did not authenticate: docs/json.md).
 */
char *snapshot_render_for(const struct daemon_status *st, const struct device_table *t,
			  bool pretty, bool details);

#endif
