/* print_mptcp.h - Multipath TCP option text, as tcpdump prints it. */
#ifndef TCPNOTE_PRINT_MPTCP_H
#define TCPNOTE_PRINT_MPTCP_H

#include <stdbool.h>
#include <stdint.h>

#include "tcpnote/names.h"
#include "tcpnote/sbuf.h"

/*
 * Append " LEN SUBTYPE ..." for the MPTCP option at opt (kind byte first,
 * len bytes, all captured). Returns false where tcpdump gives up on the
 * option ("[bad opt]"); what was appended up to then stays, as in tcpdump.
 * An ADD_ADDR's address is shown by name unless names is NULL (-n).
 */
bool print_mptcp_option(struct sbuf *out, struct names *names, const uint8_t *opt, unsigned len,
			uint8_t tcp_flags);

#endif
