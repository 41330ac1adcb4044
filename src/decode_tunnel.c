/* decode_tunnel.c - tunnel layers between an outer and an inner IP header: IP-in-IP, GRE, ERSPAN, VXLAN, Geneve, BCM-LI, Teredo, GTP-U, MPLS, PPPoE, PBB, VN-Tag. */
#include <string.h>

#include "tcpnote/decode.h"

#define IPPROTO_IPIP_ 4
#define IPPROTO_IPV6_ 41
#define IPPROTO_GRE_ 47
#define IPPROTO_UDP_ 17
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_MPLS 0x8847
#define ETHERTYPE_MPLS_MC 0x8848
#define ETHERTYPE_TEB 0x6558 /* transparent Ethernet bridging: an Ethernet frame follows */
#define ETHERTYPE_PBB 0x88e7
#define ETHERTYPE_VNTAG 0x8926
#define GRE_ERSPAN_I_II 0x88be
#define GRE_ERSPAN_III 0x22eb
#define UDP_PORT_VXLAN 4789  /* IANA */
#define UDP_PORT_GENEVE 6081 /* IANA */
#define UDP_PORT_BCM_LI 49152 /* print-udp.c's BCM_LI_PORT */
#define UDP_PORT_TEREDO 3544 /* IANA */
#define UDP_PORT_GTPU 2152   /* IANA */
#define GTP_MAX_EXT 8        /* GTP-U extension headers followed; a longer chain is not */
/* GRE flags (RFC 2784, RFC 2890; routing from RFC 1701) */
#define GRE_CP 0x8000
#define GRE_RP 0x4000
#define GRE_KP 0x2000
#define GRE_SP 0x1000
#define GRE_VERS 0x0007

/* FNV-1a over bytes, for the tunnel's part of a connection's identity. */
static uint32_t fnv(uint32_t h, const void *data, size_t n)
{
	const uint8_t *b = data;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= b[i];
		h *= 16777619u;
	}
	return h;
}

/* Fold a finished layer into the identity: its kind, number and (either order) endpoints. */
static void note_identity(struct tunnel_info *t, const struct tun_layer *l, uint32_t id)
{
	uint32_t h = fnv(t->depth > 1 ? t->id_hash : 2166136261u, &l->kind, 1);

	h = fnv(h, &id, sizeof(id));
	if (l->kind != TUN_MPLS) {
		size_t n = l->ip.version == 4 ? 4 : 16;
		bool lo = memcmp(l->ip.src, l->ip.dst, n) <= 0;

		h = fnv(h, lo ? l->ip.src : l->ip.dst, n);
		h = fnv(h, lo ? l->ip.dst : l->ip.src, n);
	} else {
		h = fnv(h, l->labels, sizeof(l->labels[0]) * l->nlabels);
	}
	t->id_kind = l->kind;
	t->id = id;
	t->id_hash = h | 1u; /* never 0: 0 means no tunnel */
}

/* A new layer, cleared, or NULL past the depth bound. */
static struct tun_layer *new_layer(struct packet *p, uint8_t kind)
{
	struct tun_layer *l;

	if (p->tun.depth >= TUN_MAX_DEPTH)
		return NULL;
	l = &p->tun.layer[p->tun.depth++];
	memset(l, 0, offsetof(struct tun_layer, ether));
	l->kind = kind;
	return l;
}

/* The inner IP packet: forget the outer header's fields, then decode. */
static void inner_ip(struct span cap, uint32_t wire, int family, const struct decode_opts *opts,
		     struct packet *p)
{
	memset(&p->ip, 0, offsetof(struct ip_info, opts));
	memset(&p->tcp, 0, offsetof(struct tcp_info, opts));
	decode_ip(cap, wire, family, opts, p);
}

/* What an ethertype-like protocol field carries: IPv4, IPv6, MPLS, Ethernet. */
static void by_ethertype(uint16_t type, struct span cap, uint32_t wire, const struct decode_opts *opts,
			 struct packet *p, struct tun_layer *l)
{
	size_t off;
	int family;

