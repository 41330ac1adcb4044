/* app_track.c - a connection's application hints: sniff each direction once, then feed it to the parser. */
#include <stdlib.h>
#include <string.h>

#include "tcpnote/app_kafka.h"
#include "tcpnote/app_kafka_conn.h"
#include "tcpnote/app_keys.h"
#include "tcpnote/app_starttls.h"
#include "tcpnote/app_track.h"

struct app_state {
	struct app_dir *dir[2];        /* NULL: not followed (not TLS/HTTP, or done) */
	struct app_conn_facts *facts;  /* NULL until a hint is kept */
	struct app_tls_session *tls;   /* with a key log, once a direction starts like TLS */
	struct app_cert_chain *chain;  /* the server's certificates, when collected */
	struct app_starttls *follow;   /* a cleartext prefix followed to its switch, or NULL */
	struct app_kafka_conn *kafka;  /* the client's first payload was a Kafka request, else NULL */
	uint8_t client_sid[APP_SID_MAX]; /* the ClientHello's legacy_session_id */
	uint8_t client_sid_len;
};

/* The state of a connection whose direction role has just been judged TLS or HTTP. */
static struct app_state *state_of(struct app_state **st)
{
	if (*st == NULL)
		*st = calloc(1, sizeof(**st));
	return *st;
}

/* A state left with nothing to follow or keep goes, as if it had never been made. */
static void drop_if_empty(struct app_state **st)
{
	const struct app_state *s = *st;

	if (s->dir[0] == NULL && s->dir[1] == NULL && s->facts == NULL && s->tls == NULL &&
	    s->follow == NULL && s->chain == NULL && s->kafka == NULL) {
		free(*st);
		*st = NULL;
	}
}

/* The connection's key-log session (live, hints may come late, for the facts too: they are kept from the start). */
static bool session_new(struct app_state *st, unsigned want, struct app_keys *keys)
{
	if ((want & APP_TRACK_FACTS) && app_keys_live(keys) && st->facts == NULL &&
	    (st->facts = calloc(1, sizeof(*st->facts))) == NULL)
		return false;
	return (st->tls = app_keys_session_new(keys, st->facts)) != NULL;
}

/*
 * A direction's first payload: TLS or HTTP gets a parser (app_sniff); the
 * connection's very first payload may also open a cleartext protocol that
 * can switch to TLS later (app_starttls_open). Anything else costs nothing.
 */
static bool judge(struct app_state **stp, int role, bool first, bool have_next, uint32_t next_seq,
		  const struct packet *p, unsigned want, struct app_keys *keys)
{
	const struct span *pl = &p->tcp.payload;
	enum app_proto proto = app_sniff(pl->data, pl->len);
	struct app_starttls *opened = NULL;
	struct app_state *st;
	bool no_memory = false;
	bool kafka = role == 0 && first && proto == APP_NONE &&
		     kafka_sniff(pl->data, pl->len) == KAFKA_SNIFF_YES;

	if (first && (opened = app_starttls_open(role, pl->data, pl->len, &no_memory)) == NULL &&
	    no_memory)
		return false;
	if (proto == APP_NONE && opened == NULL && !kafka &&
	    (*stp == NULL || (*stp)->follow == NULL))
		return true;
	if ((st = state_of(stp)) == NULL) {
		app_starttls_free(opened);
		return false;
	}
	if (opened != NULL)
		st->follow = opened;
	if (st->follow != NULL && have_next)
		app_starttls_anchor(st->follow, role, next_seq);
	if (kafka && (st->kafka = app_kafka_conn_new()) == NULL)
		return false;
	if (proto == APP_NONE)
		return true;
	if ((st->dir[role] = app_dir_new()) == NULL)
		return false;
	if (have_next)
		app_dir_anchor(st->dir[role], next_seq);
	if (role == 1 && (want & APP_TRACK_CERTS))
		app_dir_collect_chain(st->dir[role], &st->chain);
	if (keys != NULL && proto == APP_TLS) {
		if (st->tls == NULL && !session_new(st, want, keys))
			return false;
		app_dir_set_session(st->dir[role], st->tls);
	}
	return true;
}

