/* app_http.c - HTTP/1.x request and status lines (RFC 9112 sections 3 and 4) at the start of a segment. */
#include <string.h>

#include "app_priv.h"

static const char *const http_methods[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
					   "CONNECT", "OPTIONS", "TRACE", "PATCH"};

#define N_METHODS (sizeof(http_methods) / sizeof(http_methods[0]))

/* True when data's first bytes equal the first n of lit (n <= strlen(lit)), as far as data goes. */
static bool prefix_matches(struct span data, const char *lit, size_t n)
{
	size_t i;
	uint8_t c;

	for (i = 0; i < n && span_u8(data, i, &c); i++)
		if (c != (uint8_t)lit[i])
			return false;
	return true;
}

/* data starts with method and a space: the method's length, else 0. */
static size_t method_at_start(struct span data, bool partial_ok)
{
	char word[APP_METHOD_MAX + 2];
	size_t i, n;

	for (i = 0; i < N_METHODS; i++) {
		n = strlen(http_methods[i]);
		memcpy(word, http_methods[i], n);
		word[n] = ' ';
		if ((partial_ok || span_has(data, 0, n + 1)) && prefix_matches(data, word, n + 1))
			return n;
	}
	return 0;
}

bool app_http_sniff(struct span data)
{
	if (data.len == 0)
		return false;
	return method_at_start(data, true) > 0 || prefix_matches(data, "HTTP/1.", 7);
}

/* "METHOD SP request-target SP HTTP/1.x" ending the first line, wholly inside the segment. */
static void http_request(struct span data, struct app_hints *out)
{
	static const char *const versions[] = {" HTTP/1.0", " HTTP/1.1"};
	size_t mlen = method_at_start(data, false), end, i;
	const uint8_t *nl;
	struct span line;
	uint8_t cr;

	if (mlen == 0)
		return;
	nl = memchr(data.data, '\n', data.len);
	if (nl == NULL)
		return;
	end = (size_t)(nl - data.data);
	if (end > 0 && span_u8(data, end - 1, &cr) && cr == '\r')
		end--;
	if (end < mlen + 1 + 1 + 9)
		return;
	line = span_sub(data, end - 9, 9);
	for (i = 0; i < 2; i++)
		if (prefix_matches(line, versions[i], 9))
			break;
	if (i == 2)
		return;
	out->bits |= 1u << APP_HINT_HTTP_REQUEST;
	memcpy(out->method, data.data, mlen);
	out->method[mlen] = '\0';
	out->path_truncated =
	    !app_copy_str(out->path, sizeof(out->path), data.data + mlen + 1, end - 9 - mlen - 1);
}

/* "HTTP/1.x SP 3DIGIT" followed by a space or the end of the line. */
static void http_response(struct span data, struct app_hints *out)
{
	uint8_t minor, sp, after, d[3];
	unsigned i, code = 0;

	if (!prefix_matches(data, "HTTP/1.", 7) || !span_u8(data, 7, &minor) ||
	    (minor != '0' && minor != '1') || !span_u8(data, 8, &sp) || sp != ' ' ||
	    !span_copy(data, 9, d, 3) || !span_u8(data, 12, &after) ||
	    (after != ' ' && after != '\r' && after != '\n'))
		return;
	for (i = 0; i < 3; i++) {
		if (d[i] < '0' || d[i] > '9')
			return;
		code = code * 10 + (unsigned)(d[i] - '0');
	}
	if (code < 100)
		return;
	out->bits |= 1u << APP_HINT_HTTP_RESPONSE;
	out->status = (uint16_t)code;
}

void app_http_segment(bool from_client, struct span data, struct app_hints *out)
{
	if (from_client)
		http_request(data, out);
	else
		http_response(data, out);
}
