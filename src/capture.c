/* capture.c - opens libpcap (file, stdin or live in immediate mode), filters, saves and loops. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tcpnote/capture.h"
#include "tcpnote/savefile.h"

#define DEFAULT_SNAPLEN 262144
#define CAPTURE_BUFFER_BYTES (64 * 1024 * 1024)

struct capture {
	pcap_t *pcap;
	struct savefile *save; /* -w */
	bool live;
	bool stopped; /* the -w file or the handler failed: no more frames */
	bool nano;
	unsigned long handed;
	char dlt_name[16];
	frame_handler fn;
	void *ctx;
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

/* The "any" device gives per-packet interface names with LINUX_SLL2, as tcpdump 4.99 chooses. */
static void prefer_sll2(pcap_t *p)
{
	int *dlts = NULL;
	int n = pcap_list_datalinks(p, &dlts), i;

	for (i = 0; i < n; i++) {
		if (dlts[i] == DLT_LINUX_SLL2) {
			pcap_set_datalink(p, DLT_LINUX_SLL2);
			break;
		}
	}
	if (dlts != NULL)
		pcap_free_datalinks(dlts);
}

static int open_live(struct capture *c, const struct capture_opts *o, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	int rc;

	c->pcap = pcap_create(o->iface, ebuf);
	if (c->pcap == NULL) {
		snprintf(err, errlen, "%s: %s", o->iface, ebuf);
		return CAPTURE_ERR;
	}
	pcap_set_snaplen(c->pcap, o->snaplen > 0 ? o->snaplen : DEFAULT_SNAPLEN);
	pcap_set_promisc(c->pcap, 1);
	pcap_set_timeout(c->pcap, 100);
	/* A line per packet as soon as it is captured, not when a buffer fills. */
	pcap_set_immediate_mode(c->pcap, 1);
	/*
	 * In immediate mode Linux libpcap rings one frame slot per packet, each
	 * as large as the snapshot length: the default 2 MiB holds only eight
	 * 256 KiB slots, and a burst on loopback overflows it. 64 MiB holds 256.
	 */
	pcap_set_buffer_size(c->pcap, CAPTURE_BUFFER_BYTES);
	if (o->nano) {
		rc = pcap_set_tstamp_precision(c->pcap, PCAP_TSTAMP_PRECISION_NANO);
		if (rc != 0) {
			/* tcpdump's words for it */
			snprintf(err, errlen, "%s: Can't set nanosecond time stamp precision: %s",
				 o->iface, pcap_statustostr(rc));
			return CAPTURE_ERR;
		}
	}
	rc = pcap_activate(c->pcap);
	if (rc < 0) {
		const char *hint = "";

		if (rc == PCAP_ERROR_PERM_DENIED)
			hint = "; capturing needs root or CAP_NET_RAW: run it with sudo";
		else if (rc == PCAP_ERROR_NO_SUCH_DEVICE)
			hint = "; list the interfaces with 'ip link' (lo and any always exist on Linux)";
		snprintf(err, errlen, "%s: %s%s", o->iface,
			 rc == PCAP_ERROR ? pcap_geterr(c->pcap) : pcap_statustostr(rc), hint);
		return CAPTURE_ERR;
	}
	if (strcmp(o->iface, "any") == 0)
		prefer_sll2(c->pcap);
	c->live = true;
	return CAPTURE_OK;
}

