/* print_summary.c - writes the per-connection summary table (--summary). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "tcpnote/app_kafka_conn.h"
#include "tcpnote/print_json.h"
#include "tcpnote/print_summary.h"
#include "tcpnote/sbuf.h"

/* The labels worth a column: everything but the ordinary lifecycle steps. */
static void notable(const struct conn_summary *s, struct sbuf *b)
{
	static const uint32_t skip = 1u << LABEL_HANDSHAKE_1 | 1u << LABEL_HANDSHAKE_2 |
				     1u << LABEL_HANDSHAKE_3 | 1u << LABEL_DATA | 1u << LABEL_ACK |
				     1u << LABEL_CLOSE_1 | 1u << LABEL_CLOSE_2 | 1u << LABEL_CLOSE_3 |
				     1u << LABEL_CLOSE_4 | 1u << LABEL_FIN_MERGED;
	uint32_t bits = ((1u << LABEL_COUNT) - 1) & ~skip;
	size_t start = b->len;
	enum label l;

	while ((l = labels_next(&bits)) != LABEL_COUNT) {
		uint32_t n = summary_label_count(s, l);

		if (n == 0)
			continue;
		if (b->len > start)
			sbuf_putn(b, ", ", 2);
		sbuf_puts(b, label_name(l));
		sbuf_putc(b, ' ');
		sbuf_put_uint(b, n, 0);
	}
	if (b->len == start)
		sbuf_putc(b, '-');
}

/* Pad what was appended since start with spaces to width: on the left (right-aligned) or the right. */
static void pad(struct sbuf *b, size_t start, size_t width, bool right_align)
{
	size_t used = b->len - start, k;

	if (used >= width)
		return;
	if (right_align && b->len + (width - used) < b->cap) {
		memmove(b->buf + start + (width - used), b->buf + start, used);
		memset(b->buf + start, ' ', width - used);
		b->len += width - used;
		b->buf[b->len] = '\0';
		return;
	}
	for (k = used; k < width; k++)
		sbuf_putc(b, ' ');
}

/* "ADDR:PORT" or "[ADDR]:PORT", as json_endpoint writes it; IPv4 without printf. */
static void put_endpoint(struct sbuf *b, const struct conn_endpoints *e, int role)
{
	char ep[INET6_ADDRSTRLEN + 10];

	if (e->version == 6) {
		json_endpoint(ep, sizeof(ep), e, role);
		sbuf_puts(b, ep);
		return;
	}
	sbuf_put_ipv4(b, e->addr[role]);
	sbuf_putc(b, ':');
	sbuf_put_uint(b, e->port[role], 0);
}

/* Nanoseconds as seconds with three decimals, as printf's %.3f of ns / 1e9 rounds them. */
static void put_seconds3(struct sbuf *b, int64_t ns)
{
	char t[32];
	uint64_t ms;

	if (ns < 0 || ns % 1000000 == 500000) {
		/* Negative, or exactly half a millisecond: leave the rounding to printf. */
		snprintf(t, sizeof(t), "%.3f", (double)ns / 1e9);
		sbuf_puts(b, t);
		return;
	}
	ms = ((uint64_t)ns + 500000) / 1000000;
	sbuf_put_uint(b, ms / 1000, 0);
	sbuf_putc(b, '.');
	sbuf_put_uint(b, ms % 1000, 3);
}

/* A word, left-aligned in width, and a space. */
static void put_column(struct sbuf *b, const char *word, size_t width)
{
	size_t at = b->len;

	sbuf_puts(b, word);
	pad(b, at, width, false);
	sbuf_putc(b, ' ');
}

/* "client/server" counts, right-aligned in width, and a space. */
static void put_pair(struct sbuf *b, uint64_t client, uint64_t server, size_t width)
{
	size_t at = b->len;

	sbuf_put_uint(b, client, 0);
	sbuf_putc(b, '/');
	sbuf_put_uint(b, server, 0);
	pad(b, at, width, true);
	sbuf_putc(b, ' ');
}

static void row(struct sbuf *b, const struct flow_record *f)
{
	const struct conn_summary *s = &f->sum;
	char history[HISTORY_MAX + 1], app[APP_FACTS_TEXT_MAX];
	size_t at = b->len;
	bool said;

	sbuf_put_uint(b, s->id, 0);
	pad(b, at, 4, true);
	sbuf_putn(b, "  ", 2);
	at = b->len;
	put_endpoint(b, &f->ep, 0);
	pad(b, at, 24, false);
	sbuf_putc(b, ' ');
	at = b->len;
	put_endpoint(b, &f->ep, 1);
	pad(b, at, 24, false);
	sbuf_putc(b, ' ');
	at = b->len;
	put_seconds3(b, summary_last_ns(s) - s->first_ns);
	pad(b, at, 9, true);
	sbuf_putn(b, "s ", 2);
	put_pair(b, summary_packets(s, 0), summary_packets(s, 1), 13);
	put_pair(b, summary_bytes(s, 0), summary_bytes(s, 1), 17);
	at = b->len;
	if (f->handshake_rtt_ns > 0) {
		/* A whole number of microseconds: milliseconds with three decimals are exact. */
		uint64_t us = (uint64_t)f->handshake_rtt_ns / 1000;

		sbuf_put_uint(b, us / 1000, 0);
		sbuf_putc(b, '.');
		sbuf_put_uint(b, us % 1000, 3);
	} else {
		sbuf_putc(b, '-');
	}
	pad(b, at, 9, true);
	sbuf_putn(b, "  ", 2);
	put_column(b, summary_conn_state(s), 6);
	summary_history(s, history);
	put_column(b, history[0] ? history : "-", 10);
	put_column(b, summary_close_kind(s), 12);
	at = b->len;
	notable(s, b);
	pad(b, at, 24, false);
	sbuf_putc(b, ' ');
	/* What the application said (TLS, HTTP), made safe for a terminal. */
	said = f->app != NULL && app_facts_format(f->app, app, sizeof(app)) > 0;
	if (said)
		sbuf_put_safe(b, app, sizeof(app));
	if (f->kafka != NULL) {
		if (said)
			sbuf_putc(b, ' ');
		sbuf_put_safe(b, f->kafka, KAFKA_FACTS_TEXT_MAX);
	} else if (!said) {
		sbuf_putc(b, '-');
	}
	sbuf_putc(b, '\n');
}

int summary_print(FILE *out, const struct flow_record *flows, size_t n)
{
	char line[4096];
	struct sbuf b;
	size_t i;

	fprintf(out, "\nconnections: %zu\n", n);
	if (n == 0)
		return ferror(out) ? -1 : 0;
	fprintf(out, "%4s  %-24s %-24s %10s %13s %17s %9s  %-6s %-10s %-12s %-24s %s\n", "#", "client",
		"server", "duration", "packets c/s", "bytes c/s", "rtt ms", "state", "history",
		"close", "notable", "app");
	for (i = 0; i < n; i++) {
		sbuf_init(&b, line, sizeof(line));
		row(&b, &flows[i]);
		if (b.overflow) /* keep the newline even when the line was cut */
			line[b.len - 1] = '\n';
		if (fwrite(line, 1, b.len, out) != b.len)
			return -1;
	}
	return ferror(out) ? -1 : 0;
}
