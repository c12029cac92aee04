// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "evloop.h"
#include "http_server.h"
#include "log.h"
#include "metrics_prom.h"

struct http_server {
	struct ev_handler ev;
	struct MHD_Daemon *mhd;
	int epfd, mhd_fd;
	http_render_fn render;
	void *ctx;
	const struct web_config *wc;
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
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static bool authorized(struct MHD_Connection *conn, const struct web_config *wc)
{
	char *pass = NULL, *user = MHD_basic_auth_get_username_password(conn, &pass);
	bool ok = web_config_auth(wc, user, pass);

	MHD_free(user);
	MHD_free(pass);
	return ok;
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

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct http_server *h = cls;
	struct http_route r;
	struct args a = { 0 };
	char *body, msg[128];

	if (h->wc && h->wc->n_users && !authorized(conn, h->wc))
		return deny(conn);
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
	body = h->render(r.doc, r.pretty, h->ctx);
	if (!body)
		return reply(conn, 500, "text/plain; charset=utf-8",
			     (char *)"500 snapshot failed\n", false);
	return reply(conn, 200, r.doc == HTTP_DOC_METRICS ? METRICS_CONTENT_TYPE :
		     "application/json", body, true);
}

/*
 * MHD's own epoll is edge-triggered: bytes it could not take in one pass
 * (a request growing its buffer) bring no new event. It says so with a zero
 * timeout; a bounded number of passes keeps one client from holding the loop.
 */
static void run_mhd(struct http_server *h)
{
	MHD_UNSIGNED_LONG_LONG timeout;

	for (int i = 0; i < 64; i++) {
		MHD_run(h->mhd);
		if (MHD_get_timeout(h->mhd, &timeout) != MHD_YES || timeout > 0)
			break;
	}
}

static void on_ready(struct ev_handler *ev, uint32_t events)
{
	run_mhd(container_of(ev, struct http_server, ev));
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[256];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	buf[strcspn(buf, "\n")] = '\0';
	log_debug("http: %s", buf);
}

struct http_server *http_open(const struct listen_addr *addr, const struct web_config *wc,
			      int epfd, http_render_fn render, void *ctx)
{
	struct http_server *h = calloc(1, sizeof(*h));
	const union MHD_DaemonInfo *info;
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	bool tls = wc && wc->cert_pem;
	struct MHD_OptionItem tls_opts[] = {
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, tls ? wc->key_pem : NULL },
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, tls ? wc->cert_pem : NULL },
		{ MHD_OPTION_END, 0, NULL },
	};

	if (!h)
		return NULL;
	if (addr->ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (tls)
		flags |= MHD_USE_TLS;
	h->render = render;
	h->ctx = ctx;
	h->epfd = epfd;
	h->wc = wc;
	h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
				  MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				  MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&addr->ss,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned int)HTTP_MAX_CONNECTIONS,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)HTTP_TIMEOUT_S,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY_LIMIT,
				  MHD_OPTION_ARRAY, tls ? tls_opts : tls_opts + 2,
				  MHD_OPTION_END);
	info = h->mhd ? MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD) : NULL;
	if (!info) {
		log_err("cannot serve HTTP on %s (address in use, or not this host's?)",
			addr->text);
		if (h->mhd)
			MHD_stop_daemon(h->mhd);
		free(h);
		return NULL;
	}
	h->mhd_fd = info->epoll_fd;
	h->ev.on_event = on_ready;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, h->mhd_fd,
		      &(struct epoll_event){ .events = EPOLLIN, .data.ptr = &h->ev })) {
		log_err("epoll: cannot watch the HTTP server");
		MHD_stop_daemon(h->mhd);
		free(h);
		return NULL;
	}
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
	return h;
}

void http_tick(struct http_server *h)
{
	if (h)
		run_mhd(h);
}

void http_close(struct http_server *h)
{
	if (!h)
		return;
	epoll_ctl(h->epfd, EPOLL_CTL_DEL, h->mhd_fd, NULL);
	MHD_stop_daemon(h->mhd);
	free(h);
}
