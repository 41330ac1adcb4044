/* print_ladder.c - draws a connection as a ladder: an arrow per packet between the client and server columns. */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tcpnote/cells.h"
#include "tcpnote/print_json.h"
#include "tcpnote/print_ladder.h"
#include "tcpnote/sbuf.h"
#include "tcpnote/tcp_flags.h"

#define TIME_COLS 12 /* "+123.456789 " */
#define MIN_SHAFT 34
#define MAX_SHAFT 72
#define FOLD_PAIRS 2 /* keepalive/ack pairs in a row that are drawn as one line */
#define FOLD_BULK 6  /* data/ack packets in a row that are drawn as one line */
#define MIN_FILL 2   /* shaft strokes an arrow keeps beside its text when narrowed for labels */
#define LABEL_MIN 12 /* the narrowest label column beside the arrows; or labels go under them */
#define NOTES_MAX 8192

/* The strokes of a style: the columns, the shaft, the two heads, the fold mark, a cut text's end. */
struct strokes {
	const char *bar, *shaft, *right, *left, *fold, *times, *to_server, *to_client, *more;
};

static const struct strokes unicode = {"\u2502", "\u2500", "\u25b6", "\u25c0", "\u22ee",
				       "\u00d7", "\u2192", "\u2190", "\u2026"};
static const struct strokes ascii = {"|", "-", ">", "<", ":", "x", "->", "<-", "..."};

/* One line of a ladder before it is laid out: an arrow or a fold, and the notes after it. */
struct row {
	bool fold;             /* a fold: its text between the columns, no time */
	bool first;            /* the first arrow: its time is 0, not since a previous one */
	bool to_server;        /* an arrow's direction */
	int64_t dt_ns;         /* an arrow's time since the previous line */
	char mid[160];         /* the text on the arrow, or the fold's between the columns */
	char notes[NOTES_MAX]; /* labels, hints and counts after the right column; "" for none */
	size_t next;           /* the event after the ones this line stands for */
};

/* How each line of one connection is laid out, worked out from all its lines (ladder_layout). */
struct layout {
	unsigned columns;   /* the width every line fits in, in cells */
	unsigned shaft;     /* cells between the client and the server column */
	bool under;         /* the notes go on lines under the arrow, between the columns */
	size_t first, rest; /* the notes' cells on the arrow's line, and on each further line */
	char lead[1200];    /* what a further line of notes starts with */
	char close[8];      /* under: what ends a line of notes (the server column) */
};

static size_t max_size(size_t a, size_t b)
{
	return a > b ? a : b;
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* A width within the ladders drawn: a narrower one is drawn at the minimum. */
static unsigned clamp_columns(long v)
{
	return v < LADDER_MIN_COLUMNS ? LADDER_MIN_COLUMNS
	       : v > LADDER_MAX_COLUMNS ? LADDER_MAX_COLUMNS : (unsigned)v;
}

int ladder_columns(int fd)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;

	/* An empty or malformed COLUMNS is taken as unset, as by less(1) and ls(1). */
	if (env != NULL && *env != '\0') {
		char *end;
		long v = strtol(env, &end, 10);

		if (*end == '\0' && v > 0)
			return (int)clamp_columns(v);
	}
	if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return (int)clamp_columns(ws.ws_col);
	return 80;
}

static void put_times(struct sbuf *s, const char *str, size_t n)
{
	while (n-- > 0)
		sbuf_puts(s, str);
}

/* The text on an arrow: "S. seq 0 ack 1", "P. seq 1:79 ack 1 len 78". */
static void arrow_text(const struct diag_event *e, struct sbuf *s)
{
	sbuf_put_tcp_flags(s, e->flags);
	sbuf_puts(s, " seq ");
	sbuf_put_uint(s, e->seq, 0);
	if (e->len > 0) {
		sbuf_putc(s, ':');
		sbuf_put_uint(s, e->seq + e->len, 0);
	}
	if (e->flags & TCPF_ACK) {
		sbuf_puts(s, " ack ");
		sbuf_put_uint(s, e->ack, 0);
	}
	if (e->len > 0) {
		sbuf_puts(s, " len ");
		sbuf_put_uint(s, e->len, 0);
	}
}

/* Seconds with microseconds, "1.019449". */
static void put_seconds(struct sbuf *s, int64_t ns)
{
	if (ns < 0) {
		sbuf_putc(s, '-');
		ns = -ns;
	}
	sbuf_put_uint(s, (uint64_t)(ns / 1000000000), 0);
	sbuf_putc(s, '.');
	sbuf_put_uint(s, (uint64_t)(ns % 1000000000 / 1000), 6);
}

