/* fixtures.h - shared by the unit tests: packet builders, addresses, frames, case names. */
#ifndef TCPNOTE_TESTS_UNIT_FIXTURES_H
#define TCPNOTE_TESTS_UNIT_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

#include "tcpnote/packet.h"

/* ------------------------------------------------------------------ */
/* Addresses */

/* The bytes of 2001:db8::N, for address arrays and hand-made frames. */
#define ADDR6_DB8(n) 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (n)

extern const uint8_t addr4_1[4], addr4_2[4];   /* 10.0.0.1, 10.0.0.2 */
extern const uint8_t addr6_1[16], addr6_2[16]; /* 2001:db8::1, 2001:db8::2 */

/* ------------------------------------------------------------------ */
/* A struct packet filled by hand, as the decoder would leave it */

/* Zeroes p and gives it a decoded IPv4 (or IPv6) TCP packet's addresses and ports, nothing else. */
void make_packet4(struct packet *p, const uint8_t src[4], uint16_t sport, const uint8_t dst[4],
		  uint16_t dport);
void make_packet6(struct packet *p, const uint8_t src[16], uint16_t sport, const uint8_t dst[16],
		  uint16_t dport);

/* The TCP header of a 20-byte-header segment carrying paylen bytes. */
void set_tcp(struct packet *p, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t paylen,
	     uint16_t win);

/* make_packet4 and set_tcp together: one IPv4 TCP segment. */
void make_segment4(struct packet *p, const uint8_t src[4], uint16_t sport, const uint8_t dst[4],
		   uint16_t dport, uint8_t flags, uint32_t seq, uint32_t ack, uint32_t paylen,
		   uint16_t win);

/* ------------------------------------------------------------------ */
/* Frames built by hand and checked with tcpdump -vv (checksums correct), raw IPv6 (LINK_RAW) */

/* 2001:db8::1.50000 > 2001:db8::2.443 [P.] seq 0x101 ack 0xfffffff1 win 512, after a hop-by-hop
 * header (PadN), payload "hi". */
extern const uint8_t f_raw6_hbh[70];
/* The same connection's first fragment (id 0x12345678, M=1), seq 0x103, payload "frag". */
extern const uint8_t f_raw6_frag[72];

/* ------------------------------------------------------------------ */
/* RFC 1071 checksums, independent of the code under test */

/* Adds the bytes to sum as big-endian 16-bit words (an odd last byte padded with zero). */
uint32_t sum16(uint32_t sum, const uint8_t *b, size_t n);
/* Folds the carries into 16 bits and complements: the checksum field's value. */
uint16_t fold_not(uint32_t sum);

/* ------------------------------------------------------------------ */
/* Tables of cases: how many, and which case a failing assertion was checking */

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/*
 * case_begin names the case that the following assertions check; case_end
 * says the table is done. A test that fails in between stops at the failing
 * assertion, and case_teardown (the test's teardown, or called from it) then
 * prints the name of the case that was being checked.
 */
void case_begin(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void case_end(void);
int case_teardown(void **state);

#endif
