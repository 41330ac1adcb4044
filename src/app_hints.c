/* app_hints.c - the hint API: sniffing a direction, its state, in-order bytes to TLS or HTTP, connection facts. */
#include <stdlib.h>
#include <string.h>

#include "app_priv.h"
#include "tcpnote/seq.h"

const char *app_proto_name(enum app_proto p)
{
	switch (p) {
	case APP_TLS:
		return "tls";
	case APP_HTTP:
		return "http";
	case APP_NONE:
	default:
		return "none";
	}
}

/*
 * A TLS record header (type 20-23, version 3.0-3.4), or an HTTP/1.x start.
 * The two cannot be confused: record types are control bytes.
 */
enum app_proto app_sniff(const uint8_t *payload, size_t len)
{
	struct span s = span_make(payload, payload != NULL ? len : 0);
	uint8_t type, major, minor;

	if (!span_u8(s, 0, &type))
		return APP_NONE;
	if (type >= 20 && type <= 23) {
		if (span_u8(s, 1, &major) && major != 3)
			return APP_NONE;
		if (span_u8(s, 2, &minor) && minor > 4)
			return APP_NONE;
		return APP_TLS;
	}
	return app_http_sniff(s) ? APP_HTTP : APP_NONE;
}

struct app_dir *app_dir_new(void)
{
	return calloc(1, sizeof(struct app_dir));
}

void app_dir_free(struct app_dir *d)
{
	if (d == NULL)
		return;
	app_tls_free(&d->tls);
	app_hold_free(&d->hold);
	free(d);
}

void app_dir_anchor(struct app_dir *d, uint32_t next_seq)
{
	if (d == NULL || d->st.anchored)
		return;
	d->st.next = next_seq;
	d->st.anchored = true;
}

void app_dir_collect_chain(struct app_dir *d, struct app_cert_chain **slot)
{
	if (d != NULL)
		d->tls.chain = slot;
}

void app_dir_hello_retry(struct app_dir *d)
{
	if (d != NULL && d->proto == APP_TLS && !d->done)
		d->tls.hrr_pending = true;
}

bool app_dir_done(const struct app_dir *d)
{
	return d == NULL || d->done;
}

static void dir_finish(struct app_dir *d)
{
	d->done = true;
	app_tls_free(&d->tls);
	app_hold_free(&d->hold);
}

/* Bytes of the direction were never captured: a direction being decrypted says so, once. */
static void dir_hole(struct app_dir *d, bool from_client, struct app_hints *out)
{
	if (app_tls_dec_going(d->tls.sess, from_client))
		app_tls_dec_gap(d->tls.sess, from_client, out);
	dir_finish(d);
}

/* A segment past the next expected byte: HTTP moves on, TLS holds it for the gap to fill. */
static void feed_gap(struct app_dir *d, bool from_client, uint32_t seq, struct span data,
		     struct app_hints *out)
{
	if (d->proto == APP_HTTP) {
		app_stream_jump(&d->st, seq, data.len);
		app_http_segment(from_client, data, out);
	} else if (!app_hold_put(&d->hold, &d->st, seq, data)) {
		dir_hole(d, from_client, out);
	}
}

/* New in-order bytes at stream offset off; whole: they start a segment. */
static void feed_new(struct app_dir *d, bool from_client, uint64_t off, struct span data,
		     bool whole, struct app_hints *out)
{
	if (d->proto == APP_NONE) {
		d->proto = app_sniff(data.data, data.len);
		if (d->proto == APP_NONE) {
			dir_finish(d);
			return;
		}
		/* HTTP never waits for a gap: what was held past one is not looked at. */
		if (d->proto == APP_HTTP)
			app_hold_free(&d->hold);
	}
	if (d->proto == APP_TLS)
		app_tls_feed(d, from_client, off, data, out);
	else if (whole)
		app_http_segment(from_client, data, out);
}

