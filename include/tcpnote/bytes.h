/* bytes.h - bounds-checked big-endian readers over a captured byte span. */
#ifndef TCPNOTE_BYTES_H
#define TCPNOTE_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * A span is a view of captured bytes: data[0..len). Every read of packet
 * bytes in tcpnote goes through these helpers, which compare lengths (never
 * end pointers) and report failure instead of reading past len, in the
 * spirit of tcpdump's GET_BE_U_2 accessors.
 */
struct span {
	const uint8_t *data;
	size_t len;
};

static inline struct span span_make(const uint8_t *data, size_t len)
{
	struct span s = {data, len};
	return s;
}

/* True when bytes [off, off+n) are inside the span. */
static inline bool span_has(struct span s, size_t off, size_t n)
{
	return off <= s.len && n <= s.len - off;
}

static inline bool span_u8(struct span s, size_t off, uint8_t *out)
{
	if (!span_has(s, off, 1))
		return false;
	*out = s.data[off];
	return true;
}

static inline bool span_be16(struct span s, size_t off, uint16_t *out)
{
	if (!span_has(s, off, 2))
		return false;
	*out = (uint16_t)((s.data[off] << 8) | s.data[off + 1]);
	return true;
}

static inline bool span_be32(struct span s, size_t off, uint32_t *out)
{
	if (!span_has(s, off, 4))
		return false;
	*out = ((uint32_t)s.data[off] << 24) | ((uint32_t)s.data[off + 1] << 16) |
	       ((uint32_t)s.data[off + 2] << 8) | (uint32_t)s.data[off + 3];
	return true;
}

/* Copy n bytes at off into out; false (and nothing copied) if not captured. */
static inline bool span_copy(struct span s, size_t off, void *out, size_t n)
{
	if (!span_has(s, off, n))
		return false;
	if (n > 0)
		memcpy(out, s.data + off, n);
	return true;
}

/*
 * The sub-span starting at off, at most n bytes long, clamped to what was
 * captured (empty when off is past the end).
 */
static inline struct span span_sub(struct span s, size_t off, size_t n)
{
	struct span r = {s.data, 0};

	if (off > s.len || s.data == NULL)
		return r;
	r.data = s.data + off;
	r.len = s.len - off < n ? s.len - off : n;
	return r;
}

#endif
