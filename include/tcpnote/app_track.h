/* app_track.h - a connection's application hints: which directions to follow, their parser state, the facts kept. */
#ifndef TCPNOTE_APP_TRACK_H
#define TCPNOTE_APP_TRACK_H

#include <stdbool.h>
#include <stdint.h>

#include "tcpnote/app_hints.h"
#include "tcpnote/packet.h"

/*
 * Held by a connection only once a parser of the table (app_track.c)
 * has taken it: one of its directions starts like TLS or HTTP (app_sniff),
 * its first payload opens a protocol that may switch to TLS later
 * (app_starttls.h: SMTP, IMAP, POP3, FTP, XMPP, IRC, PostgreSQL, MySQL,
 * HTTP CONNECT), or its client starts with a Kafka request (kafka_sniff); a
 * connection of anything else costs a few bits. After such a switch both
 * directions are read as TLS from the switch on, with the key log if there
 * is one.
 */
struct app_state;

/*
 * Follow one segment of the connection from role (0 client, 1 server):
 * every segment with payload, and, once *st is set, every other one too
 * (its ACK or RST may end a direction's wait for a gap). The
 * connection keeps *st (NULL at first) and *judged (0 at first: a bit per
 * role whose first payload has been sniffed);
 * next_seq is the sequence number its first payload byte has when the
 * handshake was seen (ISN + 1), or 0 with have_next false. out gets the
 * hints the segment completes. want: APP_TRACK_FACTS folds them into the
 * connection's facts (for its flow record); APP_TRACK_CERTS reads the
 * server's certificates whole (app_track_chain, and out->certs on a
 * certificate hint). Text output wants neither and pays for neither.
 * Returns false only when out of memory (no hints for this connection then).
 *
 * Across directions: the ClientHello's session ID is kept, so a TLS 1.2
 * ServerHello that echoes it gets "tls resumed" (as a TLS 1.3 one that
 * accepts a PSK); a HelloRetryRequest tells the client's direction that
 * a second ClientHello follows its ChangeCipherSpec.
 */
struct app_keys;

#define APP_TRACK_FACTS 0x1u
#define APP_TRACK_CERTS 0x2u

/*
 * keys (--keylog, or NULL): a connection whose client starts with TLS
 * gets a session that decrypts what the key log has secrets for (live,
 * records may wait for their keys: app_keys.h).
 */
bool app_track_segment(struct app_state **st, uint8_t *judged, int role, bool have_next,
		       uint32_t next_seq, const struct packet *p, unsigned want,
		       struct app_keys *keys, struct app_hints *out);

/* The facts gathered so far, or NULL when there are none. */
const struct app_conn_facts *app_track_facts(const struct app_state *st);

/* The server's certificates (with APP_TRACK_CERTS, once its Certificate was read), or NULL. */
const struct app_cert_chain *app_track_chain(const struct app_state *st);

/*
 * What parser p (src/app_parser.h) keeps of the connection for its flow
 * record and --summary (its facts slot), or NULL: p has none, or does not
 * follow the connection.
 */
struct app_parser;
const void *app_track_parser_facts(const struct app_state *st, const struct app_parser *p);

/* Forget everything (the connection ends or its record is reused). */
void app_track_clear(struct app_state **st, uint8_t *judged);

#endif
