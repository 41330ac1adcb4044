/* rotate.c - the -w file split by size (-C) or time (-G) into files named as tcpdump names them. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tcpnote/rotate.h"
#include "tcpnote/savefile.h"

/*
 * tcpdump 4.99's dump_packet_and_trunc() and MakeFilename() are the model,
 * decision for decision: before each packet, -G closes the file when the
 * wall clock has moved -G seconds since it was opened (so a replay is split
 * by the time it takes, not by the packets' timestamps), then -C closes it
 * when it is already larger than -C x 1,000,000 bytes (so each file ends
 * with the packet that took it past). The names: the -w name through
 * strftime(3) with -G; with -C, the file's number after it (none for the
 * first without -W), zero-padded to the digits of -W - 1.
 */

#ifndef NZERO
#define NZERO 20 /* <limits.h> (XSI): nice values run from -NZERO to NZERO - 1 */
#endif

struct rotate {
	pcap_t *p;
	struct rotate_opts o;
	struct savefile *cur; /* NULL once a rotation failed or -G -W has written its last file */
	bool each_packet;
	bool failed; /* the reason is cur's (savefile_failed), else msg */
	bool done;   /* -G with -W: the last file is written */
	int width;   /* digits of the file number with -W: tcpdump's WflagChars */
	int number;  /* -C: this file's number (tcpdump's Cflag_count) */
	int closed;  /* -G: files closed by the clock (tcpdump's Gflag_count) */
	time_t opened; /* -G: when this file was opened (tcpdump's Gflag_time) */
	struct rotate_input {
		dev_t dev;
		ino_t ino;
	} *inputs; /* the files being read (-r, -V): no file made here may be one of them */
	size_t ninputs;
	pid_t *kids; /* -z commands not yet seen to end */
	size_t nkids, kids_room;
	char msg[PATH_MAX + 256];
	char name[PATH_MAX + 1]; /* the file being written, or the last one */
	char pattern[];
};

/* A decimal argument within lo..hi, the whole of it. */
static int parse_number(const char *s, long long lo, long long hi, long long *out)
{
	char *end = NULL;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return end != s && *end == '\0' && errno == 0 && *out >= lo && *out <= hi ? 0 : -1;
}

int rotate_parse_option(struct rotate_opts *o, int flag, const char *arg, char *err, size_t errlen)
{
	long long v = 0;

	switch (flag) {
	case 'C': /* tcpdump: strtol, then "too large" past LONG_MAX bytes */
		if (parse_number(arg, 1, LONG_MAX / 1000000, &v) < 0) {
			snprintf(err, errlen, "invalid file size '%s' (-C: millions of bytes, 1 to %ld)",
				 arg, LONG_MAX / 1000000);
			return -1;
		}
		o->bytes = v * 1000000;
		return 0;
	case 'G': /* 0, as in tcpdump, rotates nothing */
		if (parse_number(arg, 0, INT_MAX, &v) < 0) {
			snprintf(err, errlen, "invalid number of seconds '%s' (-G)", arg);
			return -1;
		}
		o->seconds = (int)v;
		return 0;
	case 'W':
		if (parse_number(arg, 1, INT_MAX, &v) < 0) {
			snprintf(err, errlen, "invalid number of output files '%s' (-W)", arg);
			return -1;
		}
		o->files = (int)v;
		return 0;
	case 'z':
		if (arg[0] == '\0') {
			snprintf(err, errlen, "-z takes a command");
			return -1;
		}
		o->command = arg;
		return 0;
	default:
		snprintf(err, errlen, "-%c is not a rotation option", flag);
		return -1;
	}
}

bool rotate_splits(const struct rotate_opts *o)
{
	return o->bytes != 0 || o->seconds != 0;
}

/* tcpdump ignores these without -w (and -W, -z without -C or -G); said here instead. */
int rotate_check_options(const struct rotate_opts *o, bool have_w, char *err, size_t errlen)
{
	bool rotating = rotate_splits(o);

	if ((rotating || o->files != 0 || o->command != NULL) && !have_w) {
		snprintf(err, errlen, "-C, -G, -W and -z split the -w file: give -w FILE");
		return -1;
	}
	if ((o->files != 0 || o->command != NULL) && !rotating) {
		snprintf(err, errlen, "-W and -z act when -C or -G starts a new file: give one of them");
		return -1;
	}
	return 0;
}

