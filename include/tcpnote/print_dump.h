/* print_dump.h - tcpdump's -x, -X and -A: a packet's captured bytes in hex, hex and ASCII, or ASCII. */
#ifndef TCPNOTE_PRINT_DUMP_H
#define TCPNOTE_PRINT_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "tcpnote/bytes.h"

/* Which dump follows the packet's line; tcpdump prefers -X to -x, and -x to -A. */
enum dump_mode {
	DUMP_NONE = 0,
	DUMP_HEX,       /* -x: "\t0x0000:  4500 0034 ..." */
	DUMP_HEX_ASCII, /* -X: the same, padded, then the bytes as text */
	DUMP_ASCII      /* -A: the bytes as text, lines as the packet breaks them */
};

/* "hex", "hex-ascii", "ascii" or "none". */
const char *dump_mode_name(enum dump_mode m);

/*
 * Format the dump of bytes, from *at on, into buf (NUL-terminated): as many
 * whole 16-byte lines as fit (hex modes, each "\t0x%04x: ...\n", the offset
 * counted from the start of bytes), or as many bytes of text as fit
 * (-A), followed by the final newline once the last byte is written. *at
 * moves past what was formatted; the dump is done when *at == bytes.len.
 * Text has tcpdump's print-ascii.c rule: printable ASCII, space, tab and
 * newline as they are, a carriage return dropped before a newline or near
 * the end, every other byte a dot; so nothing written is a control byte
 * other than tab and newline. Returns the length written; a cap of 128
 * bytes or more always makes progress.
 */
size_t dump_format(enum dump_mode m, struct span bytes, size_t *at, char *buf, size_t cap);

/*
 * Write the whole dump of bytes to out, in bounded pieces, as tcpdump does
 * after the line that ends with the packet's newline: nothing when bytes is
 * empty. Returns false on a write error.
 */
bool dump_write(FILE *out, enum dump_mode m, struct span bytes);

#endif
