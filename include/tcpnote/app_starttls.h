/* app_starttls.h - a connection's cleartext start followed to the byte where it turns to TLS (STARTTLS and its kin). */
#ifndef TCPNOTE_APP_STARTTLS_H
#define TCPNOTE_APP_STARTTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Protocols that start in cleartext and switch to TLS on the same
 * connection. They are found by content, never by port, from the
 * connection's first payload (the opener), and followed to the switch:
 *
 *   SMTP      220 banner; STARTTLS; 220                    RFC 3207 section 4
 *   FTP       220 banner; AUTH TLS (or SSL); 234           RFC 4217 section 4
 *   IMAP      * OK banner; TAG STARTTLS; TAG OK            RFC 9051 section 6.2.1
 *   POP3      +OK banner; STLS; +OK                        RFC 2595 section 4
 *   XMPP      <stream:stream ...>; <starttls/>; <proceed/> RFC 6120 section 5.4
 *   IRC       STARTTLS; numeric 670                        IRCv3 "tls" extension
 *   PostgreSQL  SSLRequest (8 bytes); 'S'                  protocol 3.0, SSL session encryption
 *   MySQL     greeting offering CLIENT_SSL; the client's SSL request packet
 *   HTTP      CONNECT host:port; a 2xx response            RFC 9110 section 9.3.6
 *
 * After the client's command has ended and the server's positive answer
 * has ended (MySQL: the greeting and the client's SSL request), each
 * direction's next byte is TLS. A connection whose first payload opens
 * none of these never gets a follower.
 */
enum app_starttls_proto {
	APP_STARTTLS_NONE = 0,
	APP_STARTTLS_SMTP,
	APP_STARTTLS_FTP,
	APP_STARTTLS_IMAP,
	APP_STARTTLS_POP3,
	APP_STARTTLS_XMPP,
	APP_STARTTLS_IRC,
	APP_STARTTLS_POSTGRES,
	APP_STARTTLS_MYSQL,
	APP_STARTTLS_CONNECT
};

/* The names openssl s_client -starttls takes ("smtp", "postgres", ...), and "connect". */
const char *app_starttls_proto_name(enum app_starttls_proto p);

/*
 * Cleartext bytes followed per direction: past this many without a switch
 * the follower gives up. Real prefixes are a few hundred bytes (an SMTP
 * banner and EHLO answer, XMPP's stream features).
 */
#define APP_STARTTLS_MAX 4096

/* The first bytes of a line (or an XMPP element, or a MySQL packet) kept to judge it. */
#define APP_STARTTLS_UNIT_KEEP 128

struct app_starttls;

/*
 * The connection's first payload, sent by role (0 client, 1 server, as the
 * tracker numbers them): a follower when it opens one of the protocols,
 * else NULL. Which side answers the commands follows from the opener, not
 * from role. NULL with *no_memory set when the allocation failed. A
 * payload shorter than its protocol's opener opens nothing.
 */
struct app_starttls *app_starttls_open(int role, const uint8_t *payload, size_t len,
				       bool *no_memory);

/* True when app_starttls_open would make a follower of these bytes (it allocates nothing). */
bool app_starttls_opens(int role, const uint8_t *payload, size_t len);

/*
 * Optional, before role's first segment is fed: the sequence number of its
 * first payload byte (ISN + 1), so that a first segment captured out of
 * order is not taken for the start.
 */
void app_starttls_anchor(struct app_starttls *f, int role, uint32_t next_seq);

enum app_starttls_step {
	APP_STARTTLS_MORE = 0, /* still cleartext: feed the next segments */
	APP_STARTTLS_SWITCH,   /* TLS starts: see struct app_starttls_switch */
	APP_STARTTLS_GIVE_UP   /* refused, not the protocol, past APP_STARTTLS_MAX, or a gap */
};

struct app_starttls_switch {
	enum app_starttls_proto proto;
	uint32_t tls_seq[2]; /* by role: the sequence number of the direction's first TLS byte */
};

/*
 * Feed one payload segment from role, seq being payload[0]'s sequence
 * number, in capture order (retransmitted bytes are passed over, a segment
 * past a gap gives up). On SWITCH, sw is filled in and the follower is
 * done: the bytes of this segment from sw->tls_seq[role] on are TLS.
 */
enum app_starttls_step app_starttls_feed(struct app_starttls *f, int role, uint32_t seq,
					 const uint8_t *payload, size_t len,
					 struct app_starttls_switch *sw);

void app_starttls_free(struct app_starttls *f);

#endif
