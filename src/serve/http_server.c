// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libmicrohttpd runs in a thread of its own (MHD_USE_EPOLL_INTERNAL_THREAD):
 * accepts, TLS handshakes, slow clients and requests waiting for a password
 * check never hold up the daemon's loop. A request for a document is
 * suspended and handed to the loop (on_render), which owns the model; the
 * loop resumes it with the body.
 */
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "evloop.h"
#include "http_auth.h"
#include "http_server.h"
#include "log.h"
#include "metrics_prom.h"
#include "mono_clock.h"

/*
 * A connection, from accept to close (libmicrohttpd's socket context): made
 * and freed in the HTTP thread; its fields are read and written under the
 * server's lock, from any thread.
 */
struct http_conn {
	struct http_conn *prev, *next;	/* oldest first */
	struct http_conn *next_render;	/* waiting for the daemon's loop */
	struct MHD_Connection *mhd;
	int fd;
	uint64_t idle_since_ns;		/* accepted, or its last request answered */
	bool in_request;		/* headers in, not yet answered */
	bool served_one;
	bool evicted;
	enum { AUTH_NONE, AUTH_WAITING, AUTH_PASSED, AUTH_FAILED } auth;
	/* a document the daemon's loop renders for it */
	enum { RENDER_NONE, RENDER_QUEUED, RENDER_DONE } render;
	enum http_doc doc;
	bool pretty, details;
	struct http_body body;
};

struct http_server {
	struct ev_handler render_ev;
	struct MHD_Daemon *mhd;
	int epfd, listen_fd, render_fd;
	const struct listen_addr *addr;
	http_render_fn render;
	void *ctx;
	const struct web_config *wc;
	struct http_auth *auth;
	char last_log[256];
	pthread_mutex_t lock;		/* the connections and the fields below */
	struct http_conn *oldest, *newest;
	struct http_conn *renders;	/* queued for the daemon's loop */
	int n_conns;
	bool closing;			/* http_close: no callback starts any more work */
	int in_calls;			/* on_request calls running in the HTTP thread */
	pthread_cond_t calls_done;
};

static const char index_text[] =
	"vfiotopd: eBPF observability for vfio-pci BAR mappings\n"
	"  /metrics  Prometheus text format\n"
	"  /json     the snapshot document (?pretty to indent)\n";

struct args {
	int n;
	const char *keys[HTTP_MAX_ARGS + 1], *vals[HTTP_MAX_ARGS + 1];
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct args *a = cls;

	if (a->n <= HTTP_MAX_ARGS) {
		a->keys[a->n] = key;
		a->vals[a->n] = value;
	}
	a->n++;
	return MHD_YES;
}

static enum MHD_Result reply(struct MHD_Connection *conn, int status, const char *type,
			     char *body, bool owned)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t len = strlen(body);

	if (owned)
		resp = MHD_create_response_from_buffer_with_free_callback(len, body, free);
	else
		resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		if (owned)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if (status == MHD_HTTP_TOO_MANY_REQUESTS)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result deny(struct MHD_Connection *conn)
{
	static const char body[] = "401 authentication required\n";
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		sizeof(body) - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	ret = MHD_queue_basic_auth_fail_response(conn, "vfiotop", resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * 4xx and the index are answered here; a document is rendered by the
 * daemon's loop, the request suspended meanwhile.
 */
static enum MHD_Result serve(struct http_server *h, struct http_conn *c,
			     struct MHD_Connection *conn, const char *url, const char *method,
			     bool details)
{
	struct http_route r;
	struct args a = { 0 };
	char *body, msg[128];
	uint64_t one = 1;

	/* answered on the headers: a body, which nothing here takes, is dropped */
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_arg, &a);
	http_route_request(method, url, a.n, a.keys, a.vals, &r);
	if (r.status != 200) {
		snprintf(msg, sizeof(msg), "%d %s\n", r.status, r.why);
		body = strdup(msg);
		return body ? reply(conn, r.status, "text/plain; charset=utf-8", body, true) :
			      MHD_NO;
	}
	if (r.index)
		return reply(conn, 200, "text/plain; charset=utf-8", (char *)index_text, false);
	MHD_suspend_connection(conn);	/* before the loop can resume it */
	pthread_mutex_lock(&h->lock);
	c->doc = r.doc;
	c->pretty = r.pretty;
	c->details = details;
	c->render = RENDER_QUEUED;
	c->next_render = h->renders;
	h->renders = c;
	pthread_mutex_unlock(&h->lock);
	if (write(h->render_fd, &one, sizeof(one)) != sizeof(one))
		log_warn("http: cannot wake the loop for a document");
	return MHD_YES;
}

static void body_release(struct http_body *b)
{
	free(b->text);
	if (b->src)
		b->release(b->src);
	*b = (struct http_body){ 0 };
}

static ssize_t body_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct http_body *b = cls;
	size_t n = pos < b->len ? b->read(b->src, pos, buf, max) : 0;

	return n ? (ssize_t)n : MHD_CONTENT_READER_END_OF_STREAM;
}

