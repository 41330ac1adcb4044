/* print_svg.c - --svg FILE: each connection's ladder diagram and time-sequence graph as one
 * self-contained SVG. */
#include <inttypes.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tcpnote/print_json.h"
#include "tcpnote/print_svg.h"
#include "tcpnote/sbuf.h"
#include "tcpnote/tcp_flags.h"

/*
 * Layout, in pixels (SVG user units). Each connection is a section
 * translated down the page: its title, the time-sequence graph with its
 * axes and legend, then the ladder.
 */
#define PAGE_W         1200
#define GRAPH_X        100 /* left edge of the plot, inside the section */
#define GRAPH_W        1000
#define GRAPH_TOP      70
#define GRAPH_H        360
#define LEGEND_TOP     (GRAPH_TOP + GRAPH_H + 56)
#define LEGEND_ROW     20
#define LEGEND_COL     215
#define LEGEND_PER_ROW 5
#define LADDER_TOP     (LEGEND_TOP + 2 * LEGEND_ROW + 30)
#define LADDER_HEAD    40 /* endpoint names above the first arrow */
#define ROW_H          20
#define SECTION_GAP    40
#define CLIENT_X       260
#define SERVER_X       700
#define LABEL_X        (SERVER_X + 16)

/* Bounds that keep a connection's drawing small whatever its size. */
#define BINS            1000 /* graph columns: one per pixel */
#define MARKS_PER_BIN   3    /* of each kind of mark */
#define LADDER_ALL      200  /* a connection of at most this many packets is drawn whole */
#define LADDER_HEAD_N   100  /* else the first ones, */
#define LADDER_TAIL_N   100  /* the last ones, */
#define LADDER_MID_N    100  /* and as many notable ones in between; the rest is folded */
#define LADDER_MAX_ROWS (LADDER_HEAD_N + LADDER_TAIL_N + 2 * LADDER_MID_N + 1)
#define HINT_MAX        160 /* bytes of hint text shown on a ladder row */

#define BIT(l) (1u << (l))
#define RTX_BITS                                                                                   \
	(BIT(LABEL_RETRANSMISSION) | BIT(LABEL_FAST_RETRANSMISSION) |                              \
	 BIT(LABEL_SPURIOUS_RETRANSMISSION))
/* Labels that do not earn a ladder row in the folded middle of a long connection. */
#define ROUTINE_BITS                                                                               \
	(BIT(LABEL_DATA) | BIT(LABEL_ACK) | BIT(LABEL_KEEPALIVE_ACK) | BIT(LABEL_WINDOW_UPDATE))

static const char STYLE[] =
    "<style>\n"
    "text{font-family:sans-serif;font-size:12px;fill:#222}\n"
    ".m{font-family:monospace;font-size:11px}\n"
    ".lb{font-size:11px}\n"
    ".ti{font-size:15px;font-weight:bold}\n"
    ".st{fill:#555}\n"
    ".fold{font-style:italic;fill:#777}\n"
    ".ax{stroke:#444;fill:none}\n"
    ".grid{stroke:#e6e6e6;fill:none}\n"
    ".tl{stroke:#999;stroke-width:2}\n"
    ".dat{stroke:#000;stroke-width:1.5;stroke-linecap:square;fill:none}\n"
    ".rtx{stroke:#d62728;stroke-width:3;stroke-linecap:square;fill:none}\n"
    ".ooo{stroke:#ff7f0e;stroke-width:3;stroke-linecap:square;fill:none}\n"
    ".ackl{stroke:#2ca02c;stroke-width:1.5;fill:none}\n"
    ".winl{stroke:#bcbd22;stroke-width:1.5;stroke-dasharray:5 3;fill:none}\n"
    ".dup{fill:#1f77b4}\n"
    ".zw{fill:#9467bd}\n"
    ".zwp{fill:#8c564b}\n"
    ".ka{fill:#e377c2}\n"
    ".life{stroke:#555;fill:#555}\n"
    ".bad{stroke:#d62728;fill:#d62728}\n"
    ".warn{stroke:#ff7f0e;fill:#ff7f0e}\n"
    ".rst{stroke:#8b0000;fill:#8b0000}\n"
    "</style>\n";

/* ------------------------------------------------------------------ */
/* Text: numbers without the locale, untrusted text escaped */

