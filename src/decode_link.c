/* decode_link.c - link layers (Ethernet+VLAN, Linux SLL/SLL2, NULL/LOOP, RAW, PPP, IPoIB, ARCNET, Juniper) down to IP. */
#include <stddef.h>
#include <string.h>

#include "tcpnote/decode.h"

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_8021Q 0x8100
#define ETHERTYPE_8021AD 0x88a8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETHERTYPE_QINQ_9200 0x9200
#define ETHERTYPE_MPLS 0x8847
#define ETHERTYPE_MPLS_MC 0x8848
#define ETHERTYPE_PPPOE_SES 0x8864
#define ETHERTYPE_PBB 0x88e7   /* IEEE 802.1ah I-TAG */
#define ETHERTYPE_VNTAG 0x8926 /* Cisco/IEEE 802.1Qbh VN-Tag */
/* ARPHRD_IEEE80211_RADIOTAP: a cooked header over 802.11 radiotap, which tcpdump dissects so. */
#define ARPHRD_IEEE80211_RADIOTAP 803

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
	case LINK_PPP:
	case LINK_ARCNET_LINUX:
	case LINK_IPOIB:
	case LINK_JUNIPER_ETHER:
		return true;
	default:
		return false;
	}
}

/* Map an ethertype to the IP version it carries, a FAMILY_* tunnel layer, 0 for anything else. */
static int family_of_ethertype(uint16_t et)
{
	if (et == ETHERTYPE_IPV4)
		return 4;
	if (et == ETHERTYPE_IPV6)
		return 6;
	if (et == ETHERTYPE_MPLS || et == ETHERTYPE_MPLS_MC)
		return FAMILY_MPLS;
	if (et == ETHERTYPE_PPPOE_SES)
		return FAMILY_PPPOE;
	if (et == ETHERTYPE_PBB)
		return FAMILY_PBB;
	if (et == ETHERTYPE_VNTAG)
		return FAMILY_VNTAG;
	return 0;
}

/*
 * BSD loopback address families: AF_INET is 2 everywhere, AF_INET6 is 24
 * (NetBSD/OpenBSD), 28 (FreeBSD), 30 (macOS); like tcpdump's print-null.c,
 * Linux's 10 is not taken for IPv6 (no BSD writes it).
 */
