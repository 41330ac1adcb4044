/* merge.h - several capture files read as one stream in packet-time order, as mergecap merges. */
#ifndef TCPNOTE_MERGE_H
#define TCPNOTE_MERGE_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct merge;

/* A file that could not be opened or read further: "PATH: reason", said by the caller. */
typedef void (*merge_error_fn)(void *ctx, const char *msg);

/*
 * Open the n files (paths[i] "-" is standard input). A file that cannot be
 * opened is told to fn and left out; the others are read. Timestamps are
 * handed out in nanoseconds when nano, else in microseconds (as libpcap
 * scales them); files are compared in nanoseconds either way. Returns 0, or
 * -1 with the reason in err when no file could be opened (or memory ran out).
 */
int merge_open(struct merge **out, const char *const *paths, size_t n, bool nano, merge_error_fn fn,
	       void *ctx, char *err, size_t errlen);

/* How many files were named (left-out ones too: indexes stay as named). */
size_t merge_count(const struct merge *m);

/* File i's path, and its handle (NULL once it was left out or has been read to its end). */
const char *merge_path(const struct merge *m, size_t i);
pcap_t *merge_pcap(const struct merge *m, size_t i);

/* Leave file i out (its link type cannot be decoded), before the first merge_next. */
void merge_drop(struct merge *m, size_t i);

/*
 * The earliest packet among the files' next ones, as mergecap 4.0 picks it:
 * of equal timestamps, the file named last goes first. *h and *bytes stay
 * valid until the next call. Returns 1 with a packet, 0 at the end of every
 * file. A file that fails while being read is told to fn and the others go on.
 */
int merge_next(struct merge *m, const struct pcap_pkthdr **h, const unsigned char **bytes, int *dlt);

/* For a progress line: files read to their end (or left out), bytes read of all the files' bytes. */
void merge_position(const struct merge *m, size_t *files_done, uint64_t *bytes_read,
		    uint64_t *bytes_total);

void merge_close(struct merge *m);

#endif
