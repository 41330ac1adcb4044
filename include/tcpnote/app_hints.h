/* app_hints.h - TLS and HTTP/1.x hints from the first bytes of each direction of a connection. */
#ifndef TCPNOTE_APP_HINTS_H
#define TCPNOTE_APP_HINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The application-hint labels of ../shared/reference/labels.md ("tls client
 * hello sni=NAME", "http request METHOD PATH", ...). The parser returns
 * structured data (struct app_hints); app_hint_format writes the label text;
 * the printers escape it.
 *
 * Detection is by content, never by port. A tracker uses the module so:
 *
 *   1. app_sniff() on a direction's first payload: APP_NONE means no state
 *      is ever needed for it.
 *   2. Otherwise app_dir_new() once for that direction (and app_dir_anchor()
 *      with ISN+1 when the SYN was seen), then app_feed() on every payload
 *      segment of the direction, in capture order, retransmissions included.
 *   3. app_dir_done() true: nothing more can come, app_dir_free() it early.
 *   4. When a segment produced hints, app_facts_note() folds them into the
 *      connection's struct app_conn_facts for the summary.
 */

/* What a direction's first bytes look like. */
enum app_proto {
	APP_NONE = 0, /* neither: never allocate state */
	APP_TLS,      /* a TLS record header: 0x16 0x03 0x00-0x04, or 0x14/0x15/0x17 0x03 */
	APP_HTTP      /* an HTTP/1.x request method and a space, or "HTTP/1." */
};

const char *app_proto_name(enum app_proto p);

/*
 * Classify a direction's first payload. Only the bytes present are judged:
 * a payload shorter than a record header or a method ("GE") that starts
 * like one counts as that protocol.
 */
enum app_proto app_sniff(const uint8_t *payload, size_t len);

/* Bounds of the strings in struct app_hints and struct app_conn_facts (without the NUL). */
#define APP_SID_MAX    32  /* legacy_session_id<0..32> (RFC 8446 section 4.1.2) */
#define APP_SNI_MAX    255 /* a DNS name is at most 253 */
#define APP_ALPN_MAX   127 /* comma-joined protocol names; names that do not fit are left out */
#define APP_CN_MAX     64  /* ub-common-name, RFC 5280 appendix A.1 */
#define APP_METHOD_MAX 7   /* OPTIONS, CONNECT */
#define APP_PATH_MAX   200 /* longer request targets are cut and path_truncated set */

/* Room for the text of any one hint (a server name, an ALPN list and a path at their bounds). */
#define APP_HINT_TEXT_MAX (APP_SNI_MAX + APP_ALPN_MAX + APP_PATH_MAX + 64)

/*
 * The per-direction TLS limits. Records are followed only while they start
 * within the first APP_STREAM_MAX bytes of the direction (a record that
 * starts before is followed to its end); handshake messages are reassembled
 * in a buffer of APP_STREAM_MAX bytes, and a longer one is skipped (a
 * Certificate then gets "tls certificate" without cn=).
 */
#define APP_STREAM_MAX 16384

/*
 * Segments past a gap in a TLS direction are held up to APP_HOLD_MAX bytes
 * past the next expected byte: one TLS record (TLSCiphertext.length is at
 * most 2^14 + 2048, RFC 5246 section 6.2.3). A lost segment is retransmitted
 * after the segments sent behind it, which the receiver already has and
 * which are never sent again: held, they are parsed once the gap fills. At
 * most APP_HOLD_RANGES separate islands are held at once.
 */
#define APP_HOLD_MAX    (16384 + 2048)
#define APP_HOLD_RANGES 8

/*
 * The certificates a server sent (its first Certificate message), read by
 * libcrypto's X.509 parser for flow records and --explain. At most
 * APP_CHAIN_MAX are kept, each string cut at its bound.
 */
#define APP_CHAIN_MAX 8
#define APP_SAN_BYTES 512 /* subjectAltName DNS names and IPs, each NUL-terminated, one after another */
#define APP_TIME_LEN  20  /* "2026-11-30T12:00:00Z" */
#define APP_KEY_LEN   23  /* "RSA 2048", "EC P-256", "Ed25519" */

