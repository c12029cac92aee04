// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The live view: the device table redrawn every interval, a detail view of
 * one device, a filter prompt and a help screen. Here: its loop, its keys and
 * its state; drawing is in top_draw.c, what the rows say in top_model.c and
 * top_detail.c.
 */
#include <curses.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "array_size.h"
#include "top_tui.h"

#define REQUEST_TIMEOUT_MS 2000
/* keys must feel immediate, and a signal must not wait for a long interval */
#define MAX_WAIT_MS 200
#define KEY_ESC 27
#define CTRL(c) ((c) & 0x1f)

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void rebuild(struct tui *t)
{
	int n;

	free(t->rows);
	t->rows = NULL;
	t->nrows = 0;
	t->ntotal = 0;
	if (!t->s.cur)
		return;
	n = top_build(t->s.prev, t->s.cur, t->s.elapsed, &t->rows);
	if (n < 0)
		return;
	t->ntotal = n;
	t->nrows = top_apply(t->rows, n, &t->view);
	for (size_t i = 0; i < t->nrows; i++)
		if (!strcmp(t->rows[i].bdf, t->sel_bdf)) {
			t->sel = i;
			return;
		}
	if (t->sel >= t->nrows)
		t->sel = t->nrows ? t->nrows - 1 : 0;
	if (t->nrows)
		snprintf(t->sel_bdf, sizeof(t->sel_bdf), "%s", t->rows[t->sel].bdf);
}

static void select_row(struct tui *t, long i)
{
	if (!t->nrows)
		return;
	if (i < 0)
		i = 0;
	if (i >= (long)t->nrows)
		i = t->nrows - 1;
	t->sel = i;
	snprintf(t->sel_bdf, sizeof(t->sel_bdf), "%s", t->rows[i].bdf);
}

static void cycle_sort(struct tui *t, int dir)
{
	bool shown[COL_NR];
	int c = t->view.sort;

	/* only through what is on screen, or the marker would vanish */
	top_layout(COLS, shown);
	do
		c = (c + dir + COL_NR) % COL_NR;
	while (!shown[c]);
	t->view.sort = c;
	t->view.reverse = false;
}

static void change_interval(struct tui *t, int dir)
{
	static const double steps[] = { 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60 };
	int n = ARRAY_SIZE(steps), i;

	if (dir > 0) {
		for (i = 0; i < n && steps[i] <= t->interval; i++)
			;
		if (i < n)
			t->interval = steps[i];
	} else {
		for (i = n - 1; i >= 0 && steps[i] >= t->interval; i--)
			;
		if (i >= 0)
			t->interval = steps[i];
	}
}

static void prompt_key(struct tui *t, int ch)
{
	size_t len = strlen(t->edit);

	switch (ch) {
	case KEY_ESC:
		t->prompt = false;
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		t->prompt = false;
		snprintf(t->view.filter, sizeof(t->view.filter), "%s", t->edit);
		t->first = 0;
		rebuild(t);
		break;
	case KEY_BACKSPACE:
	case 127:
	case CTRL('h'):
		if (len)
			t->edit[len - 1] = '\0';
		break;
	case CTRL('u'):
		t->edit[0] = '\0';
		break;
	default:
		if (ch >= 0x20 && ch < 0x7f && len + 1 < sizeof(t->edit)) {
			t->edit[len] = ch;
			t->edit[len + 1] = '\0';
		}
		break;
	}
}