static void body_free(void *cls)
{
	body_release(cls);
	free(cls);
}

/* a body read in blocks of this size as the socket takes them */
#define BODY_BLOCK	(64 * 1024)

static enum MHD_Result answer_rendered(struct MHD_Connection *conn, enum http_doc doc,
				       struct http_body body)
{
	const char *type = doc == HTTP_DOC_METRICS ? METRICS_CONTENT_TYPE : "application/json";
	struct MHD_Response *resp;
	struct http_body *b;
	enum MHD_Result ret;

	if (body.text)
		return reply(conn, 200, type, body.text, true);
	if (!body.src)
		return reply(conn, 500, "text/plain; charset=utf-8",
			     (char *)"500 snapshot failed\n", false);
	b = malloc(sizeof(*b));
	if (!b) {
		body_release(&body);
		return MHD_NO;
	}
	*b = body;
	resp = MHD_create_response_from_callback(b->len, BODY_BLOCK, body_read, b, body_free);
	if (!resp) {
		body_free(b);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ret = MHD_queue_response(conn, 200, resp);
	MHD_destroy_response(resp);
	return ret;
}

static struct http_conn *conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

/* The password is checked by the worker: the request waits, suspended. */
static enum MHD_Result check_auth(struct http_server *h, struct http_conn *c,
				  struct MHD_Connection *conn, const char *url, const char *method)
{
	const char *header = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							  MHD_HTTP_HEADER_AUTHORIZATION);

	switch (http_auth_check(h->auth, header, mono_ns(), c)) {
	case AUTH_OK:
		return serve(h, c, conn, url, method, true);
	case AUTH_DENIED:
		return deny(conn);
	case AUTH_BUSY:
		return reply(conn, MHD_HTTP_TOO_MANY_REQUESTS, "text/plain; charset=utf-8",
			     (char *)"429 too many password checks: retry in a second\n", false);
	case AUTH_PENDING:
		pthread_mutex_lock(&h->lock);
		c->auth = AUTH_WAITING;
		pthread_mutex_unlock(&h->lock);
		MHD_suspend_connection(conn);
		http_auth_submit(h->auth);
		return MHD_YES;
	}
	return MHD_NO;
}

/*
 * Nothing here takes a body: one would hold the connection as long as its
 * sender trickles it (each byte restarts the idle timeout). Answered on the
 * headers, before any password check: 405 as for any other method, else 413.
 */
static bool has_body(struct MHD_Connection *conn)
{
	const char *len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						      MHD_HTTP_HEADER_CONTENT_LENGTH);

	return MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					   MHD_HTTP_HEADER_TRANSFER_ENCODING) ||
	       (len && strcmp(len, "0"));
}

