// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "device_json_cache.h"
#include "json_lines.h"
#include "log.h"
#include "snapshot_json.h"

struct json_lines {
	char *path;	/* NULL for stdout */
	int fd;
	bool own_fd;	/* ours to close: PATH, or stdout reopened */
	bool is_socket;	/* stdout is a socket (journald): sent with MSG_DONTWAIT */
	int stdout_flags;	/* to restore, when O_NONBLOCK had to be set on fd 1 itself */
	bool shared_ok;
	char host[256];
	unsigned long errors;
	char *pending;	/* the rest of a line the reader has not taken yet */
	size_t pending_len, pending_off;
	uint64_t dropped;
	struct device_json_cache *cache;	/* NULL when it could not be had: rendered */
};

/*
 * PATH for appending, without blocking on a FIFO with no reader or a slow one,
 * never through a link, never into another user's file (or a second link to
 * one) unless shared_ok. -1 with why[] otherwise.
 */
static int open_path(const char *path, bool shared_ok, char *why, size_t len)
{
	int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
	int fd = open(path, flags | O_CREAT | O_EXCL, 0640);
	struct stat st;

	if (fd >= 0)
		return fd;	/* new, and ours */
	if (errno == EEXIST)
		fd = open(path, flags);
	if (fd < 0) {
		snprintf(why, len, "%s", errno == ELOOP ? "it is a symbolic link" :
			 errno == ENXIO ? "it is a FIFO nobody reads" : strerror(errno));
		return -1;
	}
	if (fstat(fd, &st))
		snprintf(why, len, "%s", strerror(errno));
	else if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode))
		snprintf(why, len, "not a regular file or a FIFO");
	else if (S_ISREG(st.st_mode) && !shared_ok && st.st_uid != geteuid())
		snprintf(why, len, "it belongs to uid %u, not to vfiotopd's (%u): "
			 "--allow-shared-dirs to write there anyway", (unsigned int)st.st_uid,
			 (unsigned int)geteuid());
	else if (S_ISREG(st.st_mode) && !shared_ok && st.st_nlink != 1)
		snprintf(why, len, "it has %lu hard links: --allow-shared-dirs to write there "
			 "anyway", (unsigned long)st.st_nlink);
	else
		return fd;
	close(fd);
	return -1;
}

/*
 * stdout, written without blocking and without changing it for whoever shares
 * it (the shell's terminal): a socket gets MSG_DONTWAIT; a pipe or terminal is
 * opened again, as a description of our own, O_NONBLOCK. A regular file is
 * written as it is: it never blocks, and a description of our own would have
 * an offset of its own, overwritten by stderr's in `>log 2>&1`.
 */
