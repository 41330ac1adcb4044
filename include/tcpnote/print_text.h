/* print_text.h - the tcpdump-identical text line, followed by tcpnote's labels. */
#ifndef TCPNOTE_PRINT_TEXT_H
#define TCPNOTE_PRINT_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "tcpnote/app_hints.h"
#include "tcpnote/labels.h"
#include "tcpnote/packet.h"
#include "tcpnote/print_dump.h"
#include "tcpnote/relseq.h"

/* tcpdump's -t family. */
enum ts_mode {
	TS_LOCAL = 0,    /* default: HH:MM:SS.frac, local time */
	TS_NONE,         /* -t */
	TS_EPOCH,        /* -tt */
	TS_DELTA_PREV,   /* -ttt */
	TS_DATE,         /* -tttt */
	TS_DELTA_FIRST   /* -ttttt */
};

struct print_opts {
	enum ts_mode ts;
	int vflag;
	bool color; /* ANSI colours on the labels: green lifecycle, yellow loss/order, red reset */
	bool resolve; /* host and port names as tcpdump shows them without -n (names.h) */
	bool quick;   /* tcpdump -q: "tcp LEN" for the TCP part, and the link header's short forms */
	bool short_names; /* -N: resolved host names without their domain */
	bool number;      /* -#: the frame's number before each line */
	enum dump_mode dump; /* -x, -X, -A: the packet's bytes under its line */
	bool dump_link;      /* -xx, -XX, -AA: from the link header on */
	bool eflag;          /* -e: the link-level header first (MACs, ethertype, VLAN tags, length) */
};

struct printer;

struct printer *printer_new(FILE *out, const struct print_opts *opts);
void printer_free(struct printer *pr);

/*
 * Format one packet into buf (NUL-terminated, newline included): the part
 * tcpdump would print (tcpdump -n's, unless opts.resolve), then "  # " and
 * the labels when there are any, then the application hints of h (may be
 * NULL), escaped for a terminal.
 * Returns the length written.
 */
size_t print_text_format(struct printer *pr, const struct packet *p, const struct relseq_view *v,
			 const struct labels *l, const struct app_hints *h, char *buf, size_t cap);

/*
 * Format and write one packet, then its dump (opts.dump) from the network
 * header on, or from the frame's first byte with opts.dump_link or where
 * tcpdump gave up decoding early. Returns false on a write error.
 */
bool print_text_packet(struct printer *pr, const struct packet *p, const struct relseq_view *v,
		       const struct labels *l, const struct app_hints *h);

struct app_late;

/*
 * print_text_packet, and after the labels the hints of records that waited
 * for their key (live --keylog), each "[late, from TIME SRC.PORT >
 * DST.PORT: HINT, ...]" naming the packet they came with.
 */
bool print_text_packet_late(struct printer *pr, const struct packet *p, const struct relseq_view *v,
			    const struct labels *l, const struct app_hints *h,
			    const struct app_late *late, size_t nlate);

/*
 * Late hints when no packet is being printed: a line of their own, the
 * time now (as the lines show time; none with -t) and the "[late, ...]" group.
 */
bool print_text_late(struct printer *pr, const struct app_late *late, int64_t now_sec,
		     uint32_t now_frac);

/* tcpdump's line for a record whose caplen exceeds its length: "[Invalid header: ...]", no timestamp. */
bool print_text_invalid(struct printer *pr, const struct packet *p, uint32_t len, uint32_t caplen);

#endif
