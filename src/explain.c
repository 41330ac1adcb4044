/* explain.c - --explain: picks each label's sentence, works out its numbers, and fills the language's template. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpnote/app_starttls.h"
#include "tcpnote/explain.h"
#include "tcpnote/kafka_names.h"
#include "tcpnote/seq.h"
#include "tcpnote/tls_keylog.h"
#include "tcpnote/tls_names.h"

static const struct explain_lang *const languages[] = {&explain_en, &explain_zh};

const struct explain_lang *explain_lang_find(const char *code)
{
	size_t i;

	for (i = 0; i < sizeof(languages) / sizeof(languages[0]); i++)
		if (strcmp(languages[i]->code, code) == 0)
			return languages[i];
	return NULL;
}

const struct explain_lang *explain_lang_from_env(void)
{
	static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		if (v != NULL && v[0] != '\0')
			return strncmp(v, "zh", 2) == 0 ? &explain_zh : &explain_en;
	}
	return &explain_en;
}

/* The numbers and names of one sentence, already text (a server name is the longest). */
struct args {
	char v[4][APP_SNI_MAX + 16];
	int n;
	const struct app_cert_chain *certs; /* {c}: the chain, or NULL (then leaf alone) */
	const char *leaf;
};

/* Between the certificates of a chain, each issued by the next: "leaf ← issuer". */
#define CHAIN_ARROW " \xe2\x86\x90 "

static void arg_uint(struct args *a, unsigned long long x)
{
	snprintf(a->v[a->n++], sizeof(a->v[0]), "%llu", x);
}

/* A decimal with the given digits after the point (seconds, milliseconds). */
static void arg_fixed(struct args *a, double x, int digits)
{
	snprintf(a->v[a->n++], sizeof(a->v[0]), "%.*f", digits, x);
}

/* A name, cut to fit (every name kept by the parser does). */
static void arg_text(struct args *a, const char *s)
{
	size_t n = strnlen(s, sizeof(a->v[0]) - 1);

	memcpy(a->v[a->n], s, n);
	a->v[a->n++][n] = '\0';
}

/* A name from a certificate, escaped; the language's word for none when it is empty. */
static void put_name(struct sbuf *out, const struct explain_lang *lang, const char *name)
{
	sbuf_put_safe(out, name[0] != '\0' ? name : lang->none, APP_CN_MAX + 1);
}

/*
 * {c}: the subject CNs of the certificates sent, leaf first, then the last
 * one's issuer when it was not sent (the root the peer must already trust):
 * "leaf ← intermediate ← root". A chain cut at APP_CHAIN_MAX ends in "← ...".
 */
static void put_chain(struct sbuf *out, const struct explain_lang *lang, const struct args *a)
{
	const struct app_cert_chain *c = a->certs;
	const struct app_cert *last;
	unsigned i;

	if (c == NULL || c->n == 0) {
		put_name(out, lang, a->leaf != NULL ? a->leaf : "");
		return;
	}
	for (i = 0; i < c->n; i++) {
		if (i > 0)
			sbuf_puts(out, CHAIN_ARROW);
		put_name(out, lang, c->cert[i].subject_cn);
	}
	last = &c->cert[c->n - 1];
	if (c->sent > c->n) {
		sbuf_puts(out, CHAIN_ARROW "...");
	} else if (last->issuer_cn[0] != '\0' && strcmp(last->issuer_cn, last->subject_cn) != 0) {
		sbuf_puts(out, CHAIN_ARROW);
		put_name(out, lang, last->issuer_cn);
	}
}

/*
 * Write template t: text as it is (it is ours, and may be UTF-8), {1}..{4}
 * from args escaped (they may come from the packet), {s}/{r} the roles, {c}
 * the certificate chain.
 */
