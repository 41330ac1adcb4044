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
 * `duplicate` (labels.md): the same packet captured twice. A copy is the
 * same bytes -- TCP header with its options, payload, and on IPv4 the IP ID
 * -- captured within DUP_WINDOW_NS of the original, which is one of the
 * connection's last DUP_RECENT segments (either direction). Copies are not
 * remembered themselves, so when two packets' copies cross (A, B, A', B')
 * both are found.
 *
 * The window, from real captures: the two copies of a packet are 0-17 us
 * apart on a Linux bridge seen from the "any" device (pcaps/duplicate-
 * capture.pcap and duplicate-capture-ipv6.pcap; at most 10 us for the 1819
 * copies of a 2 MB IPv6 transfer over the same bridge, record-lossy.sh with
 * DUP6_BYTES=2000000), and 99-236 us in tcpdump's pptp.pcap, a capture that
 * saw every packet twice. At most one packet of the connection came between
 * two copies (an ACK and a data segment crossing, once). A resend can be
 * byte for byte its original: IPv6 has no IP ID, a stack without timestamps
 * sends the same header again, and Linux's timestamp clock ticks once a
 * millisecond. Resends driven by a timer come 2 jiffies (TCP_TIMEOUT_MIN:
 * tail loss probe, RACK reordering timer; at least 1 ms) or more (RTO >=
 * 200 ms, zero window probes, keepalives >= 1 s) after their original: half
 * a millisecond is twice the widest copy gap seen and half the shortest timer.
 *
 * Resends driven by ACKs come sooner: a fast retransmission follows its
 * original by 50-240 us with the same timestamp on loopback and veth
 * (pcaps/loss-sender-view.pcap, sack.pcap, loss-ipv6.pcap), so time alone
 * cannot tell it from a copy. But it needs the peer to have reported a
 * later segment: that segment and the peer's ACK come between, and the
 * original is no longer one of the last two. An empty ACK is sent again
 * after a single packet, the peer's segment it answers (a duplicate ACK
 * without SACK blocks is its predecessor again), so an empty segment that
 * matches the second-last one is a copy only if the segment between cannot
 * be what it answers. A capture that misses one direction can still take
 * such a resend, sent within half a millisecond, for a copy.
 *
 * The TCP checksum is part of the header and so of the digest: copies carry
 * the same one. It never decides alone: on loopback, and on a sending host
 * that offloads checksums, it is the same for every empty segment.
 */
#define DUP_WINDOW_NS 500000

/* splitmix64's finaliser step: each word changes every bit of the digest. */
static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 31);
}

#define XXH_P1 0x9e3779b185ebca87ull
#define XXH_P2 0xc2b2ae3d27d4eb4full

/* xxHash64's round: one 8-byte word into a lane (two multiplies, a rotation). */
static uint64_t xxh_round(uint64_t lane, uint64_t w)
{
	lane += w * XXH_P2;
	lane = lane << 31 | lane >> 33;
	return lane * XXH_P1;
}

/*
 * Every captured byte of s into the digest h: 32 bytes at a time in four
 * independent lanes, as xxHash64 does, so a full-sized payload costs well
 * under a cycle a byte. Words are read in the host's byte order: a digest
 * is only ever compared with another made on the same host.
 */
static uint64_t digest_span(uint64_t h, struct span s)
{
	uint64_t v0 = h + XXH_P1 + XXH_P2, v1 = h + XXH_P2, v2 = h, v3 = h - XXH_P1;
	uint64_t w[4] = {0, 0, 0, 0};
	size_t off;
	uint8_t b;

	for (off = 0; span_copy(s, off, w, sizeof(w)); off += sizeof(w)) {
		v0 = xxh_round(v0, w[0]);
		v1 = xxh_round(v1, w[1]);
		v2 = xxh_round(v2, w[2]);
		v3 = xxh_round(v3, w[3]);
	}
	if (off > 0)
		h = mix(mix(mix(mix(h, v0), v1), v2), v3);
	for (; span_copy(s, off, w, sizeof(w[0])); off += sizeof(w[0]))
		h = mix(h, w[0]);
	for (w[0] = 0; span_u8(s, off, &b); off++)
		w[0] = w[0] << 8 | b;
	/* At most 7 bytes are left: the top byte takes the length, so trailing zeros count. */
	return mix(h, w[0] | (uint64_t)s.len << 56);
}

/*
 * Kept in 32 bits (a million connections must stay small): a segment that is
 * no copy matches one of the two recent ones by chance once in 2^32 (and
 * then only within the window). A copy of the last segment must also have
 * its sender and sequence number, which are kept whole.
 */
