// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"
#include "protocol.h"
#include "term_safe.h"

static int wait_fd(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	do
		n = poll(&p, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n == 0)
		errno = ETIMEDOUT;
	return n > 0 ? 0 : -1;
}

char *client_request(const char *socket_path, const char *request, int timeout_ms,
		     char *err, size_t err_len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = 0, cap = 65536, reqlen = strlen(request);
	char *buf = NULL, *nb, line[PROTOCOL_MAX_REQUEST + 2];
	int fd, saved;

	if (strlen(socket_path) >= sizeof(sa.sun_path)) {
		snprintf(err, err_len, "socket path too long: %s", socket_path);
		errno = ENAMETOOLONG;
		return NULL;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		saved = errno;
		snprintf(err, err_len, "cannot reach vfiotopd at %s: %s%s", socket_path,
			 strerror(saved),
			 saved == ENOENT || saved == ECONNREFUSED ? " (is vfiotopd running?)" :
			 saved == EACCES ? " (run as root)" : "");
		goto fail;
	}
	/* one line in one send; a peer that closed early is an error, not SIGPIPE */
	snprintf(line, sizeof(line), "%s\n", request);
	if (reqlen + 1 >= sizeof(line) ||
	    send(fd, line, reqlen + 1, MSG_NOSIGNAL) != (ssize_t)reqlen + 1) {
		saved = errno;
		snprintf(err, err_len, "cannot send request: %s", strerror(saved));
		goto fail;
	}
	buf = malloc(cap);
	if (!buf) {
		saved = ENOMEM;
		snprintf(err, err_len, "out of memory");
		goto fail;
	}
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			if (cap >= CLIENT_MAX_RESPONSE) {
				saved = EMSGSIZE;
				snprintf(err, err_len, "response larger than %u bytes",
					 CLIENT_MAX_RESPONSE);
				goto fail;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				saved = ENOMEM;
				snprintf(err, err_len, "out of memory");
				goto fail;
			}
			buf = nb;
			cap *= 2;
		}
		if (wait_fd(fd, POLLIN, timeout_ms)) {
			saved = errno;
			snprintf(err, err_len, "no answer from vfiotopd: %s", strerror(saved));
			goto fail;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			snprintf(err, err_len, "reading the answer: %s", strerror(saved));
			goto fail;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);
	buf[len] = '\0';
	return buf;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	errno = saved;
	return NULL;
}

json_object *client_snapshot(const char *socket_path, bool pretty, int timeout_ms, char **text,
			     char *err, size_t err_len)
{
	char *resp = client_request(socket_path, pretty ? "snapshot pretty" : "snapshot",
				    timeout_ms, err, err_len);
	json_object *root, *e;

	if (!resp)
		return NULL;
	root = json_tokener_parse(resp);
	if (!root || !json_object_is_type(root, json_type_object)) {
		snprintf(err, err_len, "vfiotopd sent something that is not a JSON object");
		goto fail;
	}
	/* every printer shows these strings: none of them may drive the terminal */
	if (json_term_safe(root)) {
		snprintf(err, err_len, "out of memory");
		goto fail;
	}
	if (json_object_object_get_ex(root, "error", &e)) {
		snprintf(err, err_len, "vfiotopd says: %s", json_object_get_string(e));
		goto fail;
	}
	if (text) {
		*text = json_text_term_safe(resp);
		free(resp);
		if (!*text) {
			json_object_put(root);
			snprintf(err, err_len, "out of memory");
			return NULL;
		}
	} else {
		free(resp);
	}
	return root;
fail:
	json_object_put(root);
	free(resp);
	return NULL;
}
