/* tcp_flags.h - tcpdump's letters for a segment's TCP flags ("S.", "FP.", "none"), shared by every printer. */
#ifndef TCPNOTE_TCP_FLAGS_H
#define TCPNOTE_TCP_FLAGS_H

#include <stdint.h>

#include "tcpnote/sbuf.h"

/* tcpdump's bittok2str_nosep over tcp_flag_values: F S R P . U E W, in bit order. */
static inline void sbuf_put_tcp_flags(struct sbuf *s, uint8_t f)
{
	static const char letters[8] = {'F', 'S', 'R', 'P', '.', 'U', 'E', 'W'};
	int i;

	if (f == 0)
		sbuf_puts(s, "none");
	for (i = 0; i < 8; i++)
		if (f & (1u << i))
			sbuf_putc(s, letters[i]);
}

#endif
