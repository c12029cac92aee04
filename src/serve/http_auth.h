/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Basic auth for the HTTP exporter without stalling the daemon's loop: a
 * bcrypt check takes about 55 ms (cost 10), so one worker thread does them
 * while the loop goes on (the connection waits, suspended). A password that
 * passed is remembered per user as an HMAC under a key drawn at start, so a
 * scraper's next requests are answered at once; the worker takes at most
 * AUTH_BURST checks at once and AUTH_RATE a second beyond them, which bounds
 * both guessing and the CPU an attacker gets; past that, 429.
 */
#ifndef VFIOTOP_HTTP_AUTH_H
#define VFIOTOP_HTTP_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "web_config.h"

#define AUTH_BURST	8	/* checks queued or in the bucket at once */
#define AUTH_RATE	4	/* checks a second after the burst: 22% of a core at cost 10 */

enum auth_verdict {
	AUTH_OK,	/* a remembered password: serve */
	AUTH_DENIED,	/* no or malformed credentials: 401 now */
	AUTH_BUSY,	/* too many checks lately: 429 */
	AUTH_PENDING,	/* the worker checks it: the verdict comes to done() */
};

/* A token bucket: AUTH_BURST tokens, AUTH_RATE more a second. Pure, for the tests. */
struct auth_bucket {
	uint64_t tokens_x1000;	/* thousandths of a check */
	uint64_t last_ns;
};

void auth_bucket_init(struct auth_bucket *b, uint64_t now_ns);
bool auth_bucket_take(struct auth_bucket *b, uint64_t now_ns);

struct http_auth;

/* called from the worker thread with a check's verdict */
typedef void (*auth_done_fn)(void *tag, bool ok, void *ctx);

/* wc must outlive it. The worker starts with the first check (after the daemon dropped privileges). */
struct http_auth *http_auth_new(const struct web_config *wc, auth_done_fn done, void *ctx);
/*
 * header: the Authorization header's value, or NULL. AUTH_PENDING: the check
 * is held for tag until http_auth_submit(), so the caller can make ready
 * (suspend the request) before done(tag) may come. One thread calls these two.
 */
enum auth_verdict http_auth_check(struct http_auth *a, const char *header, uint64_t now_ns,
				  void *tag);
void http_auth_submit(struct http_auth *a);
/* Stops the worker; every check not finished gets done(tag, false, ctx). */
void http_auth_free(struct http_auth *a);

#endif
