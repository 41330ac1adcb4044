/* app_track.c - a connection's application hints: each direction's first payload shown to the table of parsers, then every segment to those that took it. */
#include <stdlib.h>

#include "app_parser.h"
#include "tcpnote/app_kafka_conn.h"
#include "tcpnote/app_track.h"

/*
 * The parsers, in the order each segment is shown to them, so their hints
 * come in it too (app_hint_kind's order is the order they are printed in).
 * A new protocol is a file (app_parser_*.c, its ops declared in
 * app_parser.h) and a line here.
 */
static const struct app_parser *const parsers[] = {
	&app_parser_tls,
	&app_parser_kafka,
};

#define N_PARSERS (sizeof(parsers) / sizeof(parsers[0]))

struct app_state {
	struct app_conn_facts *facts; /* NULL until a hint is kept */
	void *ps[N_PARSERS];          /* each parser's state, NULL while it has none */
};

/* The state of a connection one of whose directions a parser has just said yes to. */
static struct app_state *state_of(struct app_state **st)
{
	if (*st == NULL)
		*st = calloc(1, sizeof(**st));
	return *st;
}

/*
 * Role's first payload: a parser without state on the connection sniffs
 * it, and takes the connection at a yes; each parser with state (just made
 * or not) is told of it. Anything no parser wants costs nothing.
 */
static bool judge(struct app_state **stp, const struct app_seg *sg, unsigned want,
		  struct app_keys *keys)
{
	size_t i;

	for (i = 0; i < N_PARSERS; i++) {
		const struct app_parser *ap = parsers[i];
		struct app_state *st = *stp;
		struct app_ctx cx;

		if (st == NULL || st->ps[i] == NULL) {
			if (!ap->sniff(sg->role, sg->first, sg->payload, sg->len))
				continue;
			if ((st = state_of(stp)) == NULL || (st->ps[i] = ap->new()) == NULL)
				return false;
		}
		cx = (struct app_ctx){want, keys, &st->facts};
		if (ap->open != NULL && !ap->open(st->ps[i], sg, &cx))
			return false;
	}
	return true;
}

/* True when no parser has state and no facts are kept: the connection needs nothing. */
static bool empty(const struct app_state *st)
{
	size_t i;

	for (i = 0; i < N_PARSERS; i++)
		if (st->ps[i] != NULL)
			return false;
	return st->facts == NULL;
}

bool app_track_segment(struct app_state **stp, uint8_t *judged, int role, bool have_next,
		       uint32_t next_seq, const struct packet *p, unsigned want,
		       struct app_keys *keys, struct app_hints *out)
{
	const struct tcp_info *t = &p->tcp;
	struct app_state *st;
	struct app_seg sg;
	struct app_ctx cx;
	bool judge_now, gone = false;
	size_t i;

	out->bits = 0;
	out->decrypted_bits = 0;
	out->certs = NULL;
	if (p->stop != STOP_NONE)
		return true;
	judge_now = t->payload.len > 0 && !(*judged & (1u << role));
	if (!judge_now && *stp == NULL)
		return true;
	/* Payload of a SYN starts one after the SYN's own number. */
	sg = (struct app_seg){.role = role,
			      .first = *judged == 0,
			      .have_next = have_next,
			      .next_seq = next_seq,
			      .seq = t->seq + ((t->flags & TCPF_SYN) ? 1u : 0u),
			      .payload = t->payload.data,
			      .len = t->payload.len,
			      .tcp = t};
	if (judge_now) {
		*judged |= (uint8_t)(1u << role);
		if (!judge(stp, &sg, want, keys))
			return false;
	}
	if ((st = *stp) == NULL)
		return true;
	for (i = 0; i < N_PARSERS; i++) {
		const struct app_parser *ap = parsers[i];

		if (st->ps[i] == NULL)
			continue;
		if (have_next && ap->anchor != NULL)
			ap->anchor(st->ps[i], role, next_seq);
		if (sg.len > 0)
			ap->feed(st->ps[i], &sg, out);
	}
	cx = (struct app_ctx){want, keys, &st->facts};
	for (i = 0; i < N_PARSERS; i++) {
		const struct app_parser *ap = parsers[i];

		if (st->ps[i] == NULL || ap->end == NULL)
			continue;
		switch (ap->end(st->ps[i], &sg, &cx, out)) {
		case APP_END_MORE:
			break;
		case APP_END_DONE:
			ap->free(st->ps[i]);
			st->ps[i] = NULL;
			gone = true;
			break;
		case APP_END_NO_MEMORY:
			return false;
		}
	}
	/* Left with nothing to follow or keep, the state goes, as if it had never been made. */
	if (gone && empty(st)) {
		free(st);
		*stp = NULL;
		return true;
	}
	if (out->bits != 0 && (want & APP_TRACK_FACTS)) {
		if (st->facts == NULL && (st->facts = calloc(1, sizeof(*st->facts))) == NULL)
			return false;
		app_facts_note(st->facts, out);
	}
	return true;
}

const struct app_conn_facts *app_track_facts(const struct app_state *st)
{
	return st != NULL ? st->facts : NULL;
}

/* The state parser p keeps for the connection, or NULL. */
static const void *parser_state(const struct app_state *st, const struct app_parser *p)
{
	size_t i;

	for (i = 0; st != NULL && i < N_PARSERS; i++)
		if (parsers[i] == p)
			return st->ps[i];
	return NULL;
}

const void *app_track_parser_facts(const struct app_state *st, const struct app_parser *p)
{
	const void *ps = parser_state(st, p);

	return ps != NULL && p->facts != NULL ? p->facts(ps) : NULL;
}

const struct app_cert_chain *app_track_chain(const struct app_state *st)
{
	return app_parser_tls_chain(parser_state(st, &app_parser_tls));
}

void app_track_clear(struct app_state **st, uint8_t *judged)
{
	size_t i;

	if (*st != NULL) {
		/* Parsers first: a key-log session settles the records it still holds into the facts. */
		for (i = 0; i < N_PARSERS; i++)
			if ((*st)->ps[i] != NULL)
				parsers[i]->free((*st)->ps[i]);
		free((*st)->facts);
		free(*st);
	}
	*st = NULL;
	*judged = 0;
}

const struct app_kafka_conn *app_track_kafka(const struct app_state *st)
{
	return app_track_parser_facts(st, &app_parser_kafka);
}