void app_feed(struct app_dir *d, bool from_client, uint32_t seq, const uint8_t *payload,
	      size_t len, struct app_hints *out)
{
	struct span data = span_make(payload, payload != NULL ? len : 0);
	uint64_t off;
	size_t skip;

	out->bits = 0;
	out->decrypted_bits = 0;
	out->certs = NULL;
	if (d == NULL || d->done)
		return;
	off = d->st.offset;
	switch (app_stream_accept(&d->st, seq, data.len, &skip)) {
	case APP_ACCEPT_OLD:
		return;
	case APP_ACCEPT_GAP:
		feed_gap(d, from_client, seq, data, out);
		return;
	case APP_ACCEPT_NEW:
		break;
	}
	feed_new(d, from_client, off, span_sub(data, skip, data.len - skip), skip == 0, out);
	/* The gap this segment filled: what was held behind it follows, in order, once. */
	while (!d->done && app_hold_take(&d->hold, &d->st, &data, &off))
		feed_new(d, from_client, off, data, false, out);
	if (d->done)
		app_hold_free(&d->hold);
}

void app_dir_acked(struct app_dir *d, bool from_client, uint32_t ack, struct app_hints *out)
{
	/*
	 * The peer has the byte the stream waits for, so it will not be sent
	 * again: the capture missed it. With nothing held, one past it may be
	 * the direction's FIN.
	 */
	if (d == NULL || d->done || !d->st.anchored || !seq_gt(ack, d->st.next))
		return;
	/* HTTP never waits for a gap; a direction not yet read is judged by what it holds. */
	if (d->proto == APP_HTTP || (d->proto == APP_NONE && !app_hold_pending(d->hold)))
		return;
	if (app_hold_pending(d->hold) || seq_gt(ack, d->st.next + 1))
		dir_hole(d, from_client, out);
}

void app_dir_reset(struct app_dir *d, bool from_client, struct app_hints *out)
{
	if (d != NULL && !d->done && app_hold_pending(d->hold))
		dir_hole(d, from_client, out);
}

bool app_copy_str(char *dst, size_t cap, const uint8_t *src, size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < cap && src[i] != 0; i++)
		dst[i] = (char)src[i];
	dst[i] = '\0';
	return i == n;
}

/* Copy a NUL-terminated string of a hint into a fact of the same size. */
static void fact_set(char *dst, const char *src, size_t cap)
{
	size_t n = strnlen(src, cap - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* The hint kinds that say a connection speaks TLS (those before HTTP's, and alerts). */
#define TLS_KINDS (((1u << APP_HINT_HTTP_REQUEST) - 1) | 1u << APP_HINT_ALERT)

void app_facts_note(struct app_conn_facts *f, const struct app_hints *h)
{
	if (h->bits & TLS_KINDS)
		f->flags |= APP_FACT_TLS;
	if (app_hints_has(h, APP_HINT_RESUMED))
		f->flags |= APP_FACT_RESUMED;
	if ((app_hints_has(h, APP_HINT_CERTIFICATE) || app_hints_has(h, APP_HINT_DEC_CERTIFICATE)) &&
	    f->cert_cn[0] == '\0')
		fact_set(f->cert_cn, h->cn, sizeof(f->cert_cn));
	/*
	 * The server's choice: TLS 1.2 sends it in the ServerHello, TLS 1.3 in the
	 * EncryptedExtensions (read with --keylog). A server that chose none leaves
	 * alpn empty: the client's list stays apart, in alpn_offered.
	 */
	if ((app_hints_has(h, APP_HINT_ENC_EXT) || app_hints_has(h, APP_HINT_SERVER_HELLO)) &&
	    f->alpn[0] == '\0')
		fact_set(f->alpn, h->alpn, sizeof(f->alpn));
	if (app_hints_has(h, APP_HINT_CLIENT_HELLO)) {
		if (f->sni[0] == '\0')
			fact_set(f->sni, h->sni, sizeof(f->sni));
		if (f->alpn_offered[0] == '\0')
			fact_set(f->alpn_offered, h->alpn, sizeof(f->alpn_offered));
	}
	if (app_hints_has(h, APP_HINT_SERVER_HELLO) && f->tls_version == 0) {
		f->tls_version = h->version;
		f->tls_cipher = h->cipher;
		f->session_id_len = h->session_id_len;
		memcpy(f->session_id, h->session_id, h->session_id_len);
	}
	if (app_hints_has(h, APP_HINT_HTTP_REQUEST) && f->http_method[0] == '\0') {
		fact_set(f->http_method, h->method, sizeof(f->http_method));
		fact_set(f->http_path, h->path, sizeof(f->http_path));
		if (h->path_truncated)
			f->flags |= APP_FACT_PATH_TRUNCATED;
	}
	if (app_hints_has(h, APP_HINT_HTTP_RESPONSE) && f->http_status == 0)
		f->http_status = h->status;
}
