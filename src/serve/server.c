// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "evloop.h"
#include "log.h"
#include "mono_clock.h"
#include "safe_files.h"
#include "server.h"

#define CLAIM_PING_MS	500	/* a live daemon answers ping within this */
#define CLAIM_RETRY_MS	200
#define CLAIM_WAIT_MS	30000	/* for a killed predecessor to let go */
#define ACCEPT_BATCH	64	/* per wake-up: a flood of connects cannot hold the loop */
#define FD_HEADROOM	256	/* fds beside clients and other_fds: BPF objects, files */

struct client {
	struct ev_handler ev;
	struct server *srv;
	int fd;
	uid_t uid;	/* SO_PEERCRED at accept */
	uint64_t since_ms;
	char in[PROTOCOL_MAX_REQUEST + 1];	/* + "\r\n" of a longest line */
	size_t in_len;
	char *out;	/* response being written, NULL while reading */
	size_t out_len, out_off;
};

struct server {
	struct ev_handler ev;
	int fd, epfd;
	int spare_fd;	/* closed to accept (and drop) a client when out of fds */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char made_dir[PATH_MAX];	/* the socket's folder, if this daemon made it */
	server_respond_fn respond;
	void *ctx;
	int max_clients;	/* SERVER_MAX_CLIENTS, or fewer if fds are short */
	unsigned long evicted, refused;
	struct client *clients[SERVER_MAX_CLIENTS];
};

static uint64_t now_ms(void)
{
	return mono_ns() / 1000000;
}

static void client_close(struct client *c)
{
	struct server *s = c->srv;

	for (int i = 0; i < s->max_clients; i++)
		if (s->clients[i] == c)
			s->clients[i] = NULL;
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->out);
	free(c);
}

static void client_write(struct client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;	/* EPOLLOUT brings us back */
		if (n <= 0) {
			client_close(c);
			return;
		}
		c->out_off += n;
	}
	client_close(c);
}

static void client_respond(struct client *c, char *body)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = &c->ev };
	size_t len;

	if (!body)
		body = strdup("{\"error\":\"out of memory\"}");
	if (!body) {
		client_close(c);
		return;
	}
	len = strlen(body);
	c->out = realloc(body, len + 2);
	if (!c->out) {
		free(body);
		client_close(c);
		return;
	}
	c->out[len] = '\n';
	c->out[len + 1] = '\0';
	c->out_len = len + 1;
	epoll_ctl(c->srv->epfd, EPOLL_CTL_MOD, c->fd, &ev);
	client_write(c);
}

static void client_read(struct client *c)
{
	struct request req;
	const char *err = NULL;

	for (;;) {
		ssize_t n = read(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			client_close(c);
			return;
		}
		/* EOF ends the request line even without a newline */
		if (n == 0 && c->in_len < sizeof(c->in))
			c->in[c->in_len++] = '\n';
		else
			c->in_len += n;
		switch (protocol_parse(c->in, c->in_len, &req, &err)) {
		case PARSE_OK:
			req.peer_uid = c->uid;
			client_respond(c, c->srv->respond(&req, c->srv->ctx));
			return;
		case PARSE_ERROR:
			client_respond(c, protocol_error_json(err));
			return;
		case PARSE_INCOMPLETE:
			if (n == 0) {
				client_close(c);
				return;
			}
			break;
		}
	}
}

static void client_on_event(struct ev_handler *h, uint32_t events)
{
	struct client *c = container_of(h, struct client, ev);

	if (c->out)
		client_write(c);
	else if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		client_read(c);
}

/* Logged at 1, 2, 4, 8, ...: a flood says so without filling the log. */
static void log_sometimes(unsigned long count, const char *what)
{
	if (!(count & (count - 1)))
		log_info("socket: %s (%lu so far)", what, count);
}

/*
 * Who makes room for a new client of uid: the oldest connection still waiting
 * for its request line, of that uid when same_uid. Answers being written are
 * never cut short.
 */