/* Seconds with microseconds: "0.000000" for the first arrow, "+1.019449" for the others. */
static void put_time(struct sbuf *s, int64_t ns, bool first)
{
	char t[24];
	struct sbuf ts;
	size_t i;

	sbuf_init(&ts, t, sizeof(t));
	if (!first)
		sbuf_putc(&ts, '+');
	put_seconds(&ts, ns);
	for (i = ts.len; i + 1 < TIME_COLS; i++)
		sbuf_putc(s, ' ');
	sbuf_puts(s, t);
	sbuf_putc(s, ' ');
}

/* The labels and hints of an arrow, made safe for a terminal. */
static void put_notes(struct sbuf *s, const struct diag_conn *d, const struct diag_event *e)
{
	struct labels l = {e->labels, e->dup_ack};
	const char *hint = diag_event_hint(d, e);

	labels_put(&l, s);
	if (hint != NULL) {
		if (!labels_empty(&l))
			sbuf_puts(s, ", ");
		sbuf_put_safe(s, hint, 1024);
	}
}

/*
 * One arrow: the text near its tail, the shaft filling the space, the head at
 * the receiver. Only a ladder narrower than its text (the minimum width) cuts
 * the text, and marks the cut.
 */
static void put_arrow(struct sbuf *s, const struct strokes *k, unsigned shaft, const char *text,
		      bool to_server)
{
	size_t tb = strlen(text), tc = cells_width(text, tb), room = shaft > 4 ? shaft - 4 : 0;
	size_t more = 0, fill;

	if (tc > room) {
		more = cells_width(k->more, strlen(k->more));
		tb = cells_fit(text, tb, room > more ? room - more : 0);
		tc = cells_width(text, tb) + more;
	}
	fill = room > tc ? room - tc : 0; /* the shaft's strokes beside the text */
	sbuf_puts(s, k->bar);
	if (to_server) {
		sbuf_puts(s, k->shaft);
		sbuf_putc(s, ' ');
		sbuf_putn(s, text, tb);
		sbuf_puts(s, more > 0 ? k->more : "");
		sbuf_putc(s, ' ');
		put_times(s, k->shaft, fill);
		sbuf_puts(s, k->right);
	} else {
		sbuf_puts(s, k->left);
		put_times(s, k->shaft, fill);
		sbuf_putc(s, ' ');
		sbuf_putn(s, text, tb);
		sbuf_puts(s, more > 0 ? k->more : "");
		sbuf_putc(s, ' ');
		sbuf_puts(s, k->shaft);
	}
	sbuf_puts(s, k->bar);
}

/* A line between the columns with text in it (a fold). */
static void put_between(struct sbuf *s, const struct strokes *k, unsigned shaft, const char *text)
{
	size_t tb = cells_fit(text, strlen(text), shaft - 2), tc = cells_width(text, tb);

	put_times(s, " ", TIME_COLS);
	sbuf_puts(s, k->bar);
	sbuf_putc(s, ' ');
	sbuf_putn(s, text, tb);
	put_times(s, " ", shaft - 1 - tc);
	sbuf_puts(s, k->bar);
}

static bool only(const struct diag_event *e, enum label l)
{
	return e->labels == (1u << l) && e->hint == 0;
}

/* How many events from i on are keepalive, keepalive-ack pairs (counted in pairs). */
static size_t keepalive_pairs(const struct diag_conn *d, size_t start)
{
	size_t n = 0, i = start;

	while (i + 1 < d->n && only(&d->ev[i], LABEL_KEEPALIVE) &&
	       only(&d->ev[i + 1], LABEL_KEEPALIVE_ACK) && d->ev[i].role != d->ev[i + 1].role &&
	       d->ev[i].role == d->ev[start].role) {
		n++;
		i += 2;
	}
	return n;
}

/* An empty segment of the receiver of a transfer: an ack, a window update, or nothing new. */
static bool receiver_only(const struct diag_event *e)
{
	return e->hint == 0 && e->len == 0 &&
	       (e->labels & ~((1u << LABEL_ACK) | (1u << LABEL_WINDOW_UPDATE))) == 0 &&
	       !(e->flags & (TCPF_SYN | TCPF_FIN | TCPF_RST));
}

/* How many events from i on are in-order data one way and acks or window updates the other. */
static size_t bulk_run(const struct diag_conn *d, size_t i)
{
	size_t j = i;
	int sender = -1;

	while (j < d->n) {
		const struct diag_event *e = &d->ev[j];

		if (only(e, LABEL_DATA) && (sender < 0 || e->role == sender))
			sender = e->role;
		else if (!(receiver_only(e) && (sender < 0 || e->role != sender)))
			break;
		j++;
	}
	return sender < 0 ? 0 : j - i;
}

