// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "process_stats.h"

/* the whole of a small file of /proc/PID, NUL-terminated; 0 or -1 */
static int read_small(const char *proc, const char *pid, const char *name, char *buf,
		      size_t len)
{
	char path[256];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s/%s", proc, pid, name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n ? 0 : -1;
}

/*
 * /proc/PID/stat: the fields after the command's closing parenthesis (a comm
 * may hold spaces and parentheses), from field 3 (state) on: utime is the
 * 14th field, stime 15th, starttime 22nd, vsize 23rd, rss 24th (proc(5)).
 */
static int parse_stat(const char *text, uint64_t *ticks, uint64_t *start_ticks,
		      uint64_t *vsize, uint64_t *rss_pages)
{
	const char *p = strrchr(text, ')');
	unsigned long long utime, stime, start, vsz;
	long long rss;

	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu "
			 "%*d %*d %*d %*d %*d %*d %llu %llu %lld",
			 &utime, &stime, &start, &vsz, &rss) != 5 || rss < 0)
		return -1;
	*ticks = utime + stime;
	*start_ticks = start;
	*vsize = vsz;
	*rss_pages = rss;
	return 0;
}

/*
 * /proc/stat's "btime N": boot time, seconds since the epoch. It follows a
 * line per CPU and the interrupt counts (kilobytes on a large host), and
 * does not change: read once per procfs root.
 */
static int read_btime(const char *proc, uint64_t *btime)
{
	static char cached_for[256];
	static uint64_t cached;
	unsigned long long v;
	char path[272], *line = NULL;
	size_t cap = 0;
	int rc = -1;
	FILE *f;

	if (cached_for[0] && !strcmp(cached_for, proc)) {
		*btime = cached;
		return 0;
	}
	snprintf(path, sizeof(path), "%s/stat", proc);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (rc && getline(&line, &cap, f) > 0)
		if (sscanf(line, "btime %llu", &v) == 1)
			rc = 0;
	free(line);
	fclose(f);
	if (rc)
		return -1;
	*btime = cached = v;
	snprintf(cached_for, sizeof(cached_for), "%s", proc);
	return 0;
}

/* /proc/PID/limits' "Max open files  SOFT  HARD  files" */
static int parse_max_fds(const char *text, uint64_t *max)
{
	const char *p = strstr(text, "Max open files");
	unsigned long long v;

	if (!p)
		return -1;
	p += strlen("Max open files");
	p += strspn(p, " ");
	if (!strncmp(p, "unlimited", 9)) {
		*max = UINT64_MAX;
		return 0;
	}
	if (sscanf(p, "%llu", &v) != 1)
		return -1;
	*max = v;
	return 0;
}

/* entries of /proc/PID/fd (the one this scan holds open included, as client libraries count) */
static int count_fds(const char *proc, const char *pid, uint64_t *n)
{
	char path[256];
	struct dirent *e;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/%s/fd", proc, pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	*n = 0;
	while ((e = readdir(dir)))
		if (e->d_name[0] != '.')
			(*n)++;
	closedir(dir);
	return 0;
}

int process_stats_read(const char *proc, const char *pid, struct process_stats *out)
{
	long hz = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	uint64_t ticks, start_ticks, rss_pages, btime;
	char buf[4096];

	memset(out, 0, sizeof(*out));
	if (hz <= 0 || page <= 0 ||
	    read_small(proc, pid, "stat", buf, sizeof(buf)) ||
	    parse_stat(buf, &ticks, &start_ticks, &out->virtual_bytes, &rss_pages) ||
	    read_small(proc, pid, "limits", buf, sizeof(buf)) ||
	    parse_max_fds(buf, &out->max_fds) ||
	    read_btime(proc, &btime) ||
	    count_fds(proc, pid, &out->open_fds))
		return -1;
	out->cpu_ns = ticks * (1000000000ull / hz);
	out->resident_bytes = rss_pages * page;
	out->start_time_ns = btime * 1000000000ull + start_ticks * (1000000000ull / hz);
	out->valid = true;
	return 0;
}

/* "Name:\tN" of /proc/PID/status, as a number; -1 when missing */
static int status_field(const char *text, const char *name, uint64_t *v)
{
	size_t len = strlen(name);
	unsigned long long n;

	for (const char *p = text; p && *p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (!strncmp(p, name, len) && p[len] == ':' &&
		    sscanf(p + len + 1, " %llu", &n) == 1) {
			*v = n;
			return 0;
		}
	}
	return -1;
}

int process_status_parse(const char *text, uint64_t *virtual_bytes, uint64_t *resident_bytes,
			 uint64_t *fd_table)
{
	uint64_t vm_kb, rss_kb;

	if (status_field(text, "VmSize", &vm_kb) || status_field(text, "VmRSS", &rss_kb) ||
	    status_field(text, "FDSize", fd_table))
		return -1;
	*virtual_bytes = vm_kb * 1024;
	*resident_bytes = rss_kb * 1024;
	return 0;
}

/*
 * Open fds below the table's size: poll() answers POLLNVAL for each closed
 * one, in one call, where a /proc/self/fd walk makes a dentry per fd.
 */
static int count_open_fds(uint64_t table, uint64_t *n)
{
	struct pollfd *p;

	if (!table || table > (1u << 20))
		return -1;
	p = malloc(table * sizeof(*p));
	if (!p)
		return -1;
	for (uint64_t i = 0; i < table; i++)
		p[i] = (struct pollfd){ .fd = (int)i };
	if (poll(p, table, 0) < 0) {
		free(p);
		return -1;
	}
	*n = 0;
	for (uint64_t i = 0; i < table; i++)
		*n += !(p[i].revents & POLLNVAL);
	free(p);
	return 0;
}

int process_stats_self(struct process_stats *out)
{
	static uint64_t start_time_ns;	/* a process starts once */
	struct process_stats first;
	uint64_t table;
	struct rusage ru;
	struct rlimit nofile;
	char buf[4096];

	if (!start_time_ns) {
		if (process_stats_read("/proc", "self", &first)) {
			*out = first;
			return -1;
		}
		start_time_ns = first.start_time_ns;
	}
	memset(out, 0, sizeof(*out));
	if (getrusage(RUSAGE_SELF, &ru) || getrlimit(RLIMIT_NOFILE, &nofile) ||
	    read_small("/proc", "self", "status", buf, sizeof(buf)) ||
	    process_status_parse(buf, &out->virtual_bytes, &out->resident_bytes, &table) ||
	    count_open_fds(table, &out->open_fds))
		return process_stats_read("/proc", "self", out);
	out->cpu_ns = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ull +
		      (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ull;
	out->max_fds = nofile.rlim_cur == RLIM_INFINITY ? UINT64_MAX : nofile.rlim_cur;
	out->start_time_ns = start_time_ns;
	out->valid = true;
	return 0;
}
