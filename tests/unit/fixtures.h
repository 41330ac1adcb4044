/* fixtures.h - shared by the unit tests: packet builders, addresses, frames, case names. */
#ifndef TCPNOTE_TESTS_UNIT_FIXTURES_H
#define TCPNOTE_TESTS_UNIT_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpnote/labels.h"
#include "tcpnote/packet.h"
#include "tcpnote/track.h"

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
/* One connection driven segment by segment through track_conn_segment */

enum conv_who { CONV_CLI = 0, CONV_SRV = 1 };

/*
 * A connection between two IPv4 (or IPv6) ends, fed to track_conn_segment
 * as track_segment would: from_lo comes from the flow key, created is true
 * for the first packet only. Every IPv4 segment is a new IP datagram (a new
 * IP ID), stamped with the conversation's clock now_us (0 unless a test sets it).
 */
struct conv {
	struct conn c;
	bool started;
	uint8_t version;    /* 4 or 6 */
	uint8_t addr[2][16];
	uint16_t port[2];
	uint16_t ip_id;
	int64_t now_us;     /* capture time of the next segment, microseconds */
	struct labels last; /* the labels of the last segment sent */
	char text[256];     /* the same as text */
};

/* A new conversation: nothing sent yet, the connection record full of garbage. */
void conv_init(struct conv *v, const uint8_t cli[4], uint16_t cport, const uint8_t srv[4],
	       uint16_t sport);
/* Client 10.0.0.1:40000, server 10.0.0.2:80. */
void conv_default(struct conv *v);
/* The same over IPv6: client [2001:db8::1]:40000, server [2001:db8::2]:80 (no IP ID). */
void conv_default6(struct conv *v);

/* Free what the connection record owns beyond itself (its summary's counts that outgrew it). */
void conv_free(struct conv *v);

/* Build the next segment from `from` (IPv4: a new IP ID; the clock's time) without sending it. */
void conv_build(struct conv *v, struct packet *p, enum conv_who from, uint8_t flags, uint32_t seq,
		uint32_t ack, uint32_t len, uint16_t win);
/* Send a built segment (again, for a second copy) and return its labels as text ("" for none). */
const char *conv_send(struct conv *v, const struct packet *p);
/* conv_build and conv_send together: one new segment, its labels as text. */
const char *seg(struct conv *v, enum conv_who from, uint8_t flags, uint32_t seq, uint32_t ack,
		uint32_t len, uint16_t win);

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

/* n bytes from 2n hex digits at s (either case); a test fails on any other character. */
void unhex(const char *s, uint8_t *out, size_t n);

/* ------------------------------------------------------------------ */
/* Application hints */

struct app_hints;

/* The hints' labels joined by ", " ("" for none), as the printers show them; a static buffer. */
const char *hints_text(const struct app_hints *h);

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