/* A run of keepalive pairs: "⋮ ×3 keepalive → ack ←" between the columns, its interval after. */
static void fold_keepalive(struct sbuf *mid, struct sbuf *notes, const struct strokes *k,
			   const struct diag_conn *d, size_t i, size_t pairs)
{
	const struct diag_event *first = &d->ev[i], *last = &d->ev[i + 2 * pairs - 2];
	/* The mean interval, in tenths of a second; a clock that went backwards counts as 0. */
	int64_t span_ns = last->t_ns > first->t_ns ? last->t_ns - first->t_ns : 0;
	uint64_t tenths = ((uint64_t)span_ns / (pairs - 1) + 50000000u) / 100000000u;

	sbuf_puts(mid, k->fold);
	sbuf_putc(mid, ' ');
	sbuf_puts(mid, k->times);
	sbuf_put_uint(mid, pairs, 0);
	sbuf_puts(mid, " keepalive ");
	sbuf_puts(mid, first->role == 0 ? k->to_server : k->to_client);
	sbuf_puts(mid, " ack ");
	sbuf_puts(mid, first->role == 0 ? k->to_client : k->to_server);
	sbuf_puts(notes, "keepalive, keepalive ack: every ");
	sbuf_put_uint(notes, tenths / 10, 0);
	sbuf_putc(notes, '.');
	sbuf_put_uint(notes, tenths % 10, 0);
	sbuf_puts(notes, " s");
}

/* A run of bulk data and its acks: "⋮ ×55 data ←, ×26 ack →", the range and bytes after. */
static void fold_bulk(struct sbuf *mid, struct sbuf *notes, const struct strokes *k,
		      const struct diag_conn *d, size_t i, size_t n)
{
	size_t j, segs = 0, acks = 0, updates = 0;
	uint32_t lo = 0, hi = 0, acked = 0;
	uint64_t bytes = 0;
	int sender = -1;

	for (j = i; j < i + n; j++) {
		const struct diag_event *e = &d->ev[j];

		if (e->len > 0) {
			if (segs++ == 0)
				lo = e->seq;
			hi = e->seq + e->len;
			bytes += e->len;
			sender = e->role;
		} else {
			acks++;
			acked = e->ack;
			updates += (e->labels >> LABEL_WINDOW_UPDATE) & 1u;
		}
	}
	sbuf_puts(mid, k->fold);
	sbuf_putc(mid, ' ');
	sbuf_puts(mid, k->times);
	sbuf_put_uint(mid, segs, 0);
	sbuf_puts(mid, " data ");
	sbuf_puts(mid, sender == 0 ? k->to_server : k->to_client);
	if (acks > 0) {
		sbuf_puts(mid, ", ");
		sbuf_puts(mid, k->times);
		sbuf_put_uint(mid, acks, 0);
		sbuf_puts(mid, " ack ");
		sbuf_puts(mid, sender == 0 ? k->to_client : k->to_server);
	}
	sbuf_puts(notes, acks > 0 ? "data, ack: seq " : "data: seq ");
	sbuf_put_uint(notes, lo, 0);
	sbuf_putc(notes, ':');
	sbuf_put_uint(notes, hi, 0);
	sbuf_puts(notes, " (");
	sbuf_put_uint(notes, bytes, 0);
	sbuf_puts(notes, " bytes)");
	if (acks > 0) {
		sbuf_puts(notes, ", acked up to ");
		sbuf_put_uint(notes, acked, 0);
	}
	if (updates > 0) {
		sbuf_puts(notes, ", ");
		sbuf_put_uint(notes, updates, 0);
		sbuf_puts(notes, updates == 1 ? " window update" : " window updates");
	}
}

/* How many events from i on repeat event i exactly (the same way, numbers and labels). */
static size_t same_run(const struct diag_conn *d, size_t i)
{
	const struct diag_event *a = &d->ev[i];
	size_t j = i + 1;

	while (j < d->n) {
		const struct diag_event *b = &d->ev[j];

		if (b->role != a->role || b->flags != a->flags || b->seq != a->seq || b->ack != a->ack ||
		    b->len != a->len || b->labels != a->labels || b->hint != 0 || a->hint != 0)
			break;
		j++;
	}
	return j - i;
}

/*
 * The line of the ladder that starts at event i (prev_ns: the time of the
 * line before): a fold of keepalive pairs or of bulk data, or one arrow for
 * the event and the identical ones after it. Returns the event after it.
 */
