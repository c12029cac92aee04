// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The live view's screens: header, device list, detail, help, footer and
 * the filter prompt, clipped to the terminal.
 */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "array_size.h"
#include "top_detail.h"
#include "top_tui.h"

static attr_t attr_of(const struct tui *t, enum pair p)
{
	static const attr_t mono[] = {
		[P_HEADER] = A_REVERSE, [P_TITLE] = A_BOLD | A_UNDERLINE, [P_ERROR] = A_BOLD,
		[P_MISMATCH] = A_BOLD, [P_BAR] = A_NORMAL, [P_HEADING] = A_BOLD, [P_GONE] = A_DIM,
	};

	if (!t->color)
		return mono[p];
	return (attr_t)COLOR_PAIR(p) | (p == P_HEADING || p == P_ERROR || p == P_MISMATCH ? A_BOLD :
					p == P_GONE ? A_DIM : 0);
}

/* Clipped: nothing wraps or lands off screen, so tiny terminals just lose the rest. */
static void put(int y, int x, attr_t attr, const char *s)
{
	if (y < 0 || y >= LINES || x >= COLS)
		return;
	attron(attr);
	mvaddnstr(y, x, s, COLS - x);
	attroff(attr);
}

/* A whole line in attr, padded to the right edge. */
static void put_line(int y, attr_t attr, const char *s)
{
	if (y < 0 || y >= LINES)
		return;
	attron(attr);
	mvhline(y, 0, ' ', COLS);
	attroff(attr);
	put(y, 0, attr, s);
}

static bool sorted_desc(const struct top_view *v)
{
	return top_columns[v->sort].numeric != v->reverse;
}

static const char *marker(const struct tui *t)
{
	if (t->utf8)
		return sorted_desc(&t->view) ? "\u25bc" : "\u25b2";
	return sorted_desc(&t->view) ? "v" : "^";
}

static void draw_header(struct tui *t)
{
	char line[512], when[16], dma[256];
	time_t now = time(NULL);

	strftime(when, sizeof(when), "%H:%M:%S", localtime(&now));
	snprintf(line, sizeof(line), " vfiotop %s  %zu/%d devices  lost events %llu  every %gs"
		 "  vfiotopd %s  kernel %s", when, t->nrows, t->ntotal,
		 (unsigned long long)jpath_u64(t->s.cur, "lost_events"), t->interval,
		 t->s.cur ? jpath_str(t->s.cur, "daemon.state") : "?",
		 t->s.cur ? jpath_str(t->s.cur, "kernel.release") : "?");
	put_line(0, attr_of(t, P_HEADER), line);
	if (t->s.err[0]) {
		snprintf(line, sizeof(line), " %s; retrying every %gs", t->s.err, t->interval);
		put_line(1, attr_of(t, P_ERROR), line);
		return;
	}
	top_dma_summary(t->s.cur, dma, sizeof(dma));
	snprintf(line, sizeof(line), " sort %s %s  filter %s%s%s%s%s", top_columns[t->view.sort].name,
		 sorted_desc(&t->view) ? "desc" : "asc", *t->view.filter ? "\"" : "",
		 *t->view.filter ? t->view.filter : "none", *t->view.filter ? "\"" : "",
		 *dma ? "   " : "", dma);
	put_line(1, A_NORMAL, line);
}

static void draw_footer(struct tui *t, const char *hints)
{
	char line[128];

	if (!t->prompt) {
		put_line(LINES - 1, A_DIM, hints);
		return;
	}
	snprintf(line, sizeof(line), "filter: %s", t->edit);
	put_line(LINES - 1, A_BOLD, line);
	move(LINES - 1, strlen(line) < (size_t)COLS ? (int)strlen(line) : COLS - 1);
}

/* The cell padded to the column's width: text to the left, numbers to the right. */
static int cell(char *buf, size_t len, enum top_col c, const char *text, int extra)
{
	int w = top_columns[c].width + extra;

	return snprintf(buf, len, "%*.*s", top_columns[c].numeric ? w : -w, w, text);
}

