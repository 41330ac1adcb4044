/* capture.c - opens libpcap (a file, -V's files, merged -r files, stdin or live), filters, saves, loops. */
#include <errno.h>
#include <limits.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tcpnote/capture.h"
#include "tcpnote/merge.h"
#include "tcpnote/readfile.h"
#include "tcpnote/rotate.h"

#define DEFAULT_SNAPLEN 262144
/* Live with a tick (capture_set_tick): the longest wait between ticks while no packet comes. */
#define TICK_MS 100
#define CAPTURE_BUFFER_BYTES (64 * 1024 * 1024)
#define LIVE_TIMEOUT_MS 100 /* the longest a captured packet waits in a block (not --immediate-mode) */
/* -F: a filter file larger than this is refused (tcpdump's limit is INT_MAX). */
#define FILTER_FILE_MAX (16 * 1024 * 1024)

struct capture {
	pcap_t *pcap;       /* several -r: a dead handle of the first file's link type, for -w */
	void *read_buf;     /* a file's: the buffer libpcap reads it through (readfile_open) */
	struct merge *merge; /* several -r: the files read together */
	size_t described;   /* several -r: the file capture_source and the link type describe */
	struct rotate *save; /* -w, split by -C/-G */
	bool live;
	bool stopped;    /* the -w file or the handler failed: no more frames */
	bool immediate;  /* live, --immediate-mode: no block to wait for at the end */
	bool files_done; /* -G with -W wrote its last file: stopped, no error */
	volatile sig_atomic_t broken; /* capture_break(): no more frames, nor files */
	bool nano;      /* the timestamps handed over are in nanoseconds */
	bool want_nano; /* --nano: files opened with nanosecond precision (libpcap scales them) */
	bool rfmon; /* the device could capture in monitor mode (-L says which list it shows) */
	unsigned long handed;
	char dlt_name[16];
	frame_handler fn;
	void *ctx;
	capture_tick_fn tick; /* live: called when libpcap's wait ends (a batch, or its timeout) */
	void *tick_ctx;
	char *filter;   /* as given to capture_set_filter, for -V's next files */
	char **files;   /* -V: the files listed, read in turn */
	size_t nfiles, next_file;
	const char *source; /* the device's name or the file's path */
	void (*progress)(void *ctx); /* called every CAPTURE_PROGRESS_EVERY packets */
	void *progress_ctx;
	uint64_t bytes_total;  /* -r or -V: the regular files' sizes */
	uint64_t bytes_before; /* -V: of the files read before this one */
	uint64_t size_now;     /* -V: of this one */
	bool regular;          /* every input is a regular file */
	char device[256];
	char warnings[1024];
};

bool capture_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (a == NULL || b == NULL || strcmp(a, "-") == 0)
		return false;
	if (stat(a, &sa) != 0 || stat(b, &sb) != 0)
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

void capture_opts_init(struct capture_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->direction = -1;
	o->tstamp_type = -1;
	o->linktype = -1;
}

/* A warning line for capture_warnings(), as tcpdump's warning() would print it. */
static void add_warning(struct capture *c, const char *what, const char *why)
{
	size_t n = strlen(c->warnings);

	snprintf(c->warnings + n, sizeof(c->warnings) - n, "%s: %s\n", what, why);
}

const char *capture_warnings(const struct capture *c)
{
	return c->warnings;
}

/* What libpcap said of status rc, with a hint when the fix is known. */
static void activate_error(const char *dev, pcap_t *p, int rc, char *err, size_t errlen)
{
	const char *hint = "";

	if (rc == PCAP_ERROR_PERM_DENIED)
		hint = "; capturing needs root or CAP_NET_RAW: run it with sudo";
	else if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
		hint = "; tcpnote -D lists the devices (lo and any always exist on Linux)";
	snprintf(err, errlen, "%s: %s%s", dev, rc == PCAP_ERROR ? pcap_geterr(p) : pcap_statustostr(rc),
		 hint);
}