	switch (type) {
	case ETHERTYPE_IPV4:
		inner_ip(cap, wire, 4, opts, p);
		return;
	case ETHERTYPE_IPV6:
		inner_ip(cap, wire, 6, opts, p);
		return;
	case ETHERTYPE_MPLS:
	case ETHERTYPE_MPLS_MC:
		decode_mpls(cap, wire, opts, p);
		return;
	case ETHERTYPE_PBB:
		decode_pbb(cap, wire, opts, p);
		return;
	case ETHERTYPE_VNTAG:
		decode_vntag(cap, wire, opts, p);
		return;
	case ETHERTYPE_TEB:
		memset(&l->ether, 0, sizeof(l->ether));
		off = decode_ether_header(cap, &l->ether, &family);
		if (off == 0 || off > cap.len || off > wire)
			break;
		l->has_ether = true;
		l->ether_len = wire;
		if (family == 4 || family == 6)
			inner_ip(span_sub(cap, off, cap.len), wire - (uint32_t)off, family, opts, p);
		else if (family != 0)
			decode_family(span_sub(cap, off, cap.len), wire - (uint32_t)off, family, opts, p);
		return;
	default:
		break;
	}
	p->stop = STOP_NOT_IP;
}

/*
 * ERSPAN after its GRE header (print-erspan.c, erspan_print_i_ii and
 * erspan_print_iii; draft-foschiano-erspan-03): protocol 0x88be without
 * GRE's sequence number is type I, no header; with it type II, 8 bytes
 * (version 1, VLAN, COS, encapsulation, T, 10-bit session id; index);
 * 0x22eb is type III, 12 bytes (version 2, VLAN, COS, BSO, T, session id;
 * timestamp; SGT; P, frame type, hardware id, D, Gra, O) and 8 more of
 * platform-specific subheader with O. An Ethernet frame follows; another
 * version or frame type (tcpdump: "erspan-unknown-version", "Frame type
 * unknown") is not followed.
 */
static void decode_erspan(struct span cap, uint32_t wire, uint16_t gre_flags, uint16_t proto,
			  const struct decode_opts *opts, struct packet *p)
{
	struct tun_layer *l = new_layer(p, TUN_ERSPAN);
	uint16_t last = 0;
	size_t off = 0;

	p->stop = STOP_NOT_IP;
	if (l == NULL)
		return;
	if (proto == GRE_ERSPAN_I_II && !(gre_flags & GRE_SP)) {
		l->erspan_type = 1;
	} else if (proto == GRE_ERSPAN_I_II) {
		l->erspan_type = 2;
		off = 8;
		if (!span_be32(cap, 0, &l->erspan_hdr) || !span_be32(cap, 4, &l->erspan_hdr2) ||
		    (l->erspan_hdr >> 28) != 1)
			goto unknown;
	} else {
		l->erspan_type = 3;
		off = 12;
		if (!span_be32(cap, 0, &l->erspan_hdr) || !span_be16(cap, 10, &last) ||
		    (l->erspan_hdr >> 28) != 2 || ((last >> 10) & 0x1fu) != 0)
			goto unknown;
		l->erspan_hdr2 = last;
		if (last & 1u)
			off += 8;
	}
	if (off > wire || !span_has(cap, 0, off))
		goto unknown;
	note_identity(&p->tun, l, l->erspan_type == 1 ? ERSPAN_TYPE1_ID : l->erspan_hdr & 0x3ffu);
	by_ethertype(ETHERTYPE_TEB, span_sub(cap, off, cap.len), wire - (uint32_t)off, opts, p, l);
	return;
unknown:
	p->tun.depth--;
}

/* GRE version 0 (print-gre.c's gre_print_0): flags, protocol, checksum, key, sequence. */
static bool decode_gre(struct span cap, uint32_t wire, const struct decode_opts *opts,
		       struct packet *p, struct tun_layer *l)
{
	size_t off = 4;

	if (!span_be16(cap, 0, &l->gre_flags) || !span_be16(cap, 2, &l->proto) ||
	    (l->gre_flags & GRE_VERS) != 0 || (l->gre_flags & GRE_RP) != 0)
		return false;
	l->gre_len = wire;
	if (l->gre_flags & GRE_CP) {
		if (!span_be16(cap, off, &l->gre_sum) || !span_be16(cap, off + 2, &l->gre_off))
			return false;
		off += 4;
	}
	if (l->gre_flags & GRE_KP) {
		if (!span_be32(cap, off, &l->key))
			return false;
		off += 4;
	}
	if (l->gre_flags & GRE_SP) {
		if (!span_be32(cap, off, &l->seq))
			return false;
		off += 4;
	}
	if (off > wire)
		return false;
	note_identity(&p->tun, l, (l->gre_flags & GRE_KP) ? l->key : 0);
	if (l->proto == GRE_ERSPAN_I_II || l->proto == GRE_ERSPAN_III)
		decode_erspan(span_sub(cap, off, cap.len), wire - (uint32_t)off, l->gre_flags, l->proto,
			      opts, p);
	else
		by_ethertype(l->proto, span_sub(cap, off, cap.len), wire - (uint32_t)off, opts, p, l);
	return true;
}