static void fill(struct sbuf *out, const struct explain_lang *lang, const char *t,
		 const struct args *a, int role)
{
	while (*t != '\0') {
		const char *open = strchr(t, '{');

		if (open == NULL || open[1] == '\0' || open[2] != '}') {
			sbuf_puts(out, t);
			return;
		}
		sbuf_putn(out, t, (size_t)(open - t));
		if (open[1] == 's' || open[1] == 'r')
			sbuf_puts(out, lang->role[(open[1] == 's') == (role == ROLE_CLIENT) ? 0 : 1]);
		else if (open[1] == 'c')
			put_chain(out, lang, a);
		else if (open[1] >= '1' && open[1] - '1' < a->n)
			sbuf_put_safe(out, a->v[open[1] - '1'], sizeof(a->v[0]));
		else
			sbuf_putn(out, open, 3);
		t = open + 3;
	}
}

/* "    # WHAT: sentence", without its newline. */
static void line_open(struct sbuf *out, const struct explain_lang *lang, const char *what,
		      enum explain_sentence s, const struct args *a, int role)
{
	sbuf_puts(out, "    # ");
	sbuf_put_safe(out, what, 128);
	sbuf_puts(out, ": ");
	fill(out, lang, lang->sentence[s], a, role);
}

static void line(struct sbuf *out, const struct explain_lang *lang, const char *what,
		 enum explain_sentence s, const struct args *a, int role)
{
	line_open(out, lang, what, s, a, role);
	sbuf_putc(out, '\n');
}

/* The window the sender advertises, in bytes (scaled once scaling is agreed). */
static unsigned long long window_bytes(const struct packet *p, const struct track_dir *d)
{
	unsigned long long w = p->tcp.win;

	if (!(p->tcp.flags & TCPF_SYN) && d->wscale >= 0)
		w <<= d->wscale;
	return w;
}

