/* app_track.h - a connection's application hints: which directions to follow, their parser state, the facts kept. */
#ifndef TCPNOTE_APP_TRACK_H
#define TCPNOTE_APP_TRACK_H

#include <stdbool.h>
#include <stdint.h>

#include "tcpnote/app_hints.h"
#include "tcpnote/packet.h"

/*
 * Held by a connection only once one of its directions starts like TLS or
 * HTTP (app_sniff), or its first payload opens a protocol that may switch
 * to TLS later (app_starttls.h: SMTP, IMAP, POP3, FTP, XMPP, IRC,
 * PostgreSQL, MySQL, HTTP CONNECT); a connection of anything else costs a
 * few bits. After such a switch both directions are read as TLS from the
 * switch on, with the key log if there is one.
 */
struct app_state;

/*
 * Follow one segment of the connection from role (0 client, 1 server). The
 * connection keeps *st (NULL at first) and *judged (0 at first: a bit per
 * role whose first payload has been sniffed);
 * next_seq is the sequence number its first payload byte has when the
 * handshake was seen (ISN + 1), or 0 with have_next false. out gets the
 * hints the segment completes. keep_facts: fold them into the connection's
 * facts (for its flow record). Returns false only when out of memory (no
 * hints for this connection then).
 */
struct tls_keylog;

/*
 * keylog (--keylog, or NULL): a connection whose client starts with TLS
 * gets a session that decrypts what the key log has secrets for.
 */
bool app_track_segment(struct app_state **st, uint8_t *judged, int role, bool have_next,
		       uint32_t next_seq, const struct packet *p, bool keep_facts,
		       const struct tls_keylog *keylog, struct app_hints *out);

/* The facts gathered so far, or NULL when there are none. */
const struct app_conn_facts *app_track_facts(const struct app_state *st);

/* Forget everything (the connection ends or its record is reused). */
void app_track_clear(struct app_state **st, uint8_t *judged);

#endif
