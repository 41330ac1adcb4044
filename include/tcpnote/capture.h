/* capture.h - libpcap input: a saved file, standard input or a live interface. */
#ifndef TCPNOTE_CAPTURE_H
#define TCPNOTE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct capture;

struct capture_opts {
	const char *read_file;  /* -r: path, or "-" for standard input */
	const char *iface;      /* -i */
	const char *write_file; /* -w, or NULL */
	int snaplen;            /* -s; 0 = default (262144) */
	bool nano;              /* --nano: nanosecond timestamps (a file's scaled, live asked for) */
};

/* Result codes, libpcap style: negative is an error with a message in err. */
enum capture_rc {
	CAPTURE_OK = 0,
	CAPTURE_ERR = -1,       /* runtime: unreadable file, no device, no permission */
	CAPTURE_ERR_FILTER = -2 /* the filter expression does not compile */
};

/* One captured frame, as handed to the handler. */
struct frame {
	int64_t ts_sec;
	uint32_t ts_frac;
	bool ts_nano;
	uint32_t caplen;
	uint32_t wirelen;
	const uint8_t *bytes;
};

/* Handles one frame; false stops the capture (its output could not be written). */
typedef bool (*frame_handler)(void *ctx, const struct frame *f);

int capture_open(struct capture **out, const struct capture_opts *opts, char *err, size_t errlen);

/* Compile and install a BPF filter (NULL or "" for none): CAPTURE_ERR_FILTER if it does not compile. */
int capture_set_filter(struct capture *c, const char *filter, char *err, size_t errlen);

/* The link type (DLT_) and its names, for messages. */
int capture_datalink(const struct capture *c);
const char *capture_datalink_name(struct capture *c);
const char *capture_datalink_description(const struct capture *c);
int capture_snaplen(const struct capture *c);
bool capture_is_live(const struct capture *c);

/*
 * Read frames until the input ends, count frames have been handed over
 * (count <= 0: no limit), capture_break() is called or the handler returns
 * false. Each frame is saved first when -w was given; a frame the -w file
 * could not take stops the capture before it is handed over. Returns
 * CAPTURE_OK, or CAPTURE_ERR with the reason in err (a read error, or the
 * -w file's "PATH: reason").
 */
int capture_run(struct capture *c, int count, frame_handler fn, void *ctx, char *err, size_t errlen);

/* Stop capture_run() soon; safe to call from a signal handler. */
void capture_break(struct capture *c);

/* tcpdump's three counters for a live capture; false if unavailable. */
bool capture_stats(struct capture *c, unsigned long *captured, unsigned long *received,
		   unsigned long *dropped);

/*
 * Write the rest of the -w file and release everything. Returns false, with
 * "PATH: reason" in err, if writing the -w file failed, now or before.
 */
bool capture_close(struct capture *c, char *err, size_t errlen);

/* True when paths a and b name the same existing file (so an output would overwrite an input); "-" never does. */
bool capture_same_file(const char *a, const char *b);

#endif
