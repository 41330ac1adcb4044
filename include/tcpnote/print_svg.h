/* print_svg.h - --svg FILE: a self-contained SVG with each connection's ladder diagram and time-sequence graph. */
#ifndef TCPNOTE_PRINT_SVG_H
#define TCPNOTE_PRINT_SVG_H

#include <stddef.h>
#include <stdio.h>

#include "tcpnote/diagram.h"

/*
 * Write one SVG document (no scripts, no external resources) holding, for
 * each of the n connections in order, a ladder diagram and a time-sequence
 * (Stevens) graph. Large connections are drawn with a bounded number of
 * elements. Returns 0, or -1 when writing failed.
 */
int svg_write(FILE *out, const struct diag_conn *const *conns, size_t n);

#endif
