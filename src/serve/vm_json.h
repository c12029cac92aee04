/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The VM behind a process (aggregate/vm_ident.h) as docs/json.md shows it. */
#ifndef VFIOTOP_VM_JSON_H
#define VFIOTOP_VM_JSON_H

#include "json_writer.h"
#include "vm_ident.h"

/* "vm": {name, source, qemu_name, unit, container, pod}, "" where unknown */
void vm_json(struct json_writer *w, const struct vm_ident *vm);

#endif
