/* app_tls.c - TLS records (RFC 8446 section 5, RFC 5246 section 6.2) and cleartext handshake messages into hints. */
#include <stdlib.h>
#include <string.h>

#include "app_priv.h"

enum {
	TLS_CHANGE_CIPHER_SPEC = 20,
	TLS_ALERT = 21,
	TLS_HANDSHAKE = 22,
	TLS_APPLICATION_DATA = 23,
	TLS_HEARTBEAT = 24,
};

enum { HS_CLIENT_HELLO = 1, HS_SERVER_HELLO = 2, HS_CERTIFICATE = 11 };

enum {
	EXT_SERVER_NAME = 0,
	EXT_ALPN = 16,
	EXT_PRE_SHARED_KEY = 41,
	EXT_SUPPORTED_VERSIONS = 43,
	EXT_KEY_SHARE = 51,
};

/* SHA-256("HelloRetryRequest"), the random of a HelloRetryRequest (RFC 8446 section 4.1.3). */
static const uint8_t hrr_random[32] = {
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};

/* TLSCiphertext.length is at most 2^14 + 2048 (RFC 5246 section 6.2.3); more is not TLS. */
#define TLS_RECORD_MAX (16384 + 2048)

bool app_tls_be24(struct span s, size_t off, uint32_t *out)
{
	uint8_t hi;
	uint16_t lo;

	if (!span_u8(s, off, &hi) || !span_be16(s, off + 1, &lo))
		return false;
	*out = ((uint32_t)hi << 16) | lo;
	return true;
}

bool app_hint_claim(struct app_hints *out, enum app_hint_kind k)
{
	if (app_hints_has(out, k))
		return false;
	out->bits |= 1u << k;
	return true;
}

/*
 * The body of a vector with a 1- or 2-byte length prefix at *at; advances
 * *at past it. False when the prefix or the body is not inside s.
 */
static bool vec_take(struct span s, size_t *at, unsigned prefix, struct span *body)
{
	uint8_t n8;
	uint16_t n16;
	size_t n;

	if (prefix == 1) {
		if (!span_u8(s, *at, &n8))
			return false;
		n = n8;
	} else {
		if (!span_be16(s, *at, &n16))
			return false;
		n = n16;
	}
	if (!span_has(s, *at + prefix, n))
		return false;
	*body = span_sub(s, *at + prefix, n);
	*at += prefix + n;
	return true;
}

/* ServerNameList (RFC 6066 section 3): the first non-empty host_name. */
static void ext_server_name(struct span ext, char *sni)
{
	struct span list, name;
	size_t at = 0, in = 0;
	uint8_t type;

	if (!vec_take(ext, &at, 2, &list))
		return;
	while (span_u8(list, in, &type)) {
		in++;
		if (!vec_take(list, &in, 2, &name))
			return;
		if (type == 0 && name.len > 0) {
			app_copy_str(sni, APP_SNI_MAX + 1, name.data, name.len);
			return;
		}
	}
}

/*
 * ProtocolNameList (RFC 7301 section 3.1), joined by commas. A name that
 * holds a NUL ends the list; names that do not fit are replaced by "...".
 */
static void ext_alpn(struct span ext, char *alpn)
{
	struct span list, name;
	size_t at = 0, in = 0, used = 0;

	alpn[0] = '\0';
	if (!vec_take(ext, &at, 2, &list))
		return;
	while (in < list.len) {
		size_t sep;

		if (!vec_take(list, &in, 1, &name) || name.len == 0)
			return;
		sep = used > 0 ? 1 : 0;
		if (memchr(name.data, 0, name.len) != NULL)
			return;
		/* Names that do not fit are left out, and ",..." (or "...") says so. */
		if (used + sep + name.len > APP_ALPN_MAX - 4) {
			memcpy(alpn + used, ",...", 5);
			if (!sep)
				memmove(alpn, alpn + 1, 4);
			return;
		}
		if (sep)
			alpn[used++] = ',';
		memcpy(alpn + used, name.data, name.len);
		used += name.len;
		alpn[used] = '\0';
	}
}

/* Walk an extensions block; call back with each (type, body) that is wholly inside it. */
static void ext_walk(struct span exts, struct app_hints *out,
		     void (*fn)(uint16_t type, struct span body, struct app_hints *out))
{
	size_t at = 0;
	uint16_t type;
	struct span body;

	while (span_be16(exts, at, &type)) {
		at += 2;
		if (!vec_take(exts, &at, 2, &body))
			return;
		fn(type, body, out);
	}
}

static void client_ext(uint16_t type, struct span body, struct app_hints *out)
{
	if (type == EXT_SERVER_NAME && out->sni[0] == '\0')
		ext_server_name(body, out->sni);
	else if (type == EXT_ALPN && out->alpn[0] == '\0')
		ext_alpn(body, out->alpn);
}

