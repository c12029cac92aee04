/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The live view's state, shared by its loop and keys (top_tui.c) and its drawing (top_draw.c). */
#ifndef VFIOTOP_TOP_TUI_H
#define VFIOTOP_TOP_TUI_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "top.h"

enum mode { M_LIST, M_DETAIL, M_HELP };

enum pair { P_HEADER = 1, P_TITLE, P_ERROR, P_MISMATCH, P_BAR, P_HEADING, P_GONE };

struct tui {
	struct top_sampler s;
	struct top_view view;
	double interval;
	struct top_row *rows;
	size_t nrows;		/* after the filter */
	int ntotal;
	char sel_bdf[16];	/* the selection follows the device, not the line */
	size_t sel, first;	/* selected row, first row on screen */
	enum mode mode, help_from;
	int detail_first;
	bool prompt;
	char edit[sizeof(((struct top_view *)0)->filter)];
	bool color, utf8;
	unsigned long samples;
};

/* The whole screen for the current mode, from t's rows. */
void tui_draw(struct tui *t);

#endif