/* Set before pcap_activate, in tcpdump's order: -s, -p, timeout, -B, -j. */
static int set_live_options(struct capture *c, const struct capture_opts *o, char *err,
			    size_t errlen)
{
	int rc;

	pcap_set_snaplen(c->pcap, o->snaplen > 0 ? o->snaplen : DEFAULT_SNAPLEN);
	pcap_set_promisc(c->pcap, !o->no_promisc);
	/*
	 * Without --immediate-mode Linux libpcap hands packets over in blocks of
	 * a shared ring (TPACKET_V3), each block when it fills or LIVE_TIMEOUT_MS
	 * after its first packet: a line is at most that late, and the ring holds
	 * packets at their own size. In immediate mode (TPACKET_V2) every packet
	 * takes a slot as large as the snapshot length or the interface's MTU
	 * (64 KiB on lo): 64 MiB is about a thousand packets, 2.5 ms of a bulk
	 * transfer on loopback, and the kernel drops the rest (bench/live.sh).
	 * tcpdump also captures in blocks unless asked (--immediate-mode), with
	 * a 100 ms timeout when it prints to a terminal.
	 */
	pcap_set_timeout(c->pcap, LIVE_TIMEOUT_MS);
	pcap_set_immediate_mode(c->pcap, o->immediate);
	c->immediate = o->immediate;
	pcap_set_buffer_size(c->pcap, o->buffer_kib > 0 ? o->buffer_kib * 1024 : CAPTURE_BUFFER_BYTES);
	if (o->nano) {
		rc = pcap_set_tstamp_precision(c->pcap, PCAP_TSTAMP_PRECISION_NANO);
		if (rc != 0) {
			/* tcpdump's words for it */
			snprintf(err, errlen, "%s: Can't set nanosecond time stamp precision: %s",
				 c->device, pcap_statustostr(rc));
			return CAPTURE_ERR;
		}
	}
	if (o->tstamp_type >= 0) {
		rc = pcap_set_tstamp_type(c->pcap, o->tstamp_type);
		if (rc < 0) {
			snprintf(err, errlen, "%s: Can't set time stamp type: %s", c->device,
				 pcap_statustostr(rc));
			return CAPTURE_ERR;
		}
		if (rc > 0) {
			char what[320];

			snprintf(what, sizeof(what), "When trying to set timestamp type '%s' on %s",
				 pcap_tstamp_type_val_to_name(o->tstamp_type), c->device);
			add_warning(c, what, pcap_statustostr(rc));
		}
	}
	return CAPTURE_OK;
}

static int open_live(struct capture *c, const struct capture_opts *o, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	int rc;

	rc = capture_resolve_device(o->iface, c->device, sizeof(c->device), err, errlen);
	if (rc != CAPTURE_OK)
		return rc;
	c->source = c->device;
	c->pcap = pcap_create(c->device, ebuf);
	if (c->pcap == NULL) {
		snprintf(err, errlen, "%s: %s", c->device, ebuf);
		return CAPTURE_ERR;
	}
	c->rfmon = pcap_can_set_rfmon(c->pcap) == 1;
	rc = set_live_options(c, o, err, errlen);
	if (rc != CAPTURE_OK)
		return rc;
	rc = pcap_activate(c->pcap);
	if (rc < 0) {
		activate_error(c->device, c->pcap, rc, err, errlen);
		return CAPTURE_ERR;
	}
	if (rc > 0) /* e.g. promiscuous mode not supported: captured anyway, as tcpdump does */
		add_warning(c, c->device,
			    rc == PCAP_WARNING ? pcap_geterr(c->pcap) : pcap_statustostr(rc));
	if (o->direction >= 0 && pcap_setdirection(c->pcap, (pcap_direction_t)o->direction) != 0) {
		snprintf(err, errlen, "%s: pcap_setdirection() failed: %s", c->device,
			 pcap_geterr(c->pcap));
		return CAPTURE_ERR;
	}
	if (o->linktype >= 0 && pcap_set_datalink(c->pcap, o->linktype) < 0) {
		snprintf(err, errlen, "%s", pcap_geterr(c->pcap));
		return CAPTURE_ERR;
	}
	c->live = true;
	return CAPTURE_OK;
}

