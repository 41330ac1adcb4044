/* progress.h - a line on a terminal's stderr, rewritten in place: how far reading files is. */
#ifndef TCPNOTE_PROGRESS_H
#define TCPNOTE_PROGRESS_H

#include <stdio.h>

#include "tcpnote/capture.h"

struct progress;

/* A line on tty (standard error, a terminal); NULL if memory ran out. Nothing is shown yet. */
struct progress *progress_new(FILE *tty);

/*
 * Rewrite the line from pos, at most PROGRESS_PER_SECOND times a second
 * (the clock is read here; call it every few thousand packets): files done
 * of all, bytes and packets read, the rate and the time left. NULL: nothing.
 */
#define PROGRESS_PER_SECOND 4
void progress_update(struct progress *pr, const struct capture_position *pos);

/* Erase the line, if one is shown (before any other message, and at the end). NULL: nothing. */
void progress_clear(struct progress *pr);

void progress_free(struct progress *pr);

#endif