static int family_of_bsd_af(uint32_t af)
{
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

/* A VLAN tag's type field in an Ethernet header (print-ether.c's list). */
static bool is_ether_tag_type(uint16_t et)
{
	return et == ETHERTYPE_8021Q || et == ETHERTYPE_8021AD || et == ETHERTYPE_QINQ_OLD ||
	       et == ETHERTYPE_QINQ_9200;
}

/*
 * The VLAN tags from offset `off`, where the type field `*et` was read:
 * counts them into l->ntags (tags at l->tags) and leaves in *et the type
 * after the last; returns the offset after that type field, 0 when a tag
 * was not captured. Ethernet takes the four tag types, Linux SLL only
 * 802.1Q (print-sll.c).
 */
static size_t link_tags(struct span cap, size_t off, bool ether, struct link_info *l, uint16_t *et)
{
	l->tags = cap.data + off;
	while (ether ? is_ether_tag_type(*et) : *et == ETHERTYPE_8021Q) {
		if (!span_be16(cap, off + 2, et) || l->ntags == UINT16_MAX)
			return 0;
		l->ntags++;
		off += 4;
	}
	return off;
}

/* Inlined where every Ethernet frame goes through it (link_header); exported for tunnels. */
static inline size_t ether_header(struct span cap, struct link_info *l, int *family)
{
	uint16_t et;
	size_t off;

	/* 14 bytes: destination, source, type; then any number of VLAN tags. */
	if (!span_be16(cap, 12, &l->type))
		return 0;
	l->hdr = LINK_HDR_ETHER;
	l->mac = cap.data;
	et = l->type;
	off = link_tags(cap, 14, true, l, &et);
	if (off != 0)
		*family = family_of_ethertype(et);
	return off;
}

size_t decode_ether_header(struct span cap, struct link_info *l, int *family)
{
	*family = 0;
	return ether_header(cap, l, family);
}

/*
 * PPP (RFC 1661): HDLC address and control bytes when present, then a protocol
 * field of one byte when its first byte is odd (RFC 1661 section 6.5), else two.
 */
size_t decode_ppp_header(struct span cap, uint16_t *proto, int *family)
{
	size_t off = 0;
	uint8_t a, c, b;

	*family = 0;
	if (span_u8(cap, 0, &a) && span_u8(cap, 1, &c) && a == 0xff && c == 0x03)
		off = 2;
	if (!span_has(cap, off, 2) || !span_u8(cap, off, &b))
		return 0;
	if (b & 1) {
		*proto = b;
		off += 1;
	} else {
		span_be16(cap, off, proto);
		off += 2;
	}
	*family = *proto == 0x0021 ? 4 : *proto == 0x0057 ? 6 :
		  (*proto == 0x0281 || *proto == 0x0283) ? FAMILY_MPLS : 0;
	return off;
}

static size_t ppp_header(struct span cap, struct link_info *l, int *family)
{
	size_t off = decode_ppp_header(cap, &l->type, family);

	if (off != 0)
		l->hdr = LINK_HDR_PPP;
	return off;
}

/*
 * Linux ARCNET (print-arcnet.c): source, destination, a 2-byte offset and the
 * type; 3 more bytes (flag, sequence id) except for the old types and diagnostics.
 */
static size_t arcnet_header(struct span cap, struct link_info *l, int *family)
{
	uint8_t type;
	size_t len;

	if (!span_u8(cap, 4, &type))
		return 0;
	len = (type == 0xf0 || type == 0xf1 || type == 0x80) ? 5 : 8;
	if (!span_has(cap, 0, len))
		return 0;
	l->hdr = LINK_HDR_ARCNET;
	l->type = type;
	l->mac = cap.data;
	*family = (type == 0xd4 || type == 0xf0) ? 4 : type == 0xc4 ? 6 : 0;
	return len;
}

/*
 * Juniper's capture header (print-juniper.c's juniper_parse_header): the magic
 * "MGC", a flags byte, with the extension flag a 2-byte length of TLVs that
 * follow; then, for JUNIPER_ETHER, an Ethernet frame. Frames without a layer 2
 * header (flag 0x02, where tcpdump guesses IPv4 or IPv6 after a 4-byte cookie)
 * are not followed.
 */
#define JUNIPER_FLAG_NO_L2 0x02
#define JUNIPER_FLAG_EXT 0x80
static size_t juniper_header(struct span cap, struct link_info *l, int *family)
{
	uint8_t m0, m1, m2, flags;
	uint16_t ext = 0;
	size_t hlen = 4, off;

	if (!span_u8(cap, 0, &m0) || !span_u8(cap, 1, &m1) || !span_u8(cap, 2, &m2) ||
	    !span_u8(cap, 3, &flags) || m0 != 'M' || m1 != 'G' || m2 != 'C' ||
	    (flags & JUNIPER_FLAG_NO_L2))
		return 0;
	if (flags & JUNIPER_FLAG_EXT) {
		if (!span_be16(cap, 4, &ext))
			return 0;
		hlen = 6u + ext;
	}
	if (!span_has(cap, 0, hlen))
		return 0;
	off = ether_header(span_sub(cap, hlen, cap.len), l, family);
	if (off == 0)
		return 0;
	l->jnx_hlen = (uint16_t)hlen;
	l->jnx_flags = flags;
	return hlen + off;
}

/* Returns the network-layer offset (0 if none) and sets *family (4, 6 or 0). */
static size_t link_header(int dlt, struct span cap, struct link_info *l, int *family)
{
	uint16_t et, halen;
	uint8_t b, halen8;
	size_t off;

	*family = 0;
	switch (dlt) {
	case LINK_EN10MB:
		return ether_header(cap, l, family);
	case LINK_LINUX_SLL:
		/* 16 bytes: packet type, ARPHRD type, address length, 8 address bytes, protocol. */
		if (!span_be16(cap, 0, &l->pkttype) || !span_be16(cap, 2, &et) ||
		    !span_be16(cap, 4, &halen) || !span_be16(cap, 14, &l->type) ||
		    et == ARPHRD_IEEE80211_RADIOTAP)
			return 0;
		l->hdr = LINK_HDR_SLL;
		l->mac = halen == 6 ? cap.data + 6 : NULL;
		et = l->type;
		off = link_tags(cap, 16, false, l, &et);
		break;
	case LINK_LINUX_SLL2:
		/*
		 * 20 bytes: protocol, reserved, interface index, ARPHRD type, packet
		 * type, address length, 8 address bytes.
		 */
		if (!span_be16(cap, 0, &l->type) || !span_be32(cap, 4, &l->ifindex) ||
		    !span_be16(cap, 8, &et) || !span_u8(cap, 10, &b) ||
		    !span_u8(cap, 11, &halen8) || !span_has(cap, 0, 20) ||
		    et == ARPHRD_IEEE80211_RADIOTAP)
			return 0;
		l->hdr = LINK_HDR_SLL2;
		l->pkttype = b;
		l->mac = halen8 == 6 ? cap.data + 12 : NULL;
		et = l->type;
		off = link_tags(cap, 20, false, l, &et);
		break;
	case LINK_NULL:
	case LINK_LOOP:
		if (!span_be32(cap, 0, &l->af))
			return 0;
		/* Written in the writer's byte order: tcpdump swaps a value with high bits set. */
		if ((l->af & 0xFFFF0000u) != 0)
			l->af = ((l->af >> 24) & 0xff) | ((l->af >> 8) & 0xff00) |
				((l->af << 8) & 0xff0000) | (l->af << 24);
		l->hdr = LINK_HDR_NULL;
		*family = family_of_bsd_af(l->af);
		return 4;
	case LINK_RAW:
	case LINK_RAW_ALT:
	case LINK_RAW_LINKTYPE:
		if (!span_u8(cap, 0, &b))
			return 0;
		l->hdr = LINK_HDR_RAW;
		*family = (b >> 4) == 4 ? 4 : (b >> 4) == 6 ? 6 : 0;
		return 0;
	case LINK_IPV4:
	case LINK_IPV6:
		l->hdr = LINK_HDR_RAW;
		*family = dlt == LINK_IPV4 ? 4 : 6;
		return 0;
	case LINK_PPP:
		return ppp_header(cap, l, family);
	case LINK_IPOIB:
		/* RFC 4391 with Linux's pseudo-header: 20-byte hardware addresses twice, then the type. */
		if (!span_be16(cap, 40, &l->type) || !span_has(cap, 0, 44))
			return 0;
		l->hdr = LINK_HDR_IPOIB;
		*family = family_of_ethertype(l->type);
		return 44;
	case LINK_ARCNET_LINUX:
		return arcnet_header(cap, l, family);
	case LINK_JUNIPER_ETHER:
		return juniper_header(cap, l, family);
	default:
		return 0;
	}
	if (off == 0)
		return 0;
	*family = family_of_ethertype(et);
	return off;
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
	p->tun.depth = 0; /* the identity fields are set with the first layer */

	off = link_header(dlt, cap, &p->link, &family);
	p->l3_off = (uint32_t)off;
	if (family == 0 || off > caplen || off > wirelen)
		return;
	if (family == 4 || family == 6)
		decode_ip(span_sub(cap, off, caplen), wirelen - (uint32_t)off, family, opts, p);
	else
		decode_family(span_sub(cap, off, caplen), wirelen - (uint32_t)off, family, opts, p);
}