/* Geneve's options (print-geneve.c's geneve_opts_print): class, type, length in 4-byte words. */
static void decode_geneve_opts(struct span o, struct tun_layer *l)
{
	size_t off = 0;
	uint8_t b;

	while (off < o.len) {
		struct geneve_opt *g;

		if (l->ngopts >= GENEVE_MAX_OPTS) {
			l->gopts_more = true;
			return;
		}
		g = &l->gopts[l->ngopts++];
		memset(g, 0, sizeof(*g));
		if (!span_be16(o, off, &g->cls) || !span_u8(o, off + 2, &g->type) ||
		    !span_u8(o, off + 3, &b))
			return;
		g->len = (uint8_t)(4u + (b & 0x1fu) * 4u);
		if (g->len > o.len - off) {
			g->bad_len = true;
			return;
		}
		g->data = o.data + off + 4;
		off += g->len;
	}
}

/* The UDP checksum over the pseudo-header, when -v asks for it (print-udp.c). */
static void check_udp(struct span cap, const struct decode_opts *opts, struct tun_layer *l)
{
	uint16_t computed;

	if (!opts->verify_checksums)
		return;
	if (!span_has(cap, 0, l->udp_len)) {
		l->udp_ck = UDP_CK_UNCAPTURED;
		return;
	}
	computed = cksum_pseudo(&l->ip, IPPROTO_UDP_, cap, l->udp_len);
	l->udp_ck = computed == 0 ? UDP_CK_OK : UDP_CK_BAD;
	l->udp_sum_shouldbe = cksum_shouldbe(l->udp_sum, computed);
}

/*
 * Teredo (RFC 4380 section 5.1.1): an optional authentication header
 * (0x0001, client id and auth value lengths, both, an 8-byte nonce, a
 * confirmation byte), then an optional origin indication (0x0000, port and
 * IPv4 address, each XORed with ones), then an IPv6 packet. tcpdump has no
 * Teredo printer; tshark's heuristic wants the IPv6 version nibble, so
 * does tcpnote: anything else on port 3544 stays UDP.
 */
static bool decode_teredo(struct span d, uint32_t len, const struct decode_opts *opts,
			  struct packet *p, struct tun_layer *l)
{
	uint32_t off = 0, addr = 0;
	uint16_t ind, port = 0;
	uint8_t idlen, aulen, first;
	bool auth = false, origin = false;

	if (span_be16(d, 0, &ind) && ind == 1) {
		if (!span_u8(d, 2, &idlen) || !span_u8(d, 3, &aulen))
			return false;
		off = 4u + idlen + aulen + 9u;
		auth = true;
	}
	if (span_be16(d, off, &ind) && ind == 0) {
		if (!span_be16(d, off + 2, &port) || !span_be32(d, off + 4, &addr))
			return false;
		origin = true;
		off += 8;
	}
	if (off + 40 > len || !span_u8(d, off, &first) || (first >> 4) != 6)
		return false;
	/* Written only once taken: a datagram refused here is tried as BCM-LI with a clean layer. */
	l->kind = TUN_TEREDO;
	l->teredo_auth = auth;
	if (origin) {
		l->origin_port = port ^ 0xffffu;
		addr ^= 0xffffffffu;
		l->origin_addr[0] = (uint8_t)(addr >> 24);
		l->origin_addr[1] = (uint8_t)(addr >> 16);
		l->origin_addr[2] = (uint8_t)(addr >> 8);
		l->origin_addr[3] = (uint8_t)addr;
		l->teredo_origin = true;
	}
	note_identity(&p->tun, l, 0);
	inner_ip(span_sub(d, off, d.len), len - off, 6, opts, p);
	return true;
}