static void putf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
}

/* A coordinate in tenths of a pixel, rounded; far-off values are pinned so nothing overflows. */
static int64_t tenths(double v)
{
	if (!(v > -1e9))
		v = -1e9;
	if (v > 1e9)
		v = 1e9;
	return (int64_t)(v * 10.0 + (v < 0 ? -0.5 : 0.5));
}

/* A value in tenths as text, "12" or "12.5" (never a locale's comma). TENTHS_LEN holds the
 * longest, "-922337203685477580.8", so the text is never cut, and the pieces of a path built from
 * it are sized from TENTHS_LEN: gcc -O3 checks each snprintf() against those sizes. */
#define TENTHS_LEN 24
static const char *fmt_tenths(char buf[TENTHS_LEN], int64_t t)
{
	uint64_t a = t < 0 ? (uint64_t)0 - (uint64_t)t : (uint64_t)t;

	if (a % 10 == 0)
		snprintf(buf, TENTHS_LEN, "%s%" PRIu64, t < 0 ? "-" : "", a / 10);
	else
		snprintf(buf, TENTHS_LEN, "%s%" PRIu64 ".%u", t < 0 ? "-" : "", a / 10,
		         (unsigned)(a % 10));
	return buf;
}

/* Nanoseconds as seconds with dec (0..9) decimals: "1.250000". */
static const char *fmt_secs(char buf[40], int64_t ns, unsigned dec)
{
	static const uint64_t pow10[10] = {1,      10,      100,      1000,      10000,
	                                   100000, 1000000, 10000000, 100000000, 1000000000};
	uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;

	if (dec > 9)
		dec = 9;
	if (dec == 0)
		snprintf(buf, 40, "%s%" PRIu64, ns < 0 ? "-" : "", a / pow10[9]);
	else
		snprintf(buf, 40, "%s%" PRIu64 ".%0*" PRIu64, ns < 0 ? "-" : "", a / pow10[9],
		         (int)dec, (a % pow10[9]) / pow10[9 - dec]);
	return buf;
}

/*
 * Write at most max bytes of text as XML character data or attribute text:
 * markup characters as entities, and any byte that is not printable ASCII as
 * '?', so the document stays well-formed UTF-8 whatever the text holds.
 */
static void put_esc(FILE *f, const char *text, size_t max)
{
	size_t i;

	for (i = 0; i < max && text[i] != '\0'; i++) {
		unsigned char c = (unsigned char)text[i];

		switch (c) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			fputc(c < 0x20 || c >= 0x7f ? '?' : c, f);
		}
	}
}

/* <text ATTRS>TEXT</text>, the text escaped. */
static void put_text(FILE *f, const char *cls, double x, double y, const char *anchor,
                     const char *text)
{
	char a[TENTHS_LEN], b[TENTHS_LEN];

	putf(f, "<text class=\"%s\" x=\"%s\" y=\"%s\"%s%s%s>", cls, fmt_tenths(a, tenths(x)),
	     fmt_tenths(b, tenths(y)), anchor ? " text-anchor=\"" : "", anchor ? anchor : "",
	     anchor ? "\"" : "");
	put_esc(f, text, SIZE_MAX);
	fputs("</text>\n", f);
}

/* ------------------------------------------------------------------ */
/* One <path> built from many pieces, opened at its first piece */

struct pathw {
	FILE *f;
	const char *cls;
	unsigned long n;
};

static void path_put(struct pathw *p, const char *piece)
{
	if (p->n == 0)
		putf(p->f, "<path class=\"%s\" d=\"", p->cls);
	else
		fputc(p->n % 16 == 0 ? '\n' : ' ', p->f);
	fputs(piece, p->f);
	p->n++;
}

static void path_end(struct pathw *p)
{
	if (p->n > 0)
		fputs("\"/>\n", p->f);
	p->n = 0;
}

/* ------------------------------------------------------------------ */
/* The time-sequence graph of one direction */

struct graph {
	const struct diag_conn *d;
	int role;       /* whose data is drawn; the peer's ACKs and window with it */
	int64_t t0, t1; /* first and last capture time */
	uint64_t span;  /* t1 - t0, at least 1 ms */
	uint64_t ymax;  /* top of the y axis, bytes */
	uint64_t ystep; /* between y ticks */
	uint64_t xstep; /* between x ticks, ns */
	bool win_clamped;
};