static void alpn_ext(uint16_t type, struct span body, struct app_hints *out)
{
	if (type == EXT_ALPN && out->alpn[0] == '\0')
		ext_alpn(body, out->alpn);
}

void app_tls_alpn_of(struct span exts, char *alpn)
{
	struct app_hints h;

	h.alpn[0] = '\0';
	ext_walk(exts, &h, alpn_ext);
	memcpy(alpn, h.alpn, sizeof(h.alpn));
}

static void server_ext(uint16_t type, struct span body, struct app_hints *out)
{
	uint16_t v;

	if (type == EXT_SUPPORTED_VERSIONS && body.len == 2 && span_be16(body, 0, &v))
		out->version = v;
	else if (type == EXT_ALPN && out->alpn[0] == '\0')
		ext_alpn(body, out->alpn);
	else if (type == EXT_PRE_SHARED_KEY)
		out->psk = true; /* selected_identity: the server took a PSK the client offered */
	else if (type == EXT_KEY_SHARE)
		out->psk_dhe = true; /* with a PSK: psk_dhe_ke (RFC 8446 section 4.2.9) */
}

/*
 * The offset of the byte after legacy_version, random and legacy_session_id
 * (RFC 8446 section 4.1.2 and 4.1.3 share this start), or 0 when truncated.
 * The session ID goes into out (cut at 32 bytes, its bound).
 */
static size_t hello_after_session(struct span m, struct app_hints *out)
{
	size_t at = 2 + 32;
	struct span sid;

	out->session_id_len = 0;
	if (!vec_take(m, &at, 1, &sid))
		return 0;
	out->session_id_len = (uint8_t)(sid.len < APP_SID_MAX ? sid.len : APP_SID_MAX);
	span_copy(sid, 0, out->session_id, out->session_id_len);
	return at;
}

/*
 * The extensions block, when present: it is optional before TLS 1.3, and a
 * block that claims more than the message holds is walked as far as it goes.
 */
static struct span hello_extensions(struct span m, size_t at)
{
	uint16_t n;

	if (!span_be16(m, at, &n))
		return span_make(NULL, 0);
	return span_sub(m, at + 2, n);
}

/* ClientHello: reported once complete, with server_name and ALPN when they parse. */
static void client_hello(struct tls_walk *w, struct span m, struct app_hints *out)
{
	struct span v;
	size_t at;

	if (w->sess != NULL)
		app_tls_dec_client_hello(w->sess, m);
	w->hrr_pending = false; /* the second ClientHello after a HelloRetryRequest is this */
	if (!app_hint_claim(out, APP_HINT_CLIENT_HELLO))
		return;
	out->sni[0] = '\0';
	out->alpn[0] = '\0';
	at = hello_after_session(m, out);
	if (at == 0 || !vec_take(m, &at, 2, &v) || !vec_take(m, &at, 1, &v))
		return;
	ext_walk(hello_extensions(m, at), out, client_ext);
}

/* ServerHello: needs at least the cipher suite; the version may come from supported_versions. */
static void server_hello(struct tls_walk *w, struct span m, struct app_hints *out)
{
	uint16_t legacy, cipher;
	uint8_t random[32];
	size_t at;

	if (app_hints_has(out, APP_HINT_SERVER_HELLO) || (at = hello_after_session(m, out)) == 0 ||
	    !span_be16(m, 0, &legacy) || !span_be16(m, at, &cipher))
		return;
	out->bits |= 1u << APP_HINT_SERVER_HELLO;
	out->version = legacy;
	out->cipher = cipher;
	out->alpn[0] = '\0';
	out->psk = out->psk_dhe = false;
	/* cipher_suite, then legacy_compression_method */
	ext_walk(hello_extensions(m, at + 3), out, server_ext);
	out->psk_dhe = out->psk_dhe && out->psk;
	out->hello_retry = span_copy(m, 2, random, sizeof(random)) &&
			   memcmp(random, hrr_random, sizeof(random)) == 0;
	/* The real ServerHello follows a HelloRetryRequest, after a ChangeCipherSpec. */
	w->hrr_pending = out->hello_retry;
	if (w->sess != NULL)
		app_tls_dec_server_hello(w->sess, m, out->version, cipher, out->hello_retry);
}

void app_tls_cert_list(struct span list, bool tls13, struct app_cert_chain **chain,
		       uint32_t *count, char *leaf_cn)
{
	struct app_cert_chain *c = NULL;
	struct span leaf = span_make(NULL, 0);
	uint32_t n = 0, len;
	uint16_t elen = 0;
	size_t at;
	int pass;

	/* Twice: count (and find the leaf), then, when a chain is wanted, describe. */
	for (pass = 0; pass < 2; pass++) {
		for (at = 0, n = 0; app_tls_be24(list, at, &len) && span_has(list, at + 3, len);) {
			/* TLS 1.3: each CertificateEntry ends in its extensions (RFC 8446 4.4.2). */
			if (tls13 && (!span_be16(list, at + 3 + len, &elen) ||
				      !span_has(list, at + 5 + len, elen)))
				break;
			if (n == 0)
				leaf = span_sub(list, at + 3, len);
			if (c != NULL && n < c->n)
				app_x509_describe(span_sub(list, at + 3, len), &c->cert[n]);
			n++;
			at += 3 + (size_t)len + (tls13 ? 2 + (size_t)elen : 0);
		}
		if (pass == 1 || chain == NULL || *chain != NULL || n == 0)
			break;
		c = calloc(1, sizeof(*c) + (n < APP_CHAIN_MAX ? n : APP_CHAIN_MAX) * sizeof(c->cert[0]));
		if (c == NULL)
			break;
		c->sent = n;
		c->n = (uint8_t)(n < APP_CHAIN_MAX ? n : APP_CHAIN_MAX);
		*chain = c;
	}
	*count = n;
	/* The leaf was read whole just now: its CN is there, without parsing it again. */
	if (c != NULL && c->n > 0)
		memcpy(leaf_cn, c->cert[0].subject_cn, sizeof(c->cert[0].subject_cn));
	else if (leaf.len > 0)
		app_x509_cn(leaf, leaf_cn);
}

/*
 * Certificate in the TLS 1.2 form (RFC 5246 section 7.4.2): the first
 * ASN.1Cert of certificate_list. TLS 1.3 sends its Certificate encrypted,
 * so a cleartext one is always this form.
 */
static void certificate(struct tls_walk *w, struct span m, struct app_hints *out)
{
	uint32_t list_len, count;

	if (!app_hint_claim(out, APP_HINT_CERTIFICATE))
		return;
	out->cn[0] = '\0';
	if (!app_tls_be24(m, 0, &list_len) || !span_has(m, 3, list_len))
		return;
	app_tls_cert_list(span_sub(m, 3, list_len), false, w->chain, &count, out->cn);
}

static void handshake_message(struct tls_walk *w, bool from_client, uint8_t type, struct span m,
			      struct app_hints *out)
{
	if (type == HS_CLIENT_HELLO && from_client)
		client_hello(w, m, out);
	else if (type == HS_SERVER_HELLO && !from_client)
		server_hello(w, m, out);
	else if (type == HS_CERTIFICATE)
		certificate(w, m, out);
}

/*
 * Take every complete handshake message off the front of the buffer. A
 * message that could never fit is passed over by counting (hs_skip).
 */
static void handshake_messages(struct tls_walk *w, bool from_client, struct app_hints *out)
{
	for (;;) {
		struct span b = span_make(w->hs.data, w->hs.len);
		uint8_t type;
		uint32_t mlen, total;

		if (!span_u8(b, 0, &type) || !app_tls_be24(b, 1, &mlen))
			return;
		total = 4 + mlen;
		if (total > APP_STREAM_MAX) {
			w->hs_skip = total - w->hs.len;
			w->hs_skip_type = type;
			app_buf_consume(&w->hs, w->hs.len);
			return;
		}
		if (b.len < total)
			return;
		handshake_message(w, from_client, type, span_sub(b, 4, mlen), out);
		app_buf_consume(&w->hs, total);
	}
}

/* Handshake record body bytes: into the buffer, or counted through a long message. */
static void handshake_bytes(struct tls_walk *w, bool from_client, struct span piece,
			    struct app_hints *out)
{
	size_t at = 0;

	while (at < piece.len) {
		size_t n = piece.len - at;

		if (w->hs_skip > 0) {
			if (n > w->hs_skip)
				n = w->hs_skip;
			w->hs_skip -= (uint32_t)n;
			at += n;
			if (w->hs_skip == 0 && w->hs_skip_type == HS_CERTIFICATE &&
			    app_hint_claim(out, APP_HINT_CERTIFICATE))
				out->cn[0] = '\0';
			continue;
		}
		n = app_buf_append(&w->hs, piece.data + at, n);
		if (n == 0)
			return; /* closed (encrypted from here, or no memory) */
		at += n;
		handshake_messages(w, from_client, out);
	}
}

/* A record header is complete: false when it is not TLS. */
static bool record_start(struct tls_walk *w)
{
	struct span h = span_make(w->hdr, sizeof(w->hdr));
	uint16_t len = 0;

	span_be16(h, 3, &len);
	if (w->hdr[0] < TLS_CHANGE_CIPHER_SPEC || w->hdr[0] > TLS_HEARTBEAT || w->hdr[1] != 3 ||
	    w->hdr[2] > 4 || len > TLS_RECORD_MAX)
		return false;
	w->body_left = len;
	return true;
}

/* The direction's handshake is encrypted from now on: no more handshake bytes to keep. */
static void handshake_close(struct tls_walk *w)
{
	app_buf_close(&w->hs);
	w->hs_skip = 0;
}

/*
 * A whole record has been seen. An alert is readable only when it is the
 * bare two bytes and the direction has not yet switched to encryption
 * (ChangeCipherSpec); TLS 1.3 encrypted alerts arrive as type 23 records.
 */
static void record_end(struct tls_walk *w, bool from_client, struct app_hints *out)
{
	uint16_t len = (uint16_t)((w->hdr[3] << 8) | w->hdr[4]);
	bool held = false;

	if (w->protected_rec) {
		w->protected_rec = false;
		held = app_tls_dec_end(w->sess, from_client, w->hdr, w->chain, out);
	}
	switch (w->hdr[0]) {
	case TLS_CHANGE_CIPHER_SPEC:
		app_hint_claim(out, APP_HINT_CHANGE_CIPHER);
		if (w->sess != NULL)
			app_tls_dec_ccs(w->sess, from_client);
		/*
		 * After a HelloRetryRequest the compatibility ChangeCipherSpec comes
		 * before the second hello (RFC 8446 appendix D.4): keep reading them.
		 */
		if (w->hrr_pending)
			break;
		w->ccs_seen = true;
		handshake_close(w);
		break;
	case TLS_ALERT:
		/* Held for its key (live): the alert's words come late, opened. */
		if (held || !app_hint_claim(out, APP_HINT_ALERT))
			break;
		out->alert_encrypted = len != 2 || w->ccs_seen;
		out->alert_level = out->alert_encrypted ? 0 : w->alert[0];
		out->alert_desc = out->alert_encrypted ? 0 : w->alert[1];
		break;
	case TLS_APPLICATION_DATA:
		/* In TLS 1.3 this is also the encrypted handshake, as tshark shows it. */
		if (!w->app_seen)
			app_hint_claim(out, APP_HINT_APP_DATA);
		w->app_seen = true;
		handshake_close(w);
		break;
	default:
		break;
	}
	w->hdr_have = 0;
}

/* Body bytes of the current record. */
static void record_body(struct tls_walk *w, bool from_client, struct span piece,
			struct app_hints *out)
{
	uint16_t len = (uint16_t)((w->hdr[3] << 8) | w->hdr[4]);
	size_t done = (size_t)(len - w->body_left);
	size_t i;

	if (w->protected_rec)
		app_tls_dec_body(w->sess, from_client, piece);
	switch (w->hdr[0]) {
	case TLS_HANDSHAKE:
		if (!w->ccs_seen)
			handshake_bytes(w, from_client, piece, out);
		break;
	case TLS_ALERT:
		for (i = 0; done + i < sizeof(w->alert) && i < piece.len; i++)
			w->alert[done + i] = piece.data[i];
		break;
	default:
		break;
	}
}

void app_tls_feed(struct app_dir *d, bool from_client, uint64_t stream_off, struct span data,
		  struct app_hints *out)
{
	struct tls_walk *w = &d->tls;
	size_t at = 0;

	while (at < data.len && !d->done) {
		size_t n;

		if (w->hdr_have < sizeof(w->hdr)) {
			/*
			 * Only records that start in the first APP_STREAM_MAX bytes are
			 * walked, unless they are being decrypted (then to the end).
			 */
			if (w->hdr_have == 0 && stream_off + at >= APP_STREAM_MAX &&
			    !app_tls_dec_going(w->sess, from_client)) {
				d->done = true;
				break;
			}
			span_u8(data, at++, &w->hdr[w->hdr_have++]);
			if (w->hdr_have < sizeof(w->hdr))
				continue;
			if (!record_start(w)) {
				d->done = true;
				break;
			}
			w->protected_rec = w->sess != NULL &&
					   app_tls_dec_wants(w->sess, from_client, w->hdr[0]);
			if (w->body_left == 0)
				record_end(w, from_client, out);
			continue;
		}
		n = data.len - at;
		if (n > w->body_left)
			n = w->body_left;
		record_body(w, from_client, span_sub(data, at, n), out);
		w->body_left -= (uint16_t)n;
		at += n;
		if (w->body_left == 0)
			record_end(w, from_client, out);
	}
	if (d->done)
		app_tls_free(w);
}

void app_tls_free(struct tls_walk *w)
{
	handshake_close(w);
}