static struct client *oldest_waiting(struct server *s, uid_t uid, bool same_uid)
{
	struct client *oldest = NULL;

	for (int i = 0; i < s->max_clients; i++) {
		struct client *c = s->clients[i];

		if (!c || c->out || (same_uid && c->uid != uid))
			continue;
		if (!oldest || c->since_ms < oldest->since_ms)
			oldest = c;
	}
	return oldest;
}

/* A free slot for a client of uid, evicting someone if a limit is reached; -1 if none. */
static int take_slot(struct server *s, uid_t uid)
{
	int used = 0, of_uid = 0, free_slot = -1;
	struct client *victim = NULL;

	for (int i = 0; i < s->max_clients; i++) {
		if (!s->clients[i]) {
			if (free_slot < 0)
				free_slot = i;
			continue;
		}
		used++;
		of_uid += s->clients[i]->uid == uid;
	}
	/* root may stop the daemon anyway: only the table bounds it */
	if (uid != 0 && of_uid >= SERVER_MAX_PER_UID)
		victim = oldest_waiting(s, uid, true);
	else if (free_slot < 0)
		victim = oldest_waiting(s, uid, false);
	else
		return free_slot;
	if (!victim)
		return -1;
	for (int i = 0; i < s->max_clients; i++)
		if (s->clients[i] == victim)
			free_slot = i;
	client_close(victim);
	log_sometimes(++s->evicted, "connection limit reached: the oldest idle client was dropped");
	return free_slot;
}

static uid_t peer_uid(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	/* unknown: counted as nobody's, never as root's */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return (uid_t)-2;
	return cred.uid;
}

/* Out of fds: take the pending connection with the spare fd and close it. */
static void refuse_pending(struct server *s)
{
	if (s->spare_fd < 0)
		return;
	close(s->spare_fd);
	s->spare_fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
	if (s->spare_fd >= 0)
		close(s->spare_fd);
	s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	log_sometimes(++s->refused, "out of file descriptors: a client was refused");
}

static void server_accept(struct ev_handler *h, uint32_t events)
{
	struct server *s = container_of(h, struct server, ev);

	for (int batch = 0; batch < ACCEPT_BATCH; batch++) {
		int fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct epoll_event ev = { .events = EPOLLIN };
		struct client *c;
		int slot;

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				refuse_pending(s);
			return;
		}
		c = calloc(1, sizeof(*c));
		if (!c) {
			close(fd);
			continue;
		}
		c->uid = peer_uid(fd);
		slot = take_slot(s, c->uid);
		if (slot < 0) {
			log_sometimes(++s->refused, "every connection is busy answering: a client "
				      "was refused");
			close(fd);
			free(c);
			continue;
		}
		c->ev.on_event = client_on_event;
		c->srv = s;
		c->fd = fd;
		c->since_ms = now_ms();
		ev.data.ptr = &c->ev;
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev)) {
			close(fd);
			free(c);
			continue;
		}
		s->clients[slot] = c;
		/* a request already sent is answered now, before a later accept may evict it */
		client_read(c);
	}
}

/*
 * Room for SERVER_MAX_CLIENTS beside what else the daemon holds: the soft
 * limit is raised toward the hard one; what it cannot reach, fewer slots.
 */
static int client_slots(unsigned int other_fds)
{
	struct rlimit rl;
	rlim_t headroom = FD_HEADROOM + other_fds, want = SERVER_MAX_CLIENTS + headroom;
	int slots;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return SERVER_MAX_CLIENTS / 4;
	if (rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur >= want)
		return SERVER_MAX_CLIENTS;
	slots = rl.rlim_cur > headroom * 2 ? (int)(rl.rlim_cur - headroom) : (int)rl.rlim_cur / 2;
	log_info("socket: %llu file descriptors allowed: serving %d clients at once",
		 (unsigned long long)rl.rlim_cur, slots);
	return slots;
}

