/* community_id.c - Community ID v1 (github.com/corelight/community-id-spec): SHA-1, base64. */
#include <openssl/evp.h>
#include <string.h>

#include "tcpnote/community_id.h"

#define PROTO_TCP 6

/*
 * The IDs hashed last, by their input: a packet record asks for its
 * connection's ID again and again, and a SHA-1 through libcrypto costs more
 * than the rest of the record. Direct-mapped; one per thread (the JSON of
 * packets is formatted on the output thread, that of flows on the tracking
 * one). A packet's slot is its connection's number modulo the slots, so the
 * connections open at a time (numbered in the order they came) rarely share
 * one; without a number, a hash of the input picks it. Each slot keeps its
 * whole input: a hit is always the ID of the same input.
 */
#define CACHE_SLOTS 4096

struct cached_id {
	uint8_t n; /* input bytes; 0: empty */
	uint8_t in[40];
	char id[COMMUNITY_ID_LEN + 1];
};

static _Thread_local struct cached_id cache[CACHE_SLOTS];

static struct cached_id *slot_of(const uint8_t *in, size_t n, uint64_t flow)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t i;

	if (flow != 0)
		return &cache[flow % CACHE_SLOTS];
	for (i = 0; i < n; i++)
		h = (h ^ in[i]) * 16777619u;
	return &cache[(h ^ h >> 16) % CACHE_SLOTS];
}

/* community_id_v1, its cache slot picked by flow (0: by a hash of the input). */
static bool community_id_in_slot(const struct community_tuple *t, uint16_t seed, uint64_t flow,
				 char out[COMMUNITY_ID_LEN + 1])
{
	/* seed, two addresses, proto, padding, two ports: at most 2 + 32 + 2 + 4 bytes */
	uint8_t in[40], md[EVP_MAX_MD_SIZE];
	struct cached_id *e;
	unsigned int mdlen = 0;
	size_t n = 0;
	const uint8_t *a = t->saddr, *b = t->daddr;
	uint16_t pa = t->sport, pb = t->dport;
	int c;

	out[0] = '\0';
	if (t->addrlen != 4 && t->addrlen != 16)
		return false;
	/* The lower endpoint first (address, then port) so that both directions hash alike. */
	c = memcmp(a, b, t->addrlen);
	if (c > 0 || (c == 0 && t->has_ports && pa > pb)) {
		a = t->daddr;
		b = t->saddr;
		pa = t->dport;
		pb = t->sport;
	}
	in[n++] = (uint8_t)(seed >> 8);
	in[n++] = (uint8_t)seed;
	memcpy(in + n, a, t->addrlen);
	n += t->addrlen;
	memcpy(in + n, b, t->addrlen);
	n += t->addrlen;
	in[n++] = t->proto;
	in[n++] = 0;
	if (t->has_ports) {
		in[n++] = (uint8_t)(pa >> 8);
		in[n++] = (uint8_t)pa;
		in[n++] = (uint8_t)(pb >> 8);
		in[n++] = (uint8_t)pb;
	}
	e = slot_of(in, n, flow);
	if (e->n == n && memcmp(e->in, in, n) == 0) {
		memcpy(out, e->id, sizeof(e->id));
		return true;
	}
	if (EVP_Digest(in, n, md, &mdlen, EVP_sha1(), NULL) != 1 || mdlen != 20)
		return false;
	memcpy(out, "1:", 2);
	EVP_EncodeBlock((unsigned char *)out + 2, md, (int)mdlen); /* 28 characters and a NUL */
	e->n = (uint8_t)n;
	memcpy(e->in, in, n);
	memcpy(e->id, out, sizeof(e->id));
	return true;
}

bool community_id_v1(const struct community_tuple *t, uint16_t seed, char out[COMMUNITY_ID_LEN + 1])
{
	return community_id_in_slot(t, seed, 0, out);
}

bool community_id_packet(const struct packet *p, uint64_t flow, char out[COMMUNITY_ID_LEN + 1])
{
	struct community_tuple t = {p->ip.head.addrlen, p->ip.head.src, p->ip.head.dst, PROTO_TCP, false, 0, 0};

	out[0] = '\0';
	if (p->ip.head.version != 4 && p->ip.head.version != 6)
		return false;
	/*
	 * With the ports when they were decoded (as the JSON record shows them);
	 * without them, as the specification hashes a port-less packet, when only
	 * the addresses were: a fragment after the first, TCP cut before its ports.
	 */
	if (packet_has_tcp(p) || p->stop == STOP_TCP_TRUNC_HDR || p->stop == STOP_TCP_HLEN_SHORT) {
		t.has_ports = true;
		t.sport = p->tcp.sport;
		t.dport = p->tcp.dport;
	} else if (p->stop != STOP_IP_FRAGMENT && p->stop != STOP_TCP_TRUNC_PORTS &&
		   p->stop != STOP_IP_HDR_CAPLEN) {
		return false; /* a damaged IP header: no addresses to key by */
	}
	return community_id_in_slot(&t, 0, flow, out);
}

void community_id_flow(const struct flow_key *k, char out[COMMUNITY_ID_LEN + 1])
{
	struct community_tuple t = {k->version == 4 ? 4 : 16, k->addr_lo, k->addr_hi, PROTO_TCP,
				    true, k->port_lo, k->port_hi};

	community_id_v1(&t, 0, out);
}