/*
 * GTP-U (3GPP TS 29.281 section 5): version 1 with the protocol type bit,
 * E, S and PN flags; message type 255 (a T-PDU, user data); the length of
 * what follows the first 8 bytes; the TEID. Any of E, S, PN adds a
 * sequence number, an N-PDU number and the next extension header's type;
 * each extension header gives its length in 4-byte units and ends with
 * the next one's type. Then IPv4 or IPv6 by the version nibble. tcpdump
 * has no GTP printer; signalling messages and other versions stay UDP.
 */
static bool decode_gtpu(struct span d, uint32_t len, const struct decode_opts *opts,
			struct packet *p, struct tun_layer *l)
{
	uint32_t off = 8, end, teid;
	uint8_t flags, type, next = 0, units, first;
	uint16_t glen, sq = 0;
	unsigned n;

	if (!span_u8(d, 0, &flags) || !span_u8(d, 1, &type) || !span_be16(d, 2, &glen) ||
	    !span_be32(d, 4, &teid) || (flags & 0xf0u) != 0x30u || type != 0xff || 8u + glen > len)
		return false;
	end = 8u + glen;
	if (flags & 0x07u) {
		if (!span_be16(d, 8, &sq) || !span_u8(d, 11, &next) || end < 12)
			return false;
		off = 12;
	}
	for (n = 0; next != 0; n++) {
		if (n == GTP_MAX_EXT || !span_u8(d, off, &units) || units == 0 ||
		    off + 4u * units > end || !span_u8(d, off + 4u * units - 1u, &next))
			return false;
		off += 4u * units;
	}
	if (!span_u8(d, off, &first) || ((first >> 4) != 4 && (first >> 4) != 6))
		return false;
	/* Written only once taken, as Teredo's. */
	l->kind = TUN_GTPU;
	l->gtp_flags = flags;
	l->gtp_type = type;
	l->gtp_len = glen;
	l->key = teid;
	l->seq = sq; /* 0 without the optional fields */
	note_identity(&p->tun, l, l->key);
	inner_ip(span_sub(d, off, d.len), end - off, first >> 4, opts, p);
	return true;
}

/*
 * UDP on the VXLAN or Geneve port (print-udp.c looks at either port), on
 * Teredo's or GTP-U's (what those refuse is tried further), or from the
 * BCM-LI port; anything else is no tunnel.
 * tcpdump -q shows these as UDP; the printer stops there, the layers are
 * still decoded for the connection.
 */
static bool decode_udp(struct span cap, uint32_t wire, const struct decode_opts *opts,
		       struct packet *p, struct tun_layer *l)
{
	uint8_t b;
	struct span d;
	uint32_t len;

