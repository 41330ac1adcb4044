/* app_priv.h - the inside of struct app_dir, shared by the app_*.c files only. */
#ifndef TCPNOTE_APP_PRIV_H
#define TCPNOTE_APP_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcpnote/app_hints.h"
#include "tcpnote/bytes.h"

/* ---- app_stream.c: which bytes of a segment are new, in order ---- */

struct app_stream {
	uint32_t next;   /* sequence number of the next in-order byte */
	bool anchored;   /* next is known */
	uint64_t offset; /* in-order bytes accepted so far: the stream offset of `next` */
};

/* What app_stream_accept found in one segment. */
enum app_accept {
	APP_ACCEPT_OLD = 0, /* nothing new: a retransmission, or empty */
	APP_ACCEPT_NEW,     /* new bytes at payload[skip..): skip > 0 when the start overlaps */
	APP_ACCEPT_GAP      /* starts past next: out of order, or bytes not captured */
};

/*
 * Classify a segment of len bytes at seq against s->next. For NEW, *skip
 * is the number of old bytes at its start and s advances past the segment;
 * GAP leaves s where it was (app_hold_put keeps the segment for TLS,
 * app_stream_jump moves on for HTTP).
 */
enum app_accept app_stream_accept(struct app_stream *s, uint32_t seq, size_t len, size_t *skip);

/* Take a segment past a gap as the new stream position (HTTP, which needs no reassembly). */
void app_stream_jump(struct app_stream *s, uint32_t seq, size_t len);

/* ---- app_hold.c: segments past a gap, until it fills ---- */

/*
 * Up to APP_HOLD_MAX bytes past the next expected byte, in at most
 * APP_HOLD_RANGES islands (app_hints.h). Allocated at the first segment
 * held, freed when nothing is held any more.
 */
struct app_hold;

/*
 * Hold the bytes of a segment that starts past s->next (APP_ACCEPT_GAP);
 * *h is allocated if NULL. False when they cannot be held: the segment
 * ends more than APP_HOLD_MAX bytes past s->next, it would make one island
 * too many, or memory ran out. Then bytes are lost for good.
 */
bool app_hold_put(struct app_hold **h, const struct app_stream *s, uint32_t seq,
		  struct span data);

/*
 * The next held bytes that are now in order (they start at or before
 * s->next): *piece (valid until the next call on *h) at stream offset
 * *off; s advances past them. False when there are none; *h is then freed
 * if it holds nothing more.
 */
bool app_hold_take(struct app_hold **h, struct app_stream *s, struct span *piece,
		   uint64_t *off);

/* True while bytes past a gap are held. */
bool app_hold_pending(const struct app_hold *h);

void app_hold_free(struct app_hold **h);

/*
 * A bounded reassembly buffer: data is allocated at the first append and
 * freed by app_buf_close, after which appends are refused for good.
 */
struct app_buf {
	uint8_t *data; /* APP_STREAM_MAX bytes, or NULL */
	uint32_t len;
	bool closed;
};

/* Append as much of src as fits; returns how many bytes were taken (0 when closed or no memory). */
size_t app_buf_append(struct app_buf *b, const uint8_t *src, size_t n);
/* Drop the first n bytes (n <= len). */
void app_buf_consume(struct app_buf *b, size_t n);
/* Free the memory; later appends take nothing. */
void app_buf_close(struct app_buf *b);

/* ---- app_tls.c: the TLS record walk and the handshake messages ---- */

/* The record being walked: its header collects first, then its body is counted through. */
struct tls_walk {
	uint8_t hdr[5];
	uint8_t hdr_have;   /* header bytes collected; 5 while in the body */
	uint8_t alert[2];   /* the first body bytes of an alert record */
	uint16_t body_left; /* body bytes still to come */
	uint32_t hs_skip;   /* bytes of a too-long handshake message still to pass over */
	uint8_t hs_skip_type;
	bool ccs_seen;      /* this direction sent ChangeCipherSpec: what follows is encrypted */
	bool app_seen;      /* "tls app data" given */
	struct app_buf hs;  /* handshake message bytes (record bodies, headers removed) */
	struct app_tls_session *sess; /* with --keylog: the connection's session, else NULL */
	bool protected_rec; /* the current record is collected for decryption */
	/*
	 * A HelloRetryRequest was sent (server) or answered (client): the
	 * compatibility ChangeCipherSpec comes before the second hello (RFC 8446
	 * appendix D.4), so it does not end the cleartext handshake; the second
	 * hello clears it.
	 */
	bool hrr_pending;
	struct app_cert_chain **chain; /* where to put the certificates read, or NULL */
};

struct app_dir {
	struct app_stream st;
	struct app_hold *hold; /* TLS: segments past a gap, or NULL */
	enum app_proto proto; /* fixed by the first in-order bytes */
	bool done;
	struct tls_walk tls;
};

/* Walk the new in-order bytes of a TLS direction; stream_off is the offset of data[0]. */
void app_tls_feed(struct app_dir *d, bool from_client, uint64_t stream_off, struct span data,
		  struct app_hints *out);
void app_tls_free(struct tls_walk *w);

