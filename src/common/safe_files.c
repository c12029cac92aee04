// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "safe_files.h"

const char *safe_dir_problem(const struct stat *st, bool shared_ok, char *buf, size_t len)
{
	if (!S_ISDIR(st->st_mode))
		return "is not a folder";
	if (shared_ok)
		return NULL;
	if (st->st_uid != geteuid()) {
		snprintf(buf, len, "belongs to uid %u, not to vfiotopd's (%u)",
			 (unsigned int)st->st_uid, (unsigned int)geteuid());
		return buf;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(buf, len, "is writable by its group or others (mode %04o)",
			 (unsigned int)(st->st_mode & 07777));
		return buf;
	}
	return NULL;
}

int safe_dir_open(const char *path, bool shared_ok, char *why, size_t len)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	const char *problem;
	char buf[96];
	struct stat st;
	int err;

	if (fd < 0) {
		err = errno;
		/* O_NOFOLLOW says ELOOP, O_DIRECTORY ENOTDIR: say what is there */
		if ((err == ELOOP || err == ENOTDIR) && !lstat(path, &st) && S_ISLNK(st.st_mode))
			snprintf(why, len, "%s: is a symbolic link", path);
		else
			snprintf(why, len, "%s: %s", path, strerror(err));
		errno = err;
		return -1;
	}
	if (fstat(fd, &st)) {
		err = errno;
		snprintf(why, len, "%s: %s", path, strerror(err));
		close(fd);
		errno = err;
		return -1;
	}
	problem = safe_dir_problem(&st, shared_ok, buf, sizeof(buf));
	if (problem) {
		snprintf(why, len, "%s: %s", path, problem);
		close(fd);
		errno = EPERM;
		return -1;
	}
	return fd;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		data += n;
		len -= n;
	}
	return 0;
}

int safe_write_file(int dirfd, const char *name, const char *data, size_t len, mode_t mode)
{
	char tmp[512];
	int fd, err;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", name) >= sizeof(tmp))
		return -ENAMETOOLONG;
	/* left by a crash, or planted: unlinkat removes a link, never its target */
	if (unlinkat(dirfd, tmp, 0) && errno != ENOENT)
		return -errno;
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	err = write_all(fd, data, len);
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && renameat(dirfd, tmp, dirfd, name))
		err = -errno;
	if (err)
		unlinkat(dirfd, tmp, 0);
	return err;
}