struct app_cert {
	char subject_cn[APP_CN_MAX + 1]; /* "" when the subject has no commonName */
	char issuer_cn[APP_CN_MAX + 1];
	char san[APP_SAN_BYTES];         /* san_count names, each ending in a NUL */
	uint8_t san_count;
	bool san_truncated;              /* more names than fit */
	bool parsed;                     /* false: libcrypto could not read it (only sha256 is set) */
	char not_before[APP_TIME_LEN + 1]; /* ISO 8601 UTC; "" when unreadable */
	char not_after[APP_TIME_LEN + 1];
	char key[APP_KEY_LEN + 1];
	uint8_t sha256[32];              /* of the DER bytes as sent */
};

/* Allocated for the n certificates kept (about 750 bytes each). */
struct app_cert_chain {
	uint32_t sent;          /* certificates in the message */
	uint8_t n;              /* kept: min(sent, APP_CHAIN_MAX) */
	struct app_cert cert[]; /* in the order sent: the leaf first */
};

/* One bit each in app_hints.bits; in the order they are printed. */
enum app_hint_kind {
	APP_HINT_STARTTLS = 0,     /* starttls PROTO: the cleartext ends, TLS follows (app_starttls.c) */
	APP_HINT_CLIENT_HELLO,     /* tls client hello[ sni=NAME][ alpn=A,B] */
	APP_HINT_SERVER_HELLO,     /* tls server hello VERSION CIPHER */
	APP_HINT_RESUMED,          /* tls resumed: the ServerHello resumes an earlier session */
	APP_HINT_CERTIFICATE,      /* tls certificate[ cn=NAME] */
	APP_HINT_CHANGE_CIPHER,    /* tls change cipher spec */
	APP_HINT_APP_DATA,         /* tls app data */
	/* With --keylog only, from decrypted records (app_tls_dec.c): */
	APP_HINT_ENC_EXT,          /* tls encrypted extensions[ alpn=P] */
	APP_HINT_DEC_CERTIFICATE,  /* tls certificate[ cn=NAME][ chain=N] (TLS 1.3, decrypted) */
	APP_HINT_CERT_VERIFY,      /* tls certificate verify */
	APP_HINT_FINISHED,         /* tls finished */
	APP_HINT_NEW_TICKET,       /* tls new session ticket */
	APP_HINT_KEY_UPDATE,       /* tls key update */
	APP_HINT_CANNOT_DECRYPT,   /* tls cannot decrypt (REASON) */
	APP_HINT_HTTP_REQUEST,     /* http request METHOD PATH */
	APP_HINT_HTTP_RESPONSE,    /* http response CODE */
	/*
	 * After the data it follows in the segment (a close_notify after the last
	 * response or ticket); cleartext, or opened with --keylog (app_tls_dec.c).
	 */
	APP_HINT_ALERT,            /* tls alert LEVEL DESCRIPTION | tls alert (encrypted) */
	/* Kafka (app_kafka_conn.c): one kind per message a segment completes, in order. */
	APP_HINT_KAFKA_0,          /* kafka NAME vN request|response ... (app_kafka.h kafka_format) */
	APP_HINT_KAFKA_1,
	APP_HINT_KAFKA_2,
	APP_HINT_KAFKA_3,          /* the fourth and later messages of one segment: the last of them */
	APP_HINT_COUNT
};

/* True for the kinds only decryption gives (APP_HINT_ENC_EXT .. APP_HINT_CANNOT_DECRYPT). */
/* Kafka messages given a hint of their own in one segment. */
#define APP_KAFKA_HINTS 4

static inline bool app_hint_kafka(enum app_hint_kind k)
{
	return k >= APP_HINT_KAFKA_0 && k <= APP_HINT_KAFKA_3;
}

static inline bool app_hint_decrypted(enum app_hint_kind k)
{
	return k >= APP_HINT_ENC_EXT && k <= APP_HINT_CANNOT_DECRYPT;
}

/* Why a direction could not be decrypted (the REASON of "tls cannot decrypt"). */
enum app_undecryptable {
	APP_UNDEC_NO_KEY = 0, /* the key log has no secret for this session */
	APP_UNDEC_CIPHER,     /* a suite or version tcpnote does not decrypt */
	APP_UNDEC_AUTH,       /* the AEAD tag did not verify: a wrong key or a changed record */
	APP_UNDEC_MEMORY,     /* out of memory */
	APP_UNDEC_GAP         /* bytes of the direction were not captured: the records lost their order */
};

/* The fixed words of a kind ("tls client hello"), without its fields. */
const char *app_hint_kind_name(enum app_hint_kind k);

