/* tls_keylog.h - an NSS key log (SSLKEYLOGFILE): TLS secrets by ClientHello random, bounded and hostile-safe. */
#ifndef TCPNOTE_TLS_KEYLOG_H
#define TCPNOTE_TLS_KEYLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The NSS key log format (as curl, Firefox and openssl -keylogfile write it):
 * one "LABEL CLIENT_RANDOM_HEX SECRET_HEX" per line, '#' comments. Only the
 * labels below are kept; other known labels (EXPORTER_SECRET, ...) are
 * passed over silently, and anything else counts as a line that does not
 * parse. Secrets are kept in memory only: nothing of the file is printed.
 */
enum tls_keylog_label {
	TLS_KL_CLIENT_RANDOM = 0,   /* TLS 1.2: the 48-byte master secret */
	TLS_KL_CLIENT_HS,           /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
	TLS_KL_SERVER_HS,           /* SERVER_HANDSHAKE_TRAFFIC_SECRET */
	TLS_KL_CLIENT_AP0,          /* CLIENT_TRAFFIC_SECRET_0 */
	TLS_KL_SERVER_AP0,          /* SERVER_TRAFFIC_SECRET_0 */
	TLS_KL_COUNT
};

/* The label as the key log writes it ("CLIENT_HANDSHAKE_TRAFFIC_SECRET"), or "?". */
const char *tls_keylog_label_name(enum tls_keylog_label label);

#define TLS_KL_RANDOM_LEN  32
#define TLS_KL_SECRET_MAX  48      /* SHA-384 secrets and the TLS 1.2 master secret: 48 bytes */
#define TLS_KL_LINE_MAX    512     /* a longer line does not parse */
#define TLS_KL_SESSIONS_MAX 65536 /* client randoms kept (about 36 MB at most); more count as not parsed */

struct tls_keylog;

struct tls_keylog *tls_keylog_new(void);
void tls_keylog_free(struct tls_keylog *kl);

/* How one line was taken. */
enum tls_keylog_line_result {
	TLS_KL_LINE_TAKEN = 0, /* a secret kept */
	TLS_KL_LINE_IGNORED,   /* blank, comment, a label not used, or a duplicate (the first is kept) */
	TLS_KL_LINE_BAD        /* does not parse, or no room */
};

/* One line of len bytes (a trailing "\n" or "\r\n" is allowed). */
enum tls_keylog_line_result tls_keylog_line(struct tls_keylog *kl, const char *line, size_t len);

/*
 * Read a whole file. Returns 0, with *bad the lines that did not parse, or
 * -1 with the reason in err (the path named) when the file cannot be read.
 */
int tls_keylog_load(struct tls_keylog *kl, const char *path, unsigned long *bad, char *err,
		    size_t errlen);

/*
 * Bytes of a key log as they come, split into lines: a line is taken at its
 * '\n' (tls_keylog_line); a line longer than TLS_KL_LINE_MAX counts as one
 * that does not parse, and a NUL or an endless line cannot shift where the
 * next line starts. Zero-initialise; tls_keylog_lines_reset forgets a line
 * begun (the file was cut or replaced).
 */
struct tls_keylog_lines {
	char line[TLS_KL_LINE_MAX + 1];
	size_t n;
	bool over;
};

/* Feed n bytes; *bad counts the lines that did not parse, *taken the secrets kept (either may be NULL). */
void tls_keylog_feed(struct tls_keylog *kl, struct tls_keylog_lines *ls, const char *buf, size_t n,
		     unsigned long *bad, unsigned long *taken);
/* The end of the file: a last line without its '\n' is taken as it is. */
void tls_keylog_feed_end(struct tls_keylog *kl, struct tls_keylog_lines *ls, unsigned long *bad,
			 unsigned long *taken);
void tls_keylog_lines_reset(struct tls_keylog_lines *ls);

/* The secret for (client random, label), or false when the key log has none. */
bool tls_keylog_find(const struct tls_keylog *kl, const uint8_t random[TLS_KL_RANDOM_LEN],
		     enum tls_keylog_label label, const uint8_t **secret, size_t *len);

/* Sessions (client randoms) known. */
size_t tls_keylog_sessions(const struct tls_keylog *kl);

#endif