/* The sentence for label l of packet p, and its numbers. */
static enum explain_sentence label_sentence(enum label l, const struct packet *p,
					    const struct relseq_view *v, const struct labels *ls,
					    const struct seg_context *ctx, struct args *a)
{
	const struct tcp_info *t = &p->tcp;
	const struct track_dir *me = &ctx->before[ctx->role];
	/* The numbers as the line prints them (relative unless -S); handshakes also name the raw ISNs. */
	uint32_t seq = v->seq, ack = v->ack;
	uint32_t data = seq + ((t->flags & TCPF_SYN) ? 1u : 0u);

	switch (l) {
	case LABEL_HANDSHAKE_1:
		arg_uint(a, t->seq);
		return EX_HANDSHAKE_1;
	case LABEL_PORT_REUSE:
		arg_uint(a, t->seq);
		return EX_PORT_REUSE;
	case LABEL_HANDSHAKE_2:
		arg_uint(a, t->ack);
		arg_uint(a, t->ack - 1);
		arg_uint(a, t->seq);
		return EX_HANDSHAKE_2;
	case LABEL_HANDSHAKE_3:
		arg_uint(a, ack);
		arg_uint(a, t->ack - 1);
		arg_fixed(a, ctx->rtt_us / 1e3, 3);
		return ack == t->ack ? EX_HANDSHAKE_3 : EX_HANDSHAKE_3_RELATIVE;
	case LABEL_SIMULTANEOUS_OPEN:
		return EX_SIMULTANEOUS_OPEN;
	case LABEL_MIDSTREAM:
		return EX_MIDSTREAM;
	case LABEL_DATA:
		arg_uint(a, t->paylen);
		arg_uint(a, data);
		arg_uint(a, data + t->paylen);
		return EX_DATA;
	case LABEL_ACK:
		arg_uint(a, ack);
		if (!me->ack_valid)
			return EX_ACK_FIRST;
		arg_uint(a, seq_gt(t->ack, me->maxack) ? t->ack - me->maxack : 0u);
		return EX_ACK;
	case LABEL_KEEPALIVE:
		arg_uint(a, seq);
		arg_uint(a, seq + 1);
		arg_fixed(a, ctx->prev_ns > 0 ? (double)(packet_time_ns(p) - ctx->prev_ns) / 1e9 : 0.0, 1);
		return EX_KEEPALIVE;
	case LABEL_KEEPALIVE_ACK:
		arg_uint(a, ack);
		return EX_KEEPALIVE_ACK;
	case LABEL_CLOSE_1:
	case LABEL_CLOSE_3:
		arg_uint(a, data + t->paylen);
		return l == LABEL_CLOSE_1 ? EX_CLOSE_1 : EX_CLOSE_3;
	case LABEL_CLOSE_2:
	case LABEL_FIN_MERGED:
	case LABEL_CLOSE_4:
		arg_uint(a, ack);
		arg_uint(a, ack - 1);
		return l == LABEL_CLOSE_2 ? EX_CLOSE_2 : l == LABEL_FIN_MERGED ? EX_FIN_MERGED : EX_CLOSE_4;
	case LABEL_SIMULTANEOUS_CLOSE:
		return EX_SIMULTANEOUS_CLOSE;
	case LABEL_RESET:
		return EX_RESET;
	case LABEL_REFUSED:
		return EX_REFUSED;
	case LABEL_ZERO_WINDOW_PROBE:
		arg_uint(a, seq);
		return EX_ZERO_WINDOW_PROBE;
	case LABEL_ZERO_WINDOW:
		return EX_ZERO_WINDOW;
	case LABEL_PREVIOUS_NOT_CAPTURED:
		arg_uint(a, t->seq - me->nextseq);
		arg_uint(a, seq - (t->seq - me->nextseq));
		arg_uint(a, seq);
		return EX_PREVIOUS_NOT_CAPTURED;
	case LABEL_WINDOW_UPDATE:
		arg_uint(a, window_bytes(p, me));
		return EX_WINDOW_UPDATE;
	case LABEL_WINDOW_FULL:
		arg_uint(a, data + t->paylen);
		return EX_WINDOW_FULL;
	case LABEL_ZERO_WINDOW_PROBE_ACK:
		return EX_ZERO_WINDOW_PROBE_ACK;
	case LABEL_DUP_ACK:
		arg_uint(a, ls->dup_ack);
		arg_uint(a, ack);
		return EX_DUP_ACK;
	case LABEL_ACKED_UNSEEN:
		arg_uint(a, ack);
		return EX_ACKED_UNSEEN;
	case LABEL_SPURIOUS_RETRANSMISSION:
	case LABEL_FAST_RETRANSMISSION:
	case LABEL_OUT_OF_ORDER:
	case LABEL_RETRANSMISSION:
		arg_uint(a, data);
		arg_uint(a, data + t->paylen);
		return l == LABEL_SPURIOUS_RETRANSMISSION ? EX_SPURIOUS_RETRANSMISSION
		       : l == LABEL_FAST_RETRANSMISSION   ? EX_FAST_RETRANSMISSION
		       : l == LABEL_OUT_OF_ORDER          ? EX_OUT_OF_ORDER
							  : EX_RETRANSMISSION;
	case LABEL_DUPLICATE:
	default:
		return EX_DUPLICATE;
	}
}

/* The session ID in hex (at most 32 bytes: 64 digits). */
static void arg_hex(struct args *a, const uint8_t *b, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char *v = a->v[a->n++];
	size_t i;

	for (i = 0; i < n && 2 * i + 2 < sizeof(a->v[0]); i++) {
		v[2 * i] = hex[b[i] >> 4];
		v[2 * i + 1] = hex[b[i] & 15];
	}
	v[2 * i] = '\0';
}

/* The key-log label of the secret a decrypted hint of kind k was read with (or failed with). */
static void arg_label(struct args *a, const struct app_hints *h, enum app_hint_kind k)
{
	arg_text(a, tls_keylog_label_name((enum tls_keylog_label)h->keys[k].label));
}

