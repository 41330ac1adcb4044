/* shard.h - --shard K/N: the connections one of N processes keeps, chosen from addresses and ports alone. */
#ifndef TCPNOTE_SHARD_H
#define TCPNOTE_SHARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpnote/packet.h"

struct shard;

/* "K/N" with 0 <= K < N <= SHARD_MAX: 0, or -1 with the reason in err. */
#define SHARD_MAX 65536
int shard_parse(const char *text, uint32_t *k, uint32_t *n, char *err, size_t errlen);

/* Shard k of n (k < n); NULL if memory ran out. */
struct shard *shard_new(uint32_t k, uint32_t n);
void shard_free(struct shard *s);

/*
 * The shard, 0 to n - 1, of a decoded TCP packet: a hash of its connection's
 * canonical 5-tuple and tunnel (kind and number), the same on every machine
 * and in both directions. A packet without ports goes with the first fragment
 * of its datagram when that was seen, else by its addresses (see shard.c).
 */
uint32_t shard_of(struct shard *s, const struct packet *p);

/* True when p is this shard's (shard_of(p) == k). */
bool shard_keep(struct shard *s, const struct packet *p);

/*
 * The shard of a frame of link type dlt from a look at its first bytes,
 * before any decoding, for the common case (IPv4 without options or IPv6
 * without extension headers, neither fragmented, carrying TCP with its ports,
 * over Ethernet, Linux cooked, BSD loopback or raw IP): true with *shard what
 * shard_of gives the decoded packet. False for anything else (tunnels, VLAN
 * tags, fragments, other protocols...): decode it and ask shard_of.
 */
bool shard_peek(const struct shard *s, int dlt, const uint8_t *bytes, uint32_t caplen, uint32_t wirelen,
		uint32_t *shard);

/* shard_peek's answer for this shard: keep the frame, leave it undecoded, or decode it to know. */
enum shard_look { SHARD_LOOK_DECODE, SHARD_LOOK_KEEP, SHARD_LOOK_SKIP };
enum shard_look shard_look(const struct shard *s, int dlt, const uint8_t *bytes, uint32_t caplen,
			   uint32_t wirelen);

/* A record that was not decoded (more captured than sent bytes): shard 0's, once among all. */
bool shard_keep_undecoded(const struct shard *s);

#endif