/* false when the key quits */
static bool handle_key(struct tui *t, int ch)
{
	int page = LINES - 4 > 1 ? LINES - 4 : 1;

	if (t->prompt) {
		prompt_key(t, ch);
		return true;
	}
	if (ch == 'q' || ch == 'Q')
		return false;
	if (ch == KEY_RESIZE)
		return true;
	if (ch == CTRL('l')) {
		clearok(curscr, TRUE);
		return true;
	}
	if (ch == '+' || ch == '-') {
		change_interval(t, ch == '+' ? 1 : -1);
		return true;
	}
	if (t->mode == M_HELP) {
		t->mode = t->help_from;
		return true;
	}
	if (ch == 'h' || ch == '?') {
		t->help_from = t->mode;
		t->mode = M_HELP;
		return true;
	}
	if (t->mode == M_DETAIL) {
		switch (ch) {
		case KEY_ESC: case '\n': case '\r': case KEY_ENTER:
		case KEY_BACKSPACE: case 127: case CTRL('h'): case KEY_LEFT:
			t->mode = M_LIST;
			break;
		case KEY_UP: case 'k':		t->detail_first--; break;
		case KEY_DOWN: case 'j':	t->detail_first++; break;
		case KEY_PPAGE:			t->detail_first -= page; break;
		case KEY_NPAGE: case ' ':	t->detail_first += page; break;
		case KEY_HOME: case 'g':	t->detail_first = 0; break;
		case KEY_END: case 'G':		t->detail_first = 1 << 20; break;
		}
		return true;
	}
	switch (ch) {
	case KEY_UP: case 'k':		select_row(t, (long)t->sel - 1); break;
	case KEY_DOWN: case 'j':	select_row(t, (long)t->sel + 1); break;
	case KEY_PPAGE:			select_row(t, (long)t->sel - page); break;
	case KEY_NPAGE: case ' ':	select_row(t, (long)t->sel + page); break;
	case KEY_HOME: case 'g':	select_row(t, 0); break;
	case KEY_END: case 'G':		select_row(t, (long)t->nrows - 1); break;
	case '\n': case '\r': case KEY_ENTER: case KEY_RIGHT: case 'l':
		if (t->nrows) {
			t->mode = M_DETAIL;
			t->detail_first = 0;
		}
		break;
	case '<': case ',':	cycle_sort(t, -1); rebuild(t); break;
	case '>': case '.': case 's':	cycle_sort(t, 1); rebuild(t); break;
	case 'r':
		t->view.reverse = !t->view.reverse;
		rebuild(t);
		break;
	case '/':
		/* empty, like top's: Enter on it alone clears the filter */
		t->prompt = true;
		t->edit[0] = '\0';
		break;
	}
	return true;
}

static void init_colors(struct tui *t)
{
	const char *no = getenv("NO_COLOR");

	t->color = has_colors() && !(no && *no);
	if (!t->color)
		return;
	start_color();
	use_default_colors();
	init_pair(P_HEADER, COLOR_BLACK, COLOR_CYAN);
	init_pair(P_TITLE, COLOR_BLACK, COLOR_GREEN);
	init_pair(P_ERROR, COLOR_RED, -1);
	init_pair(P_MISMATCH, COLOR_RED, -1);
	init_pair(P_BAR, COLOR_GREEN, -1);
	init_pair(P_HEADING, COLOR_YELLOW, -1);
	/* grey where there is one: many terminals (screen, vt100) have no dim */
	init_pair(P_GONE, COLORS >= 16 ? 8 : COLOR_BLUE, -1);
}

int top_tui(const struct top_opts *o)
{
	struct tui t = { .s.sock = o->sock, .view = o->view, .interval = o->interval };
	struct sigaction sa = { .sa_handler = on_signal };
	double next = 0;
	SCREEN *scr;

	setlocale(LC_ALL, "");
	t.utf8 = !strcmp(nl_langinfo(CODESET), "UTF-8");
	/* before curses starts: it only installs its own where the default is */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		fprintf(stderr, "vfiotop: cannot drive terminal '%s'; try -b\n",
			getenv("TERM") ? getenv("TERM") : "");
		return 1;
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	init_colors(&t);

	while (!stop) {
		double now = top_now();
		int ch, wait;

		if (now >= next) {
			if (o->count && t.samples >= o->count)
				break;
			top_sample(&t.s, REQUEST_TIMEOUT_MS);
			t.samples++;
			rebuild(&t);
			next = top_now() + t.interval;
			tui_draw(&t);
		}
		wait = (int)ceil((next - top_now()) * 1000);
		timeout(wait < 0 ? 0 : wait > MAX_WAIT_MS ? MAX_WAIT_MS : wait);
		ch = getch();
		if (ch == ERR)
			continue;
		if (!handle_key(&t, ch))
			break;
		/* a faster interval takes effect now, not after the old one */
		if (next > top_now() + t.interval)
			next = top_now() + t.interval;
		tui_draw(&t);
	}
	endwin();
	delscreen(scr);
	free(t.rows);
	top_sampler_free(&t.s);
	return 0;
}
