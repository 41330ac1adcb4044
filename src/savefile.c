/* savefile.c - the -w file through libpcap's pcap_dump, flushed only between whole packets. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "tcpnote/io_error.h"
#include "tcpnote/savefile.h"

/*
 * stdio's buffer for the file, flushed here before a packet would overflow
 * it (or the ends below run out): the file is written in blocks of about
 * this size, never part of a packet by stdio on its own, and a failed
 * write can only lose packets handed over since the last good flush, whose
 * ends are remembered.
 */
#define SAVEFILE_BUFFER (1 << 20)
/* Packet ends remembered between two flushes; running out of them flushes sooner. */
#define SAVEFILE_ENDS 8192
/* pcap-savefile(5): each packet's record is a 16-byte header, then the captured bytes. */
#define RECORD_HEADER 16

struct savefile {
	pcap_dumper_t *dumper;
	FILE *f;
	bool each_packet;
	int error;      /* errno of the first failed write; 0 while none has failed */
	int cut_error;  /* errno when the file could not be cut back to a whole packet */
	off_t flushed;  /* the file's length after the last good flush: a packet's end */
	size_t pending; /* bytes handed to stdio since then */
	size_t nends;
	off_t ends[SAVEFILE_ENDS]; /* where each packet handed since then ends in the file */
	char buf[SAVEFILE_BUFFER];
	char path[];
};

/* Write everything handed to stdio; false (and nothing written ever again) if that fails. */
static bool flush_packets(struct savefile *s)
{
	if (s->error != 0)
		return false;
	errno = 0;
	if (fflush(s->f) != 0) {
		s->error = errno_or_eio();
		return false;
	}
	s->flushed += (off_t)s->pending;
	s->pending = 0;
	s->nends = 0;
	return true;
}

int savefile_open(struct savefile **out, pcap_t *p, const char *path, bool each_packet, char *err,
		  size_t errlen)
{
	size_t n = strlen(path) + 1;
	struct savefile *s = calloc(1, sizeof(*s) + n);
	off_t header;

	*out = NULL;
	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(s->path, path, n);
	s->each_packet = each_packet;
	s->f = fopen(path, "w");
	if (s->f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(s);
		return -1;
	}
	/* Before any output, as C requires of setvbuf. */
	setvbuf(s->f, s->buf, _IOFBF, sizeof(s->buf));
	s->dumper = pcap_dump_fopen(p, s->f);
	if (s->dumper == NULL) {
		snprintf(err, errlen, "%s: %s", path, pcap_geterr(p));
		fclose(s->f);
		free(s);
		return -1;
	}
	if (!flush_packets(s)) {
		savefile_close(s, err, errlen);
		return -1;
	}
	header = ftello(s->f); /* -1 on a pipe, where nothing is ever cut */
	s->flushed = header > 0 ? header : (off_t)sizeof(struct pcap_file_header);
	*out = s;
	return 0;
}

bool savefile_write(struct savefile *s, const struct pcap_pkthdr *h, const unsigned char *bytes)
{
	size_t len = RECORD_HEADER + (size_t)h->caplen;

	if (s->error != 0)
		return false;
	if ((s->pending + len > SAVEFILE_BUFFER || s->nends == SAVEFILE_ENDS) && !flush_packets(s))
		return false;
	errno = 0;
	pcap_dump((unsigned char *)s->dumper, h, bytes);
	/* Only a packet larger than the buffer makes stdio write (and perhaps fail) by itself. */
	if (ferror(s->f)) {
		s->error = errno_or_eio();
		return false;
	}
	s->pending += len;
	s->ends[s->nends++] = s->flushed + (off_t)s->pending;
	return !s->each_packet || flush_packets(s);
}

long long savefile_size(const struct savefile *s)
{
	return (long long)s->flushed + (long long)s->pending;
}

bool savefile_failed(const struct savefile *s, char *err, size_t errlen)
{
	if (s->error == 0)
		return false;
	if (s->cut_error != 0)
		snprintf(err, errlen, "%s: %s (and its last packet is cut short: %s)", s->path,
			 strerror(s->error), strerror(s->cut_error));
	else
		snprintf(err, errlen, "%s: %s", s->path, strerror(s->error));
	return true;
}

/*
 * After a failed write the file holds a prefix of what was handed to stdio:
 * every packet before the last flush that worked, then some bytes of the
 * ones after it. Keep the packets that are whole; a reader (tcpdump -r)
 * would call what remains of the next one a truncated dump file.
 */
static int cut_to_whole_packets(const struct savefile *s, int fd)
{
	struct stat st;
	off_t keep = s->flushed;
	size_t i;

	if (fstat(fd, &st) != 0)
		return errno_or_eio();
	if (!S_ISREG(st.st_mode))
		return 0;
	for (i = 0; i < s->nends && s->ends[i] <= st.st_size; i++)
		keep = s->ends[i];
	if (st.st_size > keep && ftruncate(fd, keep) != 0)
		return errno_or_eio();
	return 0;
}

bool savefile_close(struct savefile *s, char *err, size_t errlen)
{
	int fd = -1;
	bool failed;

	if (s == NULL)
		return true;
	flush_packets(s);
	/*
	 * Cut only once stdio has let the file go: a C library may keep what a
	 * failed flush did not write and try again when the file is closed.
	 */
	if (s->error != 0) {
		fd = dup(fileno(s->f));
		if (fd < 0)
			s->cut_error = errno_or_eio();
	}
	pcap_dump_close(s->dumper);
	if (fd >= 0) {
		s->cut_error = cut_to_whole_packets(s, fd);
		close(fd);
	}
	failed = savefile_failed(s, err, errlen);
	free(s);
	return !failed;
}
