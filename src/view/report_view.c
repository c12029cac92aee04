// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json_path.h"
#include "report_files.h"
#include "report_view.h"
#include "term_safe.h"

/*
 * A report's text: a regular file (a FIFO or device is refused without
 * blocking on it), at most REPORT_MAX_BYTES. NULL with why[] otherwise.
 */
static char *read_report(const char *path, char *why, size_t len)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	size_t got = 0;
	struct stat st;
	char *text = NULL;
	ssize_t n;

	if (fd < 0) {
		snprintf(why, len, "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st)) {
		snprintf(why, len, "%s", strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, len, "not a regular file");
		goto out;
	}
	if (st.st_size > REPORT_MAX_BYTES) {
		snprintf(why, len, "larger than %d MiB", REPORT_MAX_BYTES >> 20);
		goto out;
	}
	text = malloc(st.st_size + 1);
	if (!text) {
		snprintf(why, len, "out of memory");
		goto out;
	}
	/* what it has now, not what it may grow to */
	while (got < (size_t)st.st_size &&
	       ((n = read(fd, text + got, st.st_size - got)) > 0 || (n < 0 && errno == EINTR)))
		got += n > 0 ? n : 0;
	text[got] = '\0';
out:
	close(fd);
	return text;
}

/* The report at path, its strings safe to print; NULL (said on stderr unless quiet) otherwise. */
static json_object *load(const char *path, bool quiet)
{
	struct json_tokener *tok = json_tokener_new_ex(REPORT_MAX_DEPTH);
	char why[160] = "", *text = tok ? read_report(path, why, sizeof(why)) : NULL;
	json_object *r = text ? json_tokener_parse_ex(tok, text, strlen(text) + 1) : NULL;
	char shown[512];

	if (text && !r)
		snprintf(why, sizeof(why), "%s", json_tokener_error_desc(json_tokener_get_error(tok)));
	if (!r || !json_object_is_type(r, json_type_object) || !jpath_get(r, "report_version") ||
	    !jpath_get(r, "explanation") || json_term_safe(r)) {
		if (!quiet)
			fprintf(stderr, "vfiotop: %s is not a vfiotop stall report%s%s\n",
				term_escape(path, shown, sizeof(shown)), *why ? ": " : "", why);
		json_object_put(r);
		r = NULL;
	}
	free(text);
	if (tok)
		json_tokener_free(tok);
	return r;
}

static void wall(uint64_t ns, char *buf, size_t len)
{
	time_t s = ns / 1000000000ull;
	struct tm tm;
	char t[32];

	gmtime_r(&s, &tm);
	strftime(t, sizeof(t), "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03" PRIu64 " UTC", t, ns / 1000000 % 1000);
}

struct row {
	uint64_t start, dur;
	json_object *o;
};

static int by_start(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

static size_t collect(json_object *arr, struct row *rows, size_t n, size_t max)
{
	size_t len = arr && json_object_is_type(arr, json_type_array) ?
		     json_object_array_length(arr) : 0;

	for (size_t i = 0; i < len && n < max; i++) {
		json_object *o = json_object_array_get_idx(arr, i);

		rows[n++] = (struct row){ jpath_u64(o, "start_ns"), jpath_u64(o, "dur_ns"), o };
	}
	return n;
}

struct ksym {
	uint64_t addr;
	char name[64];
};

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* /proc/kallsyms, if it shows addresses to us (root); NULL otherwise */
static struct ksym *load_kallsyms(size_t *n)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	struct ksym *syms = NULL, *grown;
	size_t cap = 0;
	char line[256], type;

	*n = 0;
	while (f && fgets(line, sizeof(line), f)) {
		struct ksym k;

		if (sscanf(line, "%" SCNx64 " %c %63s", &k.addr, &type, k.name) != 3 || !k.addr)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 65536;
			grown = realloc(syms, cap * sizeof(*syms));
			if (!grown)
				break;
			syms = grown;
		}
		syms[(*n)++] = k;
	}
	if (f)
		fclose(f);
	if (!*n) {
		free(syms);
		return NULL;
	}
	qsort(syms, *n, sizeof(*syms), by_addr);
	return syms;
}

