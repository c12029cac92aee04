// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <gnutls/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "http_auth.h"
#include "log.h"

#define FP_LEN 32	/* HMAC-SHA256 */

enum slot_state { SLOT_FREE, SLOT_HELD, SLOT_QUEUED, SLOT_RUNNING };

struct slot {
	enum slot_state state;
	uint64_t seq;			/* first come, first checked */
	int user;			/* -1: no such user (checked all the same) */
	char pass[WEB_MAX_PASSWORD + 2];
	size_t pass_len;
	unsigned char fp[FP_LEN];
	void *tag;
	bool ok;
};

struct http_auth {
	const struct web_config *wc;
	auth_done_fn done;
	void *ctx;
	unsigned char key[32];
	bool started;
	pthread_t thread;
	/* shared with the worker, under lock: */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	bool cached[WEB_MAX_USERS];
	unsigned char cache[WEB_MAX_USERS][FP_LEN];
	struct auth_bucket bucket;
	uint64_t seq;
	struct slot slots[AUTH_BURST];
};

void auth_bucket_init(struct auth_bucket *b, uint64_t now_ns)
{
	b->tokens_x1000 = AUTH_BURST * 1000ull;
	b->last_ns = now_ns;
}

bool auth_bucket_take(struct auth_bucket *b, uint64_t now_ns)
{
	if (now_ns > b->last_ns) {
		uint64_t gained = (now_ns - b->last_ns) / 1000000ull * AUTH_RATE;	/* per ms */

		b->tokens_x1000 += gained;
		if (b->tokens_x1000 > AUTH_BURST * 1000ull)
			b->tokens_x1000 = AUTH_BURST * 1000ull;
		/* keep the remainder of a millisecond */
		b->last_ns = now_ns - (now_ns - b->last_ns) % 1000000ull;
	}
	if (b->tokens_x1000 < 1000)
		return false;
	b->tokens_x1000 -= 1000;
	return true;
}

static struct slot *next_queued(struct http_auth *a)
{
	struct slot *first = NULL;

	for (int i = 0; i < AUTH_BURST; i++)
		if (a->slots[i].state == SLOT_QUEUED && (!first || a->slots[i].seq < first->seq))
			first = &a->slots[i];
	return first;
}

