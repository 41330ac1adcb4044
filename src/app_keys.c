/* app_keys.c - TLS secrets for the sessions: the key log read once, or followed live with records held for late keys. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app_priv.h"
#include "tcpnote/app_keys.h"
#include "tcpnote/tls_keylog.h"
#include "tcpnote/tls_keylog_tail.h"

struct app_keys {
	struct tls_keylog *kl;
	struct tls_keylog_tail *tail; /* NULL: kl is the whole key log */
	app_late_fn late;
	void *ctx;
	struct app_wait_list waiting;    /* sessions holding records, oldest first */
	struct app_origin origin;        /* the packet being followed */
	int64_t now;                     /* the last tick's time */
	int64_t last_read;               /* when the key log was last read */
	uint64_t step, read_step;        /* ticks, and the one the key log was last read at */
	bool read_once;
	int64_t held;                    /* bytes of records held, all sessions together */
	char error[512];                 /* reading failed: no more reads */
};

struct app_keys *app_keys_new(struct tls_keylog *kl, struct tls_keylog_tail *tail,
			      app_late_fn late, void *ctx)
{
	struct app_keys *k = calloc(1, sizeof(*k));

	if (k == NULL)
		return NULL;
	k->kl = kl;
	k->tail = tail;
	k->late = late;
	k->ctx = ctx;
	return k;
}

void app_keys_free(struct app_keys *k)
{
	if (k == NULL)
		return;
	/* Sessions still holding records (none after app_keys_finish) let go of the list. */
	while (k->waiting.head != NULL)
		app_tls_dec_unwait(k->waiting.head);
	free(k);
}

const struct tls_keylog *app_keys_keylog(const struct app_keys *k)
{
	return k->kl;
}

bool app_keys_live(const struct app_keys *k)
{
	return k != NULL && k->tail != NULL;
}

const char *app_keys_error(const struct app_keys *k)
{
	return k->error;
}

struct app_tls_session *app_keys_session_new(struct app_keys *k, struct app_conn_facts *facts)
{
	struct app_tls_session *s = app_tls_session_new(k->kl);

	if (s != NULL && app_keys_live(k))
		app_tls_dec_follow(s, k, facts);
	return s;
}

struct app_wait_list *app_keys_waiting(struct app_keys *k)
{
	return &k->waiting;
}

const struct app_origin *app_keys_origin(const struct app_keys *k)
{
	return &k->origin;
}

int64_t app_keys_now(const struct app_keys *k)
{
	return k->now;
}

void app_keys_emit(struct app_keys *k, const struct app_late *l)
{
	if (k->late != NULL)
		k->late(k->ctx, l);
}

bool app_keys_held(struct app_keys *k, int64_t delta)
{
	if (delta > 0 && k->held + delta > APP_KEYS_HELD_TOTAL)
		return false;
	k->held += delta;
	return true;
}

void app_keys_refresh(struct app_keys *k)
{
	if (!app_keys_live(k) || k->error[0] != '\0' || (k->read_once && k->read_step == k->step))
		return;
	k->read_once = true;
	k->read_step = k->step;
	k->last_read = k->now;
	if (tls_keylog_tail_poll(k->tail, k->kl, k->error, sizeof(k->error)) < 0 &&
	    k->error[0] == '\0')
		snprintf(k->error, sizeof(k->error), "read error");
}

/* Every held record whose key came is opened; those past the grace period give up. */
static void settle_all(struct app_keys *k, bool force)
{
	struct app_tls_session *s, *next;

	for (s = k->waiting.head; s != NULL; s = next) {
		next = app_tls_dec_next_waiting(s);
		if (!app_tls_dec_settle(s, k->now, force))
			app_tls_dec_unwait(s);
	}
}

void app_keys_tick(struct app_keys *k, int64_t now)
{
	if (!app_keys_live(k))
		return;
	k->now = now;
	k->step++;
	if (k->waiting.head == NULL && k->read_once && now - k->last_read < APP_KEYS_POLL_NS)
		return;
	app_keys_refresh(k);
	settle_all(k, false);
}

void app_keys_packet(struct app_keys *k, const struct packet *p, uint64_t frame, uint64_t flow)
{
	struct app_origin *o;

	if (!app_keys_live(k))
		return;
	o = &k->origin;
	o->frame = frame;
	o->flow = flow;
	o->ts_sec = p->ts_sec;
	o->ts_frac = p->ts_frac;
	o->ts_nano = p->ts_nano;
	o->ip_version = p->ip.head.version;
	memcpy(o->src, p->ip.head.src, sizeof(o->src));
	memcpy(o->dst, p->ip.head.dst, sizeof(o->dst));
	o->sport = p->tcp.sport;
	o->dport = p->tcp.dport;
}

void app_keys_finish(struct app_keys *k)
{
	if (!app_keys_live(k))
		return;
	k->step++;
	app_keys_refresh(k);
	settle_all(k, true);
}
