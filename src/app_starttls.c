/* app_starttls.c - a cleartext prefix (STARTTLS, AUTH TLS, CONNECT, SSLRequest, MySQL's SSL request) followed to where TLS starts. */
#include <stdlib.h>
#include <string.h>

#include "app_priv.h"
#include "tcpnote/app_starttls.h"

/*
 * What the connection's first payload says it is. SMTP and FTP share the
 * 220 banner: the client's command tells them apart (STARTTLS or AUTH TLS).
 */
enum stls_family {
	FAM_NONE = 0,
	FAM_220,
	FAM_POP3,
	FAM_IMAP,
	FAM_IRC,
	FAM_XMPP,
	FAM_POSTGRES,
	FAM_MYSQL,
	FAM_CONNECT
};

/* HTTP CONNECT, each side: the client's request, the proxy's response. */
enum { REQ_LINE = 0, REQ_HEADERS, REQ_DONE };
enum { RESP_STATUS = 0, RESP_HEADERS };

/* MySQL's CLIENT_SSL capability flag (the lower two bytes of the capabilities). */
#define MYSQL_CLIENT_SSL 0x0800u
/* The SSL request: a 4-byte header, a 32-byte body (capabilities, max packet, charset, filler). */
#define MYSQL_SSL_REQUEST_LEN 36u
/* PostgreSQL's SSLRequest: length 8, then the code 80877103 (1234 << 16 | 5679). */
#define PG_SSL_REQUEST_LEN 8u

/* One direction: where it is in sequence space, and the unit (line, element, packet) being read. */
struct stls_dir {
	struct app_stream st;
	uint32_t unit_len;  /* bytes of the current unit so far; the first UNIT_KEEP are kept */
	uint32_t unit_need; /* MySQL: the packet's whole length with its header, once known */
	uint8_t unit[APP_STARTTLS_UNIT_KEEP];
};

struct app_starttls {
	struct stls_dir dir[2]; /* by role */
	uint8_t fam;            /* enum stls_family */
	uint8_t server;         /* the role that answers the commands */
	uint8_t pending;        /* enum app_starttls_proto the client just asked for, or NONE */
	uint8_t client_phase;   /* CONNECT: REQ_*; XMPP: 1 inside an open <starttls> element */
	uint8_t server_phase;   /* CONNECT: RESP_*; XMPP: 1 inside an open <proceed> element */
	uint8_t tag_len;
	bool server_ready;      /* MySQL: the greeting offered TLS and has ended */
	uint32_t client_tls;    /* the client's first TLS byte: right after its command */
	uint32_t server_tls;    /* MySQL: right after the greeting */
	char tag[32];           /* IMAP: the tag of the client's STARTTLS */
};

const char *app_starttls_proto_name(enum app_starttls_proto p)
{
	switch (p) {
	case APP_STARTTLS_SMTP:
		return "smtp";
	case APP_STARTTLS_FTP:
		return "ftp";
	case APP_STARTTLS_IMAP:
		return "imap";
	case APP_STARTTLS_POP3:
		return "pop3";
	case APP_STARTTLS_XMPP:
		return "xmpp";
	case APP_STARTTLS_IRC:
		return "irc";
	case APP_STARTTLS_POSTGRES:
		return "postgres";
	case APP_STARTTLS_MYSQL:
		return "mysql";
	case APP_STARTTLS_CONNECT:
		return "connect";
	case APP_STARTTLS_NONE:
	default:
		return "none";
	}
}

/* ---- matching ---- */

static uint8_t ascii_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? (uint8_t)(c + ('a' - 'A')) : c;
}

/* s begins with lit; icase: ASCII letters in either case (commands), else exactly. */
static bool begins(struct span s, const char *lit, bool icase)
{
	size_t i, n = strlen(lit);
	uint8_t c;

	for (i = 0; i < n; i++) {
		if (!span_u8(s, i, &c))
			return false;
		if (icase ? ascii_lower(c) != ascii_lower((uint8_t)lit[i]) : c != (uint8_t)lit[i])
			return false;
	}
	return true;
}

/* s is the command lit, in either case. */
static bool is_command(struct span s, const char *lit)
{
	return s.len == strlen(lit) && begins(s, lit, true);
}

