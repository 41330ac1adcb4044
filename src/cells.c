/* cells.c - the width of UTF-8 text in terminal cells, and where to break it to fit a width. */
#include <stdbool.h>
#include <stdint.h>

#include "tcpnote/cells.h"

struct range {
	uint32_t lo, hi;
};

/*
 * Characters that take no cell: the common combining marks and the
 * zero-width format characters (after Markus Kuhn's wcwidth.c). tcpnote's own
 * text is ASCII and its strokes; packet text is escaped before it gets here.
 */
static const struct range zero_width[] = {
    {0x0300, 0x036f}, {0x0483, 0x0489}, {0x0591, 0x05bd}, {0x05bf, 0x05bf}, {0x05c1, 0x05c2},
    {0x05c4, 0x05c5}, {0x05c7, 0x05c7}, {0x0610, 0x061a}, {0x064b, 0x065f}, {0x0670, 0x0670},
    {0x06d6, 0x06dc}, {0x06df, 0x06e4}, {0x0e31, 0x0e31}, {0x0e34, 0x0e3a}, {0x0e47, 0x0e4e},
    {0x1ab0, 0x1aff}, {0x1dc0, 0x1dff}, {0x200b, 0x200f}, {0x202a, 0x202e}, {0x2060, 0x2064},
    {0x20d0, 0x20ff}, {0xfe00, 0xfe0f}, {0xfe20, 0xfe2f}, {0xfeff, 0xfeff},
};

/* Characters that take two cells: East Asian Wide and Fullwidth (EastAsianWidth.txt: W, F). */
static const struct range wide[] = {
    {0x1100, 0x115f},   {0x231a, 0x231b},   {0x2329, 0x232a},   {0x2e80, 0x303e},
    {0x3041, 0x33ff},   {0x3400, 0x4dbf},   {0x4e00, 0x9fff},   {0xa000, 0xa4cf},
    {0xa960, 0xa97f},   {0xac00, 0xd7a3},   {0xf900, 0xfaff},   {0xfe10, 0xfe19},
    {0xfe30, 0xfe6f},   {0xff00, 0xff60},   {0xffe0, 0xffe6},   {0x1f300, 0x1f64f},
    {0x1f900, 0x1f9ff}, {0x20000, 0x2fffd}, {0x30000, 0x3fffd},
};

static bool in_ranges(uint32_t c, const struct range *r, size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (c < r[mid].lo)
			hi = mid;
		else if (c > r[mid].hi)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/*
 * One character at s (n > 0 bytes): its length, and its code point in *cp;
 * a byte that starts no valid UTF-8 sequence is one character, U+FFFD.
 */
static size_t utf8_char(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t len, i;

	*cp = 0xfffd;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2, c &= 0x1f, min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3, c &= 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4, c &= 0x07, min = 0x10000;
	} else {
		return 1;
	}
	if (len > n)
		return 1;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 1;
		c = c << 6 | (s[i] & 0x3fu);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 1;
	*cp = c;
	return len;
}

static size_t char_cells(uint32_t c)
{
	if (c < 0x20 || (c >= 0x7f && c < 0xa0))
		return 0;
	if (in_ranges(c, zero_width, sizeof(zero_width) / sizeof(zero_width[0])))
		return 0;
	return in_ranges(c, wide, sizeof(wide) / sizeof(wide[0])) ? 2 : 1;
}

size_t cells_width(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, cols = 0;

	while (i < n) {
		uint32_t c;

		i += utf8_char(u + i, n - i, &c);
		cols += char_cells(c);
	}
	return cols;
}

size_t cells_fit(const char *s, size_t n, size_t cols)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, used = 0;

	while (i < n) {
		uint32_t c;
		size_t len = utf8_char(u + i, n - i, &c), w = char_cells(c);

		if (used + w > cols)
			break;
		used += w;
		i += len;
	}
	return i;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Whether a \xNN escape starts at s[i]. */
static bool escape_at(const char *s, size_t n, size_t i)
{
	return i + 4 <= n && s[i] == '\\' && s[i + 1] == 'x' && is_hex(s[i + 2]) &&
	       is_hex(s[i + 3]);
}

/* Whether s[from..to] (to included) holds a space. */
static bool space_in(const char *s, size_t from, size_t to)
{
	for (; from <= to; from++) {
		if (s[from] == ' ')
			return true;
	}
	return false;
}

size_t cells_break(const char *s, size_t n, size_t cols, size_t *next)
{
	size_t fit = cells_fit(s, n, cols), i, cut;
	uint32_t c;

	*next = n;
	if (fit == n)
		return n;
	/*
	 * Between labels: after the last ", " whose comma fits, unless the label
	 * after it is wider than a line and must be broken anyway: then it starts
	 * on this line, broken at a space of its own.
	 */
	for (i = fit; i-- > 1;) {
		if (s[i] == ',' && i + 1 < n && s[i + 1] == ' ') {
			size_t end = i + 2;

			while (end < n && !(s[end] == ',' && end + 1 < n && s[end + 1] == ' '))
				end++;
			if (cells_width(s + i + 2, end - i - 2) <= cols ||
			    !space_in(s, i + 2, fit)) {
				*next = i + 2;
				return i + 1;
			}
			break;
		}
	}
	/* Inside a label: at the last space that fits (s[fit] itself may be one). */
	for (i = fit; i > 0; i--) {
		if (s[i] == ' ') {
			*next = i + 1;
			return i;
		}
	}
	/* Between characters, moved back to the start of an escape that the cut would split. */
	cut = fit;
	for (i = cut > 3 ? cut - 3 : 0; i < cut; i++) {
		if (escape_at(s, n, i)) {
			cut = i;
			break;
		}
	}
	if (cut == 0)
		cut = escape_at(s, n, 0) ? 4 : utf8_char((const unsigned char *)s, n, &c);
	*next = cut;
	return cut;
}
