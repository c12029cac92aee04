// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include "report_files.h"

static int is_report(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return n > 5 && !strcmp(de->d_name + n - 5, ".json") && !strstr(de->d_name, ".trace.");
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int report_files_scan(const char *dir, struct dirent ***list)
{
	return scandir(dir, list, is_report, by_name);
}

int report_files_scanat(int dirfd, struct dirent ***list)
{
	return scandirat(dirfd, ".", list, is_report, by_name);
}
