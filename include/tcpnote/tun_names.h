/* tun_names.h - the names of tunnel kinds: tcpdump's word for each in a packet line, and the flow record's "vxlan vni 1". */
#ifndef TCPNOTE_TUN_NAMES_H
#define TCPNOTE_TUN_NAMES_H

#include <stdint.h>

#include "tcpnote/sbuf.h"

/* The word tcpdump's printer starts the layer with ("GREv0", "VXLAN", "Geneve", "MPLS", "PPPoE"), or "". */
const char *tun_tcpdump_word(uint8_t kind);

/* The kind's lower-case name ("vxlan"), or NULL for TUN_NONE and unknown kinds. */
const char *tun_name(uint8_t kind);

/*
 * A connection's tunnel as the JSON flow record names it: the kind, then
 * its number ("vxlan vni 1", "gre key 7", "mpls label 16"); "ipip" alone,
 * "gre" alone without a key. Nothing for TUN_NONE or an unknown kind.
 */
void tun_put_name(struct sbuf *s, uint8_t kind, uint32_t id);

#endif