static size_t row_at(const struct diag_conn *d, size_t i, int64_t prev_ns, const struct strokes *k,
		     struct row *r)
{
	const struct diag_event *e = &d->ev[i];
	size_t pairs = keepalive_pairs(d, i), bulk = pairs >= FOLD_PAIRS ? 0 : bulk_run(d, i);
	struct sbuf mid, notes;

	sbuf_init(&mid, r->mid, sizeof(r->mid));
	sbuf_init(&notes, r->notes, sizeof(r->notes));
	r->fold = true;
	if (pairs >= FOLD_PAIRS) {
		fold_keepalive(&mid, &notes, k, d, i, pairs);
		r->next = i + 2 * pairs;
	} else if (bulk >= FOLD_BULK) {
		fold_bulk(&mid, &notes, k, d, i, bulk);
		r->next = i + bulk;
	} else {
		size_t same = same_run(d, i);

		r->fold = false;
		r->first = i == 0;
		r->dt_ns = i == 0 ? 0 : e->t_ns - prev_ns;
		r->to_server = e->role == 0;
		arrow_text(e, &mid);
		put_notes(&notes, d, e);
		if (same > 1) {
			/* The same packet again and again (window updates, dup acks): one line. */
			sbuf_puts(&notes, notes.len > 0 ? " " : "");
			sbuf_puts(&notes, k->times);
			sbuf_put_uint(&notes, same, 0);
			sbuf_puts(&notes, " in ");
			put_seconds(&notes, d->ev[i + same - 1].t_ns - e->t_ns);
			sbuf_puts(&notes, " s");
		}
		r->next = i + same;
	}
	return r->next;
}

/*
 * Choose the shaft and where the notes go, from the widest arrow text, fold
 * text and notes of the connection. A ladder whose lines all fit is drawn as
 * it always was: the arrows stretch with the width. Otherwise the arrows are
 * narrowed, down to their text and MIN_FILL strokes, to make room for the
 * notes beside them, which wrap when still too wide. Where that would leave
 * the notes fewer than LABEL_MIN cells, the arrows take the whole width and
 * the notes go on lines of their own under each arrow, between the columns.
 */
static void ladder_layout(const struct diag_conn *d, const struct strokes *k, int columns,
			  struct row *r, struct layout *l)
{
	size_t i, arrow = 0, fold = 0, notes = 0;
	size_t avail, pref, narrowest, room;
	struct sbuf s;

	for (i = 0; i < d->n;) {
		i = row_at(d, i, 0, k, r);
		if (r->fold)
			fold = max_size(fold, cells_width(r->mid, strlen(r->mid)));
		else
			arrow = max_size(arrow, cells_width(r->mid, strlen(r->mid)));
		notes = max_size(notes, cells_width(r->notes, strlen(r->notes)));
	}
	l->columns = clamp_columns(columns);
	avail = l->columns - TIME_COLS - 2; /* the shaft and what follows the server column */
	/* As wide as the width less 24 cells of labels, within bounds, and never cutting a text. */
	pref = l->columns > TIME_COLS + 2 + 24 ? l->columns - TIME_COLS - 2 - 24 : 0;
	pref = pref < MIN_SHAFT ? MIN_SHAFT : pref > MAX_SHAFT ? MAX_SHAFT : pref;
	pref = max_size(pref, max_size(arrow + 4, fold + 2));
	narrowest = min_size(max_size(arrow + 4 + MIN_FILL, fold + 2), pref);
	room = avail > 2 + notes ? avail - 2 - notes : 0; /* the shaft with all notes beside it */
	l->under = false;
	if (notes == 0 || pref <= room) {
		l->shaft = (unsigned)min_size(pref, avail);
	} else if (narrowest + 2 + LABEL_MIN <= avail) {
		l->shaft = (unsigned)max_size(room, narrowest);
	} else {
		l->under = true;
		l->shaft = (unsigned)avail;
	}
	sbuf_init(&s, l->lead, sizeof(l->lead));
	put_times(&s, " ", TIME_COLS);
	sbuf_puts(&s, k->bar);
	if (l->under) {
		sbuf_puts(&s, "  ");
		l->first = l->rest = l->shaft - 3;
		sbuf_init(&s, l->close, sizeof(l->close));
		sbuf_putc(&s, ' ');
		sbuf_puts(&s, k->bar);
	} else {
		put_times(&s, " ", l->shaft);
		sbuf_puts(&s, k->bar);
		sbuf_puts(&s, "  ");
		l->first = l->rest = avail > l->shaft + 2 ? avail - 2 - l->shaft : 0;
		l->close[0] = '\0';
	}
}

static int flush(FILE *out, struct sbuf *s)
{
	sbuf_putc(s, '\n');
	return fwrite(s->buf, 1, s->len, out) == s->len ? 0 : -1;
}