static void symbolize(const struct ksym *syms, size_t n, uint64_t addr, char *buf, size_t len)
{
	size_t lo = 0, hi = n;

	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;

		if (syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (syms && n && syms[lo].addr <= addr)
		snprintf(buf, len, "%s+0x%" PRIx64, syms[lo].name, addr - syms[lo].addr);
	else
		snprintf(buf, len, "0x%" PRIx64, addr);
}

/* the longest wait that carries a kernel stack, symbolized when we may */
static bool same_boot(const char *id)
{
	char now[40] = "";
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	if (f && fgets(now, sizeof(now), f))
		now[strcspn(now, "\n")] = '\0';
	if (f)
		fclose(f);
	return now[0] && !strcmp(now, id);
}

static void print_stack(json_object *waits, const char *boot, FILE *out)
{
	size_t len = waits && json_object_is_type(waits, json_type_array) ?
		     json_object_array_length(waits) : 0, nsyms = 0;
	json_object *best = NULL, *st;
	struct ksym *syms;

	for (size_t i = 0; i < len; i++) {
		json_object *w = json_object_array_get_idx(waits, i);

		st = jpath_get(w, "stack");
		if (jpath_len(st) &&
		    (!best || jpath_u64(w, "dur_ns") > jpath_u64(best, "dur_ns")))
			best = w;
	}
	if (!best)
		return;
	syms = same_boot(boot) ? load_kallsyms(&nsyms) : NULL;
	st = jpath_get(best, "stack");
	fprintf(out, "\nKernel stack of the longest wait (tid %" PRIu64 ", %.3f ms)%s:\n",
		jpath_u64(best, "tid"), jpath_u64(best, "dur_ns") / 1e6,
		syms ? "" : same_boot(boot) ? " (run as root to see symbols)" :
		" (recorded in another boot: addresses only)");
	for (size_t i = 0; i < jpath_len(st); i++) {
		char sym[128];
		const char *text = json_object_get_string(json_object_array_get_idx(st, i));
		uint64_t addr = text ? strtoull(text, NULL, 16) : 0;	/* [null] is JSON too */

		symbolize(syms, nsyms, addr, sym, sizeof(sym));
		fprintf(out, "  %s\n", sym);
	}
	free(syms);
}

int report_print(const char *path, FILE *out)
{
	json_object *r = load(path, false);
	struct row rows[1024];
	char when[48];
	size_t n;
	uint64_t t0;

	if (!r)
		return 1;
	wall(jpath_u64(r, "start_ns"), when, sizeof(when));
	fprintf(out, "Stall on %s at %s%s\n\n%s\n\n", jpath_str(r, "bdf"), when,
		json_object_get_boolean(jpath_get(r, "in_progress")) ? " (still going when written)" : "",
		jpath_str(r, "explanation"));
	n = collect(jpath_get(r, "operations"), rows, 0, 1024);
	n = collect(jpath_get(r, "waits"), rows, n, 1024);
	qsort(rows, n, sizeof(rows[0]), by_start);
	t0 = n ? rows[0].start : 0;
	fprintf(out, "%10s %10s  %-7s %-16s %s\n", "AT(ms)", "TOOK(ms)", "TID", "COMM", "WHAT");
	for (size_t i = 0; i < n; i++) {
		json_object *o = rows[i].o;
		char extra[96] = "";

		if (jpath_u64(o, "holder_tid"))
			snprintf(extra, sizeof(extra), "  held by %" PRIu64 "/%s", jpath_u64(o, "holder_tid"),
				 jpath_str(o, "holder_comm"));
		fprintf(out, "%10.3f %10.3f  %-7" PRIu64 " %-16s %s%s%s\n",
			(rows[i].start - t0) / 1e6, rows[i].dur / 1e6, jpath_u64(o, "tid"), jpath_str(o, "comm"),
			jpath_str(o, "what"), json_object_get_boolean(jpath_get(o, "in_progress")) ?
			" (running)" : "", extra);
	}
	print_stack(jpath_get(r, "waits"), jpath_str(r, "boot_id"), out);
	fprintf(out, "\nRecorder: %" PRIu64 " events in the window, %" PRIu64
		" overwritten before; threshold %.1f ms.\n",
		jpath_u64(jpath_get(r, "recorder"), "in_window"), jpath_u64(jpath_get(r, "recorder"), "overwritten"),
		jpath_u64(r, "threshold_ns") / 1e6);
	json_object_put(r);
	return 0;
}

int reports_list(const char *dir, FILE *out)
{
	struct dirent **list;
	int n = report_files_scan(dir, &list), shown;

	if (n < 0) {
		char shown[512];

		fprintf(stderr, "vfiotop: cannot read %s: %s\n", term_escape(dir, shown, sizeof(shown)),
			strerror(errno));
		return 1;
	}
	fprintf(out, "%-27s %-13s %10s  %s\n", "WHEN", "DEVICE", "TOOK(ms)", "REPORT");
	shown = 0;
	for (int i = 0; i < n; i++) {
		char path[4096], when[48];
		json_object *r;

		snprintf(path, sizeof(path), "%s/%s", dir, list[i]->d_name);
		r = load(path, true);
		if (r) {
			char shown_path[1024];

			wall(jpath_u64(r, "start_ns"), when, sizeof(when));
			fprintf(out, "%-27s %-13s %10.1f%s %s\n", when, jpath_str(r, "bdf"),
				jpath_u64(r, "duration_ns") / 1e6,
				json_object_get_boolean(jpath_get(r, "in_progress")) ? "+" : " ",
				term_escape(path, shown_path, sizeof(shown_path)));
			shown++;
		}
		json_object_put(r);
		free(list[i]);
	}
	free(list);
	if (!shown) {
		char shown_dir[512];

		fprintf(out, "(no reports in %s)\n", term_escape(dir, shown_dir, sizeof(shown_dir)));
	}
	return 0;
}