enum peer { PEER_NONE, PEER_ALIVE, PEER_SILENT };

/* Who is behind the socket path: nobody, a daemon that answers ping, or a
 * socket that takes the connection but never answers. */
static enum peer probe_peer(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct pollfd p = { .events = POLLIN };
	enum peer peer = PEER_SILENT;
	char c;

	if (fd < 0)
		return PEER_SILENT;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return PEER_NONE;
	}
	p.fd = fd;
	if (write(fd, "ping\n", 5) == 5 && poll(&p, 1, CLAIM_PING_MS) == 1 && read(fd, &c, 1) == 1)
		peer = PEER_ALIVE;
	close(fd);
	return peer;
}

/*
 * Refuses to take over the socket of a daemon that still answers. A daemon
 * killed with -9 keeps its socket until the kernel has torn its BPF links
 * down (seconds under emulation): a restart waits for it, bounded, instead
 * of giving up on a socket nobody serves.
 */
static int claim_path(const char *path)
{
	struct stat st;

	/* a file or link someone put there is not ours to remove */
	if (!lstat(path, &st) && !S_ISSOCK(st.st_mode)) {
		log_err("%s exists and is not a socket: not removing it", path);
		return -EEXIST;
	}
	for (int waited = 0;; waited += CLAIM_RETRY_MS) {
		switch (probe_peer(path)) {
		case PEER_NONE:
			unlink(path);
			return 0;
		case PEER_ALIVE:
			return -EADDRINUSE;
		case PEER_SILENT:
			break;
		}
		if (waited >= CLAIM_WAIT_MS) {
			log_err("%s: the previous vfiotopd did not let go of it in %d s",
				path, CLAIM_WAIT_MS / 1000);
			return -EADDRINUSE;
		}
		if (!waited)
			log_info("%s: a previous vfiotopd is still exiting: waiting up to %d s",
				 path, CLAIM_WAIT_MS / 1000);
		usleep(CLAIM_RETRY_MS * 1000);
	}
}

/* Whether the folder st describes is one systemd made for this service (RuntimeDirectory=). */
static bool is_runtime_dir(const struct stat *st)
{
	const char *dirs = getenv("RUNTIME_DIRECTORY");
	char list[PATH_MAX], *save = NULL;
	struct stat rt;

	if (!dirs)
		return false;
	snprintf(list, sizeof(list), "%s", dirs);
	for (char *d = strtok_r(list, ":", &save); d; d = strtok_r(NULL, ":", &save))
		if (!stat(d, &rt) && rt.st_dev == st->st_dev && rt.st_ino == st->st_ino)
			return true;
	return false;
}

/*
 * --socket-group: the group may connect (read snapshots; nothing a client can
 * send changes the daemon's state), others still may not even look. The
 * folder is changed only if this daemon (or systemd, for it) made it: a
 * folder that was there, /tmp say, is left as it is.
 */
static int share_with_group(struct server *s, int dirfd, gid_t group)
{
	struct stat st;
	bool ours;

	if (chown(s->path, -1, group) || chmod(s->path, 0660) || fstat(dirfd, &st))
		return -errno;
	ours = s->made_dir[0] || is_runtime_dir(&st);
	if (ours && (fchown(dirfd, -1, group) || fchmod(dirfd, 0750)))
		return -errno;
	if (!ours && !(st.st_mode & S_IXOTH) && !(st.st_gid == group && (st.st_mode & S_IXGRP)))
		log_err("--socket-group: the socket's folder (mode %04o, group %u) was not made by "
			"vfiotopd and is left as it is: group %u cannot reach the socket through it",
			(unsigned int)(st.st_mode & 07777), (unsigned int)st.st_gid,
			(unsigned int)group);
	return 0;
}