/* Room for a Kafka topic name in struct app_kafka_hint (Kafka allows at most 249 characters). */
#define APP_KAFKA_TOPIC_MAX 249

/* Whether a Fetch response partition's previous high watermark on the connection is known. */
enum app_kafka_prev {
	APP_KAFKA_PREV_FIRST = 0, /* the first Fetch response for it on the connection */
	APP_KAFKA_PREV_KNOWN,     /* prev_high_watermark holds the last one */
	APP_KAFKA_PREV_UNTRACKED  /* the connection tracks too many partitions to know */
};

/*
 * The numbers of one Kafka hint (app_kafka_conn.c), for --explain. "The
 * partition" is the message's first topic-partition (has_partition false:
 * it has none). Offsets not in the message are -1.
 */
struct app_kafka_hint {
	int16_t api_key;
	int16_t api_version;
	int32_t correlation_id;
	bool response;
	bool has_partition;
	bool topic_cut;           /* the topic name went on past topic */
	uint8_t prev;             /* Fetch response: enum app_kafka_prev */
	int16_t error;            /* the top-level error code, else the first item's (partition, or Metadata topic); 0 none */
	int32_t partition;
	uint32_t partitions;      /* topic-partitions in the message */
	int64_t offset;           /* the partition's offset as struct kafka_item has it (app_kafka.h) */
	int64_t fetch_offset;     /* Fetch response: the offset its request asked for the partition, or -1 */
	int64_t prev_high_watermark; /* Fetch response, with prev APP_KAFKA_PREV_KNOWN */
	int64_t last_stable;      /* Fetch response v4+ */
	int64_t log_start;        /* Fetch response v5+ */
	int64_t records;          /* Produce request, Fetch response; else -1 */
	char topic[APP_KAFKA_TOPIC_MAX + 1];
};

/*
 * The hints completed by one segment. Only the fields of the kinds whose
 * bit is set are meaningful. Strings are copied raw (not escaped), cut at
 * their bound or at an embedded NUL, and always NUL-terminated; an empty
 * string means absent (no server_name, no ALPN, no CN). When one segment
 * completes two messages of a kind (two alerts), the first is kept.
 */
struct app_hints {
	uint32_t bits;          /* 1u << enum app_hint_kind */
	uint16_t version;       /* server hello: supported_versions if present, else legacy */
	uint16_t cipher;        /* server hello: cipher_suite */
	uint16_t status;        /* http response: 100-999 */
	uint8_t alert_level;    /* alert: 1 warning, 2 fatal */
	uint8_t alert_desc;     /* alert: RFC 8446 section 6 AlertDescription */
	bool alert_encrypted;   /* alert: not a cleartext 2-byte alert; level/desc unset */
	bool path_truncated;    /* http request: path cut at APP_PATH_MAX */
	uint8_t undecryptable;  /* cannot decrypt: enum app_undecryptable */
	uint8_t starttls;       /* starttls: enum app_starttls_proto (not CONNECT: its hints are HTTP's) */
	uint16_t chain;         /* decrypted certificate: certificates sent (shown when > 1) */
	char method[APP_METHOD_MAX + 1];
	char sni[APP_SNI_MAX + 1];   /* client hello: first host_name of server_name */
	char alpn[APP_ALPN_MAX + 1]; /* client hello: offered; server hello: selected (TLS 1.2) */
	char cn[APP_CN_MAX + 1];     /* certificate: subject CN of the first certificate */
	char path[APP_PATH_MAX + 1];
	/* Client hello: legacy_session_id; server hello: its echo (RFC 8446 4.1.3, RFC 5246 7.4.1.3). */
	uint8_t session_id[APP_SID_MAX];
	uint8_t session_id_len;
	bool hello_retry;       /* server hello: a HelloRetryRequest (RFC 8446 section 4.1.4) */
	bool psk;               /* server hello: pre_shared_key accepted (TLS 1.3 resumption) */
	bool psk_dhe;           /* server hello: and a key_share with it (psk_dhe_ke) */
	bool key_update_asked;  /* key update: update_requested (the peer is asked to update too) */
	uint16_t sig_scheme;    /* certificate verify: SignatureScheme (RFC 8446 section 4.2.3) */
	uint32_t ticket_lifetime; /* new session ticket: ticket_lifetime, seconds */
	/*
	 * With --keylog: the kinds (bits as in `bits`) read from a record the key
	 * log opened, and for each the secret that opened it (for "tls cannot
	 * decrypt", the one that failed or was missing).
	 */
	uint32_t decrypted_bits;
	struct app_hint_key {
		uint8_t label;   /* enum tls_keylog_label */
		uint8_t updates; /* TLS 1.3: KeyUpdates applied to it since (at most 255) */
	} keys[APP_HINT_COUNT];
	/*
	 * Certificate hints, when the tracker collects chains (app_track.h):
	 * the connection's server chain, valid until its next segment; else NULL.
	 */
	const struct app_cert_chain *certs;
	/* Kafka: the text of each message's hint (kafka_format), cut at APP_HINT_TEXT_MAX. */
	char kafka[APP_KAFKA_HINTS][APP_HINT_TEXT_MAX + 1];
	/* And its numbers, for --explain (which never reads the text). */
	struct app_kafka_hint kafka_info[APP_KAFKA_HINTS];
};