/*
 * Append text to the line in s and write the line: at most first cells of
 * text on it (cells_break chooses where), then the rest in lines of at most
 * rest cells, each starting with lead. With close, each piece is padded to
 * its width and closed with close. Returns 0, or -1 on a write error.
 */
static int put_wrapped(FILE *out, struct sbuf *s, const char *text, size_t first, size_t rest,
		       const char *lead, const char *close)
{
	size_t off = 0, n = strlen(text), cols = first;
	int rc = 0;

	for (;;) {
		size_t next, len = cells_break(text + off, n - off, cols, &next);

		sbuf_putn(s, text + off, len);
		if (close != NULL) {
			size_t w = cells_width(text + off, len);

			put_times(s, " ", cols > w ? cols - w : 0);
			sbuf_puts(s, close);
		}
		rc |= flush(out, s);
		off += next;
		if (off >= n)
			return rc;
		sbuf_init(s, s->buf, s->cap);
		sbuf_puts(s, lead);
		cols = rest;
	}
}

/* The title: the connection, its two ends and its packets; wrapped, two cells in, when too wide. */
static int put_title(FILE *out, struct sbuf *s, const struct diag_conn *d, const struct strokes *k,
		     unsigned columns)
{
	char title[256], cli[64], srv[64];
	struct sbuf t;

	json_endpoint(cli, sizeof(cli), &d->ep, 0);
	json_endpoint(srv, sizeof(srv), &d->ep, 1);
	sbuf_init(&t, title, sizeof(title));
	sbuf_puts(&t, "connection ");
	sbuf_put_uint(&t, d->id, 0);
	sbuf_puts(&t, ": client ");
	sbuf_puts(&t, cli);
	sbuf_putc(&t, ' ');
	sbuf_puts(&t, k->to_server);
	sbuf_puts(&t, " server ");
	sbuf_puts(&t, srv);
	sbuf_puts(&t, ", ");
	sbuf_put_uint(&t, d->n, 0);
	sbuf_puts(&t, d->n == 1 ? " packet" : " packets");
	if (d->truncated)
		sbuf_puts(&t, " (more not kept)");
	sbuf_init(s, s->buf, s->cap);
	return put_wrapped(out, s, title, columns, columns - 2, "  ", NULL);
}

/* One line of the ladder, and the lines its notes wrap onto. */
static int put_row(FILE *out, struct sbuf *s, const struct strokes *k, const struct layout *l,
		   const struct row *r)
{
	int rc = 0;

	sbuf_init(s, s->buf, s->cap);
	if (r->fold) {
		put_between(s, k, l->shaft, r->mid);
	} else {
		put_time(s, r->dt_ns, r->first);
		put_arrow(s, k, l->shaft, r->mid, r->to_server);
	}
	if (r->notes[0] == '\0')
		return flush(out, s);
	if (l->under) {
		rc = flush(out, s);
		sbuf_init(s, s->buf, s->cap);
		sbuf_puts(s, l->lead);
		return rc | put_wrapped(out, s, r->notes, l->first, l->rest, l->lead, l->close);
	}
	sbuf_puts(s, "  ");
	return put_wrapped(out, s, r->notes, l->first, l->rest, l->lead, NULL);
}

int ladder_print(FILE *out, const struct diag_conn *d, const struct ladder_opts *o)
{
	const struct strokes *k = o->ascii ? &ascii : &unicode;
	struct row r;
	struct layout l;
	char line[8192];
	struct sbuf s;
	size_t i, pad;
	int rc = 0;
	int64_t prev = 0;

	ladder_layout(d, k, o->columns, &r, &l);
	sbuf_init(&s, line, sizeof(line));
	rc |= put_title(out, &s, d, k, l.columns);
	/* "server" over the server column, moved left when that would pass the width. */
	pad = l.shaft > 4 ? l.shaft - 4 : 1;
	if (TIME_COLS - 3 + 6 + pad + 6 > l.columns)
		pad = l.columns - (TIME_COLS - 3 + 6 + 6);
	sbuf_init(&s, line, sizeof(line));
	put_times(&s, " ", TIME_COLS - 3);
	sbuf_puts(&s, "client");
	put_times(&s, " ", pad);
	sbuf_puts(&s, "server");
	rc |= flush(out, &s);
	for (i = 0; i < d->n;) {
		i = row_at(d, i, prev, k, &r);
		prev = d->ev[i - 1].t_ns;
		rc |= put_row(out, &s, k, &l, &r);
	}
	sbuf_init(&s, line, sizeof(line));
	return flush(out, &s) | rc;
}
