/* print_ladder.h - --ladder: a connection drawn as a ladder between a client and a server column. */
#ifndef TCPNOTE_PRINT_LADDER_H
#define TCPNOTE_PRINT_LADDER_H

#include <stdbool.h>
#include <stdio.h>

#include "tcpnote/diagram.h"

struct ladder_opts {
	int columns; /* the terminal's width: the arrows stretch to fit it */
	bool ascii;  /* | - > < instead of Unicode box drawing */
};

/*
 * Draw connection d: a title, the two columns, one arrow per packet in time
 * order with its flags, relative seq/ack and length, the time since the
 * previous arrow, and its labels and hints after the right column. Runs of
 * keepalive/keepalive-ack pairs, and of bulk data with its acks, are folded
 * into one line with a count. Returns 0, or -1 on a write error.
 */
int ladder_print(FILE *out, const struct diag_conn *d, const struct ladder_opts *o);

/* The width to draw for: COLUMNS when set and sane, else the terminal's, else 80. */
int ladder_columns(int fd);

#endif