/* tcpdump's getWflagChars: the digits of count - 1 (0 for one file). */
static int number_width(int count)
{
	int width = 0;

	for (count -= 1; count > 0; count /= 10)
		width++;
	return width;
}

/* The -w name is the user's own strftime(3) format with -G, as in tcpdump: not a literal. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static size_t stamp(char *out, size_t len, const char *format, const struct tm *tm)
{
	return strftime(out, len, format, tm);
}
#pragma GCC diagnostic pop

/* tcpdump's MakeFilename: the name of file number under -w, into r->name. */
static bool make_name(struct rotate *r, int number, int width)
{
	char stamped[PATH_MAX + 1];
	const char *base = r->pattern;
	struct tm tm;
	int n;

	if (r->o.seconds != 0) {
		if (localtime_r(&r->opened, &tm) == NULL ||
		    stamp(stamped, sizeof(stamped) - 1, r->pattern, &tm) == 0) {
			snprintf(r->msg, sizeof(r->msg),
				 "-w %s: strftime makes no name of it, or one longer than %d bytes",
				 r->pattern, PATH_MAX);
			return false;
		}
		base = stamped;
	}
	if (number == 0 && width == 0)
		n = snprintf(r->name, sizeof(r->name), "%s", base);
	else
		n = snprintf(r->name, sizeof(r->name), "%s%0*d", base, width, number);
	if (n < 0 || n > PATH_MAX) {
		snprintf(r->msg, sizeof(r->msg), "-w %s: a file name longer than %d bytes", r->pattern,
			 PATH_MAX);
		return false;
	}
	return true;
}

/* Name and open the next file, never over the file being read. */
static bool open_file(struct rotate *r, int number, int width)
{
	struct stat st;

	if (!make_name(r, number, width))
		return false;
	for (size_t i = 0; i < r->ninputs && stat(r->name, &st) == 0; i++)
		if (st.st_dev == r->inputs[i].dev && st.st_ino == r->inputs[i].ino) {
			snprintf(r->msg, sizeof(r->msg), "%s: -w would overwrite the file being read",
				 r->name);
			return false;
		}
	return savefile_open(&r->cur, r->p, r->name, r->each_packet, r->msg, sizeof(r->msg)) == 0;
}

/* Forget the -z commands that have ended; their exit status is not judged, as in tcpdump. */
static void reap(struct rotate *r)
{
	size_t i = 0;

	while (i < r->nkids) {
		if (waitpid(r->kids[i], NULL, WNOHANG) != 0)
			r->kids[i] = r->kids[--r->nkids];
		else
			i++;
	}
}

/*
 * tcpdump's compress_savefile: "command FILE" beside the capture, at the
 * lowest priority, through execvp (PATH, no shell), as whoever tcpnote is
 * by now (after -Z, that user).
 */
static bool run_command(struct rotate *r)
{
	char *argv[3];
	pid_t pid;

	reap(r);
	if (r->nkids == r->kids_room) {
		size_t room = r->kids_room ? r->kids_room * 2 : 8;
		pid_t *kids = realloc(r->kids, room * sizeof(*kids));

		if (kids == NULL) {
			snprintf(r->msg, sizeof(r->msg), "-z %s %s: out of memory", r->o.command,
				 r->name);
			return false;
		}
		r->kids = kids;
		r->kids_room = room;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(r->msg, sizeof(r->msg), "-z %s %s: %s", r->o.command, r->name, strerror(errno));
		return false;
	}
	if (pid == 0) {
		argv[0] = (char *)r->o.command;
		argv[1] = r->name;
		argv[2] = NULL;
		(void)setpriority(PRIO_PROCESS, 0, NZERO - 1);
		execvp(argv[0], argv);
		dprintf(STDERR_FILENO, "tcpnote: -z %s: %s\n", argv[0], strerror(errno));
		/* This is the child: it must end here, never return into the capture. */
		_exit(127);
	}
	r->kids[r->nkids++] = pid;
	return true;
}

