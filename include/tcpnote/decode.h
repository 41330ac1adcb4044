/* decode.h - packet decoders: link layer, IPv4/IPv6 and TCP into struct packet. */
#ifndef TCPNOTE_DECODE_H
#define TCPNOTE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpnote/packet.h"

/* libpcap DLT_ values tcpnote decodes (pcap/dlt.h; RAW is 12 on Linux). */
enum link_type {
	LINK_NULL = 0,
	LINK_EN10MB = 1,
	LINK_PPP = 9,
	LINK_RAW = 12,
	LINK_RAW_ALT = 14, /* DLT_RAW on OpenBSD-written files */
	LINK_RAW_LINKTYPE = 101,
	LINK_LOOP = 108,
	LINK_LINUX_SLL = 113,
	LINK_ARCNET_LINUX = 129,
	LINK_JUNIPER_ETHER = 178,
	LINK_IPV4 = 228,
	LINK_IPV6 = 229,
	LINK_IPOIB = 242,
	LINK_LINUX_SLL2 = 276
};

struct decode_opts {
	bool verify_checksums; /* compute IP and TCP checksums (tcpdump -v) */
};

/* True when tcpnote knows how to decode this link type. */
bool decode_link_supported(int dlt);

/*
 * Decode one captured frame. Never fails: how far decoding got is recorded
 * in p->stop. bytes[0..caplen) must be readable; wirelen is the length on
 * the wire.
 */
void decode_packet(int dlt, const uint8_t *bytes, uint32_t caplen, uint32_t wirelen,
		   const struct decode_opts *opts, struct packet *p);

/* The layers, exposed for unit tests. `wire` is the layer's length on the wire. */
void decode_ip(struct span cap, uint32_t wire, int family_hint, const struct decode_opts *opts,
	       struct packet *p);
void decode_tcp(struct span cap, uint32_t length, const struct decode_opts *opts, struct packet *p);

/*
 * The families decode_ether_header reports for MPLS, PPPoE session, PBB
 * (802.1ah I-TAG) and VN-Tag ethertypes (IP: 4, 6).
 */
#define FAMILY_MPLS 1
#define FAMILY_PPPOE 2
#define FAMILY_PBB 3
#define FAMILY_VNTAG 5

/*
 * An Ethernet header and its VLAN tags at the start of cap, into l: the
 * offset of what follows (0 when not captured) and, in *family, 4, 6,
 * FAMILY_MPLS, FAMILY_PPPOE or 0 for what the last type field announces.
 */
size_t decode_ether_header(struct span cap, struct link_info *l, int *family);

/*
 * A PPP header (RFC 1661) at the start of cap: the HDLC address and control
 * bytes when present, then the protocol, one byte when odd, else two. Returns
 * its length (0 when not captured), *proto and in *family what it carries.
 */
size_t decode_ppp_header(struct span cap, uint16_t *proto, int *family);

/*
 * Tunnel layers (decode_tunnel.c). decode_tunnel_ip: the payload of an IP
 * header (outer: its version and addresses) with protocol `proto`; false when
 * it is no tunnel tcpnote follows (p->stop then says nothing yet).
 * decode_mpls: a label stack and what follows it; decode_pppoe: a PPPoE
 * session header, PPP and what follows. They add a layer to p->tun and
 * decode the inner packet into p; past TUN_MAX_DEPTH layers they stop.
 * decode_family: what a link header announced (4, 6, FAMILY_*), at cap.
 */
bool decode_tunnel_ip(struct span cap, uint32_t wire, uint8_t proto, const struct ip_info *outer,
		      const struct decode_opts *opts, struct packet *p);
void decode_mpls(struct span cap, uint32_t wire, const struct decode_opts *opts, struct packet *p);
void decode_pppoe(struct span cap, uint32_t wire, const struct decode_opts *opts, struct packet *p);
void decode_pbb(struct span cap, uint32_t wire, const struct decode_opts *opts, struct packet *p);
void decode_vntag(struct span cap, uint32_t wire, const struct decode_opts *opts, struct packet *p);
void decode_family(struct span cap, uint32_t wire, int family, const struct decode_opts *opts,
		   struct packet *p);

/* RFC 1071 one's complement sum of a span, folded to 16 bits, not inverted. */
uint32_t cksum_add(uint32_t sum, struct span s);
uint16_t cksum_fold(uint32_t sum);
/* tcpdump's in_cksum_shouldbe(): what the checksum field would have to be. */
uint16_t cksum_shouldbe(uint16_t field, uint16_t computed);
/* The sum over a pseudo-header (addresses, proto, length) and seg[0..length): 0 when correct. */
uint16_t cksum_pseudo(const struct ip_head *ip, uint8_t proto, struct span seg, uint32_t length);

#endif