uint32_t analysis_digest(const struct packet *p, int role)
{
	const struct tcp_info *t = &p->tcp;
	uint64_t ipid = p->ip.head.version == 4 ? p->ip.head.id : 0u; /* IPv6 has none */
	uint64_t h = 0x9e3779b97f4a7c15ull;

	/* The fixed header field by field (not its 4 reserved bits), then options and payload. */
	h = mix(h, (uint64_t)(role & 1) << 48 | ipid << 32 | (uint32_t)t->sport << 16 | t->dport);
	h = mix(h, (uint64_t)t->seq << 32 | t->ack);
	h = mix(h, (uint64_t)t->hlen << 56 | (uint64_t)t->flags << 48 | (uint64_t)t->win << 32 |
			   (uint32_t)t->sum << 16 | t->urp);
	h = mix(h, t->paylen);
	h = digest_span(h, t->rest);
	h ^= h >> 32; /* both halves in the 32 bits kept */
	return (uint32_t)h != 0 ? (uint32_t)h : 1u;
}

/* recent[i] has this digest and was captured within the window of now, before or after. */
static bool dup_match(const struct conn *c, unsigned i, uint32_t digest, int64_t now)
{
	uint64_t gap;

	if (c->recent[i] != digest)
		return false;
	/* |now - time| <= window, in unsigned arithmetic: no overflow, whatever the times. */
	gap = (uint64_t)now - (uint64_t)conn_time(c, (enum conn_clock)(CLOCK_RECENT + i));
	return gap + DUP_WINDOW_NS <= 2u * DUP_WINDOW_NS;
}

/* analysis_is_duplicate for a packet whose digest is one of the recent segments'. */
__attribute__((noinline)) static bool is_duplicate(const struct conn *c, int role,
						   const struct packet *p, uint32_t digest,
						   int64_t now)
{
	const struct tcp_info *t = &p->tcp;

	/*
	 * A copy of the last segment has its sender and sequence number, which
	 * are kept whole: the digest's 32 bits only tell the rest apart.
	 */
	if (dup_match(c, 0, digest, now) && c->recent_by_server == (role == ROLE_SERVER) &&
	    c->recent_seq == t->seq)
		return true;
	if (!dup_match(c, 1, digest, now))
		return false;
	/* One segment came between: see above. */
	if (tcp_segment_end(t) != t->seq)
		return true;
	/*
	 * An empty segment: a duplicate ACK is the answer to the peer's segment
	 * between, unless that one was the sender's own, or empty (no ACK
	 * answers an ACK), or began at the very byte this ACK asks for: an
	 * answer to it would acknowledge it, so this ACK was sent before it
	 * arrived, and is a copy.
	 */
	return c->recent_by_server == (role == ROLE_SERVER) || !c->recent_took_seq ||
	       c->recent_seq == t->ack;
}

bool analysis_is_duplicate(const struct conn *c, int role, const struct packet *p, uint32_t digest,
			   int64_t now)
{
	unsigned i;

	/* Most packets are no copy: their digest says so at once (this runs for every packet). */
	for (i = 0; i < DUP_RECENT; i++)
		if (c->recent[i] == digest)
			return is_duplicate(c, role, p, digest, now);
	return false;
}

/* The recent segments' times move up one and recent[0]'s is now, through the summary's *more. */
__attribute__((noinline)) static void remember_time_more(struct conn *c,
						      const struct summary_now *now)
{
	unsigned i;

	for (i = DUP_RECENT - 1; i > 0; i--)
		conn_copy_time(c, (enum conn_clock)(CLOCK_RECENT + i),
			       (enum conn_clock)(CLOCK_RECENT + i - 1));
	conn_set_now(c, CLOCK_RECENT, now);
}

/* The same, in the common case by their offsets alone (this runs for every packet). */
static void remember_time(struct conn *c, const struct summary_now *now)
{
	unsigned i;

	if (!now->fits || c->sum.more != NULL) {
		remember_time_more(c, now);
		return;
	}
	for (i = DUP_RECENT - 1; i > 0; i--)
		c->at[CLOCK_RECENT + i - 1] = c->at[CLOCK_RECENT + i - 2];
	c->at[CLOCK_RECENT - 1] = now->at;
}

