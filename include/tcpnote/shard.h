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

/* A record that was not decoded (more captured than sent bytes): shard 0's, once among all. */
bool shard_keep_undecoded(const struct shard *s);

#endif