/* What the segment says of the peer's direction: its ACK, or a reset of both. */
static void peer_news(struct app_state *st, int role, const struct tcp_info *t,
		      struct app_hints *out)
{
	if (t->flags & TCPF_ACK)
		app_dir_acked(st->dir[!role], role != 0, t->ack, out);
	if (t->flags & TCPF_RST) {
		app_dir_reset(st->dir[0], true, out);
		app_dir_reset(st->dir[1], false, out);
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
static void hello_facts(struct app_state *st, struct app_hints *out)
{
	bool resumed;

	if (app_hints_has(out, APP_HINT_CLIENT_HELLO) && st->client_sid_len == 0) {
		st->client_sid_len = out->session_id_len;
		memcpy(st->client_sid, out->session_id, out->session_id_len);
	}
	if (!app_hints_has(out, APP_HINT_SERVER_HELLO))
		return;
	if (out->hello_retry) {
		app_dir_hello_retry(st->dir[0]);
		return;
	}
	if (out->version == TLS13)
		resumed = out->psk;
	else
		resumed = st->client_sid_len > 0 && out->session_id_len == st->client_sid_len &&
			  memcmp(out->session_id, st->client_sid, st->client_sid_len) == 0;
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
static bool start_tls(struct app_state *st, int role, uint32_t seq, const struct packet *p,
		      unsigned want, struct app_keys *keys, const struct app_starttls_switch *sw,
		      struct app_hints *out)
{
	const struct span *pl = &p->tcp.payload;
	struct app_hints rest;
	int r;

	if (sw->proto != APP_STARTTLS_CONNECT) {
		out->bits |= 1u << APP_HINT_STARTTLS;
		out->starttls = (uint8_t)sw->proto;
	}
	/* A fresh session: one made for TLS-looking bytes before the switch knows another hello. */
	for (r = 0; r < 2; r++) {
		app_dir_free(st->dir[r]);
		st->dir[r] = NULL;
	}
	app_tls_session_free(st->tls);
	st->tls = NULL;
	if (keys != NULL && !session_new(st, want, keys))
		return false;
	for (r = 0; r < 2; r++) {
		if ((st->dir[r] = app_dir_new()) == NULL)
			return false;
		app_dir_anchor(st->dir[r], sw->tls_seq[r]);
		if (r == 1 && (want & APP_TRACK_CERTS))
			app_dir_collect_chain(st->dir[r], &st->chain);
		if (st->tls != NULL)
			app_dir_set_session(st->dir[r], st->tls);
	}
	app_feed(st->dir[role], role == 0, seq, pl->data, pl->len, &rest);
	if (rest.bits != 0 && (out->bits & ~(1u << APP_HINT_STARTTLS)) == 0) {
		uint32_t bits = out->bits;
		uint8_t proto = out->starttls;

		*out = rest;
		out->bits |= bits;
		out->starttls = proto;
	}
	return true;
}

/* Follow the cleartext prefix one more segment: on, given up, or switched to TLS. */
static bool follow_segment(struct app_state **stp, int role, uint32_t seq, const struct packet *p,
			   unsigned want, struct app_keys *keys, struct app_hints *out)
{
	struct app_state *st = *stp;
	struct app_starttls_switch sw;
	enum app_starttls_step step;

	step = app_starttls_feed(st->follow, role, seq, p->tcp.payload.data, p->tcp.payload.len,
				 &sw);
	if (step == APP_STARTTLS_MORE)
		return true;
	app_starttls_free(st->follow);
	st->follow = NULL;
	if (step == APP_STARTTLS_SWITCH)
		return start_tls(st, role, seq, p, want, keys, &sw, out);
	drop_if_empty(stp);
	return true;
}

bool app_track_segment(struct app_state **stp, uint8_t *judged, int role, bool have_next,
		       uint32_t next_seq, const struct packet *p, unsigned want,
		       struct app_keys *keys, struct app_hints *out)
{
	const struct tcp_info *t = &p->tcp;
	struct app_state *st;
	uint32_t seq;
	int i;
	bool opened;

	out->bits = 0;
	out->decrypted_bits = 0;
	out->certs = NULL;
	if (p->stop != STOP_NONE)
		return true;
	if (t->payload.len > 0 && !(*judged & (1u << role))) {
		bool first = *judged == 0;

		*judged |= (uint8_t)(1u << role);
		if (!judge(stp, role, first, have_next, next_seq, p, want, keys))
			return false;
	}
	if ((st = *stp) == NULL)
		return true;
	/* Payload of a SYN starts one after the SYN's own number. */
	seq = t->seq + ((t->flags & TCPF_SYN) ? 1u : 0u);
	if (t->payload.len > 0 && st->dir[role] != NULL)
		app_feed(st->dir[role], role == 0, seq, t->payload.data, t->payload.len, out);
	if (st->kafka != NULL) {
		if (have_next)
			app_kafka_conn_anchor(st->kafka, role, next_seq);
		app_kafka_conn_feed(st->kafka, role, seq, t->payload.data, t->payload.len, out);
	}
	peer_news(st, role, t, out);
	for (i = 0; i < 2; i++) {
		if (app_dir_done(st->dir[i])) {
			app_dir_free(st->dir[i]);
			st->dir[i] = NULL;
		}
	}
	if (t->payload.len > 0 && st->follow != NULL &&
	    !follow_segment(stp, role, seq, p, want, keys, out))
		return false;
	if ((st = *stp) == NULL)
		return true;
	hello_facts(st, out);
	if ((want & APP_TRACK_CERTS) && (app_hints_has(out, APP_HINT_CERTIFICATE) ||
					 app_hints_has(out, APP_HINT_DEC_CERTIFICATE)))
		out->certs = role == 1 ? st->chain : NULL;
	opened = app_tls_session_opened(st->tls);
	if ((out->bits != 0 || opened) && (want & APP_TRACK_FACTS)) {
		if (st->facts == NULL && (st->facts = calloc(1, sizeof(*st->facts))) == NULL)
			return false;
		app_facts_note(st->facts, out);
		if (opened)
			st->facts->flags |= APP_FACT_DECRYPTED;
	}
	return true;
}

const struct app_conn_facts *app_track_facts(const struct app_state *st)
{
	return st != NULL ? st->facts : NULL;
}

const struct app_cert_chain *app_track_chain(const struct app_state *st)
{
	return st != NULL ? st->chain : NULL;
}

void app_track_clear(struct app_state **st, uint8_t *judged)
{
	if (*st != NULL) {
		app_dir_free((*st)->dir[0]);
		app_dir_free((*st)->dir[1]);
		/* First: records it still holds are settled now, into the facts. */
		app_tls_session_free((*st)->tls);
		free((*st)->chain);
		free((*st)->facts);
		app_starttls_free((*st)->follow);
		app_kafka_conn_free((*st)->kafka);
		free(*st);
	}
	*st = NULL;
	*judged = 0;
}

const struct app_kafka_conn *app_track_kafka(const struct app_state *st)
{
	return st != NULL ? st->kafka : NULL;
}