/* x of an offset from the first packet (ns), and of a capture time (unsigned: no overflow). */
static double gx_off(const struct graph *g, uint64_t off)
{
	return GRAPH_X + (double)off * GRAPH_W / (double)g->span;
}

static double gx(const struct graph *g, int64_t t)
{
	return gx_off(g, (uint64_t)t - (uint64_t)g->t0);
}

static int64_t gy(const struct graph *g, uint64_t v)
{
	if (v > g->ymax)
		v = g->ymax;
	return tenths(GRAPH_TOP + GRAPH_H - (double)v * GRAPH_H / (double)g->ymax);
}

/* The sequence space an event of the drawn direction occupies: its data, or its SYN/FIN. */
static bool seq_span(const struct diag_event *e, uint64_t *lo, uint64_t *hi)
{
	*lo = e->seq;
	if (e->len > 0)
		*hi = (uint64_t)e->seq + e->len;
	else if (e->flags & (TCPF_SYN | TCPF_FIN))
		*hi = (uint64_t)e->seq + 1;
	else
		return false;
	return true;
}

/*
 * Walks events into graph columns. Columns never go back, so a capture
 * whose clock steps backwards cannot make a pass emit more than one group
 * per column.
 */
struct cols {
	int cur;   /* -1 before the first event */
	double x0; /* where the current column's first event is drawn */
	unsigned n;
};

/* The x at which to draw an event at t; true when it opened a new column. */
static bool col_next(struct cols *c, const struct graph *g, int64_t t, double *x)
{
	double v = gx(g, t);
	int k = (int)((v - GRAPH_X) * BINS / GRAPH_W);

	if (k >= BINS)
		k = BINS - 1;
	if (k > c->cur) {
		c->cur = k;
		c->x0 = v;
		c->n = 0;
		*x = v;
		return true;
	}
	*x = v < c->x0 ? c->x0 : v;
	return false;
}

/* A vertical stroke from lo to hi at x; with a bar across its top when it is a mark. */
static void put_stroke(struct pathw *p, const struct graph *g, double x, uint64_t lo, uint64_t hi,
                       bool bar)
{
	char a[TENTHS_LEN], b[TENTHS_LEN], c[TENTHS_LEN], piece[3 * TENTHS_LEN + 16];

	snprintf(piece, sizeof(piece), "M%s %sV%s%s", fmt_tenths(a, tenths(x)),
	         fmt_tenths(b, gy(g, lo)), fmt_tenths(c, gy(g, hi)), bar ? "m-4 0h8" : "");
	path_put(p, piece);
}

/* Ordinary data segments (not retransmitted, not out of order): per column, one stroke over their
 * range. */
static unsigned long draw_data(FILE *f, const struct graph *g)
{
	const struct diag_conn *d = g->d;
	struct pathw p = {f, "dat", 0};
	struct cols c = {-1, 0, 0};
	uint64_t lo = 0, hi = 0, a, b;
	unsigned long count = 0;
	double x, xc = 0;
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct diag_event *e = &d->ev[i];

		if (e->role != g->role || (e->labels & (RTX_BITS | BIT(LABEL_OUT_OF_ORDER))) ||
		    !seq_span(e, &a, &b))
			continue;
		count++;
		if (col_next(&c, g, e->t_ns, &x)) {
			if (count > 1)
				put_stroke(&p, g, xc, lo, hi, false);
			xc = x;
			lo = a;
			hi = b;
		} else {
			lo = a < lo ? a : lo;
			hi = b > hi ? b : hi;
		}
	}
	if (count > 0)
		put_stroke(&p, g, xc, lo, hi, false);
	path_end(&p);
	return count;
}