/* "tls resumed": by a PSK (TLS 1.3), or by the session ID echoed (before). */
static enum explain_sentence resumed_sentence(const struct app_hints *h, struct args *a)
{
	if (h->psk)
		return h->psk_dhe ? EX_TLS_RESUMED_PSK_DHE : EX_TLS_RESUMED_PSK;
	arg_hex(a, h->session_id, h->session_id_len);
	return EX_TLS_RESUMED_ID;
}

/* "tls cannot decrypt (REASON)": why, and the secret that was missing or wrong. */
static enum explain_sentence undecryptable_sentence(const struct app_hints *h, struct args *a)
{
	switch (h->undecryptable) {
	case APP_UNDEC_NO_KEY:
		arg_label(a, h, APP_HINT_CANNOT_DECRYPT);
		return EX_TLS_UNDEC_NO_KEY;
	case APP_UNDEC_CIPHER:
		return EX_TLS_UNDEC_CIPHER;
	case APP_UNDEC_AUTH:
		arg_label(a, h, APP_HINT_CANNOT_DECRYPT);
		return EX_TLS_UNDEC_AUTH;
	case APP_UNDEC_GAP:
		return EX_TLS_UNDEC_GAP;
	case APP_UNDEC_MEMORY:
	default:
		return EX_TLS_UNDEC_MEMORY;
	}
}

/* The sentences of the hints only a key log gives (app_hint_decrypted). */
static enum explain_sentence decrypted_sentence(enum app_hint_kind k, const struct app_hints *h,
						struct args *a)
{
	char tmp[16];

	switch (k) {
	case APP_HINT_ENC_EXT:
		if (h->alpn[0] == '\0')
			return EX_TLS_ENC_EXT;
		arg_text(a, h->alpn);
		return EX_TLS_ENC_EXT_ALPN;
	case APP_HINT_DEC_CERTIFICATE:
		arg_uint(a, h->chain);
		arg_text(a, h->cn);
		a->certs = h->certs;
		a->leaf = h->cn;
		return h->chain > 1 ? EX_TLS_DEC_CERTIFICATE : EX_TLS_DEC_CERTIFICATE_ONE;
	case APP_HINT_CERT_VERIFY:
		if (tls_sigscheme_name(h->sig_scheme) == NULL) {
			snprintf(tmp, sizeof(tmp), "0x%04x", h->sig_scheme);
			arg_text(a, tmp);
		} else {
			arg_text(a, tls_sigscheme_name(h->sig_scheme));
		}
		return EX_TLS_CERT_VERIFY;
	case APP_HINT_FINISHED:
		return EX_TLS_FINISHED;
	case APP_HINT_NEW_TICKET:
		arg_uint(a, h->ticket_lifetime);
		return EX_TLS_NEW_TICKET;
	case APP_HINT_KEY_UPDATE:
		return h->key_update_asked ? EX_TLS_KEY_UPDATE_ASKED : EX_TLS_KEY_UPDATE;
	case APP_HINT_CANNOT_DECRYPT:
	default:
		return undecryptable_sentence(h, a);
	}
}

