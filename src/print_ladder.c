/* print_ladder.c - draws a connection as a ladder: an arrow per packet between the client and server columns. */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tcpnote/print_json.h"
#include "tcpnote/print_ladder.h"
#include "tcpnote/sbuf.h"
#include "tcpnote/tcp_flags.h"

#define TIME_COLS 12 /* "+123.456789 " */
#define MIN_SHAFT 34
#define MAX_SHAFT 72
#define FOLD_PAIRS 2 /* keepalive/ack pairs in a row that are drawn as one line */
#define FOLD_BULK 6  /* data/ack packets in a row that are drawn as one line */

/* The strokes of one style: the columns, the shaft, the two heads, the fold mark. */
struct strokes {
	const char *bar, *shaft, *right, *left, *fold, *times, *to_server, *to_client;
};

static const struct strokes unicode = {"\u2502", "\u2500", "\u25b6", "\u25c0",
				       "\u22ee", "\u00d7", "\u2192", "\u2190"};
static const struct strokes ascii = {"|", "-", ">", "<", ":", "x", "->", "<-"};

/* The columns a UTF-8 text takes on a terminal (each code point one: the strokes are narrow). */
static size_t text_columns(const char *s, size_t n)
{
	size_t i, cols = 0;

	for (i = 0; i < n && s[i] != '\0'; i++)
		cols += ((unsigned char)s[i] & 0xc0) != 0x80;
	return cols;
}

/* How many bytes of s fit in cols columns, cut at a code point boundary. */
static size_t fit_bytes(const char *s, size_t cols)
{
	size_t i = 0, used = 0;

	while (s[i] != '\0') {
		size_t j = i + 1;

		while (((unsigned char)s[j] & 0xc0) == 0x80)
			j++;
		if (used + 1 > cols)
			break;
		used++;
		i = j;
	}
	return i;
}

int ladder_columns(int fd)
{
	const char *env = getenv("COLUMNS");
	struct winsize ws;

	if (env != NULL) {
		char *end;
		long v = strtol(env, &end, 10);

		if (*end == '\0' && v >= 40 && v <= 1000)
			return (int)v;
	}
	if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
		return ws.ws_col;
	return 80;
}

static void put_times(struct sbuf *s, const char *str, unsigned n)
{
	while (n-- > 0)
		sbuf_puts(s, str);
}

