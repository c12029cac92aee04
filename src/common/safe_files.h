/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Folders the daemon creates files in (stall reports, its socket) and the
 * files themselves, safe from other local users: a folder is opened once,
 * without following a link, and must be the daemon's own and writable by no
 * one else (unless the administrator allows shared folders); files are
 * created in it by fd, never through a link, never over someone's file.
 */
#ifndef VFIOTOP_SAFE_FILES_H
#define VFIOTOP_SAFE_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

/*
 * Why the folder st describes is unsafe to create files in, in words that
 * follow its path ("is writable by its group or others (mode 0777)"); NULL
 * when it is safe. shared_ok: only "not a folder" remains unsafe.
 */
const char *safe_dir_problem(const struct stat *st, bool shared_ok, char *buf, size_t len);

/*
 * path opened as a folder (O_DIRECTORY | O_NOFOLLOW) and checked; its fd, or
 * -1 with errno and why[] saying why ("PATH: is a symbolic link").
 */
int safe_dir_open(const char *path, bool shared_ok, char *why, size_t len);

/*
 * Writes name in the folder dirfd all at once: data goes to name.tmp, created
 * O_EXCL | O_NOFOLLOW (a stale one, or a link planted there, is removed, not
 * followed), is synced, then renamed over name (a link at name is replaced,
 * not followed). 0 or -errno.
 */
int safe_write_file(int dirfd, const char *name, const char *data, size_t len, mode_t mode);

#endif
