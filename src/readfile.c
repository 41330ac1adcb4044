/* readfile.c - a capture file opened for libpcap to read through a large buffer: few read(2) calls. */
#define _GNU_SOURCE /* __fsetlocking */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>

#include "tcpnote/readfile.h"

int readfile_open(struct readfile *r, const char *path, u_int precision, size_t bufsize,
		  char *errbuf)
{
	FILE *f;

	r->pcap = NULL;
	r->buf = NULL;
	if (strcmp(path, "-") == 0) { /* a pipe: libpcap's own way */
		r->pcap = pcap_open_offline_with_tstamp_precision(path, precision, errbuf);
		return r->pcap != NULL ? 0 : -1;
	}
	f = fopen(path, "rb");
	if (f == NULL) {
		/* libpcap's words when it cannot open the file */
		snprintf(errbuf, PCAP_ERRBUF_SIZE, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* Before any read, as setvbuf requires; without a buffer stdio keeps its own. */
	r->buf = bufsize > 0 ? malloc(bufsize) : NULL;
	if (r->buf != NULL && setvbuf(f, r->buf, _IOFBF, bufsize) != 0) {
		free(r->buf);
		r->buf = NULL;
	}
	/* One thread reads each file: stdio need not lock it for every fread. */
	__fsetlocking(f, FSETLOCKING_BYCALLER);
	(void)posix_fadvise(fileno(f), 0, 0, POSIX_FADV_SEQUENTIAL); /* a hint: its failure changes nothing */
	r->pcap = pcap_fopen_offline_with_tstamp_precision(f, precision, errbuf);
	if (r->pcap == NULL) {
		fclose(f);
		free(r->buf);
		r->buf = NULL;
		return -1;
	}
	return 0;
}

size_t readfile_share(size_t n)
{
	size_t each = n > 0 ? READFILE_BUFFERS_TOTAL / n : READFILE_BUFFER_BYTES;

	if (each > READFILE_BUFFER_BYTES)
		each = READFILE_BUFFER_BYTES;
	return each < 4096 ? 4096 : each;
}

void readfile_close(struct readfile *r)
{
	if (r->pcap != NULL)
		pcap_close(r->pcap); /* closes the FILE, which stops using the buffer */
	free(r->buf);
	r->pcap = NULL;
	r->buf = NULL;
}
