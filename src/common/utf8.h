/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Strings from outside (a task's comm, sysfs) may hold any bytes; every
 * output that must be UTF-8 (JSON, Prometheus labels) checks them here.
 */
#ifndef VFIOTOP_UTF8_H
#define VFIOTOP_UTF8_H

/* length of the valid UTF-8 sequence at s (RFC 3629), 0 if there is none */
int utf8_seq_len(const unsigned char *s);

#define UTF8_REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD, for a byte that is not */

#endif