/* The peer's ACK (or ACK + window) as a step line: per column, its range and last value. */
static unsigned long draw_step(FILE *f, const struct graph *g, bool window)
{
	const struct diag_conn *d = g->d;
	struct pathw p = {f, window ? "winl" : "ackl", 0};
	struct cols c = {-1, 0, 0};
	uint64_t vmin = 0, vmax = 0, vlast = 0;
	unsigned long count = 0;
	int64_t pen = 0;
	double x = 0, xc = 0;
	/* A piece is "Mx y" or "Hx", then up to three "Vy". */
	char a[TENTHS_LEN], b[TENTHS_LEN], piece[5 * TENTHS_LEN + 8];
	size_t i;

	for (i = 0;; i++) {
		const struct diag_event *e = i < d->n ? &d->ev[i] : NULL;
		bool flush = e == NULL;
		uint64_t v = 0;

		if (e != NULL) {
			if (e->role == g->role || !(e->flags & TCPF_ACK))
				continue;
			v = (uint64_t)e->ack + (window ? e->win : 0);
			flush = col_next(&c, g, e->t_ns, &x) && count > 0;
		}
		if (flush && count > 0) {
			uint64_t vs[3] = {vmin, vmax, vlast};
			size_t len = 0;
			int k;

			if (p.n == 0) {
				pen = gy(g, vmin);
				len +=
				    (size_t)snprintf(piece, sizeof(piece), "M%s %s",
				                     fmt_tenths(a, tenths(xc)), fmt_tenths(b, pen));
			} else {
				len += (size_t)snprintf(piece, sizeof(piece), "H%s",
				                        fmt_tenths(a, tenths(xc)));
			}
			for (k = 0; k < 3; k++) {
				if (gy(g, vs[k]) == pen)
					continue;
				pen = gy(g, vs[k]);
				len += (size_t)snprintf(piece + len, sizeof(piece) - len, "V%s",
				                        fmt_tenths(a, pen));
			}
			path_put(&p, piece);
		}
		if (e == NULL)
			break;
		if (c.n++ == 0) {
			xc = x;
			vmin = vmax = v;
		}
		vmin = v < vmin ? v : vmin;
		vmax = v > vmax ? v : vmax;
		vlast = v;
		count++;
	}
	if (count > 0) {
		snprintf(piece, sizeof(piece), "H%s", fmt_tenths(a, tenths(gx(g, g->t1))));
		path_put(&p, piece);
	}
	path_end(&p);
	return count;
}

/* Where a mark goes: on the drawn direction's packets at their seq, on the peer's at their ack. */
#define SIDE_DATA 1
#define SIDE_PEER 2

struct mark {
	const char *cls;
	enum label name; /* its legend text is this label's name */
	uint32_t bits;   /* the packets it marks */
	uint8_t sides;
	char shape; /* 's' stroke over the segment, 'd' diamond, 'q' square, 'o' circle, 't'
	               triangle */
};

static const struct mark MARKS[] = {
    {"rtx", LABEL_RETRANSMISSION, RTX_BITS, SIDE_DATA, 's'},
    {"ooo", LABEL_OUT_OF_ORDER, BIT(LABEL_OUT_OF_ORDER), SIDE_DATA, 's'},
    {"dup", LABEL_DUP_ACK, BIT(LABEL_DUP_ACK), SIDE_PEER, 'd'},
    {"zw", LABEL_ZERO_WINDOW, BIT(LABEL_ZERO_WINDOW), SIDE_PEER, 'q'},
    {"zwp", LABEL_ZERO_WINDOW_PROBE, BIT(LABEL_ZERO_WINDOW_PROBE), SIDE_DATA, 't'},
    {"ka", LABEL_KEEPALIVE, BIT(LABEL_KEEPALIVE), SIDE_DATA | SIDE_PEER, 'o'},
};
#define N_MARKS (sizeof(MARKS) / sizeof(MARKS[0]))

/* A mark's shape centred on (x, y), both in tenths of a pixel. */
static void put_shape(struct pathw *p, char shape, int64_t x, int64_t y)
{
	char a[TENTHS_LEN], b[TENTHS_LEN], piece[2 * TENTHS_LEN + 64];

	switch (shape) {
	case 'd':
		snprintf(piece, sizeof(piece), "M%s %sl4 4l-4 4l-4-4z", fmt_tenths(a, x),
		         fmt_tenths(b, y - 40));
		break;
	case 'q':
		snprintf(piece, sizeof(piece), "M%s %sh7v7h-7z", fmt_tenths(a, x - 35),
		         fmt_tenths(b, y - 35));
		break;
	case 't':
		snprintf(piece, sizeof(piece), "M%s %sl4 7h-8z", fmt_tenths(a, x),
		         fmt_tenths(b, y - 45));
		break;
	default:
		snprintf(piece, sizeof(piece), "M%s %sa3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0-7 0",
		         fmt_tenths(a, x - 35), fmt_tenths(b, y));
	}
	path_put(p, piece);
}

