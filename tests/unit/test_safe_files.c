// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Folders the daemon writes in and the files it makes there, against what a
 * local user could plant: links at the temporary and final names, a folder
 * that is a link, shared, or another user's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safe_files.h"

static char root[] = "/tmp/vfiotop-safe-XXXXXX";

static void path_of(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", root, name);
}

/* a file only root may read, which a planted link points at */
static void make_victim(const char *name, const char *text)
{
	char path[128];
	int fd;

	path_of(path, sizeof(path), name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void assert_file(const char *name, const char *text)
{
	char path[128], buf[256] = "";
	int fd;

	path_of(path, sizeof(path), name);
	fd = open(path, O_RDONLY | O_NOFOLLOW);
	assert_true(fd >= 0);
	assert_true(read(fd, buf, sizeof(buf) - 1) >= 0);
	close(fd);
	assert_string_equal(buf, text);
}

static int setup(void **state)
{
	assert_non_null(mkdtemp(root));
	return 0;
}

static int teardown(void **state)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd);
}

static int open_dir(const char *name, bool shared_ok, char *why, size_t len)
{
	char path[128];

	path_of(path, sizeof(path), name);
	return safe_dir_open(path, shared_ok, why, len);
}

static void test_links_planted_in_the_folder(void **state)
{
	char path[128], target[128];
	int dirfd, fd;

	make_victim("shadow", "root only\n");
	path_of(target, sizeof(target), "shadow");
	dirfd = open(root, O_RDONLY | O_DIRECTORY);
	assert_true(dirfd >= 0);
	/* at the temporary name: the link goes, its target stays as it was */
	path_of(path, sizeof(path), "r1.json.tmp");
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(safe_write_file(dirfd, "r1.json", "{}\n", 3, 0640), 0);
	assert_file("shadow", "root only\n");
	assert_file("r1.json", "{}\n");
	assert_int_equal(access(path, F_OK), -1);
	/* at the final name: replaced by the report, not written through */
	path_of(path, sizeof(path), "r2.json");
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(safe_write_file(dirfd, "r2.json", "{\"a\":1}\n", 8, 0640), 0);
	assert_file("shadow", "root only\n");
	assert_file("r2.json", "{\"a\":1}\n");
	/* a hard link at the temporary name: unlinked, never truncated */
	path_of(path, sizeof(path), "r3.json.tmp");
	assert_int_equal(link(target, path), 0);
	assert_int_equal(safe_write_file(dirfd, "r3.json", "x", 1, 0640), 0);
	assert_file("shadow", "root only\n");
	/* the mode asked for, whatever the umask */
	path_of(path, sizeof(path), "r3.json");
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	{
		struct stat st;

		assert_int_equal(fstat(fd, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0640);
	}
	close(fd);
	close(dirfd);
}

static void test_folders_refused(void **state)
{
	char path[128], target[128], why[256];
	int fd;

	path_of(path, sizeof(path), "good");
	assert_int_equal(mkdir(path, 0750), 0);
	fd = open_dir("good", false, why, sizeof(why));
	assert_true(fd >= 0);
	close(fd);

	path_of(path, sizeof(path), "world");
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(chmod(path, 01777), 0);
	assert_int_equal(open_dir("world", false, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "writable by its group or others (mode 1777)"));
	fd = open_dir("world", true, why, sizeof(why));	/* --allow-shared-dirs */
	assert_true(fd >= 0);
	close(fd);

	path_of(path, sizeof(path), "group");
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(chmod(path, 0770), 0);
	assert_int_equal(open_dir("group", false, why, sizeof(why)), -1);

	path_of(path, sizeof(path), "link");
	path_of(target, sizeof(target), "good");
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(open_dir("link", false, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "is a symbolic link"));
	assert_int_equal(open_dir("link", true, why, sizeof(why)), -1);

	make_victim("file", "x");
	assert_int_equal(open_dir("file", true, why, sizeof(why)), -1);
	assert_int_equal(open_dir("missing", false, why, sizeof(why)), -1);
	assert_int_equal(errno, ENOENT);

	if (geteuid() == 0) {
		path_of(path, sizeof(path), "theirs");
		assert_int_equal(mkdir(path, 0755), 0);
		assert_int_equal(chown(path, 65534, 65534), 0);
		assert_int_equal(open_dir("theirs", false, why, sizeof(why)), -1);
		assert_non_null(strstr(why, "belongs to uid 65534"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_links_planted_in_the_folder),
		cmocka_unit_test(test_folders_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
