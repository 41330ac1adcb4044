/* merge.c - several capture files read as one stream in packet-time order, as mergecap merges. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "tcpnote/merge.h"
#include "tcpnote/readfile.h"

/* One named file: its handle and the packet it will hand out next (one per file: bounded memory). */
struct merge_file {
	const char *path;
	pcap_t *pcap;         /* NULL once left out or read to its end */
	void *buf;            /* the buffer libpcap reads it through (readfile_open) */
	struct pcap_pkthdr h; /* the next packet's header, its time in the precision handed out */
	const unsigned char *bytes;
	int64_t key;          /* the next packet's time in ns, to compare files */
	uint64_t size;        /* bytes in the file (0 for a pipe) */
	uint64_t read_at_end; /* bytes read when it was closed */
};

struct merge {
	struct merge_file *f;
	size_t n;
	size_t *heap; /* indexes of the files that hold a packet, earliest first */
	size_t nheap;
	size_t done;  /* files closed */
	bool nano;
	bool primed;  /* every file's first packet has been read */
	bool out;     /* f[last] handed its packet out: read its next one first */
	size_t last;
	merge_error_fn fn;
	void *ctx;
};

/*
 * mergecap 4.0 scans the files in the order named and keeps the last one
 * whose packet is not later than the earliest so far: of equal times, the
 * file named last wins. The heap orders the same way, so its pick is the scan's.
 */
static bool before(const struct merge *m, size_t a, size_t b)
{
	return m->f[a].key < m->f[b].key || (m->f[a].key == m->f[b].key && a > b);
}

static void heap_push(struct merge *m, size_t i)
{
	size_t at = m->nheap++, up;

	while (at > 0 && before(m, i, m->heap[up = (at - 1) / 2])) {
		m->heap[at] = m->heap[up];
		at = up;
	}
	m->heap[at] = i;
}

static size_t heap_pop(struct merge *m)
{
	size_t top = m->heap[0], last = m->heap[--m->nheap], at = 0, kid;

	while ((kid = 2 * at + 1) < m->nheap) {
		if (kid + 1 < m->nheap && before(m, m->heap[kid + 1], m->heap[kid]))
			kid++;
		if (!before(m, m->heap[kid], last))
			break;
		m->heap[at] = m->heap[kid];
		at = kid;
	}
	if (m->nheap > 0)
		m->heap[at] = last;
	return top;
}

static uint64_t bytes_read(const struct merge_file *f)
{
	off_t at;

	if (f->pcap == NULL)
		return f->read_at_end;
	at = ftello(pcap_file(f->pcap));
	return at > 0 ? (uint64_t)at : 0;
}

static void close_file(struct merge *m, size_t i)
{
	struct merge_file *f = &m->f[i];
	struct readfile r = {f->pcap, f->buf};

	if (f->pcap == NULL)
		return;
	f->read_at_end = f->size; /* read to its end, or given up on: either way done with */
	readfile_close(&r);
	f->pcap = NULL;
	f->buf = NULL;
	m->done++;
}

static void tell(struct merge *m, const char *path, const char *why)
{
	char msg[PCAP_ERRBUF_SIZE + 1024];

	snprintf(msg, sizeof(msg), "%s: %s", path, why);
	m->fn(m->ctx, msg);
}

/* Read file i's next packet into its slot and the heap; at its end (or a read error) close it. */
static void advance(struct merge *m, size_t i)
{
	struct merge_file *f = &m->f[i];
	struct pcap_pkthdr *h;
	int rc = pcap_next_ex(f->pcap, &h, &f->bytes);

	if (rc == 1) {
		f->h = *h;
		f->key = (int64_t)h->ts.tv_sec * 1000000000 + (int64_t)h->ts.tv_usec;
		if (!m->nano) /* libpcap's own scaling to microseconds: truncated */
			f->h.ts.tv_usec /= 1000;
		heap_push(m, i);
		return;
	}
	if (rc == PCAP_ERROR) /* a damaged record: the file is left, the others go on */
		tell(m, f->path, pcap_geterr(f->pcap));
	close_file(m, i);
}

/* More files than descriptors allowed: raise the soft limit toward the hard one, as far as it goes. */
static void allow_files(size_t n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= n + 64)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > n + 64 ? n + 64 : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

int merge_open(struct merge **out, const char *const *paths, size_t n, bool nano, merge_error_fn fn,
	       void *ctx, char *err, size_t errlen)
{
	struct merge *m = calloc(1, sizeof(*m));
	char ebuf[PCAP_ERRBUF_SIZE];
	struct readfile r;
	struct stat st;
	size_t i;

	*out = NULL;
	if (m == NULL || (m->f = calloc(n, sizeof(*m->f))) == NULL ||
	    (m->heap = calloc(n, sizeof(*m->heap))) == NULL) {
		merge_close(m);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	m->n = n;
	m->nano = nano;
	m->fn = fn;
	m->ctx = ctx;
	allow_files(n);
	for (i = 0; i < n; i++) {
		struct merge_file *f = &m->f[i];

		f->path = paths[i];
		ebuf[0] = '\0';
		/* Nanoseconds for every file, so that files of both precisions compare exactly. */
		if (readfile_open(&r, paths[i], PCAP_TSTAMP_PRECISION_NANO, readfile_share(n), ebuf) == 0) {
			f->pcap = r.pcap;
			f->buf = r.buf;
		} else {
			m->done++;
			/* libpcap names the file itself when it cannot open it; not when its header is bad */
			if (strncmp(ebuf, paths[i], strlen(paths[i])) == 0)
				m->fn(m->ctx, ebuf);
			else
				tell(m, paths[i], ebuf);
			continue;
		}
		if (fstat(fileno(pcap_file(f->pcap)), &st) == 0 && S_ISREG(st.st_mode))
			f->size = (uint64_t)st.st_size;
	}
	if (m->done == n) {
		snprintf(err, errlen, "none of the %zu files could be read", n);
		merge_close(m);
		return -1;
	}
	*out = m;
	return 0;
}

size_t merge_count(const struct merge *m)
{
	return m->n;
}

const char *merge_path(const struct merge *m, size_t i)
{
	return m->f[i].path;
}

pcap_t *merge_pcap(const struct merge *m, size_t i)
{
	return i < m->n ? m->f[i].pcap : NULL;
}

void merge_drop(struct merge *m, size_t i)
{
	if (i < m->n && !m->primed)
		close_file(m, i);
}

int merge_next(struct merge *m, const struct pcap_pkthdr **h, const unsigned char **bytes, int *dlt)
{
	size_t i;

	if (!m->primed) {
		m->primed = true;
		for (i = 0; i < m->n; i++)
			if (m->f[i].pcap != NULL)
				advance(m, i);
	} else if (m->out) {
		m->out = false;
		advance(m, m->last);
	}
	if (m->nheap == 0)
		return 0;
	i = heap_pop(m);
	m->out = true;
	m->last = i;
	*h = &m->f[i].h;
	*bytes = m->f[i].bytes;
	*dlt = pcap_datalink(m->f[i].pcap);
	return 1;
}

void merge_position(const struct merge *m, size_t *files_done, uint64_t *read, uint64_t *total)
{
	size_t i;

	*files_done = m->done;
	*read = *total = 0;
	for (i = 0; i < m->n; i++) {
		*read += bytes_read(&m->f[i]);
		*total += m->f[i].size;
	}
}

void merge_close(struct merge *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; m->f != NULL && i < m->n; i++) {
		struct readfile r = {m->f[i].pcap, m->f[i].buf};

		readfile_close(&r);
	}
	free(m->f);
	free(m->heap);
	free(m);
}
