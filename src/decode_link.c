/* decode_link.c - link layers (Ethernet+VLAN, Linux SLL/SLL2, NULL/LOOP, RAW) down to IP. */
#include <stddef.h>
#include <string.h>

#include "tcpnote/decode.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_8021Q 0x8100
#define ETHERTYPE_8021AD 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100

bool decode_link_supported(int dlt)
{
	switch (dlt) {
	case LINK_NULL:
	case LINK_EN10MB:
	case LINK_RAW:
	case LINK_RAW_ALT:
	case LINK_RAW_LINKTYPE:
	case LINK_LOOP:
	case LINK_LINUX_SLL:
	case LINK_IPV4:
	case LINK_IPV6:
	case LINK_LINUX_SLL2:
		return true;
	default:
		return false;
	}
}

/* Map an ethertype to the IP version it carries, 0 for anything else. */
static int family_of_ethertype(uint16_t et)
{
	if (et == ETHERTYPE_IPV4)
		return 4;
	if (et == ETHERTYPE_IPV6)
		return 6;
	return 0;
}

/*
 * BSD loopback address families: AF_INET is 2 everywhere, AF_INET6 is 24
 * (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS); like tcpdump's print-null.c,
 * Linux's 10 is not taken for IPv6 (no BSD writes it). NULL stores the
 * value in the writer's byte order, so both orders are tried, as tcpdump's
 * print-null.c does.
 */
static int family_of_bsd_af(uint32_t af)
{
	if ((af & 0xFFFF0000u) != 0)
		af = ((af >> 24) & 0xff) | ((af >> 8) & 0xff00) | ((af << 8) & 0xff0000) | (af << 24);
	switch (af) {
	case 2:
		return 4;
	case 24:
	case 28:
	case 30:
		return 6;
	default:
		return 0;
	}
}

/* Ethernet: 14-byte header, then any number of 802.1Q/802.1ad tags. */
static size_t link_ethernet(struct span cap, int *family)
{
	size_t off = 12;
	uint16_t et;

	for (;;) {
		if (!span_be16(cap, off, &et))
			return 0;
		if (et != ETHERTYPE_8021Q && et != ETHERTYPE_8021AD && et != ETHERTYPE_QINQ_OLD)
			break;
		off += 4;
	}
	*family = family_of_ethertype(et);
	return off + 2;
}

/* Returns the network-layer offset (0 if none) and sets *family (4, 6 or 0). */
static size_t link_header(int dlt, struct span cap, struct packet *p, int *family)
{
	uint16_t et;
	uint32_t af;
	uint8_t b;

	*family = 0;
	switch (dlt) {
	case LINK_EN10MB:
		return link_ethernet(cap, family);
	case LINK_LINUX_SLL:
		if (!span_be16(cap, 14, &et))
			return 0;
		*family = family_of_ethertype(et);
		return 16;
	case LINK_LINUX_SLL2:
		if (!span_be16(cap, 0, &et) || !span_be32(cap, 4, &p->link.ifindex) ||
		    !span_u8(cap, 10, &p->link.pkttype) || !span_has(cap, 0, 20))
			return 0;
		p->link.has_sll2 = true;
		*family = family_of_ethertype(et);
		return 20;
	case LINK_NULL:
		if (!span_be32(cap, 0, &af))
			return 0;
		*family = family_of_bsd_af(af);
		return 4;
	case LINK_LOOP:
		if (!span_be32(cap, 0, &af))
			return 0;
		*family = family_of_bsd_af(af);
		return 4;
	case LINK_RAW:
	case LINK_RAW_ALT:
	case LINK_RAW_LINKTYPE:
		if (!span_u8(cap, 0, &b))
			return 0;
		*family = (b >> 4) == 4 ? 4 : (b >> 4) == 6 ? 6 : 0;
		return 0;
	case LINK_IPV4:
		*family = 4;
		return 0;
	case LINK_IPV6:
		*family = 6;
		return 0;
	default:
		return 0;
	}
}

void decode_packet(int dlt, const uint8_t *bytes, uint32_t caplen, uint32_t wirelen,
		   const struct decode_opts *opts, struct packet *p)
{
	struct span cap = span_make(bytes, caplen);
	int family = 0;
	size_t off;

	memset(&p->link, 0, sizeof(p->link));
	/* Not the option and extension lists (1.9 KiB): entries are cleared as they are added. */
	memset(&p->ip, 0, offsetof(struct ip_info, opts));
	memset(&p->tcp, 0, offsetof(struct tcp_info, opts));
	p->caplen = caplen;
	p->wirelen = wirelen;
	p->stop = STOP_NOT_IP;
	p->frame = cap;

	off = link_header(dlt, cap, p, &family);
	p->l3_off = (uint32_t)off;
	if (family == 0 || off > caplen || off > wirelen)
		return;
	decode_ip(span_sub(cap, off, caplen), wirelen - (uint32_t)off, family, opts, p);
}
