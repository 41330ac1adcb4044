/* community_id.h - Corelight's Community ID v1 flow hash, the key Zeek, Suricata and Wireshark share. */
#ifndef TCPNOTE_COMMUNITY_ID_H
#define TCPNOTE_COMMUNITY_ID_H

#include <stdbool.h>
#include <stdint.h>

#include "tcpnote/flow.h"
#include "tcpnote/packet.h"

/* "1:" and the base64 of a SHA-1 (28 characters), and a NUL. */
#define COMMUNITY_ID_LEN 31

/* One direction of a flow as the specification hashes it (addresses in network order). */
struct community_tuple {
	uint8_t addrlen; /* 4 or 16 */
	const uint8_t *saddr, *daddr;
	uint8_t proto;   /* IP protocol number */
	bool has_ports;  /* false: hashed without ports (a protocol without them, a later fragment) */
	uint16_t sport, dport;
};

/*
 * Community ID v1 of t with seed (0 is everyone's default) into out:
 * "1:" + base64(SHA-1(seed, lower endpoint first, proto, 0, ports)).
 * Both directions give the same ID. No ICMP type/code treatment: tcpnote
 * hashes TCP only. False (out empty) if t's address length is neither 4 nor 16.
 */
bool community_id_v1(const struct community_tuple *t, uint16_t seed, char out[COMMUNITY_ID_LEN + 1]);

/*
 * The ID of p's (innermost, when tunnelled) IP and TCP header, seed 0: with its
 * ports when the TCP header's ports were decoded, without them for a fragment
 * after the first (as Wireshark does). False when p has no addresses to hash.
 * flow, p's connection number (0: none), only picks where the ID is cached.
 */
bool community_id_packet(const struct packet *p, uint64_t flow, char out[COMMUNITY_ID_LEN + 1]);

/* The ID of a connection (its flow key: inner 5-tuple, TCP), seed 0. */
void community_id_flow(const struct flow_key *k, char out[COMMUNITY_ID_LEN + 1]);

#endif