/* -V: every line of the list names a file (its '\n' taken off, nothing else), as tcpdump reads it. */
static int read_list(struct capture *c, const char *path, char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	char *line = NULL;
	size_t cap = 0, room = 0;
	ssize_t n;
	int rc = CAPTURE_OK;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return CAPTURE_ERR;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		char **grown;

		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (c->nfiles == room) {
			room = room ? room * 2 : 16;
			grown = realloc(c->files, room * sizeof(*grown));
			if (grown == NULL)
				break;
			c->files = grown;
		}
		c->files[c->nfiles] = strdup(line);
		if (c->files[c->nfiles] == NULL)
			break;
		c->nfiles++;
	}
	if (n >= 0 || ferror(f)) {
		snprintf(err, errlen, "%s: %s", path, n >= 0 ? "out of memory" : strerror(errno));
		rc = CAPTURE_ERR;
	} else if (c->nfiles == 0) {
		snprintf(err, errlen, "Nothing in %s", path);
		rc = CAPTURE_ERR;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return rc;
}

/* Open path, then let the previous file go (-V). */
static int open_file(struct capture *c, const char *path, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct readfile r, before = {c->pcap, c->read_buf};

	/* libpcap scales a file's timestamps to the precision asked for, as tcpdump asks. */
	if (readfile_open(&r, path, c->want_nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO,
			  READFILE_BUFFER_BYTES, ebuf) != 0) {
		snprintf(err, errlen, "%s", ebuf);
		return CAPTURE_ERR;
	}
	readfile_close(&before);
	c->pcap = r.pcap;
	c->read_buf = r.buf;
	c->source = path;
	c->nano = pcap_get_tstamp_precision(c->pcap) == PCAP_TSTAMP_PRECISION_NANO;
	return CAPTURE_OK;
}

static void free_capture(struct capture *c)
{
	size_t i;

	struct readfile r = {c->pcap, c->read_buf};

	merge_close(c->merge);
	readfile_close(&r);
	for (i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c->files);
	free(c->filter);
	free(c);
}

/* -w onto a file being read would destroy it before it is read: refused, for each -V file too. */
static int check_overwrite(const struct capture *c, const struct capture_opts *o, char *err,
			   size_t errlen)
{
	size_t i;

	for (i = 0; i <= c->nfiles + o->nread_files; i++) {
		const char *in = i < c->nfiles		     ? c->files[i]
				 : i < c->nfiles + o->nread_files ? o->read_files[i - c->nfiles]
								   : o->read_file;

		if (capture_same_file(in, o->write_file)) {
			snprintf(err, errlen, "%s: -w would overwrite the file being read",
				 o->write_file);
			return CAPTURE_ERR;
		}
	}
	return CAPTURE_OK;
}

static int open_save(struct capture *c, const struct capture_opts *o, char *err, size_t errlen)
{
	/* No split file may be one being read: -V's files, every -r. */
	const char *const *in = c->nfiles > 0 ? (const char *const *)c->files : o->read_files;
	size_t nin = c->nfiles > 0 ? c->nfiles : o->nread_files;

	if (nin == 0) {
		in = &o->read_file;
		nin = 1;
	}
	/*
	 * Live, someone may be watching the file grow: each packet lands at
	 * once, with or without -U; replaying, only with -U.
	 */
	if (rotate_open(&c->save, c->pcap, o->write_file, &o->rotate, in, nin,
			c->live || o->packet_buffered, err, errlen) != 0)
		return CAPTURE_ERR;
	return CAPTURE_OK;
}

/* Bytes of path when it is a regular file (for the progress line), else 0 with *regular false. */
static uint64_t file_size(const char *path, bool *regular)
{
	struct stat st;

	if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return (uint64_t)st.st_size;
	*regular = false;
	return 0;
}