static void draw_list(struct tui *t)
{
	bool shown[COL_NR];
	int body = LINES - 4, y = 2, x = 0, mt_x = -1;
	char line[1024], text[64];
	size_t off = 0;

	top_layout(COLS, shown);
	for (int c = 0; c < COL_NR; c++) {
		if (!shown[c])
			continue;
		if (off)
			line[off++] = ' ';
		if (c == (int)t->view.sort) {
			/* the marker is one column wide but may take three bytes */
			snprintf(text, sizeof(text), "%s%s", top_columns[c].name, marker(t));
			off += cell(line + off, sizeof(line) - off, c, text,
				    strlen(text) - strlen(top_columns[c].name) - 1);
		} else {
			off += cell(line + off, sizeof(line) - off, c, top_columns[c].name, 0);
		}
	}
	put_line(y++, attr_of(t, P_TITLE), line);

	if (!t->nrows) {
		put(y, 1, A_NORMAL, !t->s.cur ? "no snapshot yet" :
		    t->ntotal ? "no device matches the filter" : "no devices");
		return;
	}
	/* keep the selection on screen */
	if (body < 1)
		body = 1;
	if (t->sel < t->first)
		t->first = t->sel;
	if (t->sel >= t->first + body)
		t->first = t->sel - body + 1;
	if (t->first + body > t->nrows)
		t->first = t->nrows > (size_t)body ? t->nrows - body : 0;

	for (size_t i = t->first; i < t->nrows && y < LINES - 1; i++, y++) {
		const struct top_row *r = &t->rows[i];
		attr_t attr = i == t->sel ? A_REVERSE : r->gone ? attr_of(t, P_GONE) : A_NORMAL;

		off = 0;
		x = 0;
		for (int c = 0; c < COL_NR; c++) {
			if (!shown[c])
				continue;
			if (off) {
				line[off++] = ' ';
				x++;
			}
			if (c == COL_MEMTYPE)
				mt_x = x;
			top_cell(r, c, text, sizeof(text));
			off += cell(line + off, sizeof(line) - off, c, text, 0);
			x += top_columns[c].width;
		}
		put_line(y, attr, line);
		if (r->mismatch && mt_x >= 0) {
			top_cell(r, COL_MEMTYPE, text, sizeof(text));
			put(y, mt_x, attr | attr_of(t, P_MISMATCH) |
			    (t->color ? 0 : A_UNDERLINE), text);
		}
	}
}

static const struct top_row *selected(const struct tui *t)
{
	for (size_t i = 0; i < t->nrows; i++)
		if (!strcmp(t->rows[i].bdf, t->sel_bdf))
			return &t->rows[i];
	return NULL;
}

static void draw_detail(struct tui *t)
{
	const struct top_row *r = selected(t);
	struct top_lines lines = { 0 };
	int body = LINES - 3, y = 2;
	char msg[64];

	if (!r || top_detail(r, COLS, &lines)) {
		snprintf(msg, sizeof(msg), "%s is no longer in the snapshot", t->sel_bdf);
		put(y, 1, A_NORMAL, msg);
		top_lines_free(&lines);
		return;
	}
	if (t->detail_first > (int)lines.n - body)
		t->detail_first = (int)lines.n - body;
	if (t->detail_first < 0)
		t->detail_first = 0;
	for (size_t i = t->detail_first; i < lines.n && y < LINES - 1; i++, y++) {
		const struct top_line *l = &lines.v[i];
		attr_t attr = l->kind == TL_HEADING ? attr_of(t, P_HEADING) : A_NORMAL;

		if (l->kind == TL_BAR) {
			char label[256];

			snprintf(label, sizeof(label), "%.*s", l->bar_at, l->text);
			put(y, 0, A_NORMAL, label);
			put(y, l->bar_at, attr_of(t, P_BAR), l->text + l->bar_at);
		} else {
			put(y, 0, attr, l->text);
		}
	}
	top_lines_free(&lines);
}

static void draw_help(struct tui *t)
{
	static const char *const keys[] = {
		"Keys",
		"  Up Down j k PgUp PgDn Home End g G   select (list), scroll (detail)",
		"  Enter Right l     details of the selected device",
		"  Esc Bksp Left     back to the list (Enter too)",
		"  < > , . s         sort by the previous or next column",
		"  r                 reverse the sort order",
		"  /                 filter by BDF, vendor:device or owner:",
		"                    Enter applies, Esc cancels, empty clears",
		"  + -               refresh slower or faster",
		"  Ctrl-L            redraw the screen",
		"  h ?               this help; any key returns",
		"  q                 quit",
		"Columns (rates are per second, - until two samples)",
	};
	int y = 1, half = (COL_NR + 1) / 2, two = COLS >= 80;
	char line[160];

	/* the status line gives its row: all of it fits 80x24 */
	move(1, 0);
	clrtoeol();
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++, y++)
		put(y, 1, keys[i][0] != ' ' ? attr_of(t, P_HEADING) : A_NORMAL, keys[i]);
	for (int c = 0; c < COL_NR; c++) {
		snprintf(line, sizeof(line), "  %-7s %-28s", top_columns[c].name,
			 top_columns[c].help);
		if (two && c >= half)
			put(y + c - half, 1 + 40, A_NORMAL, line);
		else
			put(y + c, 1, A_NORMAL, line);
	}
}

void tui_draw(struct tui *t)
{
	erase();
	curs_set(t->prompt ? 1 : 0);
	draw_header(t);
	switch (t->mode) {
	case M_LIST:
		draw_list(t);
		draw_footer(t, " q quit  h help  Enter detail  < > sort  r reverse  / filter");
		break;
	case M_DETAIL:
		draw_detail(t);
		draw_footer(t, " Esc back  Up/Down scroll  h help  q quit");
		break;
	case M_HELP:
		draw_help(t);
		draw_footer(t, " any key returns  q quit");
		break;
	}
	refresh();
}
