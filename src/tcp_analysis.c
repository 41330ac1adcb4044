/* tcp_analysis.c - loss, order and flow-control labels, with the rules and order of Wireshark's TCP analysis. */
#include <string.h>

#include "tcpnote/seq.h"
#include "tcpnote/track.h"

/*
 * The rules are those of labels.md, which follow Wireshark's
 * tcp_analyze_sequence_number() (epan/dissectors/packet-tcp.c): one pass over
 * the segment with the state as it was, in a fixed order, then one update.
 * tcpnote adds `duplicate`: a second copy of a packet is recognised before
 * any rule runs and leaves the state alone, where Wireshark would call it a
 * retransmission.
 */

#define FAST_RETRANS_WINDOW_NS 20000000 /* 20 ms after the last dup ack */
#define OOO_DEFAULT_NS 3000000          /* 3 ms when the handshake RTT is unknown */
#define NO_SYN_FIN_RST(f) (((f) & (TCPF_SYN | TCPF_FIN | TCPF_RST)) == 0)
/* An ACK that is only an ACK: the rules comparing ack numbers need the flag. */
#define PURE_ACK(f) (((f) & (TCPF_SYN | TCPF_FIN | TCPF_RST | TCPF_ACK)) == TCPF_ACK)

int64_t packet_time_ns(const struct packet *p)
{
	return p->ts_sec * 1000000000LL + (p->ts_nano ? p->ts_frac : (int64_t)p->ts_frac * 1000);
}

/*
 * A 32-bit digest of what identifies one transmitted segment: IP ID,
 * window, TCP checksum, flags, sequence and acknowledgment numbers, length
 * (multiply-xorshift mixing, one step per 32-bit word). Never 0, so an
 * unused slot never matches. Four of them per direction cost 16 bytes where
 * the fields would cost 96; a false match needs two segments among four to
 * collide in 32 bits.
 */
static uint32_t fingerprint(const struct packet *p)
{
	uint64_t v[4] = {(uint64_t)(p->ip.version == 4 ? p->ip.id : 0u) << 32 | p->tcp.flags,
			 (uint64_t)p->tcp.win << 16 | p->tcp.sum,
			 (uint64_t)p->tcp.seq << 32 | p->tcp.ack,
			 p->tcp.paylen};
	uint64_t h = 0x9e3779b97f4a7c15ull;
	unsigned i;

	for (i = 0; i < 4; i++) {
		h ^= v[i];
		h *= 0xbf58476d1ce4e5b9ull;
		h ^= h >> 31;
	}
	h = (uint32_t)(h ^ (h >> 32));
	return h != 0 ? (uint32_t)h : 1u;
}

/*
 * Same IP ID, sequence and acknowledgment numbers, flags, length, window
 * and TCP checksum as one of the last four segments of this direction. A
 * real retransmission differs: Linux gives it a new IP ID and a new
 * timestamp (so a new checksum), and IPv6 has the checksum alone.
 */
bool analysis_is_duplicate(const struct track_dir *d, const struct packet *p)
{
	uint32_t f = fingerprint(p);
	unsigned i;

	for (i = 0; i < 4; i++)
		if (d->recent[i] == f)
			return true;
	return false;
}

/* The peer's advertised window in bytes, or -1 when its scale is unknown. */
static int64_t peer_window_bytes(const struct track_dir *peer)
{
	if (peer->wscale == WSCALE_UNKNOWN || !peer->win_valid)
		return -1;
	/* RFC 7323 section 2.2: the window of a SYN is never scaled. */
	if (peer->wscale == WSCALE_NONE || peer->win_from_syn)
		return peer->win;
	return (int64_t)peer->win << peer->wscale;
}

/* Retransmission, fast retransmission, spurious retransmission or out-of-order. */
static void classify_resent(const struct conn *c, const struct track_dir *d,
			    const struct track_dir *peer, const struct tcp_info *t, int64_t now,
			    struct labels *out)
{
	int64_t ooo = c->first_rtt_us > 0 ? (int64_t)c->first_rtt_us * 1000 : OOO_DEFAULT_NS;

	/* RFC 5681 section 3.2: resent after duplicate ACKs asking for it. */
	if (peer->dupacks >= 2 && peer->lastack == t->seq &&
	    now - peer->lastack_time < FAST_RETRANS_WINDOW_NS) {
		labels_add(out, LABEL_FAST_RETRANSMISSION);
		return;
	}
	/*
	 * Too soon after the highest segment to be a resend: it was reordered.
	 * A segment that ends exactly at nextseq (SYN and FIN counted) is the
	 * last one sent again, so a retransmission.
	 */
	if (now - d->nextseq_time < ooo && d->nextseq != tcp_segment_end(t)) {
		labels_add(out, LABEL_OUT_OF_ORDER);
		return;
	}
	labels_add(out, LABEL_RETRANSMISSION);
}

void analysis_classify(const struct conn *c, int role, const struct packet *p, int64_t now,
		       struct labels *out, struct seg_verdict *v)
{
	const struct tcp_info *t = &p->tcp;
	const struct track_dir *d = &c->dir[role];
	const struct track_dir *peer = &c->dir[!role];
	uint32_t len = t->paylen;
	int64_t pw;

