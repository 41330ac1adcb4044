/* tls_keylog_tail.h - a key log followed while it is written (live --keylog): appended lines, a file cut or replaced. */
#ifndef TCPNOTE_TLS_KEYLOG_TAIL_H
#define TCPNOTE_TLS_KEYLOG_TAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "tcpnote/tls_keylog.h"

/*
 * curl and browsers append to SSLKEYLOGFILE as each session's secrets are
 * made, so a live capture reads the file again and again, as `tail -F`:
 *
 * - only what was appended since the last read is read; a line is taken at
 *   its newline, and a last line still without one waits for it;
 * - a path that does not exist (yet: curl creates it) is no error;
 * - a file replaced (another inode at the path) or cut shorter than what was
 *   read is read again from its start (secrets already known stay known; a
 *   line seen twice is taken once);
 * - the lines the old file had appended before it was replaced are read first.
 *
 * The same line rules as tls_keylog_load, and the lines that do not parse
 * are counted, never quoted.
 */
struct tls_keylog_tail;

struct tls_keylog_tail *tls_keylog_tail_new(const char *path);
void tls_keylog_tail_free(struct tls_keylog_tail *t);

/*
 * Read what is new into kl. Returns the number of secrets newly kept (0 when
 * nothing is new, or the file does not exist), or -1 with "--keylog PATH:
 * reason" in err when it exists but cannot be opened or read.
 */
long tls_keylog_tail_poll(struct tls_keylog_tail *t, struct tls_keylog *kl, char *err,
			  size_t errlen);

/* True once the file has been opened: false while it does not exist yet. */
bool tls_keylog_tail_found(const struct tls_keylog_tail *t);

/* Lines that did not parse, so far. */
unsigned long tls_keylog_tail_bad(const struct tls_keylog_tail *t);

#endif
