// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The unix socket's request line, as clients may send anything: whole, and
 * as the server sees it arrive (every prefix, for the first 64 bytes). The
 * error document, also around the raw input as a message.
 */
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"

static void parse(const uint8_t *data, size_t size)
{
	struct request req;
	const char *err = NULL;
	enum parse_result r = protocol_parse((const char *)data, size, &req, &err);

	if (r == PARSE_ERROR) {
		char *json;

		if (!err)
			abort();
		json = protocol_error_json(err);
		if (!json || !strstr(json, "\"error\""))
			abort();
		free(json);
	} else if (r == PARSE_OK && (unsigned)req.kind > REQ_LAST) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *msg;

	parse(data, size);
	for (size_t k = 0; k < size && k < 64; k++) {
		uint8_t *part = malloc(k ? k : 1);	/* exactly k bytes: ASan sees overreads */

		if (!part)
			return 0;
		memcpy(part, data, k);
		parse(part, k);
		free(part);
	}
	/* any bytes as the message: json-c escapes them */
	msg = malloc(size + 1);
	if (!msg)
		return 0;
	memcpy(msg, data, size);
	msg[size] = '\0';
	free(protocol_error_json(msg));
	free(msg);
	return 0;
}