/* The sentence for hint k, and its numbers and names. */
static enum explain_sentence hint_sentence(enum app_hint_kind k, const struct app_hints *h,
					   const struct explain_lang *lang, struct args *a)
{
	char tmp[16];

	if (app_hint_decrypted(k))
		return decrypted_sentence(k, h, a);
	switch (k) {
	case APP_HINT_STARTTLS:
		arg_text(a, app_starttls_proto_name((enum app_starttls_proto)h->starttls));
		return EX_STARTTLS;
	case APP_HINT_CLIENT_HELLO:
		arg_text(a, h->sni[0] ? h->sni : lang->none);
		arg_text(a, h->alpn[0] ? h->alpn : lang->none);
		return EX_TLS_CLIENT_HELLO;
	case APP_HINT_SERVER_HELLO:
		arg_text(a, app_tls_version_text(h->version, tmp, sizeof(tmp)));
		arg_text(a, app_tls_cipher_text(h->cipher, tmp, sizeof(tmp)));
		return h->hello_retry ? EX_TLS_HELLO_RETRY : EX_TLS_SERVER_HELLO;
	case APP_HINT_RESUMED:
		return resumed_sentence(h, a);
	case APP_HINT_CERTIFICATE:
		arg_text(a, h->cn[0] ? h->cn : lang->none);
		return EX_TLS_CERTIFICATE;
	case APP_HINT_CHANGE_CIPHER:
		return EX_TLS_CHANGE_CIPHER;
	case APP_HINT_ALERT:
		if (h->alert_encrypted)
			return EX_TLS_ALERT_ENCRYPTED;
		if (h->alert_desc == 0) /* close_notify (RFC 8446 section 6.1): the end, not an error */
			return EX_TLS_CLOSE_NOTIFY;
		if (tls_alert_level_name(h->alert_level) != NULL)
			arg_text(a, tls_alert_level_name(h->alert_level));
		else
			arg_uint(a, h->alert_level);
		if (tls_alert_name(h->alert_desc) != NULL)
			arg_text(a, tls_alert_name(h->alert_desc));
		else
			arg_uint(a, h->alert_desc);
		return EX_TLS_ALERT;
	case APP_HINT_APP_DATA:
		return EX_TLS_APP_DATA;
	case APP_HINT_HTTP_REQUEST:
		arg_text(a, h->method);
		arg_text(a, h->path);
		if (h->path_truncated)
			strcat(a->v[a->n - 1], "..."); /* APP_PATH_MAX + 3 fits */
		return EX_HTTP_REQUEST;
	case APP_HINT_HTTP_RESPONSE:
	default:
		arg_uint(a, h->status);
		return EX_HTTP_RESPONSE;
	}
}

/* A signed number (Kafka's offsets). */
static void arg_int(struct args *a, long long x)
{
	snprintf(a->v[a->n++], sizeof(a->v[0]), "%lld", x);
}

/* "TOPIC/PARTITION" of a Kafka hint, "..." after a topic that was cut. */
static void arg_partition(struct args *a, const struct app_kafka_hint *h)
{
	snprintf(a->v[a->n++], sizeof(a->v[0]), "%s%s/%d", h->topic, h->topic_cut ? "..." : "",
		 (int)h->partition);
}

/* An API's name as the protocol guide writes it, "api K" for a key without one. */
static void arg_api(struct args *a, int16_t key)
{
	if (kafka_api_name(key) != NULL)
		arg_text(a, kafka_api_name(key));
	else
		snprintf(a->v[a->n++], sizeof(a->v[0]), "api %d", key);
}

/* Append sentence s with the numbers given (an added sentence carries its own spacing). */
static void also(struct sbuf *out, const struct explain_lang *lang, enum explain_sentence s,
		 int role, int n, const long long *v)
{
	struct args a;
	int i;

	a.n = 0;
	a.certs = NULL;
	a.leaf = NULL;
	for (i = 0; i < n; i++)
		arg_int(&a, v[i]);
	fill(out, lang, lang->sentence[s], &a, role);
}

/* The first sentence of a Kafka message: what it is, by API where one says more. */
static enum explain_sentence kafka_sentence(const struct app_kafka_hint *h, struct args *a)
{
	if (!h->response && h->has_partition && h->api_key == KAFKA_FETCH) {
		arg_partition(a, h);
		arg_int(a, h->offset);
		arg_int(a, h->api_version);
		arg_int(a, h->correlation_id);
		return EX_KAFKA_FETCH_REQUEST;
	}
	if (!h->response && h->has_partition && h->api_key == KAFKA_PRODUCE && h->records >= 0) {
		arg_partition(a, h);
		arg_int(a, h->records);
		arg_int(a, h->api_version);
		arg_int(a, h->correlation_id);
		return EX_KAFKA_PRODUCE_REQUEST;
	}
	if (h->response && h->has_partition && h->api_key == KAFKA_PRODUCE && h->error == 0) {
		arg_partition(a, h);
		arg_int(a, h->offset);
		return EX_KAFKA_PRODUCE_RESPONSE;
	}
	if (h->response && h->has_partition && h->api_key == KAFKA_FETCH) {
		arg_partition(a, h);
		arg_int(a, h->offset);
		return h->offset >= 0 ? EX_KAFKA_FETCH_RESPONSE : EX_KAFKA_FETCH_NO_HW;
	}
	arg_api(a, h->api_key);
	if (h->response) {
		arg_int(a, h->correlation_id);
		return EX_KAFKA_RESPONSE;
	}
	arg_int(a, h->api_version);
	arg_int(a, h->correlation_id);
	return EX_KAFKA_REQUEST;
}

