/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Numbers given on a command line, strictly: all of the string, nothing else. */
#ifndef VFIOTOP_PARSE_NUM_H
#define VFIOTOP_PARSE_NUM_H

#include <stdbool.h>

/* a finite number ("0.5", "1e3"); false for "", "1x", "nan", "inf", overflow */
bool parse_double(const char *s, double *out);
/* digits only: false for "", "-1" (strtoul would wrap it), "1x", overflow */
bool parse_ulong(const char *s, unsigned long *out);

#endif
