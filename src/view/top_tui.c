// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The live view: the device table redrawn every interval, a detail view of
 * one device, a filter prompt and a help screen. Only drawing and keys live
 * here; what the rows say comes from top_model.c and top_detail.c.
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

#include "top.h"
#include "top_detail.h"

#define REQUEST_TIMEOUT_MS 2000
/* keys must feel immediate, and a signal must not wait for a long interval */
#define MAX_WAIT_MS 200
#define KEY_ESC 27
#define CTRL(c) ((c) & 0x1f)

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

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

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
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++, y++)
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

static void draw(struct tui *t)
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
	int n = sizeof(steps) / sizeof(steps[0]), i;

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
			draw(&t);
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
		draw(&t);
	}
	endwin();
	delscreen(scr);
	free(t.rows);
	top_sampler_free(&t.s);
	return 0;
}
