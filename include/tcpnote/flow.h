/* flow.h - the connection table: canonical 5-tuple keys to fixed-size records. */
#ifndef TCPNOTE_FLOW_H
#define TCPNOTE_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpnote/packet.h"

/*
 * The endpoint pair in canonical order: (addr_lo, port_lo) sorts first; version is 4 or 6.
 * Inside a tunnel, the tunnel too (packet.h's tunnel_info: kind and number of the innermost
 * layer, hash of them all with their outer endpoints), so that two tenants' identical inner
 * 5-tuples are two connections; all three are 0 outside tunnels.
 */
struct flow_key {
	uint8_t version;
	uint8_t addr_lo[16];
	uint8_t addr_hi[16];
	uint16_t port_lo;
	uint16_t port_hi;
	uint8_t tun_kind;  /* enum tun_kind */
	uint32_t tun_id;   /* VNI, GRE key, bottom MPLS label */
	uint32_t tun_hash;
};

struct flow_table;

/*
 * Build p's canonical key; *from_lo says whether p was sent by the (addr_lo,
 * port_lo) endpoint. p must have a decoded TCP header.
 */
void flow_key_of(const struct packet *p, struct flow_key *k, bool *from_lo);

/* The *from_lo of flow_key_of, without building the key. */
bool flow_from_lo(const struct packet *p);

/* A table whose records are value_size bytes each, zeroed when created. */
struct flow_table *flow_table_new(size_t value_size);
void flow_table_free(struct flow_table *t);

/*
 * The record for k, created if absent (*created set), now the most recently
 * used. NULL only if memory ran out. The pointer is valid until the next
 * flow_lookup (records move when the table grows).
 */
void *flow_lookup(struct flow_table *t, const struct flow_key *k, bool *created);

/*
 * flow_lookup in a table of at most max records (0: no bound): a new key in
 * a full table first takes the place of the least recently looked-up record,
 * which is forgotten.
 */
void *flow_lookup_bounded(struct flow_table *t, const struct flow_key *k, size_t max, bool *created);

/* Forget a record (value as returned by flow_lookup); its memory is reused. */
void flow_remove(struct flow_table *t, void *value);

/* The least recently looked-up record, or NULL when empty. */
void *flow_oldest(struct flow_table *t);

/* The key a record was created with. */
const struct flow_key *flow_key_at(const struct flow_table *t, const void *value);

/* The record for k, or NULL: never creates one, does not change the LRU order. */
void *flow_find(struct flow_table *t, const struct flow_key *k);

/* Call fn on every record, in table order. */
void flow_foreach(struct flow_table *t, void (*fn)(void *value, void *ctx), void *ctx);

size_t flow_count(const struct flow_table *t);

#endif
