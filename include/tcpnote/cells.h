/* cells.h - how many terminal cells a UTF-8 text takes, and where to break it to fit a width. */
#ifndef TCPNOTE_CELLS_H
#define TCPNOTE_CELLS_H

#include <stddef.h>

/*
 * The cells n bytes of UTF-8 text take on a terminal, as wcwidth(3) counts
 * them but without depending on the locale (tcpnote writes its strokes in
 * UTF-8 whatever LC_CTYPE says): East Asian wide characters take two,
 * combining marks and zero-width characters none, control bytes none, a byte
 * that is not valid UTF-8 one (a terminal shows it as one replacement mark).
 */
size_t cells_width(const char *s, size_t n);

/* How many of the n bytes of s fit in cols cells, cut between characters. */
size_t cells_fit(const char *s, size_t n, size_t cols);

/*
 * Where to end the first line when n bytes of s are written in lines of at
 * most cols cells: returns the bytes of that line and sets *next to where
 * the following line starts (past the separator broken at). All of s when it
 * fits. Otherwise it breaks, in order of preference, after the last ", " that
 * fits (the comma stays on the line: between labels), at the last space that
 * fits (inside a label), or between two characters, never inside a \xNN
 * escape as sbuf_put_safe writes it. A label wider than cols, which has to
 * be broken inside anyway, starts on the line it follows rather than leave
 * that line short. At least one character (or escape) is taken when cols is
 * smaller than it, so that a caller's loop always ends.
 */
size_t cells_break(const char *s, size_t n, size_t cols, size_t *next);

#endif