/* Close the file a rotation ends, then hand it to -z. */
static bool close_file(struct rotate *r)
{
	struct savefile *s = r->cur;

	r->cur = NULL;
	if (!savefile_close(s, r->msg, sizeof(r->msg)))
		return false;
	return r->o.command == NULL || run_command(r);
}

static time_t wall_clock(void)
{
	return time(NULL);
}

int rotate_open(struct rotate **out, pcap_t *p, const char *pattern, const struct rotate_opts *o,
		const char *const *inputs, size_t ninputs, bool each_packet, char *err, size_t errlen)
{
	size_t n = strlen(pattern) + 1, i;
	struct rotate *r = calloc(1, sizeof(*r) + n);
	struct stat st;

	*out = NULL;
	if (r == NULL || (ninputs > 0 && (r->inputs = calloc(ninputs, sizeof(*r->inputs))) == NULL)) {
		free(r);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(r->pattern, pattern, n);
	r->p = p;
	r->o = *o;
	if (r->o.now == NULL)
		r->o.now = wall_clock;
	r->each_packet = each_packet;
	r->width = o->files > 0 ? number_width(o->files) : 0;
	for (i = 0; i < ninputs; i++)
		if (inputs[i] != NULL && strcmp(inputs[i], "-") != 0 && stat(inputs[i], &st) == 0) {
			r->inputs[r->ninputs].dev = st.st_dev;
			r->inputs[r->ninputs++].ino = st.st_ino;
		}
	tzset(); /* strftime's local time, as TZ says now */
	r->opened = r->o.now();
	if (!open_file(r, 0, o->bytes != 0 ? r->width : 0)) {
		snprintf(err, errlen, "%s", r->msg);
		free(r->inputs);
		free(r);
		return -1;
	}
	*out = r;
	return 0;
}

static enum rotate_rc fail(struct rotate *r)
{
	r->failed = true;
	return ROTATE_ERR;
}

enum rotate_rc rotate_write(struct rotate *r, const struct pcap_pkthdr *h,
			    const unsigned char *bytes)
{
	if (r->failed)
		return ROTATE_ERR;
	if (r->done)
		return ROTATE_LIMIT;
	if (r->o.seconds != 0) {
		time_t t = r->o.now();

		if (t == (time_t)-1) {
			snprintf(r->msg, sizeof(r->msg), "-G: cannot read the clock: %s", strerror(errno));
			return fail(r);
		}
		if (t - r->opened >= r->o.seconds) {
			r->opened = t;
			r->closed++;
			if (!close_file(r))
				return fail(r);
			/* -W counts -G's files only without -C (tcpdump's man page: ignored with both). */
			if (r->o.bytes == 0 && r->o.files > 0 && r->closed >= r->o.files) {
				r->done = true;
				return ROTATE_LIMIT;
			}
			r->number = 0;
			if (!open_file(r, 0, r->o.bytes != 0 ? r->width : 0))
				return fail(r);
		}
	}
	if (r->o.bytes != 0 && savefile_size(r->cur) > r->o.bytes) {
		if (!close_file(r))
			return fail(r);
		r->number++;
		if (r->o.files > 0 && r->number >= r->o.files)
			r->number = 0;
		if (!open_file(r, r->number, r->width))
			return fail(r);
	}
	if (!savefile_write(r->cur, h, bytes))
		return fail(r);
	return ROTATE_OK;
}

bool rotate_failed(const struct rotate *r, char *err, size_t errlen)
{
	if (r->cur != NULL && savefile_failed(r->cur, err, errlen))
		return true;
	if (r->failed)
		snprintf(err, errlen, "%s", r->msg);
	return r->failed;
}

bool rotate_close(struct rotate *r, char *err, size_t errlen)
{
	bool ok = true;

	if (r == NULL)
		return true;
	if (r->cur != NULL) {
		ok = savefile_close(r->cur, err, errlen);
	} else if (r->failed) {
		snprintf(err, errlen, "%s", r->msg);
		ok = false;
	}
	reap(r);
	free(r->kids);
	free(r->inputs);
	free(r);
	return ok;
}
