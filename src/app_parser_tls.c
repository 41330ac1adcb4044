/* app_parser_tls.c - the TLS and HTTP/1.x parser of a connection: a direction state each, the STARTTLS prefix, the key-log session. */
#include <stdlib.h>
#include <string.h>

#include "app_parser.h"
#include "tcpnote/app_keys.h"
#include "tcpnote/app_starttls.h"
#include "tcpnote/app_track.h"

/*
 * One parser for TLS and HTTP: both are judged by app_sniff and read by the
 * same direction state (struct app_dir), which may be either, and HTTP
 * CONNECT starts as one and turns into the other. The cleartext prefixes
 * that switch to TLS (app_starttls.c) are followed here too, not as a parser
 * of their own: their only news is where TLS starts, and at that byte this
 * parser replaces both directions' states (and the key-log session) at once.
 */
struct tls_conn {
	struct app_dir *dir[2];        /* NULL: not followed (not TLS/HTTP, or done) */
	struct app_tls_session *tls;   /* with a key log, once a direction starts like TLS */
	struct app_cert_chain *chain;  /* the server's certificates, when collected */
	struct app_starttls *follow;   /* a cleartext prefix followed to its switch, or NULL */
	uint8_t client_sid[APP_SID_MAX]; /* the ClientHello's legacy_session_id */
	uint8_t client_sid_len;
	bool dropped;                  /* the prefix gave up and nothing else is left: done */
};

/* TLS or HTTP by a direction's first bytes, or a cleartext prefix by the connection's. */
static bool tls_sniff(int role, bool first, const uint8_t *payload, size_t len)
{
	return app_sniff(payload, len) != APP_NONE ||
	       (first && app_starttls_opens(role, payload, len));
}

static void *tls_new(void)
{
	return calloc(1, sizeof(struct tls_conn));
}

static void tls_free(void *st)
{
	struct tls_conn *c = st;

	if (c == NULL)
		return;
	app_dir_free(c->dir[0]);
	app_dir_free(c->dir[1]);
	/* Records the session still holds are settled now, into the facts (freed after). */
	app_tls_session_free(c->tls);
	free(c->chain);
	app_starttls_free(c->follow);
	free(c);
}

/* The connection's key-log session (live, hints may come late, for the facts too: they are kept from the start). */
static bool session_new(struct tls_conn *c, const struct app_ctx *cx)
{
	struct app_conn_facts **facts = cx->facts;

	if ((cx->want & APP_TRACK_FACTS) && app_keys_live(cx->keys) && *facts == NULL &&
	    (*facts = calloc(1, sizeof(**facts))) == NULL)
		return false;
	return (c->tls = app_keys_session_new(cx->keys, *facts)) != NULL;
}

/*
 * A direction's first payload: TLS or HTTP gets a direction state
 * (app_sniff); the connection's very first payload may also open a
 * cleartext protocol that can switch to TLS later (app_starttls_open).
 */
static bool tls_open(void *st, const struct app_seg *sg, const struct app_ctx *cx)
{
	struct tls_conn *c = st;
	enum app_proto proto = app_sniff(sg->payload, sg->len);
	int role = sg->role;
	bool no_memory = false;

	if (sg->first && c->follow == NULL &&
	    (c->follow = app_starttls_open(role, sg->payload, sg->len, &no_memory)) == NULL &&
	    no_memory)
		return false;
	if (c->follow != NULL && sg->have_next)
		app_starttls_anchor(c->follow, role, sg->next_seq);
	if (proto == APP_NONE)
		return true;
	if ((c->dir[role] = app_dir_new()) == NULL)
		return false;
	if (sg->have_next)
		app_dir_anchor(c->dir[role], sg->next_seq);
	if (role == 1 && (cx->want & APP_TRACK_CERTS))
		app_dir_collect_chain(c->dir[role], &c->chain);
	if (cx->keys != NULL && proto == APP_TLS) {
		if (c->tls == NULL && !session_new(c, cx))
			return false;
		app_dir_set_session(c->dir[role], c->tls);
	}
	return true;
}

/* app_feed starts a segment's hints afresh: those of parsers before this one are kept. */
static void tls_feed(void *st, const struct app_seg *sg, struct app_hints *out)
{
	struct tls_conn *c = st;
	uint32_t bits = out->bits, decrypted = out->decrypted_bits;

	if (c->dir[sg->role] == NULL)
		return;
	app_feed(c->dir[sg->role], sg->role == 0, sg->seq, sg->payload, sg->len, out);
	out->bits |= bits;
	out->decrypted_bits |= decrypted;
}

/* What the segment says of the peer's direction: its ACK, or a reset of both. */
static void peer_news(struct tls_conn *c, int role, const struct tcp_info *t,
		      struct app_hints *out)
{
	if (t->flags & TCPF_ACK)
		app_dir_acked(c->dir[!role], role != 0, t->ack, out);
	if (t->flags & TCPF_RST) {
		app_dir_reset(c->dir[0], true, out);
		app_dir_reset(c->dir[1], false, out);
	}
}

#define TLS13 0x0304

/*
 * What a hello says about the other direction: the ClientHello's session
 * ID, kept for the ServerHello; a HelloRetryRequest, told to the client's
 * direction; and whether the ServerHello resumes a session. In TLS 1.3 a
 * resumed session is one whose ServerHello accepts a PSK (RFC 8446 section
 * 4.2.11); before it, one whose ServerHello echoes the client's non-empty
 * session ID (RFC 5246 section 7.4.1.3, and RFC 5077 section 3.4 for a
 * ticket). TLS 1.3 echoes the ID in every ServerHello (appendix D.4), so
 * there the ID says nothing.
 */