/* One kind of mark, at most MARKS_PER_BIN per column; returns how many packets carry it. */
static unsigned long draw_mark(FILE *f, const struct graph *g, const struct mark *m)
{
	const struct diag_conn *d = g->d;
	struct pathw p = {f, m->cls, 0};
	struct cols c = {-1, 0, 0};
	unsigned long count = 0;
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct diag_event *e = &d->ev[i];
		int side = e->role == g->role ? SIDE_DATA : SIDE_PEER;
		uint64_t lo, hi;
		double x;

		if (!(e->labels & m->bits) || !(m->sides & side))
			continue;
		if (side == SIDE_PEER && !(e->flags & TCPF_ACK))
			continue;
		count++;
		col_next(&c, g, e->t_ns, &x);
		if (c.n++ >= MARKS_PER_BIN)
			continue;
		lo = side == SIDE_DATA ? e->seq : e->ack;
		if (m->shape == 's') {
			hi = lo + (e->len > 0 ? e->len : 1);
			put_stroke(&p, g, x, lo, hi, true);
		} else {
			put_shape(&p, m->shape, tenths(x), gy(g, lo));
		}
	}
	path_end(&p);
	return count;
}

/* The 1, 2 or 5 times a power of ten that cuts range into at most target steps. */
static uint64_t nice_step(uint64_t range, uint64_t target)
{
	static const uint64_t mult[3] = {1, 2, 5};
	uint64_t mag = 1;
	int k;

	for (;;) {
		for (k = 0; k < 3; k++)
			if (range / (mag * mult[k]) <= target)
				return mag * mult[k];
		if (mag > UINT64_MAX / 100)
			return mag * 10;
		mag *= 10;
	}
}

/* Which direction to draw (the one that sent more payload), and the axes' ranges. */
static void graph_setup(struct graph *g, const struct diag_conn *d)
{
	uint64_t bytes[2] = {0, 0}, top = 1, wtop = 0, lo, hi;
	size_t i;

	memset(g, 0, sizeof(*g));
	g->d = d;
	g->t0 = g->t1 = d->ev[0].t_ns;
	for (i = 0; i < d->n; i++) {
		bytes[d->ev[i].role & 1] += d->ev[i].len;
		g->t0 = d->ev[i].t_ns < g->t0 ? d->ev[i].t_ns : g->t0;
		g->t1 = d->ev[i].t_ns > g->t1 ? d->ev[i].t_ns : g->t1;
	}
	g->role = bytes[1] > bytes[0];
	g->span = (uint64_t)g->t1 - (uint64_t)g->t0;
	if (g->span < 1000000)
		g->span = 1000000;
	for (i = 0; i < d->n; i++) {
		const struct diag_event *e = &d->ev[i];

		if (e->role == g->role) {
			if (seq_span(e, &lo, &hi) && hi > top)
				top = hi;
		} else if (e->flags & TCPF_ACK) {
			top = e->ack > top ? e->ack : top;
			hi = (uint64_t)e->ack + e->win;
			wtop = hi > wtop ? hi : wtop;
		}
	}
	/* The window line is kept in view when it is near the data, else pinned to the top. */
	if (wtop <= top * 2)
		top = wtop > top ? wtop : top;
	else
		g->win_clamped = true;
	g->ystep = nice_step(top, 8);
	g->ymax = (top + g->ystep - 1) / g->ystep * g->ystep;
	g->xstep = nice_step(g->span, 10);
}