/* s begins with the word lit: followed by a space, or the end of s. */
static bool begins_word(struct span s, const char *lit, bool icase)
{
	uint8_t c;

	return begins(s, lit, icase) && (!span_u8(s, strlen(lit), &c) || c == ' ');
}

/* s begins with the XML element <name (followed by a space, '/' or '>'). */
static bool is_element(struct span s, const char *name)
{
	uint8_t c;

	return begins(s, name, false) && span_u8(s, strlen(name), &c) &&
	       (c == ' ' || c == '/' || c == '>' || c == '\t' || c == '\r' || c == '\n');
}

/* s ends with "/>": an empty element. */
static bool self_closing(struct span s)
{
	uint8_t c;

	return s.len >= 2 && span_u8(s, s.len - 2, &c) && c == '/';
}

/* Three digits at s: their value, else -1. */
static int three_digits(struct span s, size_t at)
{
	int v = 0;
	size_t i;
	uint8_t c;

	for (i = 0; i < 3; i++) {
		if (!span_u8(s, at + i, &c) || c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	return v;
}

/* s contains lit. */
static bool contains(struct span s, const char *lit)
{
	size_t n = strlen(lit), i;

	for (i = 0; i + n <= s.len; i++)
		if (memcmp(s.data + i, lit, n) == 0)
			return true;
	return false;
}

/* ---- openers: the connection's first payload ---- */

struct stls_opener {
	const char *bytes;
	uint8_t len;
	uint8_t fam;       /* enum stls_family */
	bool from_server;  /* the side that sends it answers the commands */
};

#define OPENER(lit, fam, srv) {lit, (uint8_t)(sizeof(lit) - 1), fam, srv}

static const struct stls_opener stls_openers[] = {
	OPENER("220 ", FAM_220, true),   /* SMTP (RFC 5321 4.3.1), FTP (RFC 959 5.4) */
	OPENER("220-", FAM_220, true),   /* a banner of several lines */
	OPENER("+OK ", FAM_POP3, true),  /* RFC 1939 section 4 */
	OPENER("+OK\r", FAM_POP3, true),
	OPENER("* OK ", FAM_IMAP, true), /* RFC 9051 section 7.1.1 */
	OPENER("STARTTLS\r\n", FAM_IRC, false), /* an IRC client asking at once, as s_client does */
	OPENER("STARTTLS\n", FAM_IRC, false),
	OPENER("CAP LS", FAM_IRC, false), /* IRCv3 capability negotiation */
	OPENER("NICK ", FAM_IRC, false),
	OPENER("PASS ", FAM_IRC, false),
	OPENER("USER ", FAM_IRC, false),
	OPENER("<?xml", FAM_XMPP, false),
	OPENER("<stream:stream", FAM_XMPP, false),
	OPENER("\x00\x00\x00\x08\x04\xd2\x16\x2f", FAM_POSTGRES, false),
	OPENER("CONNECT ", FAM_CONNECT, false),
};

#define N_OPENERS (sizeof(stls_openers) / sizeof(stls_openers[0]))

/*
 * A server's first IRC line: ":name NNN " or ":name NOTICE " (RFC 2812
 * section 2.3.1: a server prefixes its messages with its name), or
 * "NOTICE " without a prefix, as older servers greet.
 */
static bool irc_server_line(struct span s)
{
	size_t at = 1;
	uint8_t c = 0;

	if (begins(s, "NOTICE ", false))
		return true;
	if (!begins(s, ":", false))
		return false;
	while (span_u8(s, at, &c) && c > ' ' && c < 0x7f)
		at++;
	if (at == 1 || c != ' ')
		return false;
	at++;
	return begins(span_sub(s, at, s.len - at), "NOTICE ", false) ||
	       (three_digits(s, at) >= 0 && span_u8(s, at + 3, &c) && c == ' ');
}

/* MySQL's greeting: 3-byte length, sequence 0, protocol 10, a version starting with a digit. */
static bool mysql_greeting(struct span s)
{
	uint8_t b[6];
	uint32_t len;

	if (!span_copy(s, 0, b, sizeof(b)))
		return false;
	len = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16;
	return b[3] == 0 && b[4] == 10 && b[5] >= '0' && b[5] <= '9' && len >= 32 &&
	       len + 4 <= APP_STARTTLS_MAX;
}

/* The family the connection's first payload opens (FAM_NONE: none), and whether the server sent it. */
static uint8_t opener_family(int role, struct span s, bool *from_server)
{
	uint8_t c0;
	size_t i;

	*from_server = false;
	if ((role != 0 && role != 1) || !span_u8(s, 0, &c0))
		return FAM_NONE;
	/* The first byte first: almost every other connection is told no by one look each. */
	for (i = 0; i < N_OPENERS; i++) {
		if ((uint8_t)stls_openers[i].bytes[0] == c0 && span_has(s, 0, stls_openers[i].len) &&
		    memcmp(s.data, stls_openers[i].bytes, stls_openers[i].len) == 0) {
			*from_server = stls_openers[i].from_server;
			return stls_openers[i].fam;
		}
	}
	*from_server = true;
	if ((c0 == ':' || c0 == 'N') && irc_server_line(s))
		return FAM_IRC;
	if (mysql_greeting(s))
		return FAM_MYSQL;
	*from_server = false;
	return FAM_NONE;
}

bool app_starttls_opens(int role, const uint8_t *payload, size_t len)
{
	bool from_server;

	return opener_family(role, span_make(payload, payload != NULL ? len : 0), &from_server) !=
	       FAM_NONE;
}

struct app_starttls *app_starttls_open(int role, const uint8_t *payload, size_t len,
				       bool *no_memory)
{
	struct span s = span_make(payload, payload != NULL ? len : 0);
	struct app_starttls *f;
	bool from_server;
	uint8_t fam = opener_family(role, s, &from_server);

	*no_memory = false;
	if (fam == FAM_NONE)
		return NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		*no_memory = true;
		return NULL;
	}
	f->fam = fam;
	f->server = (uint8_t)(from_server ? role : 1 - role);
	return f;
}

void app_starttls_anchor(struct app_starttls *f, int role, uint32_t next_seq)
{
	struct app_stream *st;

	if (f == NULL || (role != 0 && role != 1))
		return;
	st = &f->dir[role].st;
	if (st->anchored)
		return;
	st->next = next_seq;
	st->anchored = true;
}

void app_starttls_free(struct app_starttls *f)
{
	free(f);
}

/* ---- the client's commands ---- */

/* "TAG STARTTLS": remember the tag, whose tagged answer decides (RFC 9051 section 2.2.1). */
static bool imap_starttls(struct app_starttls *f, struct span u)
{
	const uint8_t *sp = memchr(u.data, ' ', u.len);
	size_t tag;

	if (sp == NULL)
		return false;
	tag = (size_t)(sp - u.data);
	if (tag == 0 || tag > sizeof(f->tag) ||
	    !is_command(span_sub(u, tag + 1, u.len - tag - 1), "STARTTLS"))
		return false;
	memcpy(f->tag, u.data, tag);
	f->tag_len = (uint8_t)tag;
	return true;
}

/* <starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>, or the element opened and then closed. */
static bool xmpp_starttls(struct app_starttls *f, struct span u)
{
	if (is_element(u, "<starttls")) {
		f->client_phase = !self_closing(u);
		return !f->client_phase;
	}
	if (f->client_phase && is_element(u, "</starttls"))
		return true;
	f->client_phase = 0;
	return false;
}

/* The request line "CONNECT host:port HTTP/1.1", its header fields, the empty line ending them. */
static void connect_request(struct app_starttls *f, struct span u, uint32_t after)
{
	if (f->client_phase == REQ_LINE) {
		if (begins(u, "CONNECT ", false))
			f->client_phase = REQ_HEADERS;
	} else if (f->client_phase == REQ_HEADERS && u.len == 0) {
		f->client_phase = REQ_DONE;
		f->pending = APP_STARTTLS_CONNECT;
		f->client_tls = after;
	}
	/* REQ_DONE: tunnel bytes a client sends before the answer are not looked at. */
}

/*
 * A whole unit from the client: the switch command sets pending, any other
 * unit clears it (the client must wait for the answer before TLS, so a
 * command sent after STARTTLS means TLS does not start right there).
 */
static void client_unit(struct app_starttls *f, struct span u, uint32_t after)
{
	enum app_starttls_proto asks = APP_STARTTLS_NONE;

	switch (f->fam) {
	case FAM_220:
		if (is_command(u, "STARTTLS"))
			asks = APP_STARTTLS_SMTP;
		else if (is_command(u, "AUTH TLS") || is_command(u, "AUTH SSL") ||
			 is_command(u, "AUTH TLS-C"))
			asks = APP_STARTTLS_FTP;
		break;
	case FAM_POP3:
		if (is_command(u, "STLS"))
			asks = APP_STARTTLS_POP3;
		break;
	case FAM_IMAP:
		if (imap_starttls(f, u))
			asks = APP_STARTTLS_IMAP;
		break;
	case FAM_IRC:
		if (is_command(u, "STARTTLS"))
			asks = APP_STARTTLS_IRC;
		break;
	case FAM_XMPP:
		if (xmpp_starttls(f, u))
			asks = APP_STARTTLS_XMPP;
		break;
	case FAM_CONNECT:
		connect_request(f, u, after);
		return;
	default:
		return;
	}
	f->pending = (uint8_t)asks;
	if (asks != APP_STARTTLS_NONE)
		f->client_tls = after;
}

/* ---- the server's answers: 1 yes, 0 no, -1 not the answer (another line) ---- */

/* An SMTP or FTP reply: its last line ("NNN " or "NNN") decides; "NNN-" continues it. */
static int reply_code(struct span u, int yes)
{
	int code = three_digits(u, 0);
	uint8_t c;

	if (code < 0)
		return -1;
	if (span_u8(u, 3, &c) && c == '-')
		return -1;
	if (span_u8(u, 3, &c) && c != ' ')
		return -1;
	return code == yes;
}

/* The tagged status for the STARTTLS tag: OK, or NO/BAD; untagged lines ("* ...") are not it. */
static int imap_answer(const struct app_starttls *f, struct span u)
{
	struct span rest;
	uint8_t sp;

	if (!span_u8(u, f->tag_len, &sp) || sp != ' ' || memcmp(u.data, f->tag, f->tag_len) != 0)
		return -1;
	rest = span_sub(u, f->tag_len + 1u, u.len - f->tag_len - 1u);
	return begins_word(rest, "OK", true);
}

/*
 * RPL_STARTTLS 670 accepts; ERR_STARTTLS 691 refuses, as do 421 (unknown
 * command) and 451 (not registered) naming STARTTLS, as openssl s_client
 * reads them. Other lines (notices, other numerics) are not the answer.
 */
static int irc_answer(struct span u)
{
	size_t at = 0;
	int code;

	if (begins(u, ":", false)) {
		const uint8_t *sp = memchr(u.data, ' ', u.len);

		if (sp == NULL)
			return -1;
		at = (size_t)(sp - u.data) + 1;
	}
	code = three_digits(u, at);
	if (code == 670)
		return 1;
	if (code == 691 || ((code == 421 || code == 451) && contains(u, "STARTTLS")))
		return 0;
	return -1;
}

/* <proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>, or opened and closed; <failure/> refuses. */
static int xmpp_answer(struct app_starttls *f, struct span u)
{
	if (is_element(u, "<proceed")) {
		f->server_phase = !self_closing(u);
		return f->server_phase ? -1 : 1;
	}
	if (f->server_phase && is_element(u, "</proceed"))
		return 1;
	if (is_element(u, "<failure"))
		return 0;
	return -1;
}

/* "HTTP/1.x NNN": 2xx opens the tunnel when its header fields end; 1xx waits; the rest refuse. */
static int connect_answer(struct app_starttls *f, struct span u)
{
	uint8_t minor, sp;
	int code;

	if (f->server_phase == RESP_HEADERS) {
		if (u.len != 0)
			return -1;
		f->server_phase = RESP_STATUS;
		return f->pending == APP_STARTTLS_CONNECT;
	}
	if (!begins(u, "HTTP/1.", false) || !span_u8(u, 7, &minor) ||
	    (minor != '0' && minor != '1') || !span_u8(u, 8, &sp) || sp != ' ' ||
	    (code = three_digits(u, 9)) < 200)
		return -1; /* not a status line, or 1xx (interim) */
	if (code < 300) {
		f->server_phase = RESP_HEADERS;
		return -1;
	}
	/* Refused (407 wants credentials): the client may ask again on this connection. */
	f->client_phase = REQ_LINE;
	return 0;
}

static enum app_starttls_step switched(const struct app_starttls *f, uint32_t server_tls,
				       struct app_starttls_switch *sw)
{
	sw->proto = (enum app_starttls_proto)f->pending;
	sw->tls_seq[f->server] = server_tls;
	sw->tls_seq[1 - f->server] = f->client_tls;
	return APP_STARTTLS_SWITCH;
}

/* A whole unit from the server. */
static enum app_starttls_step server_unit(struct app_starttls *f, struct span u, uint32_t after,
					  struct app_starttls_switch *sw)
{
	int yes;

	if (f->fam == FAM_CONNECT) {
		yes = connect_answer(f, u);
	} else {
		switch (f->pending) {
		case APP_STARTTLS_SMTP:
			yes = reply_code(u, 220);
			break;
		case APP_STARTTLS_FTP:
			yes = reply_code(u, 234); /* RFC 4217 section 4.1 */
			break;
		case APP_STARTTLS_POP3:
			yes = begins_word(u, "+OK", false);
			break;
		case APP_STARTTLS_IMAP:
			yes = imap_answer(f, u);
			break;
		case APP_STARTTLS_IRC:
			yes = irc_answer(u);
			break;
		case APP_STARTTLS_XMPP:
			yes = xmpp_answer(f, u);
			break;
		default:
			return APP_STARTTLS_MORE; /* banners and other answers */
		}
	}
	if (yes < 0)
		return APP_STARTTLS_MORE;
	if (yes == 0) {
		f->pending = APP_STARTTLS_NONE;
		return APP_STARTTLS_MORE;
	}
	return switched(f, after, sw);
}

/* The kept bytes of a unit without its line end and trailing blanks (XML: its leading blanks). */
static struct span unit_text(const struct app_starttls *f, const struct stls_dir *d)
{
	size_t n = d->unit_len < APP_STARTTLS_UNIT_KEEP ? d->unit_len : APP_STARTTLS_UNIT_KEEP;
	size_t at = 0;

	if (f->fam == FAM_XMPP) {
		while (at < n && (d->unit[at] == ' ' || d->unit[at] == '\t' ||
				  d->unit[at] == '\r' || d->unit[at] == '\n'))
			at++;
		return span_make(d->unit + at, n - at);
	}
	if (d->unit_len <= APP_STARTTLS_UNIT_KEEP)
		while (n > 0 && (d->unit[n - 1] == '\n' || d->unit[n - 1] == '\r' ||
				 d->unit[n - 1] == ' '))
			n--;
	return span_make(d->unit, n);
}

/* ---- binary prefixes ---- */

/*
 * PostgreSQL: the client's 8-byte SSLRequest (its opener), then the
 * server's one-byte answer: 'S' and TLS follows; 'N' (no TLS) or an error
 * message end it. The client sends nothing else meanwhile.
 */
static enum app_starttls_step postgres_byte(struct app_starttls *f, int role, uint32_t after,
					    struct app_starttls_switch *sw)
{
	const struct stls_dir *d = &f->dir[role];

	if (role != f->server) {
		if (d->unit_len < PG_SSL_REQUEST_LEN)
			return APP_STARTTLS_MORE;
		if (d->unit_len > PG_SSL_REQUEST_LEN)
			return APP_STARTTLS_GIVE_UP;
		f->pending = APP_STARTTLS_POSTGRES;
		f->client_tls = after;
		return APP_STARTTLS_MORE;
	}
	if (f->pending != APP_STARTTLS_POSTGRES || d->unit[0] != 'S')
		return APP_STARTTLS_GIVE_UP;
	return switched(f, after, sw);
}

/* The greeting offers CLIENT_SSL (its capabilities follow version, thread id, scramble, filler). */
static bool mysql_offers_ssl(struct span u)
{
	const uint8_t *nul;
	size_t at;
	uint8_t lo, hi;

	if (u.len < 6 || (nul = memchr(u.data + 5, 0, u.len - 5)) == NULL)
		return false;
	at = (size_t)(nul - u.data) + 1 + 4 + 8 + 1;
	if (!span_u8(u, at, &lo) || !span_u8(u, at + 1, &hi))
		return false;
	return (((unsigned)hi << 8 | lo) & MYSQL_CLIENT_SSL) != 0;
}

/*
 * MySQL: the server's greeting must offer CLIENT_SSL; the client's first
 * packet is then the 32-byte SSL request with CLIENT_SSL set (a longer one
 * is a login in cleartext). Both directions are TLS from the end of those
 * two packets: the server sends nothing in between.
 */
static enum app_starttls_step mysql_byte(struct app_starttls *f, int role, uint32_t after,
					 struct app_starttls_switch *sw)
{
	struct stls_dir *d = &f->dir[role];
	struct span u = span_make(d->unit, d->unit_len < APP_STARTTLS_UNIT_KEEP
					       ? d->unit_len
					       : APP_STARTTLS_UNIT_KEEP);
	uint8_t lo, hi;

	if (role == f->server && f->server_ready)
		return APP_STARTTLS_GIVE_UP; /* more than the greeting: no TLS request came */
	if (d->unit_len == 4) {
		d->unit_need = 4u + ((uint32_t)d->unit[0] | (uint32_t)d->unit[1] << 8 |
				     (uint32_t)d->unit[2] << 16);
		if (role != f->server && (d->unit_need != MYSQL_SSL_REQUEST_LEN || d->unit[3] != 1))
			return APP_STARTTLS_GIVE_UP;
	}
	if (d->unit_len < 4 || d->unit_len < d->unit_need)
		return APP_STARTTLS_MORE;
	if (role == f->server) {
		if (!mysql_offers_ssl(u))
			return APP_STARTTLS_GIVE_UP;
		f->server_ready = true;
		f->server_tls = after;
		return APP_STARTTLS_MORE;
	}
	if (!f->server_ready || !span_u8(u, 4, &lo) || !span_u8(u, 5, &hi) ||
	    !(((unsigned)hi << 8 | lo) & MYSQL_CLIENT_SSL))
		return APP_STARTTLS_GIVE_UP;
	f->pending = APP_STARTTLS_MYSQL;
	f->client_tls = after;
	return switched(f, f->server_tls, sw);
}

/* ---- feeding ---- */

/* One byte of role's cleartext; after is the sequence number of the byte behind it. */
static enum app_starttls_step take_byte(struct app_starttls *f, int role, uint8_t c, uint32_t after,
					struct app_starttls_switch *sw)
{
	struct stls_dir *d = &f->dir[role];
	enum app_starttls_step step = APP_STARTTLS_MORE;

	if (d->unit_len < APP_STARTTLS_UNIT_KEEP)
		d->unit[d->unit_len] = c;
	d->unit_len++;
	if (f->fam == FAM_POSTGRES)
		return postgres_byte(f, role, after, sw);
	if (f->fam == FAM_MYSQL)
		return mysql_byte(f, role, after, sw);
	/* Lines end at LF (CRLF is trimmed); XML is read element by element, at each '>'. */
	if (c != (f->fam == FAM_XMPP ? '>' : '\n'))
		return APP_STARTTLS_MORE;
	if (role == f->server)
		step = server_unit(f, unit_text(f, d), after, sw);
	else
		client_unit(f, unit_text(f, d), after);
	d->unit_len = 0;
	return step;
}

enum app_starttls_step app_starttls_feed(struct app_starttls *f, int role, uint32_t seq,
					 const uint8_t *payload, size_t len,
					 struct app_starttls_switch *sw)
{
	enum app_starttls_step step = APP_STARTTLS_MORE;
	struct stls_dir *d;
	uint64_t off;
	size_t skip, i;

	if (f == NULL || (role != 0 && role != 1) || payload == NULL)
		return APP_STARTTLS_GIVE_UP;
	d = &f->dir[role];
	off = d->st.offset;
	switch (app_stream_accept(&d->st, seq, len, &skip)) {
	case APP_ACCEPT_OLD:
		return APP_STARTTLS_MORE;
	case APP_ACCEPT_GAP:
		return APP_STARTTLS_GIVE_UP; /* lines cannot be read across bytes never seen */
	case APP_ACCEPT_NEW:
		break;
	}
	for (i = skip; i < len && step == APP_STARTTLS_MORE; i++, off++) {
		if (off >= APP_STARTTLS_MAX)
			return APP_STARTTLS_GIVE_UP;
		step = take_byte(f, role, payload[i], seq + (uint32_t)i + 1u, sw);
	}
	return step;
}