static void *worker(void *arg)
{
	struct http_auth *a = arg;

	pthread_setname_np(pthread_self(), "vfiotopd-auth");
	pthread_mutex_lock(&a->lock);
	while (!a->stop) {
		struct slot *s = next_queued(a);
		void *tag;
		bool ok;

		if (!s) {
			pthread_cond_wait(&a->wake, &a->lock);
			continue;
		}
		s->state = SLOT_RUNNING;
		pthread_mutex_unlock(&a->lock);
		ok = web_config_verify(a->wc, s->user, s->pass, s->pass_len);
		pthread_mutex_lock(&a->lock);
		if (ok && s->user >= 0) {
			memcpy(a->cache[s->user], s->fp, FP_LEN);
			a->cached[s->user] = true;
		}
		tag = s->tag;
		explicit_bzero(s->pass, sizeof(s->pass));
		s->state = SLOT_FREE;
		/* outside the lock: done() may resume the request, which may check again */
		pthread_mutex_unlock(&a->lock);
		a->done(tag, ok, a->ctx);
		pthread_mutex_lock(&a->lock);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

struct http_auth *http_auth_new(const struct web_config *wc, auth_done_fn done, void *ctx)
{
	struct http_auth *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->wc = wc;
	a->done = done;
	a->ctx = ctx;
	if (getrandom(a->key, sizeof(a->key), 0) != sizeof(a->key)) {
		free(a);
		return NULL;
	}
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->wake, NULL);
	a->bucket.last_ns = UINT64_MAX;	/* set at the first check */
	return a;
}

/* false when it could not be made: then nothing is cached or matched (fails closed) */
static bool fingerprint(const struct http_auth *a, int user, const char *pass, size_t len,
			unsigned char *fp)
{
	gnutls_hmac_hd_t h;
	unsigned char u = (unsigned char)user;

	memset(fp, 0, FP_LEN);
	if (gnutls_hmac_init(&h, GNUTLS_MAC_SHA256, a->key, sizeof(a->key)) < 0)
		return false;
	if (gnutls_hmac(h, &u, 1) < 0 || gnutls_hmac(h, pass, len) < 0) {
		gnutls_hmac_deinit(h, NULL);
		return false;
	}
	gnutls_hmac_deinit(h, fp);
	return true;
}

static bool same_fp(const unsigned char *x, const unsigned char *y)
{
	unsigned char diff = 0;

	for (int i = 0; i < FP_LEN; i++)
		diff |= x[i] ^ y[i];
	return !diff;
}

/*
 * The worker starts with the first check, not at http_auth_new(): a thread
 * keeps the capabilities it was created with, and the daemon drops its own
 * after opening the listener, before it serves anything.
 */
static bool start_worker(struct http_auth *a)
{
	int err;

	if (a->started)
		return true;
	err = pthread_create(&a->thread, NULL, worker, a);
	if (err) {
		log_warn("http: cannot start the password checker: %s", strerror(err));
		return false;
	}
	a->started = true;
	return true;
}

static struct slot *free_slot(struct http_auth *a)
{
	for (int i = 0; i < AUTH_BURST; i++)
		if (a->slots[i].state == SLOT_FREE)
			return &a->slots[i];
	return NULL;
}

enum auth_verdict http_auth_check(struct http_auth *a, const char *header, uint64_t now_ns,
				  void *tag)
{
	char user[64], pass[WEB_MAX_PASSWORD + 2];
	unsigned char fp[FP_LEN];
	enum auth_verdict v = AUTH_BUSY;
	struct slot *s;
	size_t len;
	int idx;

	if (!web_auth_parse(header, user, sizeof(user), pass, sizeof(pass), &len))
		return AUTH_DENIED;
	idx = web_config_user(a->wc, user);
	if (!fingerprint(a, idx, pass, len, fp)) {
		explicit_bzero(pass, sizeof(pass));
		return AUTH_BUSY;	/* no memory: tell the client to retry */
	}
	pthread_mutex_lock(&a->lock);
	if (a->bucket.last_ns == UINT64_MAX)
		auth_bucket_init(&a->bucket, now_ns);
	if (idx >= 0 && a->cached[idx] && same_fp(fp, a->cache[idx])) {
		v = AUTH_OK;
	} else if ((s = free_slot(a)) && auth_bucket_take(&a->bucket, now_ns) &&
		   start_worker(a)) {
		s->state = SLOT_HELD;	/* queued by http_auth_submit() */
		s->seq = a->seq++;
		s->user = idx;
		memcpy(s->pass, pass, len + 1);
		s->pass_len = len;
		memcpy(s->fp, fp, FP_LEN);
		s->tag = tag;
		v = AUTH_PENDING;
	}
	pthread_mutex_unlock(&a->lock);
	explicit_bzero(pass, sizeof(pass));
	return v;
}

void http_auth_submit(struct http_auth *a)
{
	pthread_mutex_lock(&a->lock);
	for (int i = 0; i < AUTH_BURST; i++)
		if (a->slots[i].state == SLOT_HELD)
			a->slots[i].state = SLOT_QUEUED;
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
}

void http_auth_free(struct http_auth *a)
{
	if (!a)
		return;
	if (a->started) {
		pthread_mutex_lock(&a->lock);
		a->stop = true;
		pthread_cond_signal(&a->wake);
		pthread_mutex_unlock(&a->lock);
		pthread_join(a->thread, NULL);
	}
	for (int i = 0; i < AUTH_BURST; i++) {
		struct slot *s = &a->slots[i];

		if (s->state != SLOT_FREE)
			a->done(s->tag, false, a->ctx);
		explicit_bzero(s->pass, sizeof(s->pass));
	}
	explicit_bzero(a->key, sizeof(a->key));
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->wake);
	free(a);
}