	memset(v, 0, sizeof(*v));
	if (len == 1 && d->next_valid && t->seq == d->nextseq && peer->win_valid && peer->win == 0) {
		v->zero_window_probe = true;
		labels_add(out, LABEL_ZERO_WINDOW_PROBE);
		goto resent;
	}
	if (t->win == 0 && NO_SYN_FIN_RST(t->flags))
		labels_add(out, LABEL_ZERO_WINDOW);
	if (d->next_valid && seq_gt(t->seq, d->nextseq) && !(t->flags & TCPF_RST))
		labels_add(out, LABEL_PREVIOUS_NOT_CAPTURED);
	if (len <= 1 && d->next_valid && t->seq == d->nextseq - 1 && NO_SYN_FIN_RST(t->flags)) {
		v->keepalive = true;
		labels_add(out, LABEL_KEEPALIVE);
	}
	if (len == 0 && t->win != 0 && d->win_valid && t->win != d->win && d->next_valid &&
	    t->seq == d->nextseq && d->ack_valid && t->ack == d->lastack && PURE_ACK(t->flags))
		labels_add(out, LABEL_WINDOW_UPDATE);
	pw = peer_window_bytes(peer);
	if (len > 0 && pw >= 0 && peer->ack_valid && t->seq + len == peer->lastack + (uint32_t)pw &&
	    NO_SYN_FIN_RST(t->flags))
		labels_add(out, LABEL_WINDOW_FULL);
	if (len == 0 && d->next_valid && t->seq == d->nextseq && d->ack_valid &&
	    t->ack == d->lastack && d->win_valid && PURE_ACK(t->flags)) {
		if (t->win != 0 && t->win == d->win && peer->last_was_keepalive) {
			v->keepalive_ack = true;
			labels_add(out, LABEL_KEEPALIVE_ACK);
		} else if (t->win == 0 && d->win == 0 && peer->last_was_zwp) {
			labels_add(out, LABEL_ZERO_WINDOW_PROBE_ACK);
		} else if (t->win != 0 && t->win == d->win) {
			v->dup_ack = true;
			out->dup_ack = d->dupacks + 1;
			labels_add(out, LABEL_DUP_ACK);
		}
	} else if (len == 0 && d->next_valid && t->seq == d->nextseq && d->ack_valid &&
		   (t->ack == d->lastack || t->ack == d->lastack + 1) && t->win == 0 && d->win_valid &&
		   d->win == 0 && peer->last_was_zwp && PURE_ACK(t->flags)) {
		labels_add(out, LABEL_ZERO_WINDOW_PROBE_ACK);
	}
	if ((t->flags & TCPF_ACK) && peer->maxseq_valid && seq_gt(t->ack, peer->maxseqtobeacked))
		labels_add(out, LABEL_ACKED_UNSEEN);
resent:
	if (v->keepalive)
		return;
	/*
	 * Every byte already acknowledged by the peer: resent for nothing. Checked
	 * before the others, and also at or past nextseq, where the ACK covered
	 * bytes the capture missed.
	 */
	if (len > 0 && peer->ack_valid && seq_leq(t->seq + len, peer->lastack)) {
		v->spurious = true;
		labels_add(out, LABEL_SPURIOUS_RETRANSMISSION);
		return;
	}
	if ((len > 0 || (t->flags & (TCPF_SYN | TCPF_FIN))) && d->next_valid &&
	    seq_lt(t->seq, d->nextseq))
		classify_resent(c, d, peer, t, now, out);
}

void analysis_update(struct conn *c, int role, const struct packet *p, int64_t now,
		     const struct seg_verdict *v)
{
	const struct tcp_info *t = &p->tcp;
	struct track_dir *d = &c->dir[role];
	struct track_dir *peer = &c->dir[!role];

	/* The ACK number moved: the duplicate count starts again. */
	if (v->dup_ack)
		d->dupacks = (uint16_t)(d->dupacks < UINT16_MAX ? d->dupacks + 1 : UINT16_MAX);
	else if (!d->ack_valid || t->ack != d->lastack)
		d->dupacks = 0;
	/* An ACK past everything seen from the peer: stop saying so for this hole. */
	if ((t->flags & TCPF_ACK) && peer->maxseq_valid && seq_gt(t->ack, peer->maxseqtobeacked))
		peer->maxseqtobeacked = peer->nextseq;
	if (t->flags & TCPF_ACK)
		d->lastack_time = now;
	if (t->flags & TCPF_SYN) {
		/* RFC 7323 section 2.2: scaling only when both SYNs carry the option. */
		if (!t->has_wscale) {
			d->wscale = WSCALE_NONE;
			peer->wscale = WSCALE_NONE;
		} else if (!(t->flags & TCPF_ACK) || peer->wscale != WSCALE_NONE) {
			d->wscale = (int8_t)(t->wscale > 14 ? 14 : t->wscale);
		}
	}
	d->last_was_zwp = v->zero_window_probe;
	d->recent[d->recent_next] = fingerprint(p);
	d->recent_next = (uint8_t)((d->recent_next + 1) % 4);
}