/*
 * Walks the kinds present, clearing each:
 * for (b = h.bits; (k = app_hints_next(&b)) != APP_HINT_COUNT;)
 */
static inline enum app_hint_kind app_hints_next(uint32_t *bits)
{
	enum app_hint_kind k;

	if (*bits == 0)
		return APP_HINT_COUNT;
	k = (enum app_hint_kind)__builtin_ctz(*bits);
	*bits &= *bits - 1;
	return k;
}

static inline bool app_hints_has(const struct app_hints *h, enum app_hint_kind k)
{
	return (h->bits >> k) & 1u;
}

/*
 * The per-direction state: sequence tracking, the TLS record walk and, for
 * TLS, a handshake buffer of APP_STREAM_MAX bytes allocated at the first
 * handshake byte and freed once the direction's handshake is encrypted, and
 * a buffer of 18 KiB for segments past a gap, allocated at the first such
 * segment and freed when the gap has filled.
 */
struct app_dir;

/* A new direction state (88 bytes on x86-64, the buffers apart), or NULL when out of memory. */
struct app_dir *app_dir_new(void);
void app_dir_free(struct app_dir *d);

/*
 * Decryption with a key log (--keylog): a connection's TLS session, shared
 * by its two directions (app_dir_set_session on each, before the first
 * app_feed). It holds the client random, the suite, and per direction the
 * record keys and one record being collected (at most 18 KiB). With a
 * session, a direction whose records decrypt is followed past
 * APP_STREAM_MAX to its end.
 */
struct app_tls_session;
struct tls_keylog;

struct app_tls_session *app_tls_session_new(const struct tls_keylog *kl);
void app_tls_session_free(struct app_tls_session *s);
void app_dir_set_session(struct app_dir *d, struct app_tls_session *s);
/* True once a record of the session was opened with the key log (s may be NULL). */
bool app_tls_session_opened(const struct app_tls_session *s);

/*
 * Optional, before the first app_feed of the server's direction: read the
 * certificates of its first Certificate message into a chain allocated at
 * *slot (which must be NULL until then; the caller frees it). Without it
 * only the leaf's CN is read.
 */
void app_dir_collect_chain(struct app_dir *d, struct app_cert_chain **slot);

/*
 * The server answered with a HelloRetryRequest (a server hello hint with
 * hello_retry): tell the client's direction, whose compatibility
 * ChangeCipherSpec then comes before its second ClientHello.
 */
void app_dir_hello_retry(struct app_dir *d);

/*
 * Optional, before the first app_feed: the sequence number of the
 * direction's first payload byte (ISN + 1). Without it the first segment
 * fed starts the stream, so an out-of-order first segment would be taken
 * for the beginning.
 */
void app_dir_anchor(struct app_dir *d, uint32_t next_seq);

/*
 * Feed one payload segment of the direction; seq is the sequence number of
 * payload[0] (compared modulo 2^32). out gets the hints this segment
 * completes (out->bits is 0 when none): the segment that completes a
 * handshake message or a record carries its hint.
 *
 * Bytes already fed (retransmissions, overlaps) are ignored, so nothing is
 * reported twice. For TLS, a segment beyond the next expected byte (out of
 * order, or after bytes not captured) is held, up to one record's worth
 * past that byte (18 KiB, allocated only then): when the gap fills, the
 * held bytes are parsed in order, once, and their hints go to the segment
 * that filled it. A gap that cannot fill ends the direction's TLS hints
 * (app_dir_done turns true; a direction being decrypted says "tls cannot
 * decrypt (capture gap)"): held bytes would go past the window, or the peer
 * acknowledged the missing bytes (app_dir_acked), or the connection was
 * reset (app_dir_reset). HTTP needs no reassembly: a segment past a gap is
 * taken as the new stream position, and every new segment that starts with
 * a request line (from the client) or a status line (from the server) gets
 * a hint, for keep-alive, with no body tracking.
 *
 * The direction's protocol is fixed by its first in-order bytes (as
 * app_sniff); a malformed TLS record header ends the TLS hints.
 */