/* ---- app_tls.c helpers shared with app_tls_dec.c ---- */

bool app_tls_be24(struct span s, size_t off, uint32_t *out);
/* Set kind's bit unless this segment already has one: the first of a kind is kept. */
bool app_hint_claim(struct app_hints *out, enum app_hint_kind k);
/* The ALPN of an extensions block (EncryptedExtensions, ServerHello) into alpn. */
void app_tls_alpn_of(struct span exts, char *alpn);
/*
 * A Certificate message's certificate_list (TLS 1.2 entries, or TLS 1.3's
 * with extensions after each): into *chain when chain is not NULL and
 * *chain is still NULL (the first Certificate is kept). Sets *count to the
 * certificates the list holds and leaf_cn (APP_CN_MAX + 1 bytes, "" at
 * first) to the first one's subject CN, each certificate parsed once.
 */
void app_tls_cert_list(struct span list, bool tls13, struct app_cert_chain **chain,
		       uint32_t *count, char *leaf_cn);

/* ---- app_tls_dec.c: records opened with a key log ---- */

/* The ClientHello (client) or ServerHello (server) body, for the session's random and keys. */
void app_tls_dec_client_hello(struct app_tls_session *s, struct span m);
void app_tls_dec_server_hello(struct app_tls_session *s, struct span m, uint16_t version,
			      uint16_t suite, bool hello_retry);
/* The direction sent ChangeCipherSpec (TLS 1.2: its records are protected from now on). */
void app_tls_dec_ccs(struct app_tls_session *s, bool from_client);
/* True when a record of this type, in this direction, is to be collected and opened. */
bool app_tls_dec_wants(const struct app_tls_session *s, bool from_client, uint8_t type);
/* True while the direction is being decrypted (so followed past APP_STREAM_MAX). */
bool app_tls_dec_going(const struct app_tls_session *s, bool from_client);
/* Bytes of the direction were never captured: "tls cannot decrypt (capture gap)", and stop. */
void app_tls_dec_gap(struct app_tls_session *s, bool from_client, struct app_hints *out);
/* Collect body bytes of the current protected record; open it at its end. */
void app_tls_dec_body(struct app_tls_session *s, bool from_client, struct span piece);
/* True when the record is held for a key still to come (live): its hints come late. */
bool app_tls_dec_end(struct app_tls_session *s, bool from_client, const uint8_t hdr[5],
		     struct app_cert_chain **chain, struct app_hints *out);

/* ---- app_tls_dec.c and app_keys.c: records held for a key (live --keylog) ---- */

struct app_keys;
struct app_conn_facts;
struct app_origin;
struct app_late;

/* Live: s may hold records for keys not yet written; late hints go through keys, and into facts. */
void app_tls_dec_follow(struct app_tls_session *s, struct app_keys *keys,
			struct app_conn_facts *facts);
/*
 * Open the held records whose keys have come; give up on those held
 * APP_KEYS_GRACE_NS or longer before now (all of them with force). True while
 * records are still held.
 */
bool app_tls_dec_settle(struct app_tls_session *s, int64_t now, bool force);
/* The list of sessions that hold records (app_keys_waiting is its head). */
void app_tls_dec_wait(struct app_tls_session *s);
void app_tls_dec_unwait(struct app_tls_session *s);
struct app_tls_session *app_tls_dec_next_waiting(const struct app_tls_session *s);

struct app_wait_list {
	struct app_tls_session *head, *tail;
};
struct app_wait_list *app_keys_waiting(struct app_keys *k);
/* Read the key log now (once per tick or packet: a second call at the same moment reads nothing). */
void app_keys_refresh(struct app_keys *k);
/* The packet being followed, and the time of the tick. */
const struct app_origin *app_keys_origin(const struct app_keys *k);
int64_t app_keys_now(const struct app_keys *k);
void app_keys_emit(struct app_keys *k, const struct app_late *l);
/* Held bytes taken (delta > 0: false, and nothing taken, past APP_KEYS_HELD_TOTAL) or given back. */
bool app_keys_held(struct app_keys *k, int64_t delta);

/* ---- app_x509.c: what a DER certificate says, read by libcrypto ---- */

/* Copy the first commonName of cert's subject into cn (APP_CN_MAX + 1 bytes); false if none. */
bool app_x509_cn(struct span cert, char *cn);

/* Fill c (zeroed by the caller) from the DER certificate cert: names, SAN, validity, key, SHA-256. */
void app_x509_describe(struct span cert, struct app_cert *c);

/* ---- app_http.c: HTTP/1.x first lines ---- */

/* A request line (client) or status line (server) at the start of data, into out. */
void app_http_segment(bool from_client, struct span data, struct app_hints *out);

/* True when data starts like an HTTP/1.x request method or "HTTP/1." (as far as it goes). */
bool app_http_sniff(struct span data);

/* ---- shared string helper ---- */

/*
 * Copy n raw bytes into dst (cap bytes including the NUL), cut at cap - 1
 * and at an embedded NUL; returns true when all n bytes fit.
 */
bool app_copy_str(char *dst, size_t cap, const uint8_t *src, size_t n);

#endif