/* A Fetch response's high watermark: records, lag, how it moved, the other two offsets. */
static void kafka_fetch_more(struct sbuf *out, const struct explain_lang *lang,
			     const struct app_kafka_hint *h, int role)
{
	long long v[2];

	if (h->records >= 0) {
		v[0] = h->records;
		also(out, lang, EX_KAFKA_RECORDS, role, 1, v);
	}
	if (h->offset < 0)
		return;
	if (h->fetch_offset >= 0) {
		v[0] = h->fetch_offset;
		v[1] = h->offset - h->fetch_offset;
		also(out, lang, v[1] > 0 ? EX_KAFKA_LAG : v[1] == 0 ? EX_KAFKA_LAG_NONE : EX_KAFKA_LAG_AHEAD,
		     role, v[1] > 0 ? 2 : 1, v);
	}
	if (h->prev == APP_KAFKA_PREV_KNOWN) {
		v[0] = h->prev_high_watermark;
		v[1] = h->offset;
		also(out, lang, v[0] != v[1] ? EX_KAFKA_HW_MOVED : EX_KAFKA_HW_SAME, role,
		     v[0] != v[1] ? 2 : 1, v);
	} else if (h->prev == APP_KAFKA_PREV_FIRST) {
		also(out, lang, EX_KAFKA_HW_FIRST, role, 0, v);
	}
	v[0] = h->last_stable;
	v[1] = h->log_start;
	if (h->last_stable >= 0)
		also(out, lang, h->log_start >= 0 ? EX_KAFKA_STABLE_START : EX_KAFKA_STABLE, role, 2, v);
}

/* The meaning of a Kafka error code, for the common ones; the others by name. */
static void kafka_error(struct sbuf *out, const struct explain_lang *lang, int16_t code, int role)
{
	static const struct {
		int16_t code;
		enum explain_sentence s;
	} known[] = {
		{1, EX_KAFKA_ERR_OFFSET_OUT_OF_RANGE}, {3, EX_KAFKA_ERR_UNKNOWN_TOPIC},
		{6, EX_KAFKA_ERR_NOT_LEADER},          {14, EX_KAFKA_ERR_COORDINATOR},
		{15, EX_KAFKA_ERR_COORDINATOR},        {16, EX_KAFKA_ERR_COORDINATOR},
		{25, EX_KAFKA_ERR_UNKNOWN_MEMBER},     {27, EX_KAFKA_ERR_REBALANCE},
		{35, EX_KAFKA_ERR_UNSUPPORTED_VERSION}, {79, EX_KAFKA_ERR_MEMBER_ID_REQUIRED},
	};
	enum explain_sentence s = EX_KAFKA_ERROR;
	struct args a;
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (known[i].code == code)
			s = known[i].s;
	a.n = 0;
	a.certs = NULL;
	a.leaf = NULL;
	if (kafka_error_name(code) != NULL)
		arg_text(&a, kafka_error_name(code));
	else
		snprintf(a.v[a.n++], sizeof(a.v[0]), "%d", code);
	fill(out, lang, lang->sentence[s], &a, role);
}