/* Without a teller, a file that fails is still said (main always gives one). */
static void say_file_error(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "tcpnote: %s\n", msg);
}

/*
 * Several -r: the files are opened together and read as one stream. -w
 * takes one link type (a pcap file has one), so with -w they must agree,
 * as -V's files must; the -w file is written with the largest snapshot
 * length among them, as mergecap does.
 */
static int open_merge(struct capture *c, const struct capture_opts *o, char *err, size_t errlen)
{
	int dlt = -1, snap = 0;
	size_t i;

	c->regular = true;
	for (i = 0; i < o->nread_files; i++)
		c->bytes_total += file_size(o->read_files[i], &c->regular);
	if (merge_open(&c->merge, o->read_files, o->nread_files, c->want_nano,
		       o->file_error != NULL ? o->file_error : say_file_error, o->file_error_ctx, err,
		       errlen) != 0)
		return CAPTURE_ERR;
	for (i = 0; i < o->nread_files; i++) {
		pcap_t *p = merge_pcap(c->merge, i);

		if (p == NULL)
			continue;
		if (dlt < 0) {
			dlt = pcap_datalink(p);
			c->described = i;
		} else if (o->write_file != NULL && pcap_datalink(p) != dlt) {
			snprintf(err, errlen, "%s: new dlt does not match original", o->read_files[i]);
			return CAPTURE_ERR;
		}
		if (pcap_snapshot(p) > snap)
			snap = pcap_snapshot(p);
	}
	c->pcap = pcap_open_dead_with_tstamp_precision(
		dlt, snap, c->want_nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
	if (c->pcap == NULL) {
		snprintf(err, errlen, "out of memory");
		return CAPTURE_ERR;
	}
	c->nano = c->want_nano;
	c->source = o->read_files[c->described];
	return CAPTURE_OK;
}

int capture_open(struct capture **out, const struct capture_opts *o, char *err, size_t errlen)
{
	struct capture *c = calloc(1, sizeof(*c));
	int rc;

	*out = NULL;
	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return CAPTURE_ERR;
	}
	c->want_nano = o->nano;
	if (o->read_list != NULL) {
		rc = read_list(c, o->read_list, err, errlen);
		if (rc == CAPTURE_OK && o->write_file != NULL)
			rc = check_overwrite(c, o, err, errlen);
		c->regular = rc == CAPTURE_OK;
		for (size_t i = 0; i < c->nfiles; i++)
			c->bytes_total += file_size(c->files[i], &c->regular);
		if (rc == CAPTURE_OK)
			rc = open_file(c, c->files[c->next_file++], err, errlen);
		c->size_now = c->nfiles > 0 ? file_size(c->files[0], &(bool){true}) : 0;
	} else if (o->nread_files > 1) {
		rc = o->write_file != NULL ? check_overwrite(c, o, err, errlen) : CAPTURE_OK;
		if (rc == CAPTURE_OK)
			rc = open_merge(c, o, err, errlen);
	} else if (o->read_file != NULL) {
		rc = o->write_file != NULL ? check_overwrite(c, o, err, errlen) : CAPTURE_OK;
		if (rc == CAPTURE_OK)
			rc = open_file(c, o->read_file, err, errlen);
		c->regular = true;
		c->bytes_total = c->size_now = file_size(o->read_file, &c->regular);
	} else {
		rc = open_live(c, o, err, errlen);
		if (rc == CAPTURE_OK)
			c->nano = pcap_get_tstamp_precision(c->pcap) == PCAP_TSTAMP_PRECISION_NANO;
	}
	/* A single -w file is opened here, still as root; split files later (capture_save_open). */
	if (rc == CAPTURE_OK && o->write_file != NULL && !rotate_splits(&o->rotate))
		rc = open_save(c, o, err, errlen);
	if (rc != CAPTURE_OK) {
		free_capture(c);
		return rc;
	}
	*out = c;
	return CAPTURE_OK;
}

