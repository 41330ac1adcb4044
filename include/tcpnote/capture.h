/* capture.h - libpcap input: a saved file, a list of them, standard input or a live interface. */
#ifndef TCPNOTE_CAPTURE_H
#define TCPNOTE_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "tcpnote/rotate.h"

struct capture;

/* A file of several -r that cannot be opened or read on: "PATH: reason" (the others are read). */
typedef void (*capture_file_error_fn)(void *ctx, const char *msg);

/* capture_opts_init() fills in the defaults; the flags are tcpdump's. */
struct capture_opts {
	const char *read_file;     /* -r: path, or "-" for standard input (the first of read_files) */
	const char *const *read_files; /* -r given more than once: read together, in packet-time order */
	size_t nread_files;        /* 2 or more: read_files is used (merge.h) */
	capture_file_error_fn file_error; /* several -r: told each file that fails; the rest is read */
	void *file_error_ctx;
	const char *read_list;     /* -V: a file naming a capture file per line ("-": standard input) */
	const char *iface;         /* -i: a name, or N for the Nth device of -D; NULL: the first of -D */
	const char *write_file;    /* -w, or NULL */
	struct rotate_opts rotate; /* -C, -G, -W, -z: how the -w file is split */
	int snaplen;               /* -s; 0 = default (262144) */
	bool nano;                 /* --nano: nanosecond timestamps (a file's scaled, live asked for) */
	bool packet_buffered;      /* -U: each packet written to -w at once, replaying too */
	/* Live only (ignored when reading files, as tcpdump ignores them): */
	bool no_promisc;           /* -p */
	int direction;             /* -Q: PCAP_D_IN, PCAP_D_OUT or PCAP_D_INOUT; -1: libpcap's default */
	int buffer_kib;            /* -B: the kernel buffer in KiB; 0: 64 MiB */
	bool immediate;            /* --immediate-mode: a packet at a time, not in blocks */
	int tstamp_type;           /* -j: PCAP_TSTAMP_*; -1: the device's default */
	int linktype;              /* -y: DLT_*; -1: the device's default */
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
	int dlt;                   /* its link type (DLT_): files read together may differ */
};

/* Handles one frame; false stops the capture (its output could not be written). */
typedef bool (*frame_handler)(void *ctx, const struct frame *f);

void capture_opts_init(struct capture_opts *o);

/*
 * Open -r's file, -V's first file or the live device (-i, resolved as
 * capture_resolve_device does). Warnings that did not stop it (tcpdump's
 * "WARNING:" lines) are in capture_warnings().
 */
int capture_open(struct capture **out, const struct capture_opts *opts, char *err, size_t errlen);

/* The warnings capture_open met, one per line, each ending in '\n'; "" for none. */
const char *capture_warnings(const struct capture *c);

/*
 * -F: the filter expression in path, as tcpdump's read_infile: from each '#'
 * to the end of its line is a comment. *out is the caller's to free.
 */
int capture_read_filter_file(const char *path, char **out, char *err, size_t errlen);

/*
 * Open the -w file when opts->rotate splits it (capture_open opens a single
 * one), never over opts->read_file. Called once the filter is set and -Z
 * has given up root, as tcpdump opens every -w file: the files a split
 * makes later can only be the -Z user's, so the first one is too, and a
 * folder that user cannot write is refused at once. Returns CAPTURE_OK
 * (also when there is nothing to open), or CAPTURE_ERR with "PATH: reason"
 * in err.
 */
int capture_save_open(struct capture *c, const struct capture_opts *opts, char *err, size_t errlen);

/* Compile and install a BPF filter (NULL or "" for none): CAPTURE_ERR_FILTER if it does not compile. */
int capture_set_filter(struct capture *c, const char *filter, char *err, size_t errlen);

/* The link type (DLT_) and its names, for messages. */
int capture_datalink(const struct capture *c);
const char *capture_datalink_name(struct capture *c);
const char *capture_datalink_description(const struct capture *c);
int capture_snaplen(const struct capture *c);
bool capture_is_live(const struct capture *c);

