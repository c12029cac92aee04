// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Client load for vfiotopd's VM test: N threads each asking for snapshots on
 * the unix socket in a loop, M threads scraping /metrics over HTTP, and some
 * clients that connect and then stall (say nothing, half a request, or never
 * read). Prints one line, measured from the client side:
 *
 *	VFIOTOP-LOAD {"socket":{"requests":..,"errors":..,"p50_ms":..,"p99_ms":..,
 *	 "max_ms":..},"http":{...},"stalled":K}
 *
 *   loadclient --socket PATH --clients N [--http HOST:PORT --scrapers M]
 *		[--stalled K] --seconds S
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_SAMPLES	(1 << 20)

struct series {
	pthread_mutex_t lock;
	double *ms;
	size_t n;
	unsigned long errors;
};

static struct series sock_s = { .lock = PTHREAD_MUTEX_INITIALIZER };
static struct series http_s = { .lock = PTHREAD_MUTEX_INITIALIZER };
static const char *sock_path, *http_host;
static int http_port;
static double deadline;
static atomic_bool stop;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void record(struct series *s, double ms, int ok)
{
	pthread_mutex_lock(&s->lock);
	if (!ok)
		s->errors++;
	else if (s->n < MAX_SAMPLES)
		s->ms[s->n++] = ms;
	pthread_mutex_unlock(&s->lock);
}

static int connect_unix(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int connect_tcp(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(http_port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	inet_pton(AF_INET, http_host, &sa.sin_addr);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* one request, the whole answer read: did it look right? */
static int exchange(int fd, const char *req, const char *expect)
{
	char buf[65536], head[64] = "";
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		close(fd);
		return 0;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (got < sizeof(head) - 1)
			memcpy(head + got, buf, (size_t)n < sizeof(head) - 1 - got ?
			       (size_t)n : sizeof(head) - 1 - got);
		got += n;
	}
	close(fd);
	return n == 0 && got > 0 && strstr(head, expect) != NULL;
}

static void *socket_client(void *arg)
{
	while (!atomic_load(&stop) && now_ms() < deadline) {
		double t0 = now_ms();
		int ok = exchange(connect_unix(), "snapshot\n", "{\"schema_version\"");

		record(&sock_s, now_ms() - t0, ok);
	}
	return NULL;
}

static void *scraper(void *arg)
{
	while (!atomic_load(&stop) && now_ms() < deadline) {
		double t0 = now_ms();
		int ok = exchange(connect_tcp(), "GET /metrics HTTP/1.1\r\nHost: x\r\n"
				  "Connection: close\r\n\r\n", "HTTP/1.1 200");

		record(&http_s, now_ms() - t0, ok);
	}
	return NULL;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void print_series(const char *name, struct series *s)
{
	double p50 = 0, p99 = 0, max = 0;

	if (s->n) {
		qsort(s->ms, s->n, sizeof(double), cmp);
		p50 = s->ms[s->n / 2];
		p99 = s->ms[(size_t)(s->n * 0.99)];
		max = s->ms[s->n - 1];
	}
	printf("\"%s\":{\"requests\":%zu,\"errors\":%lu,\"p50_ms\":%.2f,\"p99_ms\":%.2f,"
	       "\"max_ms\":%.2f}", name, s->n, s->errors, p50, p99, max);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "clients", required_argument, NULL, 'c' },
		{ "http", required_argument, NULL, 'H' },
		{ "scrapers", required_argument, NULL, 'm' },
		{ "stalled", required_argument, NULL, 'k' },
		{ "seconds", required_argument, NULL, 't' },
		{ 0 }
	};
	int clients = 0, scrapers = 0, stalled = 0, opt, *stall_fds;
	double seconds = 5;
	pthread_t *th;
	char *colon;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's': sock_path = optarg; break;
		case 'c': clients = atoi(optarg); break;
		case 'H':
			http_host = optarg;
			colon = strchr(optarg, ':');
			if (!colon)
				return 2;
			*colon = '\0';
			http_port = atoi(colon + 1);
			break;
		case 'm': scrapers = atoi(optarg); break;
		case 'k': stalled = atoi(optarg); break;
		case 't': seconds = atof(optarg); break;
		default:
			fprintf(stderr, "loadclient: bad usage\n");
			return 2;
		}
	}
	if (!sock_path || clients < 0 || clients > 1000 || scrapers < 0 || scrapers > 100 ||
	    stalled < 0 || stalled > 200 || (scrapers && !http_host))
		return 2;
	sock_s.ms = calloc(MAX_SAMPLES, sizeof(double));
	http_s.ms = calloc(MAX_SAMPLES, sizeof(double));
	stall_fds = calloc(stalled + 1, sizeof(int));
	th = calloc(clients + scrapers + 1, sizeof(*th));
	if (!sock_s.ms || !http_s.ms || !stall_fds || !th)
		return 1;
	/* a third say nothing, a third half a request, a third ask and never read */
	for (int i = 0; i < stalled; i++) {
		stall_fds[i] = connect_unix();
		if (stall_fds[i] >= 0 && i % 3 == 1 && write(stall_fds[i], "snap", 4) < 0)
			perror("write");
		if (stall_fds[i] >= 0 && i % 3 == 2 && write(stall_fds[i], "snapshot\n", 9) < 0)
			perror("write");
	}
	deadline = now_ms() + seconds * 1e3;
	for (int i = 0; i < clients; i++)
		pthread_create(&th[i], NULL, socket_client, NULL);
	for (int i = 0; i < scrapers; i++)
		pthread_create(&th[clients + i], NULL, scraper, NULL);
	for (int i = 0; i < clients + scrapers; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < stalled; i++)
		if (stall_fds[i] >= 0)
			close(stall_fds[i]);
	printf("VFIOTOP-LOAD {");
	print_series("socket", &sock_s);
	putchar(',');
	print_series("http", &http_s);
	printf(",\"stalled\":%d}\n", stalled);
	free(sock_s.ms);
	free(http_s.ms);
	free(stall_fds);
	free(th);
	return 0;
}