static enum MHD_Result request(struct http_server *h, struct http_conn *c,
			       struct MHD_Connection *conn, const char *url, const char *method,
			       size_t *upload_data_size, void **con_cls)
{
	enum http_doc doc;
	int auth, render;
	struct http_body body;

	if (!*con_cls) {	/* the headers are in */
		*con_cls = c;
		if (has_body(conn)) {
			bool get = !strcmp(method, "GET") || !strcmp(method, "HEAD");

			return reply(conn, get ? 413 : MHD_HTTP_METHOD_NOT_ALLOWED,
				     "text/plain; charset=utf-8", get ?
				     (char *)"413 a GET takes no body\n" :
				     (char *)"405 only GET and HEAD\n", false);
		}
		pthread_mutex_lock(&h->lock);
		c->in_request = true;
		c->auth = AUTH_NONE;
		c->render = RENDER_NONE;
		pthread_mutex_unlock(&h->lock);
		if (!h->auth)	/* no users: process details and addresses are left out */
			return serve(h, c, conn, url, method, false);
		return check_auth(h, c, conn, url, method);
	}
	if (*upload_data_size) {	/* a body that came while the request waited */
		*upload_data_size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&h->lock);
	auth = c->auth;
	render = c->render;
	doc = c->doc;
	body = c->body;
	c->body = (struct http_body){ 0 };
	if (render == RENDER_DONE)
		c->render = RENDER_NONE;
	pthread_mutex_unlock(&h->lock);
	if (render == RENDER_DONE)
		return answer_rendered(conn, doc, body);
	if (auth == AUTH_PASSED && render == RENDER_NONE)
		return serve(h, c, conn, url, method, true);
	if (auth == AUTH_FAILED)
		return deny(conn);
	return MHD_YES;
}

/*
 * In the HTTP thread, once the headers are in and again after each resume.
 * Counted, so that http_close knows when none can touch the password checks
 * or the render queue any more.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct http_server *h = cls;
	struct http_conn *c = conn_of(conn);
	enum MHD_Result ret;

	if (!c)
		return MHD_NO;
	pthread_mutex_lock(&h->lock);
	if (h->closing) {
		pthread_mutex_unlock(&h->lock);
		return MHD_NO;
	}
	h->in_calls++;
	pthread_mutex_unlock(&h->lock);
	ret = request(h, c, conn, url, method, upload_data_size, con_cls);
	pthread_mutex_lock(&h->lock);
	if (!--h->in_calls)
		pthread_cond_broadcast(&h->calls_done);
	pthread_mutex_unlock(&h->lock);
	return ret;
}

/* the worker's verdict: the request goes on in the HTTP thread */
static void on_auth_done(void *tag, bool ok, void *ctx)
{
	struct http_server *h = ctx;
	struct http_conn *c = tag;

	pthread_mutex_lock(&h->lock);
	c->auth = ok ? AUTH_PASSED : AUTH_FAILED;
	pthread_mutex_unlock(&h->lock);
	MHD_resume_connection(c->mhd);
}