static void draw_axes(FILE *f, const struct graph *g)
{
	char a[TENTHS_LEN], b[40], piece[TENTHS_LEN + 64];
	struct pathw grid = {f, "grid", 0};
	uint64_t v, s;
	unsigned dec = 9;
	int64_t y;
	int pass;

	for (s = g->xstep; s % 10 == 0 && dec > 0; s /= 10)
		dec--;
	/* The grid first, as one path; then the tick labels. */
	for (pass = 0; pass < 2; pass++) {
		for (v = 0; v <= g->span; v += g->xstep) {
			double x = gx_off(g, v);

			if (pass == 0) {
				snprintf(piece, sizeof(piece), "M%s %dV%d",
				         fmt_tenths(a, tenths(x)), GRAPH_TOP, GRAPH_TOP + GRAPH_H);
				path_put(&grid, piece);
			} else {
				put_text(f, "st", x, GRAPH_TOP + GRAPH_H + 16, "middle",
				         fmt_secs(b, (int64_t)v, dec));
			}
			if (v > UINT64_MAX - g->xstep)
				break;
		}
		for (v = 0; v <= g->ymax; v += g->ystep) {
			y = gy(g, v);
			if (pass == 0) {
				snprintf(piece, sizeof(piece), "M%d %sH%d", GRAPH_X,
				         fmt_tenths(a, y), GRAPH_X + GRAPH_W);
				path_put(&grid, piece);
			} else {
				snprintf(b, sizeof(b), "%" PRIu64, v);
				put_text(f, "st", GRAPH_X - 6, (double)y / 10 + 4, "end", b);
			}
			if (v > UINT64_MAX - g->ystep)
				break;
		}
		path_end(&grid);
	}
	putf(f, "<path class=\"ax\" d=\"M%d %dV%dH%d\"/>\n", GRAPH_X, GRAPH_TOP,
	     GRAPH_TOP + GRAPH_H, GRAPH_X + GRAPH_W);
	put_text(f, "st", GRAPH_X + GRAPH_W / 2, GRAPH_TOP + GRAPH_H + 36, "middle",
	         "time since the connection's first packet (seconds)");
	putf(f,
	     "<text class=\"st\" transform=\"translate(18 %d) rotate(-90)\" "
	     "text-anchor=\"middle\">relative sequence number (bytes)</text>\n",
	     GRAPH_TOP + GRAPH_H / 2);
}

/* One legend entry: a swatch of the mark and its name with a count. */
static void legend_entry(FILE *f, unsigned slot, const char *cls, char shape, const char *name,
                         unsigned long count)
{
	int x = GRAPH_X + (int)(slot % LEGEND_PER_ROW) * LEGEND_COL;
	int y = LEGEND_TOP + (int)(slot / LEGEND_PER_ROW) * LEGEND_ROW;
	struct pathw p = {f, cls, 0};
	char text[96], piece[64];

	if (shape == 's') {
		snprintf(piece, sizeof(piece), "M%d %dh22", x, y - 4);
		path_put(&p, piece);
	} else {
		put_shape(&p, shape, (int64_t)(x + 11) * 10, (int64_t)(y - 4) * 10);
	}
	path_end(&p);
	snprintf(text, sizeof(text), "%s (%lu)", name, count);
	put_text(f, "lb", x + 28, y, NULL, text);
}

static void draw_graph(FILE *f, const struct diag_conn *d)
{
	static const char *const who[2] = {"client", "server"};
	struct graph g;
	unsigned long n_data, n_ack, n_win, n_mark[N_MARKS];
	char text[200];
	size_t k;

	graph_setup(&g, d);
	snprintf(text, sizeof(text),
	         "time-sequence graph: %s -> %s data, with the %s's ACKs and advertised window",
	         who[g.role], who[!g.role], who[!g.role]);
	put_text(f, "st", GRAPH_X, GRAPH_TOP - 12, NULL, text);
	draw_axes(f, &g);
	n_win = draw_step(f, &g, true);
	n_ack = draw_step(f, &g, false);
	n_data = draw_data(f, &g);
	for (k = 0; k < N_MARKS; k++)
		n_mark[k] = draw_mark(f, &g, &MARKS[k]);

	legend_entry(f, 0, "dat", 's', "data segment", n_data);
	legend_entry(f, 1, "ackl", 's', "ACK", n_ack);
	legend_entry(f, 2, "winl", 's',
	             g.win_clamped ? "ACK + window (cut at top)" : "ACK + window", n_win);
	for (k = 0; k < N_MARKS; k++)
		legend_entry(f, (unsigned)(3 + k), MARKS[k].cls, MARKS[k].shape,
		             label_name(MARKS[k].name), n_mark[k]);
}

/* ------------------------------------------------------------------ */
/* The ladder */

/* A ladder row: one packet (n == 1), or n packets from i folded into one line. */
struct row {
	size_t i, n;
};

