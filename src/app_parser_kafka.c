/* app_parser_kafka.c - Kafka in the table of parsers: a connection whose client starts with a Kafka request (app_kafka_conn.c). */
#include "app_parser.h"
#include "tcpnote/app_kafka.h"
#include "tcpnote/app_kafka_conn.h"

/*
 * Only the client's first payload, and only when it is the connection's
 * first: a Kafka client speaks first. kafka_sniff wants a first byte of 0
 * (a length below 100 MiB) and a valid API key, which no TLS record, HTTP
 * line or cleartext prefix of app_starttls.c has (PostgreSQL's SSLRequest
 * is too short a message, a MySQL greeting's API key would be 0x0aNN): the
 * TLS parser never takes the same first payload.
 */
static bool kafka_sniff_first(int role, bool first, const uint8_t *payload, size_t len)
{
	return role == 0 && first && kafka_sniff(payload, len) == KAFKA_SNIFF_YES;
}

static void *kafka_new(void)
{
	return app_kafka_conn_new();
}

static void kafka_anchor(void *st, int role, uint32_t next_seq)
{
	app_kafka_conn_anchor(st, role, next_seq);
}

static void kafka_feed(void *st, const struct app_seg *sg, struct app_hints *out)
{
	app_kafka_conn_feed(st, sg->role, sg->seq, sg->payload, sg->len, out);
}

static void kafka_free(void *st)
{
	app_kafka_conn_free(st);
}

/* The follower is the facts' keeper: app_kafka_conn_facts reads them from it. */
static const void *kafka_facts(const void *st)
{
	return st;
}

/* No end: the state stays until the connection goes, for what it knows of the connection. */
const struct app_parser app_parser_kafka = {
	.name = "kafka",
	.sniff = kafka_sniff_first,
	.new = kafka_new,
	.anchor = kafka_anchor,
	.feed = kafka_feed,
	.free = kafka_free,
	.facts = kafka_facts,
};
