// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The unix socket's request line, as clients may send anything. */
#include <stdint.h>
#include <stdlib.h>

#include "protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request req;
	const char *err = NULL;

	if (protocol_parse((const char *)data, size, &req, &err) == PARSE_ERROR)
		free(protocol_error_json(err));
	return 0;
}
