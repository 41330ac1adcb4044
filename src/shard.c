/* shard.c - --shard K/N: a stable hash of each connection's canonical 5-tuple picks its one shard. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpnote/bytes.h"
#include "tcpnote/decode.h"
#include "tcpnote/shard.h"

/*
 * Every shard reads every packet and keeps those whose connection hashes to
 * it, before any tracking, so N shards together see each connection whole,
 * exactly once. The hash folds the key's fields in as 64-bit words read in
 * network byte order (a multiply and a shift each: the shard is decided for
 * every packet of the input, in every shard), then splitmix64's finalizer:
 * no seed, nothing from the machine. For the common frame (plain TCP over
 * IPv4 or IPv6, see shard_peek) the key is read from the frame before it is
 * decoded, so another shard's packet costs its reading alone; the look takes
 * only what the decoder would read the same way, and leaves the rest to it.
 *
 * tcpnote does not reassemble IP fragments: a fragment after the first
 * carries no ports. The first fragment (offset 0) carries them; its datagram
 * (addresses, IP identification, tunnel) is remembered with its shard in a
 * fixed table of FRAG_SLOTS, and the later fragments of that datagram follow
 * it. A later fragment whose first was not seen (lost, after it, or its slot
 * taken by another datagram) goes by its addresses alone. Every shard reads
 * the same packets in the same order, so each decides alike: each packet is
 * still in exactly one shard.
 */
#define FRAG_SLOTS 4096

struct frag_slot {
	uint64_t datagram; /* fingerprint of the datagram, 0: empty */
	uint32_t shard;
};

struct shard {
	uint32_t k, n;
	struct frag_slot frags[FRAG_SLOTS];
};

/* One more 64-bit word into the hash: xor, multiply by the golden ratio, fold the high half down. */
static uint64_t mix(uint64_t h, uint64_t w)
{
	h ^= w;
	h *= 0x9e3779b97f4a7c15ull;
	return h ^ (h >> 32);
}

static uint64_t be32(const uint8_t *b)
{
	return ((uint64_t)b[0] << 24) | ((uint64_t)b[1] << 16) | ((uint64_t)b[2] << 8) | b[3];
}

/* 8 bytes as a big-endian number: the same word on every machine. */
static uint64_t be64(const uint8_t *b)
{
	return (be32(b) << 32) | be32(b + 4);
}

/* Two addresses, a first: IPv4 one word (a << 32 | b), IPv6 four; any other length hashes as 0. */
static uint64_t mix_addrs(uint64_t h, const uint8_t *a, const uint8_t *b, uint8_t addrlen)
{
	if (addrlen == 16)
		return mix(mix(mix(mix(h, be64(a)), be64(a + 8)), be64(b)), be64(b + 8));
	return mix(h, addrlen == 4 ? (be32(a) << 32) | be32(b) : 0);
}