void app_feed(struct app_dir *d, bool from_client, uint32_t seq, const uint8_t *payload,
	      size_t len, struct app_hints *out);

/*
 * The peer's segment acknowledges up to ack (its ACK number). When ack is
 * past the next byte the direction waits for (by more than one, the FIN,
 * unless bytes past a gap are held), the peer has bytes that will not be
 * sent again: they were not captured, and the direction ends as app_feed
 * says. Hints are added to out (its bits are not cleared first).
 */
void app_dir_acked(struct app_dir *d, bool from_client, uint32_t ack, struct app_hints *out);

/* The connection was reset: a gap the direction waits on will not fill (as app_dir_acked). */
void app_dir_reset(struct app_dir *d, bool from_client, struct app_hints *out);

/* True when the direction can produce no more hints: free it. */
bool app_dir_done(const struct app_dir *d);

/*
 * Per-connection facts for the summary and flow records, folded in from the
 * hints of both directions by app_facts_note. The first value of each is
 * kept, except ALPN: the client's offer, replaced by the server's selection
 * when that is visible (TLS 1.2 ServerHello; in TLS 1.3 the EncryptedExtensions,
 * with --keylog). APP_FACT_DECRYPTED is set by the tracker, not by a hint.
 * Zero-initialise before the first note.
 */
struct app_conn_facts {
	uint16_t tls_version; /* 0: no ServerHello seen (then tls_cipher and session_id are unset) */
	uint16_t tls_cipher;
	uint16_t http_status; /* 0: no status line seen */
	uint8_t flags;        /* APP_FACT_* */
	uint8_t session_id_len;
	uint8_t session_id[APP_SID_MAX]; /* the ServerHello's legacy_session_id */
	char http_method[APP_METHOD_MAX + 1];
	char sni[APP_SNI_MAX + 1];
	char alpn[APP_ALPN_MAX + 1];         /* the server's selection, when visible and made */
	char alpn_offered[APP_ALPN_MAX + 1]; /* the first ClientHello's list */
	char cert_cn[APP_CN_MAX + 1]; /* the server certificate's subject CN */
	char http_path[APP_PATH_MAX + 1];
};

#define APP_FACT_PATH_TRUNCATED 0x02u
#define APP_FACT_TLS 0x04u       /* a TLS hint was seen: the connection speaks TLS */
#define APP_FACT_RESUMED 0x08u   /* "tls resumed" */
#define APP_FACT_DECRYPTED 0x10u /* a record of the connection was opened with the key log */

void app_facts_note(struct app_conn_facts *f, const struct app_hints *h);


/*
 * Write the label text of kind k (which must be set in h) into buf: for
 * example "tls server hello TLSv1.3 TLS_AES_256_GCM_SHA384", raw, not
 * escaped; a truncated path ends in "...". Returns the length of the whole
 * text like snprintf (buf holds at most n - 1 bytes of it and a NUL); 0 and
 * an empty buf when k is not in h.
 */
size_t app_hint_format(const struct app_hints *h, enum app_hint_kind k, char *buf, size_t n);

/* A TLS version's or cipher suite's name, or "0xNNNN" written into tmp when it has none. */
const char *app_tls_version_text(uint16_t version, char *tmp, size_t n);
const char *app_tls_cipher_text(uint16_t suite, char *tmp, size_t n);

/*
 * A connection's facts in one line for the summary table, raw: "TLSv1.3
 * TLS_AES_256_GCM_SHA384 decrypted resumed sni=NAME alpn=h2 cn=LEAF" (each
 * word only when it is so) and/or "GET /path 200"; "" when there are none.
 * Returns the length written (cut to fit n - 1 bytes).
 */
size_t app_facts_format(const struct app_conn_facts *f, char *buf, size_t n);

/* Room for app_facts_format's text with every string at its bound. */
#define APP_FACTS_TEXT_MAX (APP_HINT_TEXT_MAX + APP_CN_MAX + 64)

#endif
