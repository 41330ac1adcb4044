/* app_kafka_conn.h - the Kafka hints of a connection whose client's first payload is a Kafka request. */
#ifndef TCPNOTE_APP_KAFKA_CONN_H
#define TCPNOTE_APP_KAFKA_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "tcpnote/app_hints.h"

/*
 * Made by the tracker once kafka_sniff says yes to the client's first
 * payload (never by port). Each direction is reassembled in sequence order;
 * every message it completes gets a hint (APP_HINT_KAFKA_0.., the text of
 * kafka_format), requests and responses matched by correlation id. Memory:
 * the largest message being collected per direction, at most
 * KAFKA_CONN_BUF_MAX bytes; a longer message is counted through, without a
 * hint. Bytes not captured end a direction's hints.
 */
#define KAFKA_CONN_BUF_MAX (1024u * 1024u)

struct app_kafka_conn;

struct app_kafka_conn *app_kafka_conn_new(void);
void app_kafka_conn_free(struct app_kafka_conn *k);
/* The sequence number of role's first payload byte (ISN + 1), when the handshake was seen. */
void app_kafka_conn_anchor(struct app_kafka_conn *k, int role, uint32_t next_seq);
/* One payload segment of role (0 client, 1 broker); its hints are added to out. */
void app_kafka_conn_feed(struct app_kafka_conn *k, int role, uint32_t seq, const uint8_t *payload,
			 size_t len, struct app_hints *out);

#endif
