// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listen_addr.h"

static int parse_port(const char *s, unsigned short *port)
{
	char *end;
	unsigned long v;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 5)
		return -1;
	v = strtoul(s, &end, 10);
	if (*end || v == 0 || v > 65535)
		return -1;
	*port = v;
	return 0;
}

int listen_addr_parse(const char *spec, struct listen_addr *out, char *err, size_t errlen)
{
	char host[64] = "127.0.0.1";
	const char *port_s = spec, *colon;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&out->ss;
	unsigned short port;
	size_t hlen;

	memset(out, 0, sizeof(*out));
	if (!spec || !*spec || strlen(spec) > 60) {
		snprintf(err, errlen, "--listen wants PORT, HOST:PORT or [IPV6]:PORT");
		return -1;
	}
	if (spec[0] == '[') {
		const char *close = strchr(spec, ']');

		if (!close || close[1] != ':') {
			snprintf(err, errlen, "--listen '%s': an IPv6 address is written [ADDR]:PORT",
				 spec);
			return -1;
		}
		hlen = close - spec - 1;
		memcpy(host, spec + 1, hlen);
		host[hlen] = '\0';
		port_s = close + 2;
	} else if ((colon = strrchr(spec, ':'))) {
		hlen = colon - spec;
		if (memchr(spec, ':', hlen)) {
			snprintf(err, errlen, "--listen '%s': write an IPv6 address as [ADDR]:PORT",
				 spec);
			return -1;
		}
		if (hlen) {
			memcpy(host, spec, hlen);
			host[hlen] = '\0';
		}
		port_s = colon + 1;
	}
	if (parse_port(port_s, &port)) {
		snprintf(err, errlen, "--listen '%s': the port must be a number from 1 to 65535",
			 spec);
		return -1;
	}
	if (!strcmp(host, "localhost"))
		strcpy(host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		out->len = sizeof(*in4);
		out->loopback = (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
		snprintf(out->text, sizeof(out->text), "%s:%u", host, port);
	} else if (spec[0] == '[' && inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		out->len = sizeof(*in6);
		out->loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
		snprintf(out->text, sizeof(out->text), "[%s]:%u", host, port);
	} else {
		snprintf(err, errlen,
			 "--listen '%s': '%s' is not a numeric IPv4 or [IPv6] address (or localhost)",
			 spec, host);
		return -1;
	}
	return 0;
}

bool listen_addr_overlap(const struct listen_addr *a, const struct listen_addr *b)
{
	if (a->ss.ss_family != b->ss.ss_family)
		return false;
	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)&a->ss, *y = (const void *)&b->ss;

		return x->sin_port == y->sin_port &&
		       (x->sin_addr.s_addr == y->sin_addr.s_addr ||
			x->sin_addr.s_addr == htonl(INADDR_ANY) ||
			y->sin_addr.s_addr == htonl(INADDR_ANY));
	}
	if (a->ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)&a->ss, *y = (const void *)&b->ss;

		return x->sin6_port == y->sin6_port &&
		       (IN6_ARE_ADDR_EQUAL(&x->sin6_addr, &y->sin6_addr) ||
			IN6_IS_ADDR_UNSPECIFIED(&x->sin6_addr) ||
			IN6_IS_ADDR_UNSPECIFIED(&y->sin6_addr));
	}
	return false;
}
