// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "vm_json.h"

void vm_json(struct json_writer *w, const struct vm_ident *vm)
{
	jw_object(w, "vm");
	jw_str(w, "name", vm->name);
	jw_str(w, "source", vm_source_name(vm->source));
	jw_str(w, "qemu_name", vm->qemu_name);
	jw_str(w, "unit", vm->unit);
	jw_str(w, "container", vm->container);
	jw_str(w, "pod", vm->pod);
	jw_object_end(w);
}