/* The socket's folder, made 0700 if missing, checked; its fd or -1 (logged). */
static int socket_dir(struct server *s, const char *path, bool shared_ok)
{
	char dir[PATH_MAX], why[PATH_MAX + 100];
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	dirname(dir);
	if (!mkdir(dir, 0700))
		snprintf(s->made_dir, sizeof(s->made_dir), "%s", dir);
	else if (errno != EEXIST) {
		log_err("cannot use socket %s: cannot create %s: %s", path, dir, strerror(errno));
		return -1;
	}
	fd = safe_dir_open(dir, shared_ok, why, sizeof(why));
	if (fd < 0)
		log_err("cannot use socket %s: folder %s%s", path, why, errno == EPERM ?
			" (a folder of its own, or --allow-shared-dirs)" : "");
	return fd;
}

struct server *server_open(const char *path, gid_t group, bool shared_dir_ok,
			   unsigned int other_fds, int epfd, server_respond_fn respond, void *ctx)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct epoll_event ev = { .events = EPOLLIN };
	struct server *s;
	mode_t old_umask;
	int err, dirfd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_err("socket path too long (max %zu bytes): %s", sizeof(sa.sun_path) - 1, path);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->fd = -1;
	s->spare_fd = -1;
	snprintf(s->path, sizeof(s->path), "%s", path);
	dirfd = socket_dir(s, path, shared_dir_ok);
	if (dirfd < 0)
		goto fail;
	err = claim_path(path);
	if (err) {
		if (err == -EADDRINUSE)
			log_err("cannot use socket %s: another vfiotopd is serving it", path);
		goto fail;
	}
	s->ev.on_event = server_accept;
	s->epfd = epfd;
	s->respond = respond;
	s->ctx = ctx;
	s->max_clients = client_slots(other_fds);
	s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	/* the socket is born 0600: no window where others could connect */
	old_umask = umask(0177);
	err = s->fd < 0 || bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	      listen(s->fd, SOMAXCONN);
	umask(old_umask);
	if (err) {
		log_err("cannot listen on %s: %s", path, strerror(errno));
		goto fail;
	}
	if (group != (gid_t)-1 && (err = share_with_group(s, dirfd, group))) {
		log_err("cannot give group %u access to %s: %s", (unsigned int)group, path,
			strerror(-err));
		goto fail_bound;
	}
	ev.data.ptr = &s->ev;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev)) {
		log_err("cannot listen on %s: %s", path, strerror(errno));
		goto fail_bound;
	}
	close(dirfd);
	return s;
fail_bound:
	unlink(path);
fail:
	if (s->fd >= 0)
		close(s->fd);
	if (s->spare_fd >= 0)
		close(s->spare_fd);
	if (dirfd >= 0)
		close(dirfd);
	if (s->made_dir[0])
		rmdir(s->made_dir);
	free(s);
	return NULL;
}

void server_expire(struct server *s)
{
	uint64_t now = now_ms();

	for (int i = 0; i < s->max_clients; i++) {
		struct client *c = s->clients[i];
		uint64_t age;

		if (!c)
			continue;
		age = now - c->since_ms;
		/* a request that came in while the loop was busy still counts */
		if (!c->out && age > SERVER_REQUEST_TIMEOUT_MS) {
			client_read(c);
			if (s->clients[i] == c && !c->out)
				client_close(c);
		} else if (age > SERVER_CLIENT_TIMEOUT_MS) {
			client_close(c);
		}
	}
}

void server_stats(const struct server *s, unsigned long *evicted, unsigned long *refused)
{
	*evicted = s ? s->evicted : 0;
	*refused = s ? s->refused : 0;
}

void server_close(struct server *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->max_clients; i++)
		if (s->clients[i])
			client_close(s->clients[i]);
	close(s->fd);
	if (s->spare_fd >= 0)
		close(s->spare_fd);
	unlink(s->path);
	/* made by this daemon: gone with it, so the next one makes it afresh */
	if (s->made_dir[0])
		rmdir(s->made_dir);
	free(s);
}
