/* print_ladder.h - --ladder: a connection drawn as a ladder between a client and a server column. */
#ifndef TCPNOTE_PRINT_LADDER_H
#define TCPNOTE_PRINT_LADDER_H

#include <stdbool.h>
#include <stdio.h>

#include "tcpnote/diagram.h"

/*
 * The narrowest and widest ladders drawn: a narrower terminal gets a ladder
 * LADDER_MIN_COLUMNS wide (its arrows' text cut if need be).
 */
#define LADDER_MIN_COLUMNS 40
#define LADDER_MAX_COLUMNS 1000

struct ladder_opts {
	int columns; /* the terminal's width, which every line fits in */
	bool ascii;  /* | - > < instead of Unicode box drawing */
};

/*
 * Draw connection d: a title, the two columns, one arrow per packet in time
 * order with its flags, relative seq/ack and length, the time since the
 * previous arrow, and its labels and hints after the right column. Runs of
 * keepalive/keepalive-ack pairs, and of bulk data with its acks, are folded
 * into one line with a count. Every line fits o->columns terminal cells
 * (clamped to LADDER_MIN_COLUMNS..LADDER_MAX_COLUMNS): the arrows narrow to
 * make room for the labels, which then wrap onto lines under the server
 * column; the title wraps too. Returns 0, or -1 on a write error.
 */
int ladder_print(FILE *out, const struct diag_conn *d, const struct ladder_opts *o);

/*
 * The width to draw for: COLUMNS when set to a number, else the terminal's
 * when fd is one, else 80; within LADDER_MIN_COLUMNS..LADDER_MAX_COLUMNS.
 */
int ladder_columns(int fd);

#endif