int capture_save_open(struct capture *c, const struct capture_opts *o, char *err, size_t errlen)
{
	if (o->write_file == NULL || !rotate_splits(&o->rotate))
		return CAPTURE_OK;
	return open_save(c, o, err, errlen);
}

int capture_read_filter_file(const char *path, char **out, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *s = NULL, *grown;
	size_t len = 0, cap = 0, i, n = 1;

	*out = NULL;
	if (f == NULL) {
		snprintf(err, errlen, "can't open %s: %s", path, strerror(errno));
		return CAPTURE_ERR;
	}
	/* To the end, not to fstat's size as tcpdump reads: -F <(echo tcp) works too. */
	while (n > 0) {
		if (len == cap) {
			grown = cap < FILTER_FILE_MAX ? realloc(s, (cap ? cap * 2 : 4096) + 1) : NULL;
			if (grown == NULL) {
				snprintf(err, errlen, "%s is too large", path);
				break;
			}
			s = grown;
			cap = cap ? cap * 2 : 4096;
		}
		n = fread(s + len, 1, cap - len, f);
		len += n;
	}
	if (n == 0 && ferror(f))
		snprintf(err, errlen, "read %s: %s", path, strerror(errno));
	if (n > 0 || ferror(f)) {
		fclose(f);
		free(s);
		return CAPTURE_ERR;
	}
	fclose(f);
	for (i = 0; i < len; i++) {
		if (s[i] == '#') /* "# comment" becomes spaces, as in tcpdump's read_infile */
			while (i < len && s[i] != '\n')
				s[i++] = ' ';
	}
	s[len] = '\0';
	*out = s;
	return CAPTURE_OK;
}

static bool filter_compiles_on_ethernet(const char *filter)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 262144);
	struct bpf_program prog;
	bool ok;

	if (dead == NULL)
		return false;
	ok = pcap_compile(dead, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) == 0;
	if (ok)
		pcap_freecode(&prog);
	pcap_close(dead);
	return ok;
}

/* The filter compiled for p's own link type and set on it. */
static int filter_one(pcap_t *p, const char *filter, char *err, size_t errlen)
{
	struct bpf_program prog;

	if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "bad filter expression '%s': %s", filter, pcap_geterr(p));
		/* Fine on Ethernet: the input's link type cannot be filtered (IPOIB): exit 1, as tcpdump. */
		return filter_compiles_on_ethernet(filter) ? CAPTURE_ERR : CAPTURE_ERR_FILTER;
	}
	if (pcap_setfilter(p, &prog) < 0) {
		snprintf(err, errlen, "cannot set filter: %s", pcap_geterr(p));
		pcap_freecode(&prog);
		return CAPTURE_ERR;
	}
	pcap_freecode(&prog);
	return CAPTURE_OK;
}

/* Several -r: each file's filter is compiled for its own link type. */
static int apply_filter(struct capture *c, char *err, size_t errlen)
{
	size_t i;
	int rc = CAPTURE_OK;

	if (c->filter == NULL)
		return CAPTURE_OK;
	if (c->merge == NULL)
		return filter_one(c->pcap, c->filter, err, errlen);
	for (i = 0; i < merge_count(c->merge) && rc == CAPTURE_OK; i++)
		if (merge_pcap(c->merge, i) != NULL)
			rc = filter_one(merge_pcap(c->merge, i), c->filter, err, errlen);
	return rc;
}

int capture_set_filter(struct capture *c, const char *filter, char *err, size_t errlen)
{
	free(c->filter);
	c->filter = NULL;
	if (filter == NULL || filter[0] == '\0')
		return CAPTURE_OK;
	c->filter = strdup(filter);
	if (c->filter == NULL) {
		snprintf(err, errlen, "out of memory");
		return CAPTURE_ERR;
	}
	return apply_filter(c, err, errlen);
}

/* The handle the describing functions speak of: several -r, the described file's. */
static pcap_t *described(const struct capture *c)
{
	pcap_t *p = c->merge != NULL ? merge_pcap(c->merge, c->described) : NULL;

	return p != NULL ? p : c->pcap;
}

