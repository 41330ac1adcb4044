/* seq.h - TCP sequence number comparisons modulo 2^32 (RFC 9293 section 3.4). */
#ifndef TCPNOTE_SEQ_H
#define TCPNOTE_SEQ_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Sequence numbers wrap at 2^32, so "a before b" means the signed distance
 * from b to a is negative, as in Suricata's SEQ_LT and the BSD stack.
 */
static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_leq(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline bool seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool seq_geq(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }

/* The later of two sequence numbers. */
static inline uint32_t seq_max(uint32_t a, uint32_t b) { return seq_gt(a, b) ? a : b; }

#endif
