/* rotate.h - the -w file split into several as tcpdump's -C, -G, -W and -z split it. */
#ifndef TCPNOTE_ROTATE_H
#define TCPNOTE_ROTATE_H

#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct rotate;

/* How the -w file is split; all zero: one file, named as given. */
struct rotate_opts {
	long long bytes;     /* -C N: N x 1,000,000; a file already larger takes no more packets */
	int seconds;         /* -G: a packet this many seconds after a file was opened starts the next */
	int files;           /* -W: with -C, names wrap after this many; with -G alone, stop there */
	const char *command; /* -z: run "command FILE" for each file a rotation closes */
	time_t (*now)(void); /* the wall clock -G reads; NULL: time() (tests give their own) */
};

/* What rotate_write did with a packet. */
enum rotate_rc {
	ROTATE_OK = 0,    /* saved */
	ROTATE_LIMIT = 1, /* not saved: -G with -W has written its last file; stop, no error */
	ROTATE_ERR = -1   /* not saved: a write, a close, an open or -z failed (rotate_failed) */
};

/*
 * Check and record one of -C, -G, -W, -z (flag) with its argument, as
 * tcpdump accepts them. Returns 0, or -1 with the reason in err.
 */
int rotate_parse_option(struct rotate_opts *o, int flag, const char *arg, char *err, size_t errlen);

/* Check the flags together: -1 with the reason in err when one is given without what it needs. */
int rotate_check_options(const struct rotate_opts *o, bool have_w, char *err, size_t errlen);

/* True when o splits the -w file (-C or -G); otherwise there is one file, named as given. */
bool rotate_splits(const struct rotate_opts *o);

/*
 * Open the first file, named from pattern (-w) as tcpdump names it. inputs:
 * the ninputs files being read (-r, -V), none of which a file made here may
 * overwrite (NULL or "-" among them: none). each_packet: as savefile_open.
 * Returns 0, or -1 with "PATH: reason" in err.
 */
int rotate_open(struct rotate **out, pcap_t *p, const char *pattern, const struct rotate_opts *o,
		const char *const *inputs, size_t ninputs, bool each_packet, char *err,
		size_t errlen);

/* Save one packet, first closing the file and opening the next when it is time. */
enum rotate_rc rotate_write(struct rotate *r, const struct pcap_pkthdr *h,
			    const unsigned char *bytes);

/* True, with the reason in err, once rotate_write has returned ROTATE_ERR. */
bool rotate_failed(const struct rotate *r, char *err, size_t errlen);

/*
 * Close the file being written (no -z for it, as tcpdump) and release r.
 * Returns false with the reason in err if anything failed, now or before.
 * Commands -z started may still be running. r may be NULL.
 */
bool rotate_close(struct rotate *r, char *err, size_t errlen);

#endif
