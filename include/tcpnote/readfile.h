/* readfile.h - a capture file opened for libpcap to read through a large buffer: few read(2) calls. */
#ifndef TCPNOTE_READFILE_H
#define TCPNOTE_READFILE_H

#include <pcap/pcap.h>
#include <stddef.h>

/* The buffer of one file read alone, and the most that several files read together share. */
#define READFILE_BUFFER_BYTES (1024 * 1024)
#define READFILE_BUFFERS_TOTAL (16 * 1024 * 1024)

struct readfile {
	pcap_t *pcap;
	void *buf; /* the stdio buffer libpcap reads through (NULL: stdio's own) */
};

/*
 * Open path as pcap_open_offline_with_tstamp_precision does ("-" is
 * standard input, read as libpcap reads it), but through a stdio buffer of
 * bufsize bytes instead of stdio's 4 KiB (a read(2) per 4 KiB is a tenth of
 * the time of a --shard), read ahead sequentially. Returns 0, or -1 with
 * libpcap's own message in errbuf (PCAP_ERRBUF_SIZE bytes).
 */
int readfile_open(struct readfile *r, const char *path, u_int precision, size_t bufsize,
		  char *errbuf);

/* The buffer each of n files read together gets: READFILE_BUFFERS_TOTAL shared, 4 KiB at least. */
size_t readfile_share(size_t n);

/* Close the handle, then free its buffer; r is left empty. */
void readfile_close(struct readfile *r);

#endif
