/* explain.h - --explain: each labeled packet told in plain words, with its own numbers, in a chosen language. */
#ifndef TCPNOTE_EXPLAIN_H
#define TCPNOTE_EXPLAIN_H

#include <stdbool.h>

#include "tcpnote/app_hints.h"
#include "tcpnote/labels.h"
#include "tcpnote/packet.h"
#include "tcpnote/relseq.h"
#include "tcpnote/sbuf.h"
#include "tcpnote/track.h"

/*
 * The sentences, one per label and hint, with variants where a number may
 * be unknown. A language is one table of them (explain_en.c, explain_zh.c):
 * each template is text with {1}..{4} for the numbers (worked out once, the
 * same in every language), {s} for the sender's role and {r} for the
 * receiver's, and {c} for a certificate chain ("leaf ← issuer ← ..."). Adding
 * a language is adding a table and a line to explain.c.
 */
enum explain_sentence {
	EX_HANDSHAKE_1,
	EX_PORT_REUSE,
	EX_HANDSHAKE_2,
	EX_HANDSHAKE_3,
	EX_HANDSHAKE_3_RELATIVE,
	EX_SIMULTANEOUS_OPEN,
	EX_MIDSTREAM,
	EX_DATA,
	EX_ACK,
	EX_ACK_FIRST,
	EX_KEEPALIVE,
	EX_KEEPALIVE_ACK,
	EX_CLOSE_1,
	EX_CLOSE_2,
	EX_CLOSE_3,
	EX_FIN_MERGED,
	EX_CLOSE_4,
	EX_SIMULTANEOUS_CLOSE,
	EX_RESET,
	EX_REFUSED,
	EX_ZERO_WINDOW_PROBE,
	EX_ZERO_WINDOW,
	EX_PREVIOUS_NOT_CAPTURED,
	EX_WINDOW_UPDATE,
	EX_WINDOW_FULL,
	EX_ZERO_WINDOW_PROBE_ACK,
	EX_DUP_ACK,
	EX_ACKED_UNSEEN,
	EX_SPURIOUS_RETRANSMISSION,
	EX_FAST_RETRANSMISSION,
	EX_OUT_OF_ORDER,
	EX_RETRANSMISSION,
	EX_DUPLICATE,
	EX_STARTTLS,
	EX_TLS_CLIENT_HELLO,
	EX_TLS_SERVER_HELLO,
	EX_TLS_CERTIFICATE,
	EX_TLS_CHANGE_CIPHER,
	EX_TLS_ALERT,
	EX_TLS_ALERT_ENCRYPTED,
	EX_TLS_CLOSE_NOTIFY,
	EX_TLS_APP_DATA,
	EX_HTTP_REQUEST,
	EX_HTTP_RESPONSE,
	EX_TLS_HELLO_RETRY,
	EX_TLS_RESUMED_PSK_DHE,
	EX_TLS_RESUMED_PSK,
	EX_TLS_RESUMED_ID,
	/* With --keylog: the decrypted hints, and which secret of the key log read them. */
	EX_TLS_ENC_EXT,
	EX_TLS_ENC_EXT_ALPN,
	EX_TLS_DEC_CERTIFICATE,
	EX_TLS_DEC_CERTIFICATE_ONE,
	EX_TLS_CERT_VERIFY,
	EX_TLS_FINISHED,
	EX_TLS_NEW_TICKET,
	EX_TLS_KEY_UPDATE,
	EX_TLS_KEY_UPDATE_ASKED,
	EX_TLS_UNDEC_NO_KEY,
	EX_TLS_UNDEC_CIPHER,
	EX_TLS_UNDEC_AUTH,
	EX_TLS_UNDEC_GAP,
	EX_TLS_UNDEC_MEMORY,
	EX_KEYS,         /* added after a decrypted hint's sentence: its own spacing included */
	EX_KEYS_UPDATED,
	EX_CKSUM_LOOPBACK,
	EX_CKSUM_OFFLOAD,
	/* Kafka: the sentence of a message, then the added ones that apply (each with its own spacing). */
	EX_KAFKA_REQUEST,
	EX_KAFKA_FETCH_REQUEST,
	EX_KAFKA_PRODUCE_REQUEST,
	EX_KAFKA_RESPONSE,
	EX_KAFKA_PRODUCE_RESPONSE,
	EX_KAFKA_FETCH_RESPONSE,
	EX_KAFKA_FETCH_NO_HW,
	EX_KAFKA_RECORDS,
	EX_KAFKA_LAG,
	EX_KAFKA_LAG_NONE,
	EX_KAFKA_LAG_AHEAD,
	EX_KAFKA_HW_MOVED,
	EX_KAFKA_HW_SAME,
	EX_KAFKA_HW_FIRST,
	EX_KAFKA_STABLE_START,
	EX_KAFKA_STABLE,
	EX_KAFKA_ERROR,
	EX_KAFKA_ERR_OFFSET_OUT_OF_RANGE,
	EX_KAFKA_ERR_UNKNOWN_TOPIC,
	EX_KAFKA_ERR_NOT_LEADER,
	EX_KAFKA_ERR_COORDINATOR,
	EX_KAFKA_ERR_UNKNOWN_MEMBER,
	EX_KAFKA_ERR_REBALANCE,
	EX_KAFKA_ERR_UNSUPPORTED_VERSION,
	EX_KAFKA_ERR_MEMBER_ID_REQUIRED,
	EX_COUNT
};

struct explain_lang {
	const char *code;                  /* "en", "zh": what --lang takes */
	const char *role[2];               /* the client, the server */
	const char *none;                  /* stands in for an absent name ("none") */
	const char *sentence[EX_COUNT];
};

extern const struct explain_lang explain_en;
extern const struct explain_lang explain_zh;

/* The language called code ("en", "zh"), or NULL. */
const struct explain_lang *explain_lang_find(const char *code);

/*
 * The language of the environment, as the C library chooses one for
 * messages: the first set of LC_ALL, LC_MESSAGES, LANG; "zh..." is Chinese,
 * anything else English.
 */
const struct explain_lang *explain_lang_from_env(void);

/*
 * Append the explanation of one packet: a line "    # LABEL: sentence" for
 * each of its labels and hints, each ending in a newline; and, with vflag,
 * for the first incorrect TCP checksum of the run (*cksum_told false, then
 * set: the reason is the same for all of them). ctx is the tracker's seg_context for it (NULL or
 * not valid: the packet belongs to no connection, and nothing is written).
 * v holds the seq and ack the line printed (relative unless -S; NULL: raw):
 * the sentences use the same numbers, and handshakes name the raw ISNs.
 * Text from the packet (names, paths) is escaped for a terminal.
 */
void explain_packet(struct sbuf *out, const struct explain_lang *lang, const struct packet *p,
		    const struct relseq_view *v, const struct labels *l, const struct app_hints *h,
		    const struct seg_context *ctx, int vflag, bool *cksum_told);

#endif