	if (!span_be16(cap, 0, &l->sport) || !span_be16(cap, 2, &l->dport) ||
	    !span_be16(cap, 4, &l->udp_len) || !span_be16(cap, 6, &l->udp_sum) || l->udp_len < 8 ||
	    l->udp_len > wire)
		return false;
	d = span_sub(cap, 8, (size_t)l->udp_len - 8u);
	len = l->udp_len - 8u;
	if (l->sport == UDP_PORT_VXLAN || l->dport == UDP_PORT_VXLAN) {
		/* RFC 7348: flags, 3 reserved bytes, 24-bit VNI, 1 reserved byte; then Ethernet. */
		if (len < 8 || !span_u8(d, 0, &l->flags) || !span_be32(d, 4, &l->vni))
			return false;
		l->kind = TUN_VXLAN;
		l->vni >>= 8;
		check_udp(cap, opts, l);
		note_identity(&p->tun, l, l->vni);
		by_ethertype(ETHERTYPE_TEB, span_sub(d, 8, d.len), len - 8u, opts, p, l);
		return true;
	}
	if (l->sport == UDP_PORT_GENEVE || l->dport == UDP_PORT_GENEVE) {
		/* RFC 8926: version and option length, flags, protocol, 24-bit VNI, reserved. */
		if (!span_u8(d, 0, &b) || (b >> 6) != 0 || !span_u8(d, 1, &l->flags) ||
		    !span_be16(d, 2, &l->proto) || !span_be32(d, 4, &l->vni))
			return false;
		l->kind = TUN_GENEVE;
		l->rsvd = (uint8_t)(l->vni & 0xff);
		l->vni >>= 8;
		l->opt_len = (uint16_t)((b & 0x3f) * 4u);
		if (len < 8u + l->opt_len || !span_has(d, 8, l->opt_len))
			return false;
		decode_geneve_opts(span_sub(d, 8, l->opt_len), l);
		check_udp(cap, opts, l);
		note_identity(&p->tun, l, l->vni);
		by_ethertype(l->proto, span_sub(d, 8u + l->opt_len, d.len), len - 8u - l->opt_len, opts,
			     p, l);
		return true;
	}
	/* No tcpdump printer knows these two ports: what their decoders refuse goes on to BCM-LI. */
	if ((l->sport == UDP_PORT_TEREDO || l->dport == UDP_PORT_TEREDO) &&
	    decode_teredo(d, len, opts, p, l))
		return true;
	if ((l->sport == UDP_PORT_GTPU || l->dport == UDP_PORT_GTPU) &&
	    decode_gtpu(d, len, opts, p, l))
		return true;
	/* print-udp.c's last port test, on the source port only (the ports it knows come first) */
	if (l->sport == UDP_PORT_BCM_LI) {
		/* A 4-byte shim; its packet type says what follows (undecided: the IP version). */
		if (len < 4 || !span_be32(d, 0, &l->shim) || !span_u8(d, 4, &b))
			return false;
		l->kind = TUN_BCMLI;
		check_udp(cap, opts, l);
		note_identity(&p->tun, l, l->shim & 0x3fffffu);
		d = span_sub(d, 4, d.len);
		switch ((l->shim >> 25) & 0xfu) {
		case 4:
			if ((b >> 4) != 4 && (b >> 4) != 6)
				return false;
			inner_ip(d, len - 4u, b >> 4, opts, p);
			return true;
		case 5:
			inner_ip(d, len - 4u, 4, opts, p);
			return true;
		case 6:
			inner_ip(d, len - 4u, 6, opts, p);
			return true;
		case 7:
			by_ethertype(ETHERTYPE_TEB, d, len - 4u, opts, p, l);
			return true;
		default:
			return false;
		}
	}
	return false;
}

bool decode_tunnel_ip(struct span cap, uint32_t wire, uint8_t proto, const struct ip_info *outer,
		      const struct decode_opts *opts, struct packet *p)
{
	struct tun_layer *l;
	uint8_t depth = p->tun.depth;
	bool ok;

	if (proto != IPPROTO_IPIP_ && proto != IPPROTO_IPV6_ && proto != IPPROTO_GRE_ &&
	    proto != IPPROTO_UDP_)
		return false;
	l = new_layer(p, proto == IPPROTO_GRE_ ? TUN_GRE : TUN_IPIP);
	if (l == NULL)
		return false;
	l->ip = outer->head;
	memcpy(l->ip_opts, outer->opts, sizeof(outer->opts[0]) * outer->head.nopts);
	switch (proto) {
	case IPPROTO_IPIP_:
	case IPPROTO_IPV6_:
		note_identity(&p->tun, l, 0);
		inner_ip(cap, wire, proto == IPPROTO_IPIP_ ? 4 : 6, opts, p);
		ok = true;
		break;
	case IPPROTO_GRE_:
		ok = decode_gre(cap, wire, opts, p, l);
		break;
	default:
		ok = decode_udp(cap, wire, opts, p, l);
		break;
	}
	if (!ok)
		p->tun.depth = depth;
	return ok;
}

void decode_mpls(struct span cap, uint32_t wire, const struct decode_opts *opts, struct packet *p)
{
	struct tun_layer *l = new_layer(p, TUN_MPLS);
	uint32_t entry = 0, label;
	size_t off = 0;
	uint8_t first;

	p->stop = STOP_NOT_IP;
	if (l == NULL)
		return;
	/* Entries up to the one with the bottom-of-stack bit (RFC 3032 section 2.1). */
	do {
		if (l->nlabels >= MPLS_MAX_LABELS || off + 4 > wire || !span_be32(cap, off, &entry))
			return;
		l->labels[l->nlabels++] = entry;
		off += 4;
	} while (!(entry & 0x100));
	label = entry >> 12;
	note_identity(&p->tun, l, label);
	/*
	 * The payload's protocol (print-mpls.c): the explicit and implicit NULL
	 * labels say it, otherwise the first byte's IP version and header length.
	 */
	if (!span_u8(cap, off, &first))
		return;
	if (label == 0 || label == 3 || (label != 2 && first >= 0x45 && first <= 0x4f))
		inner_ip(span_sub(cap, off, cap.len), wire - (uint32_t)off, 4, opts, p);
	else if (label == 2 || (first >= 0x60 && first <= 0x6f))
		inner_ip(span_sub(cap, off, cap.len), wire - (uint32_t)off, 6, opts, p);
}