/* The text on an arrow: "S. seq 0 ack 1", "P. seq 1:79 ack 1 len 78". */
static void arrow_text(const struct diag_event *e, char *buf, size_t cap)
{
	struct sbuf s;

	sbuf_init(&s, buf, cap);
	sbuf_put_tcp_flags(&s, e->flags);
	sbuf_puts(&s, " seq ");
	sbuf_put_uint(&s, e->seq, 0);
	if (e->len > 0) {
		sbuf_putc(&s, ':');
		sbuf_put_uint(&s, e->seq + e->len, 0);
	}
	if (e->flags & TCPF_ACK) {
		sbuf_puts(&s, " ack ");
		sbuf_put_uint(&s, e->ack, 0);
	}
	if (e->len > 0) {
		sbuf_puts(&s, " len ");
		sbuf_put_uint(&s, e->len, 0);
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

/* The labels and hints after the right column, made safe for a terminal. */
static void put_notes(struct sbuf *s, const struct diag_conn *d, const struct diag_event *e)
{
	struct labels l = {e->labels, e->dup_ack};
	const char *hint = diag_event_hint(d, e);

	if (labels_empty(&l) && hint == NULL)
		return;
	sbuf_puts(s, "  ");
	labels_put(&l, s);
	if (hint != NULL) {
		if (!labels_empty(&l))
			sbuf_puts(s, ", ");
		sbuf_put_safe(s, hint, 1024);
	}
}

/* One arrow: the text near its tail, the shaft filling the space, the head at the receiver. */
static void put_arrow(struct sbuf *s, const struct strokes *k, unsigned shaft, const char *text,
		      bool to_server)
{
	size_t tl = strlen(text);
	unsigned room = shaft - 4, fill;

	if (tl > room)
		tl = room;
	fill = shaft - 2 - 2 - (unsigned)tl; /* the head or tail stroke and the spaces round the text */
	sbuf_puts(s, k->bar);
	if (to_server) {
		sbuf_puts(s, k->shaft);
		sbuf_putc(s, ' ');
		sbuf_putn(s, text, tl);
		sbuf_putc(s, ' ');
		put_times(s, k->shaft, fill);
		sbuf_puts(s, k->right);
	} else {
		sbuf_puts(s, k->left);
		put_times(s, k->shaft, fill);
		sbuf_putc(s, ' ');
		sbuf_putn(s, text, tl);
		sbuf_putc(s, ' ');
		sbuf_puts(s, k->shaft);
	}
	sbuf_puts(s, k->bar);
}

/* A line between the columns with text in it (a fold). */
static void put_between(struct sbuf *s, const struct strokes *k, unsigned shaft, const char *text)
{
	size_t tb = fit_bytes(text, shaft - 2), tc = text_columns(text, tb);

	put_times(s, " ", TIME_COLS);
	sbuf_puts(s, k->bar);
	sbuf_putc(s, ' ');
	sbuf_putn(s, text, tb);
	put_times(s, " ", shaft - 1 - (unsigned)tc);
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

static void fold_keepalive(struct sbuf *s, const struct strokes *k, unsigned shaft,
			   const struct diag_conn *d, size_t i, size_t pairs)
{
	char text[64];
	const struct diag_event *first = &d->ev[i], *last = &d->ev[i + 2 * pairs - 2];
	/* The mean interval, in tenths of a second; a clock that went backwards counts as 0. */
	int64_t span_ns = last->t_ns > first->t_ns ? last->t_ns - first->t_ns : 0;
	uint64_t tenths = ((uint64_t)span_ns / (pairs - 1) + 50000000u) / 100000000u;
	struct sbuf t;

	sbuf_init(&t, text, sizeof(text));
	sbuf_puts(&t, k->fold);
	sbuf_putc(&t, ' ');
	sbuf_puts(&t, k->times);
	sbuf_put_uint(&t, pairs, 0);
	sbuf_puts(&t, " keepalive ");
	sbuf_puts(&t, first->role == 0 ? k->to_server : k->to_client);
	sbuf_puts(&t, " ack ");
	sbuf_puts(&t, first->role == 0 ? k->to_client : k->to_server);
	put_between(s, k, shaft, text);
	sbuf_puts(s, "  keepalive, keepalive ack: every ");
	sbuf_put_uint(s, tenths / 10, 0);
	sbuf_putc(s, '.');
	sbuf_put_uint(s, tenths % 10, 0);
	sbuf_puts(s, " s");
}

static void fold_bulk(struct sbuf *s, const struct strokes *k, unsigned shaft,
		      const struct diag_conn *d, size_t i, size_t n)
{
	char text[64];
	struct sbuf t;
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
	sbuf_init(&t, text, sizeof(text));
	sbuf_puts(&t, k->fold);
	sbuf_putc(&t, ' ');
	sbuf_puts(&t, k->times);
	sbuf_put_uint(&t, segs, 0);
	sbuf_puts(&t, " data ");
	sbuf_puts(&t, sender == 0 ? k->to_server : k->to_client);
	if (acks > 0) {
		sbuf_puts(&t, ", ");
		sbuf_puts(&t, k->times);
		sbuf_put_uint(&t, acks, 0);
		sbuf_puts(&t, " ack ");
		sbuf_puts(&t, sender == 0 ? k->to_client : k->to_server);
	}
	put_between(s, k, shaft, text);
	sbuf_puts(s, acks > 0 ? "  data, ack: seq " : "  data: seq ");
	sbuf_put_uint(s, lo, 0);
	sbuf_putc(s, ':');
	sbuf_put_uint(s, hi, 0);
	sbuf_puts(s, " (");
	sbuf_put_uint(s, bytes, 0);
	sbuf_puts(s, " bytes)");
	if (acks > 0) {
		sbuf_puts(s, ", acked up to ");
		sbuf_put_uint(s, acked, 0);
	}
	if (updates > 0) {
		sbuf_puts(s, ", ");
		sbuf_put_uint(s, updates, 0);
		sbuf_puts(s, updates == 1 ? " window update" : " window updates");
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

static int flush(FILE *out, struct sbuf *s)
{
	sbuf_putc(s, '\n');
	return fwrite(s->buf, 1, s->len, out) == s->len ? 0 : -1;
}

int ladder_print(FILE *out, const struct diag_conn *d, const struct ladder_opts *o)
{
	const struct strokes *k = o->ascii ? &ascii : &unicode;
	char line[8192], cli[64], srv[64], text[160];
	unsigned shaft;
	struct sbuf s;
	size_t i;
	int rc = 0;
	int64_t prev = 0;

	/* The arrows take what the time column and some room for labels leave. */
	shaft = o->columns > TIME_COLS + 2 + 24 ? (unsigned)(o->columns - TIME_COLS - 2 - 24) : 0;
	shaft = shaft < MIN_SHAFT ? MIN_SHAFT : shaft > MAX_SHAFT ? MAX_SHAFT : shaft;
	json_endpoint(cli, sizeof(cli), &d->ep, 0);
	json_endpoint(srv, sizeof(srv), &d->ep, 1);
	sbuf_init(&s, line, sizeof(line));
	sbuf_puts(&s, "connection ");
	sbuf_put_uint(&s, d->id, 0);
	sbuf_puts(&s, ": client ");
	sbuf_puts(&s, cli);
	sbuf_puts(&s, o->ascii ? " -> server " : " \u2192 server ");
	sbuf_puts(&s, srv);
	sbuf_puts(&s, ", ");
	sbuf_put_uint(&s, d->n, 0);
	sbuf_puts(&s, d->n == 1 ? " packet" : " packets");
	if (d->truncated)
		sbuf_puts(&s, " (more not kept)");
	rc |= flush(out, &s);
	sbuf_init(&s, line, sizeof(line));
	put_times(&s, " ", TIME_COLS - 3);
	sbuf_puts(&s, "client");
	put_times(&s, " ", shaft - 4);
	sbuf_puts(&s, "server");
	rc |= flush(out, &s);
	for (i = 0; i < d->n;) {
		const struct diag_event *e = &d->ev[i];
		size_t pairs = keepalive_pairs(d, i), bulk = pairs >= FOLD_PAIRS ? 0 : bulk_run(d, i);

		sbuf_init(&s, line, sizeof(line));
		if (pairs >= FOLD_PAIRS) {
			fold_keepalive(&s, k, shaft, d, i, pairs);
			prev = d->ev[i + 2 * pairs - 1].t_ns;
			i += 2 * pairs;
		} else if (bulk >= FOLD_BULK) {
			fold_bulk(&s, k, shaft, d, i, bulk);
			prev = d->ev[i + bulk - 1].t_ns;
			i += bulk;
		} else {
			size_t same = same_run(d, i);

			put_time(&s, i == 0 ? 0 : e->t_ns - prev, i == 0);
			arrow_text(e, text, sizeof(text));
			put_arrow(&s, k, shaft, text, e->role == 0);
			put_notes(&s, d, e);
			if (same > 1) {
				/* The same packet again and again (window updates, dup acks): one line. */
				sbuf_puts(&s, e->labels != 0 || e->hint != 0 ? " " : "  ");
				sbuf_puts(&s, k->times);
				sbuf_put_uint(&s, same, 0);
				sbuf_puts(&s, " in ");
				put_seconds(&s, d->ev[i + same - 1].t_ns - e->t_ns);
				sbuf_puts(&s, " s");
			}
			prev = d->ev[i + same - 1].t_ns;
			i += same;
		}
		rc |= flush(out, &s);
	}
	sbuf_init(&s, line, sizeof(line));
	return flush(out, &s) | rc;
}