int capture_datalink(const struct capture *c)
{
	return pcap_datalink(described(c));
}

const char *capture_datalink_name(struct capture *c)
{
	const char *n = pcap_datalink_val_to_name(capture_datalink(c));

	if (n != NULL)
		return n;
	snprintf(c->dlt_name, sizeof(c->dlt_name), "%d", capture_datalink(c));
	return c->dlt_name;
}

const char *capture_datalink_description(const struct capture *c)
{
	const char *n = pcap_datalink_val_to_description(capture_datalink(c));

	return n != NULL ? n : "unknown";
}

int capture_snaplen(const struct capture *c)
{
	return pcap_snapshot(described(c));
}

size_t capture_file_count(const struct capture *c)
{
	return c->merge != NULL ? merge_count(c->merge) : 1;
}

bool capture_describe_file(struct capture *c, size_t i)
{
	if (c->merge == NULL)
		return i == 0;
	if (merge_pcap(c->merge, i) == NULL)
		return false;
	c->described = i;
	c->source = merge_path(c->merge, i);
	return true;
}

void capture_drop_file(struct capture *c)
{
	if (c->merge != NULL)
		merge_drop(c->merge, c->described);
}

void capture_position(const struct capture *c, struct capture_position *pos)
{
	off_t at;

	pos->packets = c->handed;
	pos->bytes_total = c->bytes_total;
	if (c->merge != NULL) {
		merge_position(c->merge, &pos->files_done, &pos->bytes_read, &pos->bytes_total);
		pos->files_total = merge_count(c->merge);
		return;
	}
	pos->files_total = c->nfiles > 0 ? c->nfiles : 1;
	pos->files_done = c->nfiles > 0 ? c->next_file - 1 : 0;
	at = c->live || c->pcap == NULL ? -1 : ftello(pcap_file(c->pcap));
	pos->bytes_read = c->bytes_before + (at > 0 ? (uint64_t)at : 0);
}

bool capture_reads_regular_files(const struct capture *c)
{
	return !c->live && c->regular;
}

void capture_set_progress(struct capture *c, void (*progress)(void *ctx), void *ctx)
{
	c->progress = progress;
	c->progress_ctx = ctx;
}

bool capture_is_live(const struct capture *c)
{
	return c->live;
}

const char *capture_source(const struct capture *c)
{
	return c->source;
}

int capture_list_datalinks(FILE *out, const struct capture_opts *opts, bool (*printable)(int dlt),
			   char *err, size_t errlen)
{
	struct capture_opts o = *opts;
	struct capture *c;
	const char *name;
	int *dlts = NULL;
	int n, i, rc;

	o.linktype = -1;
	o.write_file = NULL;
	rc = capture_open(&c, &o, err, errlen);
	if (rc != CAPTURE_OK)
		return rc;
	n = pcap_list_datalinks(c->pcap, &dlts);
	if (n <= 0) {
		snprintf(err, errlen, "%s", n < 0 ? pcap_geterr(c->pcap) : "No data link types.");
		capture_close(c, err, 0);
		return CAPTURE_ERR;
	}
	/* tcpdump's show_dlts_and_exit; tcpnote has no -I, so never in monitor mode. */
	fprintf(out, "Data link types for %s%s (use option -y to set):\n", c->device,
		c->rfmon ? " when not in monitor mode" : "");
	for (i = 0; i < n; i++) {
		name = pcap_datalink_val_to_name(dlts[i]);
		if (name == NULL)
			fprintf(out, "  DLT %d (printing not supported)\n", dlts[i]);
		else
			fprintf(out, "  %s (%s)%s\n", name, pcap_datalink_val_to_description(dlts[i]),
				printable(dlts[i]) ? "" : " (printing not supported)");
	}
	pcap_free_datalinks(dlts);
	capture_close(c, err, 0);
	return CAPTURE_OK;
}

