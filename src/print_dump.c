/* print_dump.c - tcpdump's -x, -X and -A: a packet's captured bytes in hex, hex and ASCII, or ASCII. */
#include "tcpnote/print_dump.h"

#define DUMP_BYTES_PER_LINE 16
/* tcpdump's HEXDUMP_HEXSTUFF_PER_LINE: eight " xxxx" groups, the column -X pads to. */
#define DUMP_HEX_COLUMN 40
/* The longest line: "\t0x" + 8 offset digits + ": " + 40 + "  " + 16 + "\n" + NUL. */
#define DUMP_LINE_MAX 80
#define DUMP_CHUNK 8192

static const char hexdigit[] = "0123456789abcdef";

const char *dump_mode_name(enum dump_mode m)
{
	switch (m) {
	case DUMP_HEX:
		return "hex";
	case DUMP_HEX_ASCII:
		return "hex-ascii";
	case DUMP_ASCII:
		return "ascii";
	case DUMP_NONE:
		break;
	}
	return "none";
}

/* print-ascii.c's ND_ASCII_ISGRAPH: the column -X shows as itself (not even a space). */
static bool dump_isgraph(uint8_t c)
{
	return c > 0x20 && c <= 0x7e;
}

/* One line of -x or -X for the (at most 16) bytes of b, at offset off; returns its length. */
static size_t dump_hex_line(enum dump_mode m, struct span b, size_t off, char *out)
{
	size_t w = 0, i, start;
	int shift;

	out[w++] = '\t';
	out[w++] = '0';
	out[w++] = 'x';
	/* printf's %04x: at least four digits. */
	for (shift = 28; shift > 12 && ((off >> shift) & 0xf) == 0; shift -= 4)
		;
	for (; shift >= 0; shift -= 4)
		out[w++] = hexdigit[(off >> shift) & 0xf];
	out[w++] = ':';
	out[w++] = ' ';
	start = w;
	for (i = 0; i < b.len; i++) {
		if (i % 2 == 0)
			out[w++] = ' ';
		out[w++] = hexdigit[b.data[i] >> 4];
		out[w++] = hexdigit[b.data[i] & 0xf];
	}
	if (m == DUMP_HEX_ASCII) {
		while (w - start < DUMP_HEX_COLUMN)
			out[w++] = ' ';
		out[w++] = ' ';
		out[w++] = ' ';
		for (i = 0; i < b.len; i++)
			out[w++] = dump_isgraph(b.data[i]) ? (char)b.data[i] : '.';
	}
	out[w++] = '\n';
	return w;
}

/*
 * print-ascii.c's ascii_print() for byte i of b: what it writes (NUL for
 * nothing). A carriage return is dropped before a newline and when fewer
 * than two bytes follow it (tcpdump's "length > 1" after the decrement).
 */
static char dump_ascii_char(struct span b, size_t i)
{
	uint8_t c = 0, next = 0;

	span_u8(b, i, &c);
	if (c == '\r')
		return span_has(b, i + 1, 2) && span_u8(b, i + 1, &next) && next != '\n' ? '.' : '\0';
	if (dump_isgraph(c) || c == '\t' || c == ' ' || c == '\n')
		return (char)c;
	return '.';
}

size_t dump_format(enum dump_mode m, struct span bytes, size_t *at, char *buf, size_t cap)
{
	size_t w = 0;

	if (cap == 0)
		return 0;
	if (m == DUMP_HEX || m == DUMP_HEX_ASCII) {
		while (*at < bytes.len && cap - w > DUMP_LINE_MAX) {
			struct span line = span_sub(bytes, *at, DUMP_BYTES_PER_LINE);

			w += dump_hex_line(m, line, *at, buf + w);
			*at += line.len;
		}
	} else if (m == DUMP_ASCII) {
		/* Room for a character and, after the last byte, the final newline. */
		while (*at < bytes.len && cap - w > 2) {
			char c = dump_ascii_char(bytes, *at);

			if (c != '\0')
				buf[w++] = c;
			if (++*at == bytes.len)
				buf[w++] = '\n';
		}
	} else {
		*at = bytes.len;
	}
	buf[w] = '\0';
	return w;
}

bool dump_write(FILE *out, enum dump_mode m, struct span bytes)
{
	char chunk[DUMP_CHUNK];
	size_t at = 0;

	while (at < bytes.len) {
		size_t n = dump_format(m, bytes, &at, chunk, sizeof(chunk));

		if (fwrite(chunk, 1, n, out) != n)
			return false;
	}
	return true;
}