static void hello_facts(struct tls_conn *c, struct app_hints *out)
{
	bool resumed;

	if (app_hints_has(out, APP_HINT_CLIENT_HELLO) && c->client_sid_len == 0) {
		c->client_sid_len = out->session_id_len;
		memcpy(c->client_sid, out->session_id, out->session_id_len);
	}
	if (!app_hints_has(out, APP_HINT_SERVER_HELLO))
		return;
	if (out->hello_retry) {
		app_dir_hello_retry(c->dir[0]);
		return;
	}
	if (out->version == TLS13)
		resumed = out->psk;
	else
		resumed = c->client_sid_len > 0 && out->session_id_len == c->client_sid_len &&
			  memcmp(out->session_id, c->client_sid, c->client_sid_len) == 0;
	if (resumed)
		out->bits |= 1u << APP_HINT_RESUMED;
}

/*
 * TLS starts at sw->tls_seq in each direction: both get a new TLS parser
 * (and, with a key log, a session) from that byte. The rest of this
 * segment, when it goes on past the switch (a MySQL client sends its
 * ClientHello right behind the SSL request), is read at once; its hints
 * join the switch's, unless the segment already had cleartext hints
 * (HTTP's, which a proxy never sends together with TLS).
 */
static bool start_tls(struct tls_conn *c, const struct app_seg *sg, const struct app_ctx *cx,
		      const struct app_starttls_switch *sw, struct app_hints *out)
{
	struct app_hints rest;
	int r;

	if (sw->proto != APP_STARTTLS_CONNECT) {
		out->bits |= 1u << APP_HINT_STARTTLS;
		out->starttls = (uint8_t)sw->proto;
	}
	/* A fresh session: one made for TLS-looking bytes before the switch knows another hello. */
	for (r = 0; r < 2; r++) {
		app_dir_free(c->dir[r]);
		c->dir[r] = NULL;
	}
	app_tls_session_free(c->tls);
	c->tls = NULL;
	if (cx->keys != NULL && !session_new(c, cx))
		return false;
	for (r = 0; r < 2; r++) {
		if ((c->dir[r] = app_dir_new()) == NULL)
			return false;
		app_dir_anchor(c->dir[r], sw->tls_seq[r]);
		if (r == 1 && (cx->want & APP_TRACK_CERTS))
			app_dir_collect_chain(c->dir[r], &c->chain);
		if (c->tls != NULL)
			app_dir_set_session(c->dir[r], c->tls);
	}
	app_feed(c->dir[sg->role], sg->role == 0, sg->seq, sg->payload, sg->len, &rest);
	if (rest.bits != 0 && (out->bits & ~(1u << APP_HINT_STARTTLS)) == 0) {
		uint32_t bits = out->bits;
		uint8_t proto = out->starttls;

		*out = rest;
		out->bits |= bits;
		out->starttls = proto;
	}
	return true;
}

/*
 * Follow the cleartext prefix one more segment: on, given up, or switched
 * to TLS. Given up with no direction, session or certificates left, the
 * parser is done (tls_end).
 */
static bool follow_segment(struct tls_conn *c, const struct app_seg *sg, const struct app_ctx *cx,
			   struct app_hints *out)
{
	struct app_starttls_switch sw;
	enum app_starttls_step step;

	step = app_starttls_feed(c->follow, sg->role, sg->seq, sg->payload, sg->len, &sw);
	if (step == APP_STARTTLS_MORE)
		return true;
	app_starttls_free(c->follow);
	c->follow = NULL;
	if (step == APP_STARTTLS_SWITCH)
		return start_tls(c, sg, cx, &sw, out);
	c->dropped = c->dir[0] == NULL && c->dir[1] == NULL && c->tls == NULL && c->chain == NULL;
	return true;
}

/*
 * After every parser's feed: the peer's ACK or a reset may end a direction
 * waiting on a gap; directions that can give nothing more go; the prefix
 * follower reads the segment (it replaces the directions at a switch, so it
 * comes after them); then the segment's hellos are read across directions.
 */
static enum app_end tls_end(void *st, const struct app_seg *sg, const struct app_ctx *cx,
			    struct app_hints *out)
{
	struct tls_conn *c = st;
	int i;

	peer_news(c, sg->role, sg->tcp, out);
	for (i = 0; i < 2; i++) {
		if (app_dir_done(c->dir[i])) {
			app_dir_free(c->dir[i]);
			c->dir[i] = NULL;
		}
	}
	if (sg->len > 0 && c->follow != NULL && !follow_segment(c, sg, cx, out))
		return APP_END_NO_MEMORY;
	if (c->dropped)
		return APP_END_DONE;
	hello_facts(c, out);
	if ((cx->want & APP_TRACK_CERTS) && (app_hints_has(out, APP_HINT_CERTIFICATE) ||
					     app_hints_has(out, APP_HINT_DEC_CERTIFICATE)))
		out->certs = sg->role == 1 ? c->chain : NULL;
	/* A record opened with the key log: the facts say so (tls_version etc. come from hints). */
	if (app_tls_session_opened(c->tls) && (cx->want & APP_TRACK_FACTS)) {
		if (*cx->facts == NULL && (*cx->facts = calloc(1, sizeof(**cx->facts))) == NULL)
			return APP_END_NO_MEMORY;
		(*cx->facts)->flags |= APP_FACT_DECRYPTED;
	}
	return APP_END_MORE;
}

const struct app_cert_chain *app_parser_tls_chain(const void *st)
{
	return st != NULL ? ((const struct tls_conn *)st)->chain : NULL;
}

const struct app_parser app_parser_tls = {
	.name = "tls",
	.sniff = tls_sniff,
	.new = tls_new,
	.open = tls_open,
	.feed = tls_feed,
	.end = tls_end,
	.free = tls_free,
};