/* Save a frame (-w) and hand it over; stop on a -w file that failed or a handler that did. */
static void deliver(struct capture *c, const struct pcap_pkthdr *h, const u_char *bytes, int dlt)
{
	struct frame f;

	if (c->stopped)
		return; /* a frame of the batch that was being read when the loop was broken */
	/* Saved first: a packet the -w file could not take is not shown either. */
	if (c->save != NULL) {
		enum rotate_rc rc = rotate_write(c->save, h, bytes);

		if (rc != ROTATE_OK) {
			c->stopped = true;
			c->files_done = rc == ROTATE_LIMIT;
			pcap_breakloop(c->pcap);
			return;
		}
	}
	f.ts_sec = (int64_t)h->ts.tv_sec;
	f.ts_frac = (uint32_t)h->ts.tv_usec;
	f.ts_nano = c->nano;
	f.caplen = h->caplen;
	f.wirelen = h->len;
	f.bytes = bytes;
	f.dlt = dlt;
	c->handed++;
	if (!c->fn(c->ctx, &f)) {
		c->stopped = true;
		pcap_breakloop(c->pcap);
	}
	if (c->progress != NULL && c->handed % CAPTURE_PROGRESS_EVERY == 0)
		c->progress(c->progress_ctx);
}

static void on_pcap(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct capture *c = (struct capture *)(void *)user;

	deliver(c, h, bytes, pcap_datalink(c->pcap));
}

/* Several -r: the merged stream, a packet at a time, until its end, -c, a stop or capture_break. */
static void loop_merged(struct capture *c, int count)
{
	const struct pcap_pkthdr *h;
	const u_char *bytes;
	int dlt, n = 0;

	while (!c->stopped && !c->broken && (count <= 0 || n++ < count) &&
	       merge_next(c->merge, &h, &bytes, &dlt) == 1)
		deliver(c, h, bytes, dlt);
}

void capture_set_tick(struct capture *c, capture_tick_fn fn, void *ctx)
{
	c->tick = fn;
	c->tick_ctx = ctx;
}

/*
 * The handle made non-blocking, so that the waiting is done with poll(2) on
 * the descriptor returned (POLLIN); its fd is -1 when libpcap has none to
 * give or cannot stop blocking.
 */
static struct pollfd pollable(struct capture *c)
{
	struct pollfd pfd = {.fd = pcap_get_selectable_fd(c->pcap), .events = POLLIN};
	char ebuf[PCAP_ERRBUF_SIZE];

	if (pfd.fd >= 0 && pcap_setnonblock(c->pcap, 1, ebuf) < 0)
		pfd.fd = -1;
	return pfd;
}

/*
 * pcap_loop, but back here after each batch of frames and, when none come,
 * every TICK_MS, to call the tick: libpcap's own wait (immediate mode on
 * Linux) does not end at its timeout while nothing arrives, so the handle
 * is made non-blocking and the waiting is done here, with poll(2) on its
 * descriptor. A signal ends the poll (no SA_RESTART), and capture_break's
 * pcap_breakloop ends the next pcap_dispatch. A count is counted down over
 * the batches, as pcap_loop counts.
 */
static int loop_ticking(struct capture *c, int count)
{
	struct pollfd pfd = pollable(c);
	int left = count > 0 ? count : -1, n; /* -1: no -c */

	if (pfd.fd < 0)
		return pcap_loop(c->pcap, left, on_pcap, (u_char *)c);
	for (;;) {
		n = pcap_dispatch(c->pcap, left, on_pcap, (u_char *)c);
		if (n < 0)
			return n == PCAP_ERROR_BREAK ? 0 : n;
		if (left > 0 && (left -= n) <= 0)
			return 0;
		if (c->stopped || c->broken)
			return 0;
		if (!c->tick(c->tick_ctx)) {
			c->stopped = true;
			return 0;
		}
		if (n == 0 && poll(&pfd, 1, TICK_MS) < 0 && errno != EINTR)
			return PCAP_ERROR;
	}
}