/* The device being captured (its name, also when -i gave a number) or the file being read. */
const char *capture_source(const struct capture *c);

/*
 * Several -r: how many files are read together (1 otherwise). After
 * capture_describe_file(c, i), capture_source, capture_datalink and the
 * others above describe the i-th as named (false past the last, or for a
 * file already left out); capture_drop_file leaves the described one out,
 * before capture_run.
 */
size_t capture_file_count(const struct capture *c);
bool capture_describe_file(struct capture *c, size_t i);
void capture_drop_file(struct capture *c);

/* Where the reading is, for a progress line; files: every input file counted. */
struct capture_position {
	size_t files_done, files_total;
	uint64_t bytes_read, bytes_total; /* of regular files; a pipe counts 0 */
	uint64_t packets;                 /* handed over */
};
void capture_position(const struct capture *c, struct capture_position *pos);

/* True when every input is a regular file (not live, nor standard input, nor a pipe). */
bool capture_reads_regular_files(const struct capture *c);

/* progress(ctx) is called every CAPTURE_PROGRESS_EVERY packets read (cheap: no clock here). */
#define CAPTURE_PROGRESS_EVERY 4096
void capture_set_progress(struct capture *c, void (*progress)(void *ctx), void *ctx);

/*
 * Read frames until the input ends, count frames have been handed over
 * (count <= 0: no limit), capture_break() is called or the handler returns
 * false. Each frame is saved first when -w was given; a frame the -w file
 * could not take stops the capture before it is handed over, as does the
 * first frame after -G with -W has written its last file. Returns
 * CAPTURE_OK, or CAPTURE_ERR with the reason in err (a read error, or the
 * -w file's "PATH: reason").
 */
int capture_run(struct capture *c, int count, frame_handler fn, void *ctx, char *err, size_t errlen);

/*
 * Live only: tick(ctx) is called by capture_run after each batch of frames
 * and, while none come, about every 100 ms (libpcap's timeout), so that
 * work that waits on time (a key log that grows) is done without packets.
 * A tick that returns false stops the capture, as a handler does.
 */
typedef bool (*capture_tick_fn)(void *ctx);
void capture_set_tick(struct capture *c, capture_tick_fn fn, void *ctx);

/*
 * -V: after capture_run, open the next file of the list, with the same
 * filter, and set *opened. *opened is false at the end of the list, or when
 * the capture was stopped (capture_break, the handler, the -w file). With -w,
 * a file of another link type is an error ("PATH: new dlt does not match
 * original"), as in tcpdump: a pcap file has one link type.
 */
int capture_next_file(struct capture *c, bool *opened, char *err, size_t errlen);

/* True when capture_run() stopped because -G with -W had written its last file (not an error). */
bool capture_files_done(const struct capture *c);

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

/*
 * The device -i ARG names, as tcpdump 4.99 finds it: NULL is the first
 * device -D lists; a number that is no device's name is the Nth of that
 * list (from 1); any other name is itself.
 */
int capture_resolve_device(const char *arg, char *name, size_t namelen, char *err, size_t errlen);

/* -D: the devices, numbered, with description and flags, byte for byte as tcpdump -D. */
int capture_list_devices(FILE *out, char *err, size_t errlen);

/*
 * -J: the time stamp types of -i's device, as tcpdump -J. A device that
 * offers none returns 1 with tcpdump's sentence for standard error in err.
 */
int capture_list_tstamp_types(FILE *out, const char *iface, char *err, size_t errlen);

/*
 * -L: the link types of the device, opened with opts as for a capture
 * (but neither -y nor -w), as tcpdump -L; printable(dlt) false adds
 * "(printing not supported)".
 */
int capture_list_datalinks(FILE *out, const struct capture_opts *opts, bool (*printable)(int dlt),
			   char *err, size_t errlen);

#endif
