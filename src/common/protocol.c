// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <json-c/json.h>
#include <string.h>

#include "protocol.h"

static bool word_is(const char *w, size_t n, const char *lit)
{
	return strlen(lit) == n && !memcmp(w, lit, n);
}

enum parse_result protocol_parse(const char *buf, size_t len, struct request *req,
				 const char **err)
{
	const char *nl = memchr(buf, '\n', len), *p, *end, *words[3];
	size_t wlen[3];
	int n = 0;

	if (!nl) {
		/* a trailing '\r' may still be followed by its '\n' */
		if (len - (len && buf[len - 1] == '\r') >= PROTOCOL_MAX_REQUEST) {
			*err = "request too long";
			return PARSE_ERROR;
		}
		return PARSE_INCOMPLETE;
	}
	end = nl;
	if (end > buf && end[-1] == '\r')
		end--;
	if (end - buf >= PROTOCOL_MAX_REQUEST) {
		*err = "request too long";
		return PARSE_ERROR;
	}
	for (p = buf; p < end; p++) {
		if ((unsigned char)*p < 0x20 && *p != ' ' && *p != '\t') {
			*err = "request contains control characters";
			return PARSE_ERROR;
		}
	}
	for (p = buf; p < end;) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		if (n == 3) {
			*err = "too many words in request";
			return PARSE_ERROR;
		}
		words[n] = p;
		while (p < end && *p != ' ' && *p != '\t')
			p++;
		wlen[n] = p - words[n];
		n++;
	}
	memset(req, 0, sizeof(*req));
	req->peer_uid = (uid_t)-1;	/* nobody, until the server says who */
	if (n == 0) {
		*err = "empty request";
		return PARSE_ERROR;
	}
	if (word_is(words[0], wlen[0], "snapshot")) {
		req->kind = REQ_SNAPSHOT;
		for (int i = 1; i < n; i++) {
			if (!word_is(words[i], wlen[i], "pretty")) {
				*err = "unknown snapshot option (known: pretty)";
				return PARSE_ERROR;
			}
			req->pretty = true;
		}
		return PARSE_OK;
	}
	if (n == 1 && word_is(words[0], wlen[0], "ping")) {
		req->kind = REQ_PING;
		return PARSE_OK;
	}
	if (n == 1 && word_is(words[0], wlen[0], "version")) {
		req->kind = REQ_VERSION;
		return PARSE_OK;
	}
	if (n == 1 && word_is(words[0], wlen[0], "release")) {
		req->kind = REQ_RELEASE;
		return PARSE_OK;
	}
	*err = "unknown request (known: snapshot [pretty], ping, version, release)";
	return PARSE_ERROR;
}

char *protocol_error_json(const char *msg)
{
	json_object *o = json_object_new_object();
	char *s;

	json_object_object_add(o, "error", json_object_new_string(msg));
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}