void analysis_remember(struct conn *c, int role, const struct packet *p, uint32_t digest,
		       const struct summary_now *now)
{
	unsigned i;

	for (i = DUP_RECENT - 1; i > 0; i--)
		c->recent[i] = c->recent[i - 1];
	c->recent[0] = digest;
	c->recent_by_server = role == ROLE_SERVER;
	c->recent_took_seq = tcp_segment_end(&p->tcp) != p->tcp.seq;
	c->recent_seq = p->tcp.seq;
	remember_time(c, now);
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

/*
 * `acked unseen segment` (labels.md), as tshark 4.0 says it (Wireshark's
 * tcp_analyze_sequence_number(), epan/dissectors/packet-tcp.c, block "ACKED
 * LOST PACKET"): an ACK beyond the highest contiguous byte seen from the
 * peer, named once per gap. When the peer has sent bytes past that point
 * (a hole behind its nextseq), the point moves up to nextseq and the ACK is
 * named. Otherwise -- the ACK runs past everything the peer was seen to send
 * -- it is named only if the peer's duplicate-ACK count is 0, and that count
 * becomes -1: the same gap is named again only after the peer's own ACK
 * number changed or it sent a duplicate ACK (unseen_named here). Measured on
 * crafted cases with tshark 4.0.17 (tests/oracle/tshark_agree.py); the
 * Wireshark source text of that block compares with `>` where 4.0.17
 * behaves as `<`.
 */
static bool acks_unseen(const struct track_dir *peer, const struct tcp_info *t)
{
	return (t->flags & TCPF_ACK) && peer->maxseq_valid && seq_gt(t->ack, peer->maxseqtobeacked);
}

static bool unseen_hole_behind(const struct track_dir *peer)
{
	return peer->next_valid && seq_lt(peer->maxseqtobeacked, peer->nextseq);
}

/* Retransmission, fast retransmission, spurious retransmission or out-of-order. */
static void classify_resent(const struct conn *c, int role, const struct tcp_info *t,
			    int64_t now, struct labels *out)
{
	const struct track_dir *d = &c->dir[role];
	const struct track_dir *peer = &c->dir[!role];
	int32_t rtt_us = conn_rtt_us(c);
	int64_t ooo = rtt_us > 0 ? (int64_t)rtt_us * 1000 : OOO_DEFAULT_NS;

	/* RFC 5681 section 3.2: resent after duplicate ACKs asking for it. */
	if (peer->dupacks >= 2 && peer->lastack == t->seq &&
	    now - conn_time(c, (enum conn_clock)(CLOCK_LASTACK + !role)) < FAST_RETRANS_WINDOW_NS) {
		labels_add(out, LABEL_FAST_RETRANSMISSION);
		return;
	}
	/*
	 * Too soon after the highest segment to be a resend: it was reordered.
	 * A segment that ends exactly at nextseq (SYN and FIN counted) is the
	 * last one sent again, so a retransmission.
	 */
	if (now - conn_time(c, (enum conn_clock)(CLOCK_NEXTSEQ + role)) < ooo &&
	    d->nextseq != tcp_segment_end(t)) {
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
			/* After `acked unseen segment` Wireshark's count is -1: it starts at 1 again. */
			out->dup_ack = d->unseen_named ? 1u : d->dupacks + 1u;
			labels_add(out, LABEL_DUP_ACK);
		}
	} else if (len == 0 && d->next_valid && t->seq == d->nextseq && d->ack_valid &&
		   (t->ack == d->lastack || t->ack == d->lastack + 1) && t->win == 0 && d->win_valid &&
		   d->win == 0 && peer->last_was_zwp && PURE_ACK(t->flags)) {
		labels_add(out, LABEL_ZERO_WINDOW_PROBE_ACK);
	}
	if (acks_unseen(peer, t) && (unseen_hole_behind(peer) || !peer->unseen_named))
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
		classify_resent(c, role, t, now, out);
}

void analysis_update(struct conn *c, int role, const struct packet *p, const struct summary_now *now,
		     const struct seg_verdict *v)
{
	const struct tcp_info *t = &p->tcp;
	struct track_dir *d = &c->dir[role];
	struct track_dir *peer = &c->dir[!role];

	/* The ACK number moved: the duplicate count starts again. */
	if (v->dup_ack) {
		d->dupacks = d->unseen_named ? 1
			     : (uint16_t)(d->dupacks < UINT16_MAX ? d->dupacks + 1 : UINT16_MAX);
		d->unseen_named = false; /* Wireshark's count went from -1 back to 0 */
	} else if (!d->ack_valid || t->ack != d->lastack) {
		d->dupacks = 0;
		d->unseen_named = false;
	}
	/* An ACK past everything seen from the peer: stop saying so for this hole. */
	if (acks_unseen(peer, t)) {
		if (unseen_hole_behind(peer))
			peer->maxseqtobeacked = peer->nextseq;
		else
			peer->unseen_named = true;
	}
	if (t->flags & TCPF_ACK)
		conn_set_now(c, (enum conn_clock)(CLOCK_LASTACK + role), now);
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
}
