/* app_track.c - a connection's application hints: sniff each direction once, then feed it to the parser. */
#include <stdlib.h>
#include <string.h>

#include "tcpnote/app_keys.h"
#include "tcpnote/app_track.h"

struct app_state {
	struct app_dir *dir[2];        /* NULL: not followed (not TLS/HTTP, or done) */
	struct app_conn_facts *facts;  /* NULL until a hint is kept */
	struct app_tls_session *tls;   /* with a key log, once a direction starts like TLS */
	struct app_cert_chain *chain;  /* the server's certificates, when collected */
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

/* The first payload of the role: follow the direction if it looks like TLS or HTTP. */
static bool judge(struct app_state **stp, int role, bool have_next, uint32_t next_seq,
		  struct span payload, unsigned want, struct app_keys *keys)
{
	enum app_proto proto = app_sniff(payload.data, payload.len);
	struct app_state *st;

	if (proto == APP_NONE)
		return true;
	if ((st = state_of(stp)) == NULL || (st->dir[role] = app_dir_new()) == NULL)
		return false;
	if (have_next)
		app_dir_anchor(st->dir[role], next_seq);
	if (role == 1 && (want & APP_TRACK_CERTS))
		app_dir_collect_chain(st->dir[role], &st->chain);
	if (keys != NULL && proto == APP_TLS) {
		if (st->tls == NULL) {
			/* Live, hints may come late, for the facts too: they are kept from the start. */
			if ((want & APP_TRACK_FACTS) && app_keys_live(keys) && st->facts == NULL &&
			    (st->facts = calloc(1, sizeof(*st->facts))) == NULL)
				return false;
			if ((st->tls = app_keys_session_new(keys, st->facts)) == NULL)
				return false;
		}
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
		*judged |= (uint8_t)(1u << role);
		if (!judge(stp, role, have_next, next_seq, t->payload, want, keys))
			return false;
	}
	if ((st = *stp) == NULL)
		return true;
	if (t->payload.len > 0 && st->dir[role] != NULL) {
		/* Payload of a SYN starts one after the SYN's own number. */
		seq = t->seq + ((t->flags & TCPF_SYN) ? 1u : 0u);
		app_feed(st->dir[role], role == 0, seq, t->payload.data, t->payload.len, out);
	}
	peer_news(st, role, t, out);
	for (i = 0; i < 2; i++) {
		if (app_dir_done(st->dir[i])) {
			app_dir_free(st->dir[i]);
			st->dir[i] = NULL;
		}
	}
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
		free(*st);
	}
	*st = NULL;
	*judged = 0;
}
