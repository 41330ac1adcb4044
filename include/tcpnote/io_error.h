/* io_error.h - the errno of a failed write or flush, for the one message that names it. */
#ifndef TCPNOTE_IO_ERROR_H
#define TCPNOTE_IO_ERROR_H

#include <errno.h>

/* stdio may fail without setting errno (a short fwrite on an error already seen): EIO then. */
static inline int errno_or_eio(void)
{
	return errno != 0 ? errno : EIO;
}

#endif