static void open_stdout(struct json_lines *jl)
{
	struct stat st = { 0 };

	jl->fd = STDOUT_FILENO;
	jl->stdout_flags = -1;
	if (!fstat(STDOUT_FILENO, &st) && S_ISSOCK(st.st_mode)) {
		jl->is_socket = true;
		return;
	}
	if (S_ISREG(st.st_mode))
		return;
	jl->fd = open("/proc/self/fd/1", O_WRONLY | O_APPEND | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (jl->fd >= 0) {
		jl->own_fd = true;
		return;
	}
	jl->fd = STDOUT_FILENO;
	jl->stdout_flags = fcntl(STDOUT_FILENO, F_GETFL);
	if (jl->stdout_flags >= 0)
		fcntl(STDOUT_FILENO, F_SETFL, jl->stdout_flags | O_NONBLOCK);
}

struct json_lines *json_lines_open(const char *path, bool shared_ok)
{
	struct json_lines *jl = calloc(1, sizeof(*jl));
	char why[160];

	if (!jl)
		return NULL;
	jl->shared_ok = shared_ok;
	if (strcmp(path, "-")) {
		jl->path = strdup(path);
		jl->fd = jl->path ? open_path(path, shared_ok, why, sizeof(why)) : -1;
		if (jl->fd < 0) {
			log_err("--json-lines: cannot open %s: %s", path,
				jl->path ? why : strerror(ENOMEM));
			free(jl->path);
			free(jl);
			return NULL;
		}
		jl->own_fd = true;
	} else {
		open_stdout(jl);
	}
	if (gethostname(jl->host, sizeof(jl->host) - 1))
		strcpy(jl->host, "unknown");
	jl->cache = device_json_cache_new();
	return jl;
}

int json_lines_reopen(struct json_lines *jl)
{
	char why[160];
	int fd;

	if (!jl || !jl->path)
		return 0;
	fd = open_path(jl->path, jl->shared_ok, why, sizeof(why));
	if (fd < 0) {
		log_err("--json-lines: cannot reopen %s: %s (still writing the old file)",
			jl->path, why);
		return -1;
	}
	close(jl->fd);
	jl->fd = fd;
	/* the old file's unfinished line is not continued in the new one */
	free(jl->pending);
	jl->pending = NULL;
	return 0;
}

const uint64_t *json_lines_dropped_count(const struct json_lines *jl)
{
	return &jl->dropped;
}

/* RFC 3339, UTC, milliseconds: what Loki and Vector parse without a hint */
static void rfc3339(char *ts, size_t len, uint64_t real_ns)
{
	time_t sec = real_ns / 1000000000;
	char tail[16];
	struct tm tm;

	gmtime_r(&sec, &tm);
	strftime(ts, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(tail, sizeof(tail), ".%03dZ", (int)(real_ns % 1000000000 / 1000000));
	strncat(ts, tail, len - strlen(ts) - 1);
}

static void line_json(struct json_writer *w, const struct daemon_status *st,
		      const struct device *d, const struct snapshot_clock *at, const char *host,
		      struct device_json_cache *cache)
{
	char ts[40];

	rfc3339(ts, sizeof(ts), at->real_ns);
	jw_object(w, NULL);
	jw_str(w, "timestamp", ts);
	jw_u64(w, "time_ns", at->real_ns);
	jw_str(w, "host", host);
	jw_str(w, "kernel_release", st->kernel_release);
	jw_int(w, "schema_version", SNAPSHOT_SCHEMA_VERSION);
	device_json_members(cache, w, d, at->mono_ns, true);
	jw_object_end(w);
}

void json_line_json(struct json_writer *w, const struct daemon_status *st,
		    const struct device *d, const struct snapshot_clock *at, const char *host)
{
	line_json(w, st, d, at, host, NULL);
}

static ssize_t put(struct json_lines *jl, const char *s, size_t len)
{
	ssize_t n;

	do
		n = jl->is_socket ? send(jl->fd, s, len, MSG_DONTWAIT | MSG_NOSIGNAL) :
		    write(jl->fd, s, len);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 0;
	return n;
}

/* What is left of the last line, written as far as the reader takes it; -1 on error. */
static int flush_pending(struct json_lines *jl)
{
	ssize_t n;

	if (!jl->pending)
		return 0;
	n = put(jl, jl->pending + jl->pending_off, jl->pending_len - jl->pending_off);
	if (n < 0)
		return -1;
	jl->pending_off += n;
	if (jl->pending_off == jl->pending_len) {
		free(jl->pending);
		jl->pending = NULL;
	}
	return 0;
}

/*
 * One line (with its newline), without blocking: a reader that does not keep
 * up loses whole lines, counted; a line it took part of is finished first.
 * 0 written or dropped, -1 on error.
 */
static int put_line(struct json_lines *jl, const char *line, size_t len)
{
	ssize_t n;

	if (flush_pending(jl))
		return -1;
	n = jl->pending ? 0 : put(jl, line, len);
	if (n < 0)
		return -1;
	if (n == 0) {
		if (!jl->dropped++)
			log_err("--json-lines: %s is not taking lines as fast as they come: "
				"dropping them (counted in daemon.json_lines_dropped)",
				jl->path ? jl->path : "standard output");
		return 0;
	}
	if ((size_t)n < len) {
		jl->pending = malloc(len - n);
		if (jl->pending) {
			memcpy(jl->pending, line + n, len - n);
			jl->pending_len = len - n;
			jl->pending_off = 0;
		}
	}
	return 0;
}

/* The line with its newline, for the caller to free; NULL if memory ran out. */
static char *line_text(struct json_lines *jl, const struct daemon_status *st,
		       const struct device *d, const struct snapshot_clock *at, size_t *len)
{
	struct json_writer w;
	char *text;

	jw_init(&w);
	line_json(&w, st, d, at, jl->host, jl->cache);
	text = jw_finish(&w);
	if (!text)
		return NULL;
	/* jw_finish left room for its NUL: the newline takes it, the line needs none */
	*len = strlen(text);
	text[(*len)++] = '\n';
	return text;
}

int json_lines_write(struct json_lines *jl, const struct daemon_status *st,
		     const struct device_table *t)
{
	struct snapshot_clock at = snapshot_clock_now();
	int written = 0;

	for (size_t i = 0; i < t->n; i++) {
		size_t len = 0;
		char *text = line_text(jl, st, &t->devs[i], &at, &len);
		uint64_t dropped = jl->dropped;
		int err = text ? put_line(jl, text, len) : -1;

		free(text);
		if (err) {
			/* a full disk or closed pipe must not stop the daemon: say it once */
			if (!jl->errors++)
				log_err("--json-lines: write failed: %s", strerror(errno));
			return -1;
		}
		written += jl->dropped == dropped;
	}
	return written;
}

void json_lines_close(struct json_lines *jl)
{
	if (!jl)
		return;
	flush_pending(jl);	/* once, without waiting: the last line if the reader takes it */
	if (jl->own_fd)
		close(jl->fd);
	if (jl->stdout_flags >= 0 && !jl->own_fd && !jl->is_socket)
		fcntl(STDOUT_FILENO, F_SETFL, jl->stdout_flags);
	free(jl->pending);
	free(jl->path);
	device_json_cache_free(jl->cache);
	free(jl);
}
