/* savefile.h - the -w file: libpcap's savefile, kept a valid capture when a write fails. */
#ifndef TCPNOTE_SAVEFILE_H
#define TCPNOTE_SAVEFILE_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>

struct savefile;

/*
 * Create path as a pcap file of p's link type and snapshot length, its
 * header written at once (a disk too full for it fails here). each_packet:
 * every packet is written as soon as it is saved (live, as tcpdump -U);
 * otherwise in blocks of about 1 MiB. Returns 0, or -1 with "PATH: reason"
 * in err.
 */
int savefile_open(struct savefile **out, pcap_t *p, const char *path, bool each_packet, char *err,
		  size_t errlen);

/* Save one packet. False once a write has failed: nothing more is saved (savefile_failed: why). */
bool savefile_write(struct savefile *s, const struct pcap_pkthdr *h, const unsigned char *bytes);

/*
 * The file's size once every packet saved so far is written: what ftell()
 * says of libpcap's dump file, the size tcpdump -C compares.
 */
long long savefile_size(const struct savefile *s);

/* True, with "PATH: reason" in err, once a write has failed. */
bool savefile_failed(const struct savefile *s, char *err, size_t errlen);

/*
 * Write what is left and close. When a write failed, the file is cut back
 * to the end of its last whole packet (a regular file; a pipe keeps what it
 * was given). Returns false with "PATH: reason" in err if a write failed,
 * now or before. s may be NULL.
 */
bool savefile_close(struct savefile *s, char *err, size_t errlen);

#endif
