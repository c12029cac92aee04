// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * make bench's floor for the daemon serving a reader: a server that answers
 * each request with a file's bytes, held in memory, and does nothing else.
 * Given a snapshot vfiotopd sent, or a scrape of its /metrics, it is what any
 * server of a document that size pays to hand it over: accept, read the
 * request, copy the bytes into the socket, close.
 *
 *   serve-floor --socket PATH FILE   vfiotopd's socket protocol: a request
 *                                    line, the document, close
 *   serve-floor --http PORT FILE     HTTP on 127.0.0.1:PORT, libmicrohttpd
 *                                    run as vfiotopd runs it (one epoll thread)
 *
 * It serves until SIGTERM or SIGINT.
 */
#include <errno.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			char *p = realloc(buf, cap = cap ? cap * 2 : 65536);

			if (!p) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	fclose(f);
	*len = n;
	return buf;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int serve_socket(const char *path, const char *doc, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (lfd < 0 || strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "serve-floor: socket %s: %s\n", path, strerror(errno));
		return 1;
	}
	strcpy(sa.sun_path, path);
	unlink(path);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 16)) {
		fprintf(stderr, "serve-floor: bind %s: %s\n", path, strerror(errno));
		return 1;
	}
	while (!stop) {
		char req[256];
		size_t got = 0;
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

		if (fd < 0)
			continue;
		while (got < sizeof(req)) {
			ssize_t n = read(fd, req + got, sizeof(req) - got);

			if (n <= 0)
				break;
			got += n;
			if (memchr(req, '\n', got))
				break;
		}
		if (memchr(req, '\n', got))
			write_all(fd, doc, len);
		close(fd);
	}
	unlink(path);
	return 0;
}

struct http_doc {
	const char *bytes;
	size_t len;
};

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload, size_t *upload_len, void **con_cls)
{
	const struct http_doc *doc = cls;
	struct MHD_Response *resp;
	enum MHD_Result ret;

	(void)url, (void)method, (void)version, (void)upload, (void)upload_len, (void)con_cls;
	resp = MHD_create_response_from_buffer(doc->len, (void *)doc->bytes,
					       MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; version=0.0.4; charset=utf-8");
	ret = MHD_queue_response(conn, 200, resp);
	MHD_destroy_response(resp);
	return ret;
}

static int serve_http(const char *port, const char *bytes, size_t len)
{
	struct http_doc doc = { bytes, len };
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct MHD_Daemon *d;
	sigset_t wait_for;
	int sig;

	sa.sin_port = htons((unsigned short)atoi(port));
	d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
			     on_request, &doc, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "serve-floor: cannot serve HTTP on 127.0.0.1:%s\n", port);
		return 1;
	}
	sigemptyset(&wait_for);
	sigaddset(&wait_for, SIGTERM);
	sigaddset(&wait_for, SIGINT);
	sigprocmask(SIG_BLOCK, &wait_for, NULL);
	sigwait(&wait_for, &sig);
	MHD_stop_daemon(d);
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	size_t len;
	char *doc;
	int rc;

	if (argc != 4 || (strcmp(argv[1], "--socket") && strcmp(argv[1], "--http"))) {
		fprintf(stderr, "usage: serve-floor --socket PATH FILE | --http PORT FILE\n");
		return 2;
	}
	doc = slurp(argv[3], &len);
	if (!doc || !len) {
		fprintf(stderr, "serve-floor: cannot read %s\n", argv[3]);
		return 1;
	}
	/* no SA_RESTART: a signal ends the blocking accept() */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	rc = strcmp(argv[1], "--http") ? serve_socket(argv[2], doc, len) :
					 serve_http(argv[2], doc, len);
	free(doc);
	return rc;
}