int capture_open(struct capture **out, const struct capture_opts *o, char *err, size_t errlen)
{
	struct capture *c = calloc(1, sizeof(*c));
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	int rc;

	*out = NULL;
	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return CAPTURE_ERR;
	}
	if (o->read_file != NULL) {
		/* libpcap scales a file's timestamps to the precision asked for, as tcpdump asks. */
		c->pcap = pcap_open_offline_with_tstamp_precision(
			o->read_file,
			o->nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO, ebuf);
		if (c->pcap == NULL) {
			snprintf(err, errlen, "%s", ebuf);
			free(c);
			return CAPTURE_ERR;
		}
	} else {
		rc = open_live(c, o, err, errlen);
		if (rc != CAPTURE_OK) {
			if (c->pcap != NULL)
				pcap_close(c->pcap);
			free(c);
			return rc;
		}
	}
	c->nano = pcap_get_tstamp_precision(c->pcap) == PCAP_TSTAMP_PRECISION_NANO;

	if (o->write_file != NULL) {
		if (capture_same_file(o->read_file, o->write_file)) {
			snprintf(err, errlen, "%s: -w would overwrite the file being read", o->write_file);
			pcap_close(c->pcap);
			free(c);
			return CAPTURE_ERR;
		}
		/* Live, someone may be watching the file grow: each packet lands at once. */
		if (savefile_open(&c->save, c->pcap, o->write_file, c->live, err, errlen) != 0) {
			pcap_close(c->pcap);
			free(c);
			return CAPTURE_ERR;
		}
	}
	*out = c;
	return CAPTURE_OK;
}

int capture_set_filter(struct capture *c, const char *filter, char *err, size_t errlen)
{
	struct bpf_program prog;

	if (filter == NULL || filter[0] == '\0')
		return CAPTURE_OK;
	if (pcap_compile(c->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		snprintf(err, errlen, "bad filter expression '%s': %s", filter, pcap_geterr(c->pcap));
		return CAPTURE_ERR_FILTER;
	}
	if (pcap_setfilter(c->pcap, &prog) < 0) {
		snprintf(err, errlen, "cannot set filter: %s", pcap_geterr(c->pcap));
		pcap_freecode(&prog);
		return CAPTURE_ERR;
	}
	pcap_freecode(&prog);
	return CAPTURE_OK;
}

int capture_datalink(const struct capture *c)
{
	return pcap_datalink(c->pcap);
}

const char *capture_datalink_name(struct capture *c)
{
	const char *n = pcap_datalink_val_to_name(pcap_datalink(c->pcap));

	if (n != NULL)
		return n;
	snprintf(c->dlt_name, sizeof(c->dlt_name), "%d", pcap_datalink(c->pcap));
	return c->dlt_name;
}

const char *capture_datalink_description(const struct capture *c)
{
	const char *n = pcap_datalink_val_to_description(pcap_datalink(c->pcap));

	return n != NULL ? n : "unknown";
}

int capture_snaplen(const struct capture *c)
{
	return pcap_snapshot(c->pcap);
}

bool capture_is_live(const struct capture *c)
{
	return c->live;
}

static void on_pcap(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct capture *c = (struct capture *)(void *)user;
	struct frame f;

	if (c->stopped)
		return; /* a frame of the batch that was being read when the loop was broken */
	/* Saved first: a packet the -w file could not take is not shown either. */
	if (c->save != NULL && !savefile_write(c->save, h, bytes)) {
		c->stopped = true;
		pcap_breakloop(c->pcap);
		return;
	}
	f.ts_sec = (int64_t)h->ts.tv_sec;
	f.ts_frac = (uint32_t)h->ts.tv_usec;
	f.ts_nano = c->nano;
	f.caplen = h->caplen;
	f.wirelen = h->len;
	f.bytes = bytes;
	c->handed++;
	if (!c->fn(c->ctx, &f)) {
		c->stopped = true;
		pcap_breakloop(c->pcap);
	}
}

int capture_run(struct capture *c, int count, frame_handler fn, void *ctx, char *err, size_t errlen)
{
	int rc;

	c->fn = fn;
	c->ctx = ctx;
	rc = pcap_loop(c->pcap, count > 0 ? count : -1, on_pcap, (u_char *)c);
	if (c->save != NULL && savefile_failed(c->save, err, errlen))
		return CAPTURE_ERR;
	if (rc == PCAP_ERROR) {
		snprintf(err, errlen, "%s", pcap_geterr(c->pcap));
		return CAPTURE_ERR;
	}
	return CAPTURE_OK;
}

void capture_break(struct capture *c)
{
	if (c != NULL && c->pcap != NULL)
		pcap_breakloop(c->pcap);
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
	ok = savefile_close(c->save, err, errlen);
	pcap_close(c->pcap);
	free(c);
	return ok;
}