/* splitmix64's finalizer: every input bit reaches the low bits the modulo reads. */
static uint64_t finish(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

/* The tunnel's part of the identity: kind and number (VNI, GRE key, label), both directions alike. */
static uint64_t tunnel_word(const struct packet *p)
{
	return p->tun.depth > 0 ? ((uint64_t)p->tun.id_kind << 32) | p->tun.id : 0;
}

/*
 * The canonical 5-tuple: the lower (address, port) endpoint first, as flow.c
 * keys connections (flow_from_lo's order), then the tunnel word. The one hash
 * of ports, for a decoded packet (hash_ports) and for a frame looked at
 * (shard_peek); IPv4's addresses as numbers (s, d), IPv6's as bytes.
 */
static uint64_t hash_tuple4(uint8_t version, uint64_t s, uint64_t d, uint16_t sport, uint16_t dport,
			    uint64_t tunnel)
{
	bool lo = s < d || (s == d && sport <= dport);

	return finish(mix(mix(mix(version, lo ? s << 32 | d : d << 32 | s),
			      lo ? ((uint64_t)sport << 16) | dport : ((uint64_t)dport << 16) | sport),
			  tunnel));
}

static uint64_t hash_tuple(uint8_t version, const uint8_t *src, const uint8_t *dst, uint8_t addrlen,
			   uint16_t sport, uint16_t dport, uint64_t tunnel)
{
	int c;
	bool lo;

	if (addrlen == 4) /* without memcmp: IPv4 is most packets */
		return hash_tuple4(version, be32(src), be32(dst), sport, dport, tunnel);
	c = memcmp(src, dst, addrlen);
	lo = c < 0 || (c == 0 && sport <= dport);
	return finish(mix(mix(mix_addrs(version, lo ? src : dst, lo ? dst : src, addrlen),
			      lo ? ((uint64_t)sport << 16) | dport : ((uint64_t)dport << 16) | sport),
			  tunnel));
}

static uint64_t hash_ports(const struct packet *p)
{
	return hash_tuple(p->ip.head.version, p->ip.head.src, p->ip.head.dst, p->ip.head.addrlen,
			  p->tcp.sport, p->tcp.dport, tunnel_word(p));
}

/* The addresses alone, lower first (the ports were not decoded); zeros where none were. */
static uint64_t hash_addresses(const struct packet *p)
{
	size_t n = p->ip.head.addrlen <= 16 ? p->ip.head.addrlen : 16;
	bool lo = memcmp(p->ip.head.src, p->ip.head.dst, n) <= 0;
	uint64_t h = mix_addrs(p->ip.head.version, lo ? p->ip.head.src : p->ip.head.dst, lo ? p->ip.head.dst : p->ip.head.src,
			       p->ip.head.addrlen);

	h = mix(h, 0x10000); /* apart from any 5-tuple: no ports */
	return finish(mix(h, tunnel_word(p)));
}

/* The IP identification of p's datagram (IPv6: the fragment header's). */
static uint32_t datagram_id(const struct packet *p)
{
	unsigned i;

	if (p->ip.head.version == 4)
		return p->ip.head.id;
	for (i = 0; i < p->ip.head.next_ext && i < IP6_MAX_EXT; i++)
		if (p->ip.ext[i].type == 44)
			return p->ip.ext[i].frag_id;
	return 0;
}

/* The datagram's fingerprint (never 0): direction matters, every fragment goes the same way. */
static uint64_t datagram_of(const struct packet *p)
{
	uint64_t h = mix_addrs(p->ip.head.version, p->ip.head.src, p->ip.head.dst, p->ip.head.addrlen);

	h = mix(h, datagram_id(p));
	return finish(mix(h, tunnel_word(p))) | 1u;
}

int shard_parse(const char *text, uint32_t *k, uint32_t *n, char *err, size_t errlen)
{
	char *end = NULL;
	unsigned long vk, vn;

	if (text[0] < '0' || text[0] > '9')
		goto bad;
	vk = strtoul(text, &end, 10);
	if (*end != '/' || end[1] < '0' || end[1] > '9')
		goto bad;
	vn = strtoul(end + 1, &end, 10);
	if (*end != '\0')
		goto bad;
	if (vn < 1 || vn > SHARD_MAX || vk >= vn) {
		snprintf(err, errlen, "--shard %s: K/N needs 0 <= K < N <= %d (shards 0 to N-1 of N)",
			 text, SHARD_MAX);
		return -1;
	}
	*k = (uint32_t)vk;
	*n = (uint32_t)vn;
	return 0;
bad:
	snprintf(err, errlen, "--shard takes K/N, shard K of N counted from 0 (e.g. 0/4): '%s'", text);
	return -1;
}

struct shard *shard_new(uint32_t k, uint32_t n)
{
	struct shard *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	s->k = k;
	s->n = n;
	return s;
}

void shard_free(struct shard *s)
{
	free(s);
}

uint32_t shard_of(struct shard *s, const struct packet *p)
{
	bool ports = packet_has_tcp(p) || p->stop == STOP_TCP_TRUNC_HDR || p->stop == STOP_TCP_HLEN_SHORT;
	struct frag_slot *slot;
	uint64_t d;

	if (ports && !p->ip.head.fragmented)
		return (uint32_t)(hash_ports(p) % s->n);
	if (ports) { /* the first fragment: its datagram's later fragments follow it */
		d = datagram_of(p);
		slot = &s->frags[d % FRAG_SLOTS];
		slot->datagram = d;
		slot->shard = (uint32_t)(hash_ports(p) % s->n);
		return slot->shard;
	}
	if (p->stop == STOP_IP_FRAGMENT) {
		d = datagram_of(p);
		slot = &s->frags[d % FRAG_SLOTS];
		if (slot->datagram == d)
			return slot->shard;
	}
	return (uint32_t)(hash_addresses(p) % s->n);
}

bool shard_keep(struct shard *s, const struct packet *p)
{
	return shard_of(s, p) == s->k;
}

bool shard_keep_undecoded(const struct shard *s)
{
	return s->k == 0;
}

/*
 * The cheap look: the link header's offset and the IP version it announces
 * (0: another kind of frame, or one link_header in decode_link.c reads
 * otherwise than plainly: VLAN tags, MPLS, PPPoE, and the rarer link types).
 */
#define ARPHRD_RADIOTAP 803 /* a cooked header over 802.11 radiotap: not IP for decode_link.c */

static int family_of_type(uint16_t type)
{
	return type == 0x0800 ? 4 : type == 0x86dd ? 6 : 0;
}

static size_t peek_link(int dlt, struct span cap, int *family)
{
	uint16_t type, hw;
	uint32_t af;
	uint8_t b;

	*family = 0;
	switch (dlt) {
	case LINK_EN10MB:
		if (span_be16(cap, 12, &type))
			*family = family_of_type(type);
		return 14;
	case LINK_LINUX_SLL:
		if (span_be16(cap, 2, &hw) && span_be16(cap, 14, &type) && hw != ARPHRD_RADIOTAP)
			*family = family_of_type(type);
		return 16;
	case LINK_LINUX_SLL2:
		if (span_be16(cap, 0, &type) && span_be16(cap, 8, &hw) && span_has(cap, 0, 20) &&
		    hw != ARPHRD_RADIOTAP)
			*family = family_of_type(type);
		return 20;
	case LINK_NULL:
	case LINK_LOOP:
		if (!span_be32(cap, 0, &af))
			return 0;
		if ((af & 0xFFFF0000u) != 0) /* the writer's byte order, as decode_link.c swaps it */
			af = ((af >> 24) & 0xff) | ((af >> 8) & 0xff00) | ((af << 8) & 0xff0000) | (af << 24);
		*family = af == 2 ? 4 : (af == 24 || af == 28 || af == 30) ? 6 : 0;
		return 4;
	case LINK_RAW:
	case LINK_RAW_ALT:
	case LINK_RAW_LINKTYPE:
		if (span_u8(cap, 0, &b))
			*family = b >> 4 == 4 ? 4 : b >> 4 == 6 ? 6 : 0;
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

/* The look itself (shard_peek's), inlined into shard_look: it runs for every frame. */
static inline bool peek(const struct shard *s, int dlt, const uint8_t *bytes, uint32_t caplen, uint32_t wirelen,
			uint32_t *shard)
{
	struct span cap = span_make(bytes, caplen), ip;
	uint32_t w0, w4, src, dst, ports;
	uint16_t totlen;
	uint8_t v6, proto, addrs[32];
	int family;
	size_t l3 = peek_link(dlt, cap, &family);

	/* decode_packet's bounds, then decode_ip's: the version nibble agrees with the link. */
	if (family == 0 || caplen > wirelen || l3 > caplen)
		return false;
	ip = span_sub(cap, l3, caplen);
	if (family == 4) {
		/*
		 * decode_ip4 to decode_tcp with nothing in between: version 4, a
		 * 20-byte header (no options), TCP, neither a fragment nor the first
		 * of several, the ports captured and inside the datagram's length (so
		 * that is at least the header: 24). As captured, not more is on the wire.
		 */
		if (!span_has(ip, 0, 24) || !span_be32(ip, 0, &w0) || !span_be32(ip, 4, &w4) ||
		    !span_u8(ip, 9, &proto) || !span_be32(ip, 12, &src) || !span_be32(ip, 16, &dst) ||
		    !span_be32(ip, 20, &ports) || w0 >> 24 != 0x45 || proto != 6 || (w0 & 0xffff) < 24 ||
		    (w4 & 0x3fff) != 0)
			return false;
		*shard = (uint32_t)(hash_tuple4(4, src, dst, (uint16_t)(ports >> 16), (uint16_t)ports, 0) % s->n);
		return true;
	}
	/* decode_ip6 to decode_tcp: version 6, TCP right after the fixed header (no extension headers). */
	if (!span_u8(ip, 0, &v6) || v6 >> 4 != 6 || !span_u8(ip, 6, &proto) || proto != 6 ||
	    !span_be16(ip, 4, &totlen) || totlen < 4 || !span_copy(ip, 8, addrs, 32) || !span_be32(ip, 40, &ports))
		return false;
	*shard = (uint32_t)(hash_tuple(6, addrs, addrs + 16, 16, (uint16_t)(ports >> 16), (uint16_t)ports, 0) %
			    s->n);
	return true;
}

bool shard_peek(const struct shard *s, int dlt, const uint8_t *bytes, uint32_t caplen, uint32_t wirelen,
		uint32_t *shard)
{
	return peek(s, dlt, bytes, caplen, wirelen, shard);
}

enum shard_look shard_look(const struct shard *s, int dlt, const uint8_t *bytes, uint32_t caplen,
			   uint32_t wirelen)
{
	uint32_t shard;

	if (!peek(s, dlt, bytes, caplen, wirelen, &shard))
		return SHARD_LOOK_DECODE;
	return shard == s->k ? SHARD_LOOK_KEEP : SHARD_LOOK_SKIP;
}
