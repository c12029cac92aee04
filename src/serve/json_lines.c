// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json_lines.h"
#include "log.h"

struct json_lines {
	char *path;	/* NULL for stdout */
	int fd;
	char host[256];
	unsigned long errors;
};

static int open_path(const char *path)
{
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
}

struct json_lines *json_lines_open(const char *path)
{
	struct json_lines *jl = calloc(1, sizeof(*jl));

	if (!jl)
		return NULL;
	if (strcmp(path, "-")) {
		jl->path = strdup(path);
		jl->fd = jl->path ? open_path(path) : -1;
		if (jl->fd < 0) {
			log_err("--json-lines: cannot open %s: %s", path, strerror(errno));
			free(jl->path);
			free(jl);
			return NULL;
		}
	} else {
		jl->fd = STDOUT_FILENO;
	}
	if (gethostname(jl->host, sizeof(jl->host) - 1))
		strcpy(jl->host, "unknown");
	return jl;
}

int json_lines_reopen(struct json_lines *jl)
{
	int fd;

	if (!jl || !jl->path)
		return 0;
	fd = open_path(jl->path);
	if (fd < 0) {
		log_err("--json-lines: cannot reopen %s: %s (still writing the old file)",
			jl->path, strerror(errno));
		return -1;
	}
	close(jl->fd);
	jl->fd = fd;
	return 0;
}

static json_object *get(json_object *o, const char *k)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, k, &v);
	return v;
}

json_object *json_line_build(json_object *snap, json_object *dev, const char *host)
{
	json_object *line = json_object_new_object(), *t = get(snap, "time_ns"), *k;
	int64_t ns = t ? json_object_get_int64(t) : 0;
	time_t sec = ns / 1000000000;
	char ts[40], tail[16];
	struct tm tm;

	if (!line)
		return NULL;
	/* RFC 3339, UTC, milliseconds: what Loki and Vector parse without a hint */
	gmtime_r(&sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(tail, sizeof(tail), ".%03dZ", (int)(ns % 1000000000 / 1000000));
	strncat(ts, tail, sizeof(ts) - strlen(ts) - 1);
	json_object_object_add(line, "timestamp", json_object_new_string(ts));
	json_object_object_add(line, "time_ns", json_object_new_int64(ns));
	json_object_object_add(line, "host", json_object_new_string(host));
	k = get(snap, "kernel");
	json_object_object_add(line, "kernel_release",
			       json_object_get(k ? get(k, "release") : NULL));
	json_object_object_add(line, "schema_version",
			       json_object_get(get(snap, "schema_version")));
	/* json-c's foreach dereferences a non-object's NULL table */
	if (json_object_is_type(dev, json_type_object)) {
		json_object_object_foreach(dev, key, val)
			json_object_object_add(line, key, json_object_get(val));
	}
	return line;
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		s += n;
		len -= n;
	}
	return 0;
}

int json_lines_write(struct json_lines *jl, json_object *snap)
{
	json_object *devs = get(snap, "devices");
	size_t n = devs ? json_object_array_length(devs) : 0;
	int written = 0;

	for (size_t i = 0; i < n; i++) {
		json_object *line = json_line_build(snap, json_object_array_get_idx(devs, i),
						    jl->host);
		const char *s = line ? json_object_to_json_string_ext(line, JSON_C_TO_STRING_PLAIN |
								       JSON_C_TO_STRING_NOSLASHESCAPE) : NULL;
		int err = !s || write_all(jl->fd, s, strlen(s)) || write_all(jl->fd, "\n", 1);

		json_object_put(line);
		if (err) {
			/* a full disk or closed pipe must not stop the daemon: say it once */
			if (!jl->errors++)
				log_err("--json-lines: write failed: %s", strerror(errno));
			return -1;
		}
		written++;
	}
	return written;
}

void json_lines_close(struct json_lines *jl)
{
	if (!jl)
		return;
	if (jl->path)
		close(jl->fd);
	free(jl->path);
	free(jl);
}
