/* app_keys.h - the secrets TLS sessions are opened with: a key log read once (-r) or followed while it grows (live), and late hints. */
#ifndef TCPNOTE_APP_KEYS_H
#define TCPNOTE_APP_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#include "tcpnote/app_hints.h"
#include "tcpnote/packet.h"

struct tls_keylog;
struct tls_keylog_tail;

/*
 * Live, curl writes a session's secrets to its key log while the session
 * runs: in TLS 1.3 the server's EncryptedExtensions, Certificate,
 * CertificateVerify and Finished reach the capture before the client has
 * read the ServerHello, made the handshake secrets and written them. So a
 * live --keylog session that meets a record without its key reads the key
 * log again and, when the key is still not there, holds the record (and
 * the direction's records after it, in order) until the key arrives:
 *
 * - the key log is read again every APP_KEYS_POLL_NS while capturing, at
 *   every packet while records are held, and whenever a record lacks a key;
 * - a direction holds at most APP_KEYS_HOLD_MAX bytes of records (two
 *   records of the largest size; a server's first flight is 2-10 KiB), and
 *   all sessions together at most APP_KEYS_HELD_TOTAL;
 * - records held APP_KEYS_GRACE_NS without their key, or more than fit, get
 *   "tls cannot decrypt (no key)", as a key log without the session does;
 * - the hints of held records come out through the late function: the
 *   caller prints them, marked late, with the line being printed then, or
 *   on a line of their own when no packet is being handled.
 *
 * Reading a file (-r) the whole key log is known from the start: nothing is
 * held, and the output is as without this module.
 */
#define APP_KEYS_POLL_NS  200000000LL  /* 200 ms */
#define APP_KEYS_GRACE_NS 800000000LL  /* 800 ms: with a tick of at most 100 ms, hints within 1 s */
#define APP_KEYS_HOLD_MAX 40960        /* bytes of held records per direction, headers included */
#define APP_KEYS_HELD_TOTAL (64LL << 20) /* 64 MiB: all held records at once */

/* Where held records came from: the packet that completed each. */
struct app_origin {
	uint64_t frame;  /* the packet's number among all of the input's, from 1 (JSON "frame") */
	uint64_t flow;   /* its connection's number (JSON "flow") */
	int64_t ts_sec;  /* its capture time */
	uint32_t ts_frac;
	bool ts_nano;
	uint8_t ip_version; /* 4 or 6 */
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
};

/* The hints of records that waited for their key, and the packet they came with. */
struct app_late {
	struct app_origin from;
	struct app_hints hints;
};

typedef void (*app_late_fn)(void *ctx, const struct app_late *late);

struct app_keys;

/*
 * kl: the secrets; tail: NULL when kl holds the whole key log (-r), else the
 * file followed live (polled into kl). late(ctx, ...) gets late hints.
 */
struct app_keys *app_keys_new(struct tls_keylog *kl, struct tls_keylog_tail *tail,
			      app_late_fn late, void *ctx);
void app_keys_free(struct app_keys *k);

const struct tls_keylog *app_keys_keylog(const struct app_keys *k);

/* True when the key log is followed live (records may be held). */
bool app_keys_live(const struct app_keys *k);

/*
 * Time goes on (now: CLOCK_MONOTONIC, ns): before each packet and whenever
 * the capture is idle. Reads the key log when due, opens the held records
 * whose keys came, gives up on those held too long.
 */
void app_keys_tick(struct app_keys *k, int64_t now);

/* The packet about to be followed (app_track_segment): held records remember it. */
void app_keys_packet(struct app_keys *k, const struct packet *p, uint64_t frame, uint64_t flow);

struct app_tls_session;
struct app_conn_facts;

/* A connection's TLS session, keyed from k; live, late hints are folded into facts (may be NULL). */
struct app_tls_session *app_keys_session_new(struct app_keys *k, struct app_conn_facts *facts);

/* The input ended: one last read, then every held record is opened or gets "no key". */
void app_keys_finish(struct app_keys *k);

/* Why reading the key log failed during the capture ("" when it did not); it is read no more. */
const char *app_keys_error(const struct app_keys *k);

#endif
