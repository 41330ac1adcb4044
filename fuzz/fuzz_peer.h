/* fuzz_peer.h - fuzz_app's and fuzz_tls's segments without payload: the peer's ACK, or a reset. */
#ifndef TCPNOTE_FUZZ_PEER_H
#define TCPNOTE_FUZZ_PEER_H

#include <stdbool.h>
#include <stdint.h>

#include "tcpnote/app_hints.h"

/*
 * A segment of length 0 sent by the client (client 1) or the server: it
 * acknowledges up to ack in the other direction (dir[client]: the client's
 * ACKs are of the server's bytes); with jump -64, the lowest, it is a reset.
 */
static inline void peer_news(struct app_dir *dir[2], int client, uint32_t ack, int jump,
			     struct app_hints *h)
{
	if (jump == -64) {
		app_dir_reset(dir[0], true, h);
		app_dir_reset(dir[1], false, h);
	} else {
		app_dir_acked(dir[client], client == 0, ack, h);
	}
}

#endif