static void row_add(struct row *rows, size_t *nrows, size_t i, size_t n)
{
	if (n > 0 && *nrows < LADDER_MAX_ROWS) {
		rows[*nrows].i = i;
		rows[*nrows].n = n;
		(*nrows)++;
	}
}

/*
 * The rows of a connection's ladder: every packet of a short one; of a long
 * one the first and last LADDER_*_N, and in between up to LADDER_MID_N
 * packets with a label that is not routine, the runs between them folded.
 */
static size_t ladder_rows(const struct diag_conn *d, struct row *rows)
{
	size_t nrows = 0, i, run = 0, picked = 0;

	if (d->n <= LADDER_ALL) {
		for (i = 0; i < d->n; i++)
			row_add(rows, &nrows, i, 1);
		return nrows;
	}
	for (i = 0; i < LADDER_HEAD_N; i++)
		row_add(rows, &nrows, i, 1);
	for (i = LADDER_HEAD_N; i < d->n - LADDER_TAIL_N; i++) {
		if (picked < LADDER_MID_N && (d->ev[i].labels & ~ROUTINE_BITS) != 0) {
			row_add(rows, &nrows, i - run, run);
			row_add(rows, &nrows, i, 1);
			run = 0;
			picked++;
		} else {
			run++;
		}
	}
	row_add(rows, &nrows, i - run, run);
	for (i = d->n - LADDER_TAIL_N; i < d->n; i++)
		row_add(rows, &nrows, i, 1);
	return nrows;
}

/* "[P.] seq 1:79 ack 1 win 64 len 78", numbers relative as tcpdump prints them. */
static void arrow_text(const struct diag_event *e, char *buf, size_t cap)
{
	struct sbuf s;

	sbuf_init(&s, buf, cap);
	sbuf_putc(&s, '[');
	sbuf_put_tcp_flags(&s, e->flags);
	sbuf_putc(&s, ']');
	if (e->len > 0)
		sbuf_printf(&s, " seq %u:%u", e->seq, e->seq + e->len);
	else if (e->flags & (TCPF_SYN | TCPF_FIN | TCPF_RST))
		sbuf_printf(&s, " seq %u", e->seq);
	if (e->flags & TCPF_ACK)
		sbuf_printf(&s, " ack %u", e->ack);
	sbuf_printf(&s, " win %u", e->win);
	if (e->len > 0)
		sbuf_printf(&s, " len %u", e->len);
}

/* The arrow's colour: resets, retransmissions, other loss/order/window labels, the rest. */
static const char *arrow_class(const struct diag_event *e)
{
	if (e->labels & (BIT(LABEL_RESET) | BIT(LABEL_REFUSED)))
		return "rst";
	if (e->labels & RTX_BITS)
		return "bad";
	if (e->labels >> LABEL_ZERO_WINDOW_PROBE)
		return "warn";
	return "life";
}

static void ladder_row(FILE *f, const struct diag_conn *d, int64_t t0, const struct diag_event *e,
                       int y)
{
	struct labels l = {e->labels, e->dup_ack};
	const char *hint = diag_event_hint(d, e);
	char text[HINT_MAX * 4 + 512], secs[40];
	struct sbuf s;
	size_t n;
	int from = e->role ? SERVER_X : CLIENT_X, to = e->role ? CLIENT_X : SERVER_X;

	put_text(f, "m", 10, y + 8, NULL,
	         fmt_secs(secs, (int64_t)((uint64_t)e->t_ns - (uint64_t)t0), 6));
	putf(f, "<path class=\"%s\" d=\"M%d %dL%d %dM%d %dl%d -4.5v9z\"/>\n", arrow_class(e), from,
	     y, to, y + 8, to, y + 8, e->role ? 9 : -9);
	arrow_text(e, text, sizeof(text));
	put_text(f, "m", (CLIENT_X + SERVER_X) / 2, y - 2, "middle", text);
	n = labels_format(&l, text, sizeof(text));
	if (hint != NULL) {
		sbuf_init(&s, text + (n < sizeof(text) ? n : sizeof(text) - 1),
		          sizeof(text) - (n < sizeof(text) ? n : sizeof(text) - 1));
		if (n > 0)
			sbuf_puts(&s, ", ");
		sbuf_put_safe(&s, hint, HINT_MAX);
		n += s.len;
	}
	if (n > 0)
		put_text(f, "lb", LABEL_X, y + 8, NULL, text);
}