void decode_family(struct span cap, uint32_t wire, int family, const struct decode_opts *opts,
		   struct packet *p)
{
	if (family == FAMILY_MPLS)
		decode_mpls(cap, wire, opts, p);
	else if (family == FAMILY_PPPOE)
		decode_pppoe(cap, wire, opts, p);
	else if (family == FAMILY_PBB)
		decode_pbb(cap, wire, opts, p);
	else if (family == FAMILY_VNTAG)
		decode_vntag(cap, wire, opts, p);
	else if (family == 4 || family == 6)
		inner_ip(cap, wire, family, opts, p);
	else
		p->stop = STOP_NOT_IP;
}

/*
 * A PPPoE session packet (RFC 2516 section 4): version and type, code 0,
 * session id, payload length; then PPP (print-pppoe.c, then ppp_print()).
 * tcpdump reads the payload as min(length field, what the frame holds).
 */
void decode_pppoe(struct span cap, uint32_t wire, const struct decode_opts *opts, struct packet *p)
{
	struct tun_layer *l = new_layer(p, TUN_PPPOE);
	uint32_t len;
	size_t off;
	int family;

	p->stop = STOP_NOT_IP;
	if (l == NULL || wire < 6 || !span_u8(cap, 0, &l->pppoe_vt) || !span_u8(cap, 1, &l->pppoe_code) ||
	    !span_be16(cap, 2, &l->session) || !span_be16(cap, 4, &l->pppoe_len) || l->pppoe_code != 0) {
		if (l != NULL)
			p->tun.depth--;
		return;
	}
	/* print-pppoe.c clamps the length field to the payload; the captured bytes stay as they are */
	l->pppoe_wire = wire - 6u;
	len = l->pppoe_len < l->pppoe_wire ? l->pppoe_len : l->pppoe_wire;
	cap = span_sub(cap, 6, cap.len);
	off = decode_ppp_header(cap, &l->proto, &family);
	if (off == 0 || off > len || family == 0 || family == FAMILY_PPPOE) {
		p->tun.depth--;
		return;
	}
	note_identity(&p->tun, l, l->session);
	decode_family(span_sub(cap, off, cap.len), len - (uint32_t)off, family, opts, p);
}

/*
 * 802.1ah PBB (IEEE 802.1Q-2018 section 9.7): after ethertype 0x88e7 the
 * I-TAG, 4 bytes (priority, DEI, use-customer-address, reserved, 24-bit
 * I-SID), then the customer's Ethernet header (destination, source, type
 * and its own tags) and frame. tcpdump has no PBB printer.
 */
void decode_pbb(struct span cap, uint32_t wire, const struct decode_opts *opts, struct packet *p)
{
	struct tun_layer *l = new_layer(p, TUN_PBB);

	p->stop = STOP_NOT_IP;
	if (l == NULL)
		return;
	if (wire < 4 || !span_be32(cap, 0, &l->tag)) {
		p->tun.depth--;
		return;
	}
	note_identity(&p->tun, l, l->tag & 0xffffffu);
	by_ethertype(ETHERTYPE_TEB, span_sub(cap, 4, cap.len), wire - 4u, opts, p, l);
}

/*
 * VN-Tag (IEEE 802.1Qbh draft, Cisco's): after ethertype 0x8926 a 4-byte
 * tag (direction, pointer, 14-bit destination VIF, looped, reserved,
 * version, 12-bit source VIF), then the frame's own ethertype. tcpdump has
 * no VN-Tag printer. The VIFs differ by direction: not part of the identity.
 */
void decode_vntag(struct span cap, uint32_t wire, const struct decode_opts *opts, struct packet *p)
{
	struct tun_layer *l = new_layer(p, TUN_VNTAG);

	p->stop = STOP_NOT_IP;
	if (l == NULL)
		return;
	if (wire < 6 || !span_be32(cap, 0, &l->tag) || !span_be16(cap, 4, &l->proto)) {
		p->tun.depth--;
		return;
	}
	note_identity(&p->tun, l, 0);
	by_ethertype(l->proto, span_sub(cap, 6, cap.len), wire - 6u, opts, p, l);
}