/* In the daemon's loop: render what requests wait for, and let them go on. */
static void on_render(struct ev_handler *ev, uint32_t events)
{
	struct http_server *h = container_of(ev, struct http_server, render_ev);
	struct http_conn *todo, *next;
	uint64_t n;

	if (read(h->render_fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	pthread_mutex_lock(&h->lock);
	todo = h->renders;
	h->renders = NULL;
	pthread_mutex_unlock(&h->lock);
	/* suspended, they stay (and stay allocated) until resumed */
	for (struct http_conn *c = todo; c; c = next) {
		struct http_body body = h->render(c->doc, c->pretty, c->details, h->ctx);

		pthread_mutex_lock(&h->lock);
		next = c->next_render;
		c->body = body;
		c->render = RENDER_DONE;
		pthread_mutex_unlock(&h->lock);
		MHD_resume_connection(c->mhd);
	}
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *h = cls;
	struct http_conn *c = conn_of(conn);

	if (!c)
		return;
	pthread_mutex_lock(&h->lock);
	c->in_request = false;
	c->served_one = true;
	c->idle_since_ns = mono_ns();
	body_release(&c->body);
	pthread_mutex_unlock(&h->lock);
}

/*
 * Closes a connection libmicrohttpd holds: shutdown() makes its socket read
 * end-of-file, and libmicrohttpd closes it at its next pass. Under h->lock:
 * libmicrohttpd tells on_connection() a connection closed before it closes
 * the descriptor, so this one is still the connection's.
 */
static void evict(struct http_conn *c, const char *why)
{
	if (c->evicted)
		return;
	log_debug("http: closing a connection: %s", why);
	shutdown(c->fd, SHUT_RDWR);
	c->evicted = true;
}

/* Full: the connection idle the longest goes, not the newcomer (a scrape). */
static void evict_oldest_idle(struct http_server *h)
{
	struct http_conn *best = NULL;

	for (struct http_conn *c = h->oldest; c; c = c->next)
		if (!c->in_request && !c->evicted &&
		    (!best || c->idle_since_ns < best->idle_since_ns))
			best = c;
	if (best)
		evict(best, "all connection slots taken: the one idle the longest");
}

/* Whoever connects has HTTP_REQUEST_DEADLINE_MS for the TLS handshake and the request. */
static void expire_silent(struct http_server *h, uint64_t now_ns)
{
	for (struct http_conn *c = h->oldest; c; c = c->next)
		if (!c->in_request && !c->served_one &&
		    now_ns - c->idle_since_ns > HTTP_REQUEST_DEADLINE_MS * 1000000ull)
			evict(c, "no request within the deadline");
}

static struct http_conn *conn_new(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct http_conn *c = ci ? calloc(1, sizeof(*c)) : NULL;

	if (!c)
		return NULL;
	c->mhd = conn;
	c->fd = ci->connect_fd;
	c->idle_since_ns = mono_ns();
	return c;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct http_server *h = cls;
	struct http_conn *c = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		c = conn_new(conn);
		if (!c)		/* untracked: conn_of() is NULL, its requests get MHD_NO */
			return;
		pthread_mutex_lock(&h->lock);
		c->prev = h->newest;
		if (h->newest)
			h->newest->next = c;
		else
			h->oldest = c;
		h->newest = c;
		*socket_context = c;
		if (++h->n_conns > HTTP_MAX_CONNECTIONS)
			evict_oldest_idle(h);
		pthread_mutex_unlock(&h->lock);
		return;
	}
	if (!c)
		return;
	pthread_mutex_lock(&h->lock);
	if (c->prev)
		c->prev->next = c->next;
	else
		h->oldest = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		h->newest = c->prev;
	h->n_conns--;
	pthread_mutex_unlock(&h->lock);
	body_release(&c->body);
	free(c);
	*socket_context = NULL;
}

/* the HTTP thread's messages; the last one says why libmicrohttpd did not start */
static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct http_server *h = cls;
	char buf[256];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	if (!h->mhd)
		snprintf(h->last_log, sizeof(h->last_log), "%s", buf);
	log_debug("http: %s", buf);
}

/*
 * Started after the daemon dropped its privileges: a thread keeps the
 * capabilities it was created with.
 */
static struct MHD_Daemon *start_mhd(struct http_server *h)
{
	unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
			     MHD_ALLOW_SUSPEND_RESUME;
	const struct web_config *wc = h->wc;
	bool tls = wc && wc->cert_pem;
	char prios[512] = "";
	struct MHD_OptionItem tls_opts[] = {
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, tls ? wc->key_pem : NULL },
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, tls ? wc->cert_pem : NULL },
		{ MHD_OPTION_HTTPS_PRIORITIES, 0, prios },
		{ MHD_OPTION_END, 0, NULL },
	};

	if (h->addr->ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (tls) {
		flags |= MHD_USE_TLS;
		web_config_priorities(wc, prios, sizeof(prios));
	}
	/*
	 * libmicrohttpd's own limit is above ours: a newcomer is accepted, and
	 * the connection idle the longest makes room for it (evict_oldest_idle).
	 */
	return MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,
				MHD_OPTION_LISTEN_SOCKET, h->listen_fd,
				MHD_OPTION_CONNECTION_LIMIT,
				(unsigned int)(HTTP_MAX_CONNECTIONS + HTTP_SPARE_CONNECTIONS),
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_TIMEOUT_S,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY_LIMIT,
				MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
				MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
				MHD_OPTION_ARRAY, tls ? tls_opts : tls_opts + 3,
				MHD_OPTION_END);
}

