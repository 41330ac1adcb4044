/* decode_ip.c - IPv4 (options, fragments) and IPv6 (extension headers) down to TCP. */
#include <string.h>

#include "tcpnote/decode.h"

#define IPPROTO_TCP_ 6
#define IP6_HOPOPTS 0
#define IP6_ROUTING 43
#define IP6_FRAGMENT 44
#define IP6_DSTOPTS 60
#define IPOPT_EOL_ 0
#define IPOPT_NOP_ 1
#define IP_OFFMASK_ 0x1fff
#define IP_MF_ 0x2000

uint32_t cksum_add(uint32_t sum, struct span s)
{
	size_t i;

	for (i = 0; i + 1 < s.len; i += 2)
		sum += (uint32_t)((s.data[i] << 8) | s.data[i + 1]);
	if (s.len & 1)
		sum += (uint32_t)(s.data[s.len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

uint16_t cksum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint16_t cksum_shouldbe(uint16_t field, uint16_t computed)
{
	uint32_t should = (uint32_t)field + computed;

	should = (should & 0xffff) + (should >> 16);
	should = (should & 0xffff) + (should >> 16);
	return (uint16_t)should;
}

/*
 * IPv4 options (RFC 791 section 3.1), walked as tcpdump's ip_optprint does:
 * EOL and NOP are one byte, every other option has a length byte.
 */
static void decode_ip4_options(struct span opts, struct ip_info *ip)
{
	size_t off = 0;

	while (off < opts.len && ip->head.nopts < IP_MAX_OPTS) {
		struct ip_opt *o = &ip->opts[ip->head.nopts++];
		size_t left = opts.len - off;

		memset(o, 0, sizeof(*o));
		o->code = opts.data[off];
		if (o->code == IPOPT_EOL_ || o->code == IPOPT_NOP_) {
			o->len = 1;
			if (o->code == IPOPT_EOL_)
				return;
			off++;
			continue;
		}
		if (left < 2) {
			/* The length byte was not captured: nothing of this option to show. */
			ip->head.nopts--;
			ip->head.opts_trunc = true;
			return;
		}
		o->len = opts.data[off + 1];
		if (o->len < 2 || o->len > left) {
			o->bad_len = true;
			return;
		}
		o->data = opts.data + off;
		off += o->len;
	}
}

uint16_t cksum_pseudo(const struct ip_head *ip, uint8_t proto, struct span seg, uint32_t length)
{
	uint32_t sum = 0;

	sum = cksum_add(sum, span_make(ip->src, ip->addrlen));
	sum = cksum_add(sum, span_make(ip->dst, ip->addrlen));
	sum += proto;
	sum += length & 0xffff;
	sum += length >> 16;
	sum = cksum_add(sum, span_sub(seg, 0, length));
	return (uint16_t)~cksum_fold(sum);
}

/* The TCP pseudo-header sum (RFC 9293 section 3.1) plus the segment bytes. */
static void tcp_checksum(const struct ip_info *ip, struct span seg, uint32_t length,
			 struct tcp_info *tcp)
{
	uint16_t computed = cksum_pseudo(&ip->head, IPPROTO_TCP_, seg, length);

	tcp->cksum_checked = true;
	tcp->cksum_ok = computed == 0;
	tcp->cksum_shouldbe = cksum_shouldbe(tcp->sum, computed);
}

/* An IPv4 source route's final hop replaces the destination in the pseudo-header. */
static void ip4_final_destination(const struct ip_info *ip, uint8_t out[4])
{
	unsigned i;

	memcpy(out, ip->head.dst, 4);
	for (i = 0; i < ip->head.nopts; i++) {
		const struct ip_opt *o = &ip->opts[i];

		if ((o->code == 0x89 || o->code == 0x83) && !o->bad_len && o->len >= 7) {
			memcpy(out, o->data + o->len - 4, 4);
			return;
		}
	}
}

/*
 * An IPv4 datagram that is not TCP: a tunnel's outer header when whole,
 * not a fragment, and carrying a tunnel tcpnote follows; else not TCP.
 */
static void decode_ip4_outer(struct span cap, uint32_t wire, const struct decode_opts *opts,
			     struct packet *p)
{
	struct ip_info *ip = &p->ip;
	uint8_t vhl;
	uint32_t hlen;

	p->stop = STOP_NOT_TCP;
	if (!span_u8(cap, 0, &vhl) || !span_u8(cap, 1, &ip->head.tos) || !span_be16(cap, 2, &ip->head.totlen) ||
	    !span_be16(cap, 4, &ip->head.id) || !span_be16(cap, 6, &ip->head.off) ||
	    !span_u8(cap, 8, &ip->head.ttl) || !span_be16(cap, 10, &ip->head.hdr_sum) ||
	    !span_copy(cap, 12, ip->head.src, 4) || !span_copy(cap, 16, ip->head.dst, 4))
		return;
	hlen = (uint32_t)(vhl & 0x0f) * 4;
	if (hlen < 20 || ip->head.totlen < hlen || wire < ip->head.totlen || (ip->head.off & (IP_OFFMASK_ | IP_MF_)) ||
	    !span_has(cap, 0, hlen))
		return;
	ip->head.hlen = (uint8_t)hlen;
	if (hlen > 20)
		decode_ip4_options(span_sub(cap, 20, hlen - 20), ip);
	if (opts->verify_checksums) {
		uint16_t computed = (uint16_t)~cksum_fold(cksum_add(0, span_sub(cap, 0, hlen)));

		ip->head.hdr_sum_bad = computed != 0;
		ip->head.hdr_sum_shouldbe = cksum_shouldbe(ip->head.hdr_sum, computed);
	}
	decode_tunnel_ip(span_sub(cap, hlen, ip->head.totlen - hlen), ip->head.totlen - hlen, ip->head.proto, ip,
			 opts, p);
}

static void decode_ip4(struct span cap, uint32_t wire, const struct decode_opts *opts,
		       struct packet *p)
{
	struct ip_info *ip = &p->ip;
	uint8_t vhl;
	uint16_t sum_field;
	uint32_t len, hlen;
	struct span l3;

	ip->head.version = 4;
	ip->head.addrlen = 4;
	/* Decide first whether this is TCP at all, as a BPF "tcp" filter would. */
	if (!span_u8(cap, 9, &ip->head.proto)) {
		p->stop = STOP_NOT_TCP;
		return;
	}
	if (ip->head.proto != IPPROTO_TCP_) {
		decode_ip4_outer(cap, wire, opts, p);
		return;
	}
	if (!span_has(cap, 0, 20)) {
		p->stop = STOP_IP_TRUNC;
		return;
	}
	span_u8(cap, 0, &vhl);
	span_u8(cap, 1, &ip->head.tos);
	span_be16(cap, 2, &ip->head.totlen);
	span_be16(cap, 4, &ip->head.id);
	span_be16(cap, 6, &ip->head.off);
	span_u8(cap, 8, &ip->head.ttl);
	span_be16(cap, 10, &sum_field);
	span_copy(cap, 12, ip->head.src, 4);
	span_copy(cap, 16, ip->head.dst, 4);
	if (wire < 20) {
		p->stop = STOP_IP_SHORT;
		return;
	}
	hlen = (uint32_t)(vhl & 0x0f) * 4;
	ip->head.hlen = (uint8_t)hlen;
	if (hlen < 20) {
		p->stop = STOP_IP_BAD_HLEN;
		return;
	}
	len = ip->head.totlen;
	if (wire < len)
		ip->head.missing = len - wire;
	if (len < hlen) {
		p->stop = STOP_IP_BAD_LEN;
		return;
	}
	/* Everything past the datagram's total length is link padding. */
	l3 = span_sub(cap, 0, len);
	if (hlen > 20)
		decode_ip4_options(span_sub(l3, 20, hlen - 20), ip);
	if (opts->verify_checksums && span_has(l3, 0, hlen)) {
		uint16_t computed = (uint16_t)~cksum_fold(cksum_add(0, span_sub(l3, 0, hlen)));

		if (computed != 0) {
			ip->head.hdr_sum_bad = true;
			ip->head.hdr_sum = sum_field;
			ip->head.hdr_sum_shouldbe = cksum_shouldbe(sum_field, computed);
		}
	}
	if (ip->head.opts_trunc) {
		p->stop = STOP_IP_TRUNC;
		return;
	}
	if ((ip->head.off & IP_OFFMASK_) != 0) {
		p->stop = STOP_IP_FRAGMENT;
		return;
	}
	if (!span_has(l3, 0, hlen)) {
		ip->head.avail = (uint32_t)l3.len;
		p->stop = STOP_IP_HDR_CAPLEN;
		return;
	}
	ip->head.fragmented = (ip->head.off & IP_MF_) != 0;
	decode_tcp(span_sub(l3, hlen, len - hlen), len - hlen, opts, p);
	if (opts->verify_checksums && packet_has_tcp(p) && !ip->head.fragmented &&
	    span_has(l3, hlen, len - hlen)) {
		struct ip_info pseudo = *ip;

		ip4_final_destination(ip, pseudo.head.dst);
		tcp_checksum(&pseudo, span_sub(l3, hlen, len - hlen), len - hlen, &p->tcp);
	}
}

/* Hop-by-hop and destination options: type-length-value, Pad1 alone (RFC 8200 4.2). */
static void decode_ip6_tlvs(struct span opts, struct ip6_ext *e)
{
	size_t at = 0;

	while (at < opts.len) {
		struct ip6_tlv t = {0, 0, 0};
		uint16_t v16;
		uint32_t v32;

		span_u8(opts, at, &t.type);
		if (t.type == 0) {
			at++;
		} else {
			if (!span_u8(opts, at + 1, &t.len) || !span_has(opts, at, 2u + t.len)) {
				e->tlv_bad = true;
				return;
			}
			if (t.type == 0x05 && t.len == 2 && span_be16(opts, at + 2, &v16))
				t.value = v16;
			else if (t.type == 0xc2 && t.len == 4 && span_be32(opts, at + 2, &v32))
				t.value = v32;
			at += 2u + t.len;
		}
		if (e->ntlv < IP6_MAX_TLV)
			e->tlv[e->ntlv++] = t;
	}
}

/*
 * A jumbogram's length (RFC 2675): the hop-by-hop header at h (payload length 0)
 * holding the jumbo payload option, whose value counts everything after the
 * fixed header; 0 without one, or when the value would not fit the 32-bit length.
 */
static uint32_t ip6_jumbo_length(struct span h)
{
	struct ip6_ext e;
	uint8_t hlen8;
	unsigned i;

	if (!span_u8(h, 1, &hlen8))
		return 0;
	e.ntlv = 0;
	e.tlv_bad = false;
	decode_ip6_tlvs(span_sub(h, 2, (hlen8 + 1u) * 8u - 2u), &e);
	for (i = 0; i < e.ntlv; i++)
		if (e.tlv[i].type == 0xc2 && e.tlv[i].len == 4 && e.tlv[i].value <= UINT32_MAX - 40u)
			return e.tlv[i].value;
	return 0;
}

/* Routing header: types 0 (deprecated, RFC 5095) and 2 (Mobile IPv6) list addresses. */
static void decode_ip6_routing(struct span h, uint8_t hlen8, struct ip6_ext *e)
{
	span_u8(h, 2, &e->rt_type);
	span_u8(h, 3, &e->segleft);
	span_be32(h, 4, &e->rt_reserved);
	if ((e->rt_type == 0 || e->rt_type == 2) && hlen8 % 2 == 0) {
		e->naddr = hlen8 / 2;
		e->addrs = h.data + 8;
	}
}

/*
 * IPv6 (RFC 8200): walk hop-by-hop, routing, fragment and destination
 * options headers to the upper layer, keeping what tcpdump prints of each.
 */
static void decode_ip6(struct span cap, uint32_t wire, const struct decode_opts *opts,
		       struct packet *p)
{
	struct ip_info *ip = &p->ip;
	uint32_t len, off = 40;
	uint8_t nh;
	struct span l3;

	(void)wire;
	ip->head.version = 6;
	ip->head.addrlen = 16;
	if (!span_u8(cap, 6, &ip->head.next)) {
		p->stop = STOP_NOT_TCP;
		return;
	}
	nh = ip->head.next;
	/* Only a TCP packet is printed; peek through the extension headers. */
	if (!span_has(cap, 0, 40)) {
		p->stop = nh == IPPROTO_TCP_ ? STOP_IP_TRUNC : STOP_NOT_TCP;
		return;
	}
	span_be32(cap, 0, &ip->head.flow);
	span_be16(cap, 4, &ip->head.plen);
	span_u8(cap, 7, &ip->head.hlim);
	span_copy(cap, 8, ip->head.src, 16);
	span_copy(cap, 24, ip->head.dst, 16);
	ip->head.nxt = nh;
	/*
	 * A zero payload length without a jumbo option leaves no payload
	 * (tcpdump 4.99 then shows the TCP header as not captured).
	 */
	len = 40u + ip->head.plen;
	if (ip->head.plen == 0 && nh == IP6_HOPOPTS)
		len = 40u + ip6_jumbo_length(span_sub(cap, 40, cap.len - 40));
	if (wire < len)
		ip->head.missing = len - wire;
	l3 = span_sub(cap, 0, len);
	while (nh == IP6_HOPOPTS || nh == IP6_ROUTING || nh == IP6_FRAGMENT || nh == IP6_DSTOPTS) {
		struct ip6_ext *e;
		uint8_t next, hlen8;
		uint16_t fo;

		if (ip->head.next_ext >= IP6_MAX_EXT) {
			p->stop = STOP_NOT_TCP;
			return;
		}
		e = &ip->ext[ip->head.next_ext];
		memset(e, 0, sizeof(*e));
		e->type = nh;
		if (!span_u8(l3, off, &next) || !span_u8(l3, off + 1, &hlen8)) {
			p->stop = STOP_NOT_TCP;
			return;
		}
		if (nh == IP6_FRAGMENT) {
			e->len = 8;
			if (!span_be16(l3, off + 2, &fo) || !span_be32(l3, off + 4, &e->frag_id)) {
				p->stop = STOP_NOT_TCP;
				return;
			}
			e->frag_off = fo & 0xfff8;
			e->frag_more = fo & 1;
			ip->head.fragmented = true;
			/* tcpdump shows nothing past a fragment header that ends the capture. */
			if (!span_has(l3, off + 8, 1)) {
				ip->head.next_ext++;
				e->off = (uint16_t)off;
				ip->head.proto = next;
				p->stop = next == IPPROTO_TCP_ ? STOP_IP_FRAGMENT : STOP_NOT_TCP;
				return;
			}
		} else {
			e->len = (uint16_t)((hlen8 + 1) * 8);
			if (!span_has(l3, off, e->len)) {
				p->stop = STOP_NOT_TCP;
				return;
			}
			if (nh == IP6_ROUTING)
				decode_ip6_routing(span_sub(l3, off, e->len), hlen8, e);
			else
				decode_ip6_tlvs(span_sub(l3, off + 2, e->len - 2u), e);
		}
		e->off = (uint16_t)off;
		ip->head.next_ext++;
		off += e->len;
		nh = next;
		if (ip->ext[ip->head.next_ext - 1].type == IP6_FRAGMENT && e->frag_off != 0) {
			ip->head.proto = nh;
			p->stop = nh == IPPROTO_TCP_ ? STOP_IP_FRAGMENT : STOP_NOT_TCP;
			return;
		}
	}
	ip->head.proto = nh;
	if (nh != IPPROTO_TCP_) {
		/* A tunnel right after the fixed header of a datagram captured whole on the wire. */
		p->stop = STOP_NOT_TCP;
		if (ip->head.next_ext == 0 && wire >= len && ip->head.plen != 0)
			decode_tunnel_ip(span_sub(l3, off, len - off), len - off, nh, ip, opts, p);
		return;
	}
	if (off > len) {
		p->stop = STOP_IP6_EXT_TRUNC;
		return;
	}
	decode_tcp(span_sub(l3, off, len - off), len - off, opts, p);
	if (opts->verify_checksums && packet_has_tcp(p) && !ip->head.fragmented &&
	    span_has(l3, off, len - off)) {
		struct ip_info pseudo = *ip;
		unsigned i;

		/* The pseudo-header names the final destination (RFC 8200 section 8.1). */
		for (i = 0; i < ip->head.next_ext; i++)
			if (ip->ext[i].type == IP6_ROUTING && ip->ext[i].naddr > 0)
				memcpy(pseudo.head.dst, ip->ext[i].addrs + 16u * (ip->ext[i].naddr - 1u), 16);
		tcp_checksum(&pseudo, span_sub(l3, off, len - off), len - off, &p->tcp);
	}
}

void decode_ip(struct span cap, uint32_t wire, int family_hint, const struct decode_opts *opts,
	       struct packet *p)
{
	uint8_t v;

	p->stop = STOP_NOT_IP;
	if (!span_u8(cap, 0, &v))
		return;
	v >>= 4;
	/*
	 * The link layer's claim must agree with the version nibble. A BPF
	 * "tcp" filter looks only at the protocol byte, so tcpdump shows such
	 * an IPv4 frame, as invalid; so does tcpnote.
	 */
	if (v != family_hint) {
		uint8_t proto;

		if (family_hint == 4 && span_u8(cap, 9, &proto) && proto == IPPROTO_TCP_) {
			p->ip.head.version = 4;
			p->ip.head.bad_version = v;
			p->stop = STOP_IP_BAD_VERSION;
		}
		return;
	}
	if (v == 4)
		decode_ip4(cap, wire, opts, p);
	else if (v == 6)
		decode_ip6(cap, wire, opts, p);
}