/*
 * After a signal ended a live capture: packets the kernel counted as
 * received are still in its ring, not read. In immediate mode they are
 * there to take; in blocks, the open block is handed over LIVE_TIMEOUT_MS
 * after its first packet: wait for it (twice that at most). Either way they
 * are taken, up to what is left of -c (live, every packet handed over was
 * this run's), so that a line for every packet captured before Ctrl-C is
 * printed.
 */
static void drain_ring(struct capture *c, int count)
{
	int left = count <= 0 ? -1 : c->handed >= (unsigned long)count ? 0 : count - (int)c->handed;
	int n = 0, tries;
	struct pollfd pfd;

	if (left == 0 || (pfd = pollable(c)).fd < 0)
		return;
	for (tries = 0; tries < (c->immediate ? 1 : 4) && !c->stopped; tries++) {
		if (poll(&pfd, 1, c->immediate ? 0 : LIVE_TIMEOUT_MS / 2) < 0 && errno != EINTR)
			return;
		while (!c->stopped && (n = pcap_dispatch(c->pcap, left, on_pcap, (u_char *)c)) > 0)
			if (left > 0 && (left -= n) <= 0)
				return;
		if (n < 0 && n != PCAP_ERROR_BREAK)
			return;
	}
}

int capture_run(struct capture *c, int count, frame_handler fn, void *ctx, char *err, size_t errlen)
{
	int rc;

	c->fn = fn;
	c->ctx = ctx;
	if (c->merge != NULL) {
		loop_merged(c, count);
		rc = 0;
	} else if (c->live && c->tick != NULL)
		rc = loop_ticking(c, count);
	else
		rc = pcap_loop(c->pcap, count > 0 ? count : -1, on_pcap, (u_char *)c);
	if (c->live && c->broken && !c->stopped && rc != PCAP_ERROR)
		drain_ring(c, count);
	if (c->save != NULL && rotate_failed(c->save, err, errlen))
		return CAPTURE_ERR;
	if (rc == PCAP_ERROR) {
		snprintf(err, errlen, "%s", pcap_geterr(c->pcap));
		return CAPTURE_ERR;
	}
	return CAPTURE_OK;
}

int capture_next_file(struct capture *c, bool *opened, char *err, size_t errlen)
{
	int dlt = pcap_datalink(c->pcap), rc;
	sigset_t all, was;

	*opened = false;
	if (c->broken || c->stopped || c->next_file >= c->nfiles)
		return CAPTURE_OK;
	/* capture_break(), from a signal handler, must never reach the handle being closed. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &was);
	c->bytes_before += c->size_now;
	c->size_now = file_size(c->files[c->next_file], &(bool){true});
	rc = open_file(c, c->files[c->next_file++], err, errlen);
	if (rc == CAPTURE_OK && c->save != NULL && pcap_datalink(c->pcap) != dlt) {
		snprintf(err, errlen, "%s: new dlt does not match original", c->source);
		rc = CAPTURE_ERR;
	}
	if (rc == CAPTURE_OK)
		rc = apply_filter(c, err, errlen); /* compiled anew: the link type may have changed */
	sigprocmask(SIG_SETMASK, &was, NULL);
	*opened = rc == CAPTURE_OK;
	return rc;
}

bool capture_files_done(const struct capture *c)
{
	return c->files_done;
}

void capture_break(struct capture *c)
{
	if (c != NULL && c->pcap != NULL) {
		c->broken = 1;
		pcap_breakloop(c->pcap);
	}
}

bool capture_stats(struct capture *c, unsigned long *captured, unsigned long *received,
		   unsigned long *dropped)
{
	struct pcap_stat st;

	*captured = c->handed;
	if (!c->live || pcap_stats(c->pcap, &st) < 0)
		return false;
	*received = st.ps_recv;
	*dropped = st.ps_drop;
	return true;
}

bool capture_close(struct capture *c, char *err, size_t errlen)
{
	bool ok;

	if (c == NULL)
		return true;
	ok = rotate_close(c->save, err, errlen);
	free_capture(c);
	return ok;
}