/* bound now, while the daemon may still bind any port; served from http_start() */
static int listen_on(const struct listen_addr *addr, char *why, size_t len)
{
	int fd = socket(addr->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	int one = 1;

	if (fd < 0) {
		snprintf(why, len, "socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (addr->ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&addr->ss, addr->len) ||
	    listen(fd, SOMAXCONN)) {
		snprintf(why, len, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void log_serving(const struct listen_addr *addr, const struct web_config *wc)
{
	bool tls = wc && wc->cert_pem;

	if (addr->loopback)
		log_info("serving /metrics and /json on %s://%s (loopback only)%s",
			 tls ? "https" : "http", addr->text,
			 wc && wc->n_users ? ", basic auth" : "");
	else if (tls && wc->n_users)
		log_info("serving /metrics and /json on https://%s to %d authenticated user%s",
			 addr->text, wc->n_users, wc->n_users > 1 ? "s" : "");
	else
		log_warn("serving /metrics and /json on %s://%s: NOT loopback, %s: use "
			 "--web-config with TLS and users", tls ? "https" : "http", addr->text,
			 tls ? "anyone who can reach this address can read them" :
			 "in clear text, to anyone who can reach this address");
	if (!wc || !wc->n_users)
		log_info("/json over HTTP leaves out pids, comms and addresses: "
			 "they need basic auth (docs/json.md)");
}

struct http_server *http_open(const struct listen_addr *addr, const struct web_config *wc,
			      int epfd, http_render_fn render, void *ctx)
{
	struct http_server *h = calloc(1, sizeof(*h));
	char why[160];

	if (!h)
		return NULL;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->calls_done, NULL);
	h->render = render;
	h->ctx = ctx;
	h->epfd = epfd;
	h->wc = wc;
	h->addr = addr;
	h->render_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	h->listen_fd = listen_on(addr, why, sizeof(why));
	if (h->listen_fd < 0) {
		log_err("cannot serve HTTP on %s: %s", addr->text, why);
		goto fail;
	}
	if (wc && wc->n_users) {
		h->auth = http_auth_new(wc, on_auth_done, h);
		if (!h->auth) {
			log_err("http: cannot set up password checks");
			goto fail;
		}
	}
	h->render_ev.on_event = on_render;
	if (h->render_fd < 0 || epoll_ctl(epfd, EPOLL_CTL_ADD, h->render_fd,
					  &(struct epoll_event){ .events = EPOLLIN,
								 .data.ptr = &h->render_ev })) {
		log_err("epoll: cannot watch the HTTP server");
		goto fail;
	}
	return h;
fail:
	http_close(h);
	return NULL;
}

int http_start(struct http_server *h)
{
	if (!h)
		return 0;
	h->mhd = start_mhd(h);
	if (!h->mhd) {
		log_err("cannot serve HTTP on %s: %s", h->addr->text,
			h->last_log[0] ? h->last_log : "libmicrohttpd did not start");
		return -1;
	}
	log_serving(h->addr, h->wc);
	return 0;
}

void http_tick(struct http_server *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->lock);
	expire_silent(h, mono_ns());
	pthread_mutex_unlock(&h->lock);
}

void http_close(struct http_server *h)
{
	if (!h)
		return;
	/* no request starts work from here on; those running end first */
	pthread_mutex_lock(&h->lock);
	h->closing = true;
	while (h->in_calls)
		pthread_cond_wait(&h->calls_done, &h->lock);
	pthread_mutex_unlock(&h->lock);
	/* every waiting request resumed first: libmicrohttpd stops only without them */
	http_auth_free(h->auth);
	if (h->render_fd >= 0) {
		epoll_ctl(h->epfd, EPOLL_CTL_DEL, h->render_fd, NULL);
		on_render(&h->render_ev, EPOLLIN);
		close(h->render_fd);
	}
	/* libmicrohttpd closes the listening socket it was given: once is enough */
	if (h->mhd)
		MHD_stop_daemon(h->mhd);
	else if (h->listen_fd >= 0)
		close(h->listen_fd);
	pthread_cond_destroy(&h->calls_done);
	pthread_mutex_destroy(&h->lock);
	free(h);
}