/* "    # kafka NAME request|response: ...": the message, then what its numbers add. */
static void kafka_line(struct sbuf *out, const struct explain_lang *lang,
		       const struct app_kafka_hint *h, int role)
{
	char what[64];
	struct args a;

	a.n = 0;
	a.certs = NULL;
	a.leaf = NULL;
	if (kafka_api_name(h->api_key) != NULL)
		snprintf(what, sizeof(what), "kafka %s %s", kafka_api_name(h->api_key),
			 h->response ? "response" : "request");
	else
		snprintf(what, sizeof(what), "kafka api %d %s", h->api_key,
			 h->response ? "response" : "request");
	line_open(out, lang, what, kafka_sentence(h, &a), &a, role);
	if (h->response && h->error != 0)
		kafka_error(out, lang, h->error, role);
	if (h->response && h->has_partition && h->api_key == KAFKA_FETCH)
		kafka_fetch_more(out, lang, h, role);
	sbuf_putc(out, '\n');
}

static bool is_loopback(const struct ip_info *ip)
{
	static const uint8_t v6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

	if (ip->head.version == 4)
		return ip->head.src[0] == 127 && ip->head.dst[0] == 127;
	return memcmp(ip->head.src, v6, 16) == 0 && memcmp(ip->head.dst, v6, 16) == 0;
}

void explain_packet(struct sbuf *out, const struct explain_lang *lang, const struct packet *p,
		    const struct relseq_view *v, const struct labels *l, const struct app_hints *h,
		    const struct seg_context *ctx, int vflag, bool *cksum_told)
{
	struct relseq_view raw = {p->tcp.seq, p->tcp.ack, 0};

	uint32_t bits;
	enum label lb;
	enum app_hint_kind k;
	struct args a;

	if (ctx == NULL || !ctx->valid)
		return;
	for (bits = l->bits; (lb = labels_next(&bits)) != LABEL_COUNT;) {
		char what[32];
		enum explain_sentence s;

		a.n = 0;
		s = label_sentence(lb, p, v != NULL ? v : &raw, l, ctx, &a);
		if (lb == LABEL_DUP_ACK)
			snprintf(what, sizeof(what), "%s #%u", label_name(lb), l->dup_ack);
		else
			snprintf(what, sizeof(what), "%s", label_name(lb));
		line(out, lang, what, s, &a, ctx->role);
	}
	for (bits = h != NULL ? h->bits : 0; (k = app_hints_next(&bits)) != APP_HINT_COUNT;) {
		if (app_hint_kafka(k)) {
			kafka_line(out, lang, &h->kafka_info[k - APP_HINT_KAFKA_0], ctx->role);
			continue;
		}
		a.n = 0;
		a.certs = NULL;
		a.leaf = NULL;
		line_open(out, lang, app_hint_kind_name(k), hint_sentence(k, h, lang, &a), &a,
			  ctx->role);
		/* Read from a record the key log opened: which secret, never the secret itself. */
		if ((h->decrypted_bits >> k & 1u) && k != APP_HINT_CANNOT_DECRYPT) {
			a.n = 0;
			arg_label(&a, h, k);
			arg_uint(&a, h->keys[k].updates);
			fill(out, lang, lang->sentence[h->keys[k].updates > 0 ? EX_KEYS_UPDATED : EX_KEYS],
			     &a, ctx->role);
		}
		sbuf_putc(out, '\n');
	}
	if (vflag && p->tcp.cksum_checked && !p->tcp.cksum_ok && !*cksum_told) {
		*cksum_told = true;
		a.n = 0;
		snprintf(a.v[a.n++], sizeof(a.v[0]), "0x%04x", p->tcp.sum);
		snprintf(a.v[a.n++], sizeof(a.v[0]), "0x%04x", p->tcp.cksum_shouldbe);
		line(out, lang, "cksum incorrect", is_loopback(&p->ip) ? EX_CKSUM_LOOPBACK : EX_CKSUM_OFFLOAD,
		     &a, ctx->role);
	}
}