static int ladder_height(const struct diag_conn *d)
{
	struct row rows[LADDER_MAX_ROWS];

	return LADDER_HEAD + (int)ladder_rows(d, rows) * ROW_H;
}

static void draw_ladder(FILE *f, const struct diag_conn *d)
{
	struct row rows[LADDER_MAX_ROWS];
	size_t nrows = ladder_rows(d, rows), r;
	int top = LADDER_TOP + LADDER_HEAD, bottom = top + (int)nrows * ROW_H;
	char ep[2][INET6_ADDRSTRLEN + 16], text[160];
	int64_t t0 = d->ev[0].t_ns;

	json_endpoint(ep[0], sizeof(ep[0]), &d->ep, 0);
	json_endpoint(ep[1], sizeof(ep[1]), &d->ep, 1);
	put_text(f, "st", 10, LADDER_TOP + 4, NULL, "ladder (seconds since the first packet)");
	snprintf(text, sizeof(text), "client %s", ep[0]);
	put_text(f, "m", CLIENT_X, top - 16, "middle", text);
	snprintf(text, sizeof(text), "server %s", ep[1]);
	put_text(f, "m", SERVER_X, top - 16, "middle", text);
	putf(f, "<path class=\"tl\" d=\"M%d %dV%dM%d %dV%d\"/>\n", CLIENT_X, top - 10, bottom,
	     SERVER_X, top - 10, bottom);
	for (r = 0; r < nrows; r++) {
		int y = top + (int)r * ROW_H + 4;

		if (rows[r].n == 1) {
			ladder_row(f, d, t0, &d->ev[rows[r].i], y);
			continue;
		}
		snprintf(text, sizeof(text),
		         "... %zu packets not drawn here (the graph shows them) ...", rows[r].n);
		put_text(f, "fold", (CLIENT_X + SERVER_X) / 2, y + 6, "middle", text);
	}
}

/* ------------------------------------------------------------------ */
/* The document */

static int section_height(const struct diag_conn *d)
{
	if (d->n == 0)
		return 40 + SECTION_GAP;
	return LADDER_TOP + ladder_height(d) + SECTION_GAP;
}

static void draw_section(FILE *f, const struct diag_conn *d, int64_t y)
{
	char ep[2][INET6_ADDRSTRLEN + 16], text[300];

	json_endpoint(ep[0], sizeof(ep[0]), &d->ep, 0);
	json_endpoint(ep[1], sizeof(ep[1]), &d->ep, 1);
	putf(f, "<g transform=\"translate(0 %" PRId64 ")\">\n", y);
	snprintf(text, sizeof(text),
	         "connection %" PRIu64 ": client %s -> server %s, %zu packets%s", d->id, ep[0],
	         ep[1], d->n,
	         d->truncated ? " (only these were kept: the connection had more)" : "");
	put_text(f, "ti", 10, 24, NULL, text);
	if (d->n > 0) {
		draw_graph(f, d);
		draw_ladder(f, d);
	}
	fputs("</g>\n", f);
}

int svg_write(FILE *out, const struct diag_conn *const *conns, size_t n)
{
	int64_t height = 20;
	size_t i;

	for (i = 0; i < n; i++)
		height += section_height(conns[i]);
	if (n == 0)
		height += 40;
	putf(out,
	     "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	     "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%" PRId64
	     "\" viewBox=\"0 0 %d %" PRId64 "\">\n"
	     "<title>tcpnote: ladder diagrams and time-sequence graphs</title>\n",
	     PAGE_W, height, PAGE_W, height);
	fputs(STYLE, out);
	putf(out, "<rect width=\"%d\" height=\"%" PRId64 "\" fill=\"#fff\"/>\n", PAGE_W, height);
	if (n == 0)
		put_text(out, "ti", 10, 34, NULL, "no connections");
	height = 10;
	for (i = 0; i < n && !ferror(out); i++) {
		draw_section(out, conns[i], height);
		height += section_height(conns[i]);
	}
	fputs("</svg>\n", out);
	if (fflush(out) != 0 || ferror(out))
		return -1;
	return 0;
}
