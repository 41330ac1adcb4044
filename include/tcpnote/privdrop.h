/* privdrop.h - giving up root after the capture is open (tcpdump's -Z). */
#ifndef TCPNOTE_PRIVDROP_H
#define TCPNOTE_PRIVDROP_H

#include <stddef.h>

/*
 * Become USER (its uid, gid and supplementary groups) for good. Returns 0,
 * 1 when not running as root (nothing to drop; a note is in err), or -1 with
 * the reason in err.
 */
int privdrop_to(const char *user, char *err, size_t errlen);

#endif
