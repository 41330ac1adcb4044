/* shard.c - --shard K/N: a stable hash of each connection's canonical 5-tuple picks its one shard. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpnote/flow.h"
#include "tcpnote/shard.h"

/*
 * Every shard reads every packet and keeps those whose connection hashes to
 * it, before any tracking, so N shards together see each connection whole,
 * exactly once. The hash folds the key's fields in as 64-bit words read in
 * network byte order (a multiply and a shift each: the shard is decided for
 * every packet of the input, in every shard), then splitmix64's finalizer:
 * no seed, nothing from the machine.
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

/* The canonical 5-tuple: the lower (address, port) endpoint first, as flow.c keys connections. */
static uint64_t hash_ports(const struct packet *p)
{
	bool lo;
	uint16_t plo, phi;

	if (p->ip.head.addrlen == 4) { /* flow_from_lo's order without memcmp: IPv4 is most packets */
		uint64_t s = be32(p->ip.head.src), d = be32(p->ip.head.dst);

		lo = s < d || (s == d && p->tcp.sport <= p->tcp.dport);
	} else {
		lo = flow_from_lo(p);
	}
	plo = lo ? p->tcp.sport : p->tcp.dport;
	phi = lo ? p->tcp.dport : p->tcp.sport;
	return finish(mix(mix(mix_addrs(p->ip.head.version, lo ? p->ip.head.src : p->ip.head.dst,
					 lo ? p->ip.head.dst : p->ip.head.src, p->ip.head.addrlen),
			      ((uint64_t)plo << 16) | phi),
			  tunnel_word(p)));
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
