/* app_track.c - a connection's application hints: sniff each direction once, then feed it to the parser. */
#include <stdlib.h>

#include "tcpnote/app_keys.h"
#include "tcpnote/app_track.h"

struct app_state {
	struct app_dir *dir[2];        /* NULL: not followed (not TLS/HTTP, or done) */
	struct app_conn_facts *facts;  /* NULL until a hint is kept */
	struct app_tls_session *tls;   /* with a key log, once a direction starts like TLS */
};

/* The state of a connection whose direction role has just been judged TLS or HTTP. */
static struct app_state *state_of(struct app_state **st)
{
	if (*st == NULL)
		*st = calloc(1, sizeof(**st));
	return *st;
}

bool app_track_segment(struct app_state **stp, uint8_t *judged, int role, bool have_next,
		       uint32_t next_seq, const struct packet *p, bool keep_facts,
		       struct app_keys *keys, struct app_hints *out)
{
	const struct tcp_info *t = &p->tcp;
	struct app_state *st;
	struct app_dir *d;
	uint32_t seq;

	out->bits = 0;
	if (t->payload.len == 0 || p->stop != STOP_NONE)
		return true;
	if (!(*judged & (1u << role))) {
		*judged |= (uint8_t)(1u << role);
		if (app_sniff(t->payload.data, t->payload.len) == APP_NONE)
			return true;
		if ((st = state_of(stp)) == NULL || (st->dir[role] = app_dir_new()) == NULL)
			return false;
		if (have_next)
			app_dir_anchor(st->dir[role], next_seq);
		if (keys != NULL && app_sniff(t->payload.data, t->payload.len) == APP_TLS &&
		    st->tls == NULL) {
			/* Live, hints may come late, for the facts too: they are kept from the start. */
			if (keep_facts && app_keys_live(keys) && st->facts == NULL &&
			    (st->facts = calloc(1, sizeof(*st->facts))) == NULL)
				return false;
			if ((st->tls = app_keys_session_new(keys, st->facts)) == NULL)
				return false;
		}
		if (st->tls != NULL && app_sniff(t->payload.data, t->payload.len) == APP_TLS) {
			app_dir_set_session(st->dir[role], st->tls);
		}
	}
	st = *stp;
	if (st == NULL || (d = st->dir[role]) == NULL)
		return true;
	/* Payload of a SYN starts one after the SYN's own number. */
	seq = t->seq + ((t->flags & TCPF_SYN) ? 1u : 0u);
	app_feed(d, role == 0, seq, t->payload.data, t->payload.len, out);
	if (app_dir_done(d)) {
		app_dir_free(d);
		st->dir[role] = NULL;
	}
	if (out->bits != 0 && keep_facts) {
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

void app_track_clear(struct app_state **st, uint8_t *judged)
{
	if (*st != NULL) {
		app_dir_free((*st)->dir[0]);
		app_dir_free((*st)->dir[1]);
		/* First: records it still holds are settled now, into the facts. */
		app_tls_session_free((*st)->tls);
		free((*st)->facts);
		free(*st);
	}
	*st = NULL;
	*judged = 0;
}
