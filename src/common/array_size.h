/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef VFIOTOP_ARRAY_SIZE_H
#define VFIOTOP_ARRAY_SIZE_H

/* the number of elements of an array (not of a pointer) */
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif
