/* app_hint_text.c - the label text of an application hint, exactly as labels.md spells it (raw, not escaped). */
#include <stdio.h>

#include "tcpnote/app_hints.h"
#include "tcpnote/app_starttls.h"
#include "tcpnote/sbuf.h"
#include "tcpnote/tls_names.h"

static const char *const app_hint_kind_names[APP_HINT_COUNT] = {
	[APP_HINT_STARTTLS] = "starttls",
	[APP_HINT_CLIENT_HELLO] = "tls client hello",
	[APP_HINT_SERVER_HELLO] = "tls server hello",
	[APP_HINT_RESUMED] = "tls resumed",
	[APP_HINT_CERTIFICATE] = "tls certificate",
	[APP_HINT_CHANGE_CIPHER] = "tls change cipher spec",
	[APP_HINT_ALERT] = "tls alert",
	[APP_HINT_APP_DATA] = "tls app data",
	[APP_HINT_ENC_EXT] = "tls encrypted extensions",
	[APP_HINT_DEC_CERTIFICATE] = "tls certificate",
	[APP_HINT_CERT_VERIFY] = "tls certificate verify",
	[APP_HINT_FINISHED] = "tls finished",
	[APP_HINT_NEW_TICKET] = "tls new session ticket",
	[APP_HINT_KEY_UPDATE] = "tls key update",
	[APP_HINT_CANNOT_DECRYPT] = "tls cannot decrypt",
	[APP_HINT_HTTP_REQUEST] = "http request",
	[APP_HINT_HTTP_RESPONSE] = "http response",
	[APP_HINT_KAFKA_0] = "kafka",
	[APP_HINT_KAFKA_1] = "kafka",
	[APP_HINT_KAFKA_2] = "kafka",
	[APP_HINT_KAFKA_3] = "kafka",
};

const char *app_hint_kind_name(enum app_hint_kind k)
{
	if ((unsigned)k >= APP_HINT_COUNT)
		return "?";
	return app_hint_kind_names[k];
}

/* A name from a table, or the value in hex ("0x1234") or decimal when unknown. */
static const char *name_or_number(const char *name, unsigned v, bool hex, char *tmp, size_t n)
{
	if (name != NULL)
		return name;
	snprintf(tmp, n, hex ? "0x%04x" : "%u", v);
	return tmp;
}

/* The REASON of "tls cannot decrypt (REASON)". */
static const char *undecryptable_name(uint8_t r)
{
	switch (r) {
	case APP_UNDEC_NO_KEY:
		return "no key";
	case APP_UNDEC_CIPHER:
		return "cipher not supported";
	case APP_UNDEC_AUTH:
		return "authentication failed";
	case APP_UNDEC_GAP:
		return "capture gap";
	case APP_UNDEC_MEMORY:
	default:
		return "out of memory";
	}
}

/* snprintf's result as a length; a failed call writes nothing. */
static size_t fmt_len(int r, char *buf, size_t n)
{
	if (r < 0) {
		if (n > 0)
			buf[0] = '\0';
		return 0;
	}
	return (size_t)r;
}

static int format_alert(const struct app_hints *h, char *buf, size_t n)
{
	char t1[8], t2[8];

	if (h->alert_encrypted)
		return snprintf(buf, n, "tls alert (encrypted)");
	return snprintf(buf, n, "tls alert %s %s",
			name_or_number(tls_alert_level_name(h->alert_level), h->alert_level, false,
				       t1, sizeof(t1)),
			name_or_number(tls_alert_name(h->alert_desc), h->alert_desc, false, t2,
				       sizeof(t2)));
}

size_t app_hint_format(const struct app_hints *h, enum app_hint_kind k, char *buf, size_t n)
{
	char t1[8], t2[8];
	int r;

	if ((unsigned)k >= APP_HINT_COUNT || !app_hints_has(h, k)) {
		if (n > 0)
			buf[0] = '\0';
		return 0;
	}
	switch (k) {
	case APP_HINT_STARTTLS:
		r = snprintf(buf, n, "starttls %s",
			     app_starttls_proto_name((enum app_starttls_proto)h->starttls));
		break;
	case APP_HINT_CLIENT_HELLO:
		r = snprintf(buf, n, "tls client hello%s%s%s%s", h->sni[0] ? " sni=" : "", h->sni,
			     h->alpn[0] ? " alpn=" : "", h->alpn);
		break;
	case APP_HINT_SERVER_HELLO:
		r = snprintf(
		    buf, n, "tls server hello %s %s",
		    name_or_number(tls_version_name(h->version), h->version, true, t1, sizeof(t1)),
		    name_or_number(tls_cipher_name(h->cipher), h->cipher, true, t2, sizeof(t2)));
		break;
	case APP_HINT_CERTIFICATE:
		r = snprintf(buf, n, "tls certificate%s%s", h->cn[0] ? " cn=" : "", h->cn);
		break;
	case APP_HINT_ALERT:
		r = format_alert(h, buf, n);
		break;
	case APP_HINT_ENC_EXT:
		r = snprintf(buf, n, "tls encrypted extensions%s%s", h->alpn[0] ? " alpn=" : "",
			     h->alpn);
		break;
	case APP_HINT_DEC_CERTIFICATE:
		if (h->chain > 1)
			r = snprintf(buf, n, "tls certificate%s%s chain=%u", h->cn[0] ? " cn=" : "",
				     h->cn, (unsigned)h->chain);
		else
			r = snprintf(buf, n, "tls certificate%s%s", h->cn[0] ? " cn=" : "", h->cn);
		break;
	case APP_HINT_CANNOT_DECRYPT:
		r = snprintf(buf, n, "tls cannot decrypt (%s)", undecryptable_name(h->undecryptable));
		break;
	case APP_HINT_HTTP_REQUEST:
		r = snprintf(buf, n, "http request %s %s%s", h->method, h->path,
			     h->path_truncated ? "..." : "");
		break;
	case APP_HINT_HTTP_RESPONSE:
		r = snprintf(buf, n, "http response %u", (unsigned)h->status);
		break;
	case APP_HINT_KAFKA_0:
	case APP_HINT_KAFKA_1:
	case APP_HINT_KAFKA_2:
	case APP_HINT_KAFKA_3:
		r = snprintf(buf, n, "%s", h->kafka[k - APP_HINT_KAFKA_0]);
		break;
	case APP_HINT_RESUMED:
	case APP_HINT_CHANGE_CIPHER:
	case APP_HINT_APP_DATA:
	default:
		r = snprintf(buf, n, "%s", app_hint_kind_name(k));
		break;
	}
	return fmt_len(r, buf, n);
}

const char *app_tls_version_text(uint16_t version, char *tmp, size_t n)
{
	return name_or_number(tls_version_name(version), version, true, tmp, n);
}

const char *app_tls_cipher_text(uint16_t suite, char *tmp, size_t n)
{
	return name_or_number(tls_cipher_name(suite), suite, true, tmp, n);
}

size_t app_facts_format(const struct app_conn_facts *f, char *buf, size_t n)
{
	struct sbuf s;
	char tmp[8];

	if (n == 0)
		return 0;
	sbuf_init(&s, buf, n);
	if (f->tls_version != 0) {
		sbuf_puts(&s, app_tls_version_text(f->tls_version, tmp, sizeof(tmp)));
		sbuf_putc(&s, ' ');
		sbuf_puts(&s, app_tls_cipher_text(f->tls_cipher, tmp, sizeof(tmp)));
	} else if (f->sni[0] != '\0' || f->alpn_offered[0] != '\0' || f->cert_cn[0] != '\0') {
		sbuf_puts(&s, "tls");
	}
	if (f->flags & APP_FACT_DECRYPTED)
		sbuf_puts(&s, " decrypted");
	if (f->flags & APP_FACT_RESUMED)
		sbuf_puts(&s, " resumed");
	if (f->sni[0] != '\0') {
		sbuf_puts(&s, " sni=");
		sbuf_puts(&s, f->sni);
	}
	/* The server's choice; while none is known, what the client offered. */
	if (f->alpn[0] != '\0') {
		sbuf_puts(&s, " alpn=");
		sbuf_puts(&s, f->alpn);
	} else if (f->alpn_offered[0] != '\0') {
		sbuf_puts(&s, " alpn-offered=");
		sbuf_puts(&s, f->alpn_offered);
	}
	/* Only for a decrypted session: without a key log the summary stays as tcpnote 1.1 wrote it. */
	if (f->cert_cn[0] != '\0' && (f->flags & APP_FACT_DECRYPTED)) {
		sbuf_puts(&s, " cn=");
		sbuf_puts(&s, f->cert_cn);
	}
	if (f->http_method[0] != '\0') {
		if (s.len > 0)
			sbuf_putc(&s, ' ');
		sbuf_puts(&s, f->http_method);
		sbuf_putc(&s, ' ');
		sbuf_puts(&s, f->http_path);
		if (f->flags & APP_FACT_PATH_TRUNCATED)
			sbuf_puts(&s, "...");
	}
	if (f->http_status != 0) {
		if (s.len > 0)
			sbuf_putc(&s, ' ');
		sbuf_put_uint(&s, f->http_status, 0);
	}
	return s.len;
}
