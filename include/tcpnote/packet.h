/* packet.h - the decoded packet: what the decoders fill and everyone else reads. */
#ifndef TCPNOTE_PACKET_H
#define TCPNOTE_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "tcpnote/bytes.h"

/* TCP flag bits (RFC 9293 section 3.1, RFC 3168 for ECE/CWR). */
#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10
#define TCPF_URG 0x20
#define TCPF_ECE 0x40
#define TCPF_CWR 0x80

/* TCP option kinds that tcpnote names (IANA "TCP Option Kind Numbers"). */
enum tcp_opt_kind {
	TCPOPT_EOL = 0,
	TCPOPT_NOP = 1,
	TCPOPT_MSS = 2,
	TCPOPT_WSCALE = 3,
	TCPOPT_SACKOK = 4,
	TCPOPT_SACK = 5,
	TCPOPT_ECHO = 6,
	TCPOPT_ECHOREPLY = 7,
	TCPOPT_TIMESTAMP = 8,
	TCPOPT_CC = 11,
	TCPOPT_CCNEW = 12,
	TCPOPT_CCECHO = 13,
	TCPOPT_MD5 = 19,
	TCPOPT_SCPS = 20,
	TCPOPT_UTO = 28,
	TCPOPT_TCPAO = 29,
	TCPOPT_MPTCP = 30,
	TCPOPT_FASTOPEN = 34,
	TCPOPT_EXP2 = 254
};

/* How the walk over one option, or over the whole option list, ended. */
enum opt_end {
	OPT_END_OK = 0, /* complete */
	OPT_END_BAD,    /* a length that cannot be: tcpdump's "[bad opt]" */
	OPT_END_TRUNC   /* bytes not captured: tcpdump's " [|tcp]" */
};

/*
 * One TCP option as tcpdump walks it: data points at the `ndata` bytes after
 * kind and length that passed tcpdump's length checks for this kind (all of
 * them are captured); `datalen` is how many it wanted. A walk that ended
 * inside an option leaves end != OPT_END_OK on that option.
 */
struct tcp_opt {
	uint8_t kind;
	uint8_t len;      /* declared total length (1 for EOL and NOP) */
	uint8_t datalen;  /* data bytes this kind consumes */
	uint8_t ndata;    /* data bytes decoded */
	enum opt_end end;
	const uint8_t *data;
};

#define TCP_MAX_OPTS 40

/* Where decoding stopped; the printer renders each as tcpdump does. */
enum pkt_stop {
	STOP_NONE = 0,         /* TCP header (and what options fit) decoded */
	STOP_NOT_IP,           /* not IPv4/IPv6: not a TCP packet */
	STOP_NOT_TCP,          /* IP, but not TCP */
	STOP_IP_BAD_VERSION,   /* link says IPv4, header says otherwise */
	STOP_IP_TRUNC,         /* IP header not captured: " [|ip]" */
	STOP_IP_SHORT,         /* wire length below 20: "truncated-ip N" */
	STOP_IP_BAD_HLEN,      /* "bad-hlen N" */
	STOP_IP_BAD_LEN,       /* "bad-len N" */
	STOP_IP_FRAGMENT,      /* not the first fragment: "a > b: ip-proto-6" */
	STOP_IP_HDR_CAPLEN,    /* header options not all captured: "[remaining caplen(N) < ...]" */
	STOP_IP6_EXT_TRUNC,    /* an IPv6 extension header cut short: " [|ip6]" */
	STOP_TCP_TRUNC_PORTS,  /* ports not captured: "a > b: [|tcp]" */
	STOP_TCP_TRUNC_HDR,    /* fixed header not captured: " [|tcp]" */
	STOP_TCP_HLEN_SHORT,   /* data offset < 5 */
	STOP_TCP_HLEN_LONG     /* data offset past the segment */
};

/* Which link-layer header came before IP: what tcpdump -e prints differs for each. */
enum link_hdr {
	LINK_HDR_NONE = 0, /* not decoded */
	LINK_HDR_ETHER,    /* EN10MB (print-ether.c) */
	LINK_HDR_SLL,      /* LINUX_SLL (print-sll.c) */
	LINK_HDR_SLL2,     /* LINUX_SLL2, the "any" device: interface and direction on every line */
	LINK_HDR_NULL,     /* NULL and LOOP: a BSD address family (print-null.c) */
	LINK_HDR_RAW,      /* RAW, IPV4, IPV6: no header (print-raw.c) */
	LINK_HDR_PPP,      /* PPP: the protocol field in type (print-ppp.c) */
	LINK_HDR_IPOIB,    /* IPOIB: the ethertype in type (print-ipoib.c) */
	LINK_HDR_ARCNET    /* ARCNET_LINUX: mac points at the header's first 3 bytes (print-arcnet.c) */
};

/*
 * The link-layer header, as far as it was decoded: the fields tcpdump -e
 * shows. Pointers point into the captured frame, at bytes the decoder
 * checked were captured.
 */
struct link_info {
	uint8_t hdr;        /* enum link_hdr */
	uint16_t ntags;     /* VLAN tags between the first type field and the last */
	uint16_t pkttype;   /* SLL, SLL2: the Linux packet type (SLL's is 16 bits) */
	uint16_t type;      /* Ethernet, SLL, SLL2: the first type field */
	uint32_t ifindex;   /* SLL2 */
	uint32_t af;        /* NULL, LOOP: the address family, as tcpdump reads it */
	const uint8_t *mac; /* Ethernet: destination then source (12 bytes); SLL, SLL2: the
			       6-byte address; NULL when the address is not 6 bytes long */
	const uint8_t *tags; /* ntags * 4 bytes after the first type: each tag's TCI, then the
				type after it */
	/* JUNIPER_ETHER: the Juniper header's length and flags before the Ethernet header */
	uint16_t jnx_hlen;   /* 0: no Juniper header */
	uint8_t jnx_flags;
};

/* VLAN tag i's TCI and the type field that follows it (i < l->ntags). */
static inline void link_tag(const struct link_info *l, unsigned i, uint16_t *tci, uint16_t *next)
{
	const uint8_t *t = l->tags + 4u * i;

	*tci = (uint16_t)((t[0] << 8) | t[1]);
	*next = (uint16_t)((t[2] << 8) | t[3]);
}

#define IP_MAX_OPTS 40
#define IP6_MAX_EXT 8

struct ip_opt {
	uint8_t code;
	uint8_t len;
	bool bad_len;   /* length < 2 or past the header: " [bad length N]" */
	const uint8_t *data; /* len bytes, all captured, when !bad_len */
};

#define IP6_MAX_TLV 8

/* One hop-by-hop or destination option (RFC 8200 section 4.2). */
struct ip6_tlv {
	uint8_t type;
	uint8_t len;     /* data length */
	uint32_t value;  /* router alert (16 bits) or jumbo payload length */
};

struct ip6_ext {
	uint8_t type;  /* 0 hop-by-hop, 43 routing, 44 fragment, 60 dest opts */
	uint16_t len;  /* bytes */
	uint16_t off;  /* offset from the start of the IPv6 header */
	/* hop-by-hop and destination options */
	uint8_t ntlv;
	bool tlv_bad;  /* an option ran past the header */
	struct ip6_tlv tlv[IP6_MAX_TLV];
	/* routing (RFC 8200 section 4.4); type 0 and 2 carry addresses */
	uint8_t rt_type, segleft;
	uint32_t rt_reserved;
	uint8_t naddr;
	const uint8_t *addrs;        /* naddr * 16 captured bytes */
	/* fragment */
	uint16_t frag_off;           /* offset in bytes */
	bool frag_more;
	uint32_t frag_id;
};

/*
 * The fixed part of an IP header as decoded: what a tunnel layer keeps of
 * its outer header (struct tun_layer) as well as the packet's own.
 */
struct ip_head {
	uint8_t version;     /* 4 or 6 */
	uint8_t bad_version; /* the version nibble, with STOP_IP_BAD_VERSION */
	uint8_t addrlen;     /* 4 or 16 */
	uint8_t src[16];
	uint8_t dst[16];
	uint8_t proto;       /* final next header */
	/* IPv4 */
	uint8_t tos, ttl, hlen;
	uint16_t id, off, totlen;
	uint32_t missing;    /* wire bytes short of totlen: "truncated-ip - N bytes missing!" */
	uint32_t avail;      /* captured bytes of the datagram (with STOP_IP_HDR_CAPLEN) */
	bool hdr_sum_bad;
	uint16_t hdr_sum, hdr_sum_shouldbe;
	uint8_t nopts;
	bool opts_trunc;
	/* IPv6 */
	uint32_t flow;
	uint8_t hlim, nxt;
	uint16_t plen;
	uint8_t next;        /* next header of the fixed header */
	uint8_t next_ext;
	bool fragmented;     /* more fragments follow, or IPv6 fragment header */
};

struct ip_info {
	struct ip_head head;
	/*
	 * The lists last: the decoder clears everything above them for each
	 * packet, and each entry only when it adds one (nopts, next_ext count them).
	 */
	struct ip_opt opts[IP_MAX_OPTS];
	struct ip6_ext ext[IP6_MAX_EXT];
};

struct tcp_info {
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t hlen;        /* data offset in bytes */
	uint8_t flags;
	uint16_t win, sum, urp;
	uint32_t length;     /* segment length from the IP header (header + payload) */
	uint32_t paylen;     /* payload length: length - hlen */
	struct span payload; /* captured payload bytes (may be fewer than paylen) */
	struct span rest;    /* captured bytes after the fixed header: options, then payload */
	bool cksum_checked;  /* every byte captured, not a fragment */
	bool cksum_ok;
	uint16_t cksum_shouldbe;
	uint8_t nopts;
	enum opt_end opts_end;
	/* Values from the options that analysis uses. */
	bool has_mss, has_wscale, has_sackok, has_ts;
	uint16_t mss;
	uint8_t wscale;
	uint32_t ts_val, ts_ecr;
	uint8_t nsack;
	uint32_t sack[4][2];
	/* Last: cleared an entry at a time as the decoder adds them (nopts counts them). */
	struct tcp_opt opts[TCP_MAX_OPTS];
};

/*
 * Tunnels between the link header and the IP header of the TCP packet
 * (decode_tunnel.c), outermost first: each layer the fields tcpdump prints.
 */
#define TUN_MAX_DEPTH 4   /* layers decapsulated; deeper nesting is not followed */
#define MPLS_MAX_LABELS 8 /* label stack entries; a longer stack is not followed */
#define ERSPAN_TYPE1_ID 0x400u /* an ERSPAN type I layer's number: past the 10-bit session ids */

enum tun_kind {
	TUN_NONE = 0,
	TUN_IPIP,   /* IP in IPv4/IPv6 (protocol 4 or 41): 4in4, 6in4, 4in6, 6in6 */
	TUN_GRE,    /* GRE version 0 (RFC 2784, key and sequence RFC 2890) */
	TUN_VXLAN,  /* UDP port 4789 (RFC 7348), Ethernet inside */
	TUN_GENEVE, /* UDP port 6081 (RFC 8926) */
	TUN_MPLS,   /* an MPLS label stack (RFC 3032) */
	TUN_PPPOE,  /* a PPPoE session (RFC 2516, ethertype 0x8864) and its PPP protocol */
	TUN_BCMLI,  /* Broadcom's lawful intercept shim on UDP port 49152 (print-bcm-li.c) */
	TUN_ERSPAN, /* ERSPAN type I, II (GRE 0x88be) or III (GRE 0x22eb), after its GRE layer */
	TUN_PBB,    /* 802.1ah provider backbone bridging: an I-TAG (ethertype 0x88e7), Ethernet inside */
	TUN_VNTAG,  /* a VN-Tag (ethertype 0x8926) and the ethertype after it */
	TUN_TEREDO, /* UDP port 3544 (RFC 4380), IPv6 inside */
	TUN_GTPU    /* UDP port 2152: a GTPv1-U T-PDU (3GPP TS 29.281), IPv4 or IPv6 inside */
};

#define GENEVE_MAX_OPTS 16 /* Geneve options kept for -v; more are counted, not shown */

/* One Geneve option (RFC 8926 section 3.5), as print-geneve.c shows it under -v. */
struct geneve_opt {
	uint16_t cls;
	uint8_t type;
	uint8_t len;          /* bytes, the 4-byte option header included */
	bool bad_len;         /* longer than the options left: " [bad length]", the last one */
	const uint8_t *data;  /* len - 4 captured bytes after the option header */
};

/* What an outer UDP checksum check found (print-udp.c under -v; IPv4 under -vv only). */
enum udp_ck {
	UDP_CK_NONE = 0,      /* not verified (no -v, or -K) */
	UDP_CK_UNCAPTURED,    /* verified, but the datagram is not all captured */
	UDP_CK_OK,
	UDP_CK_BAD
};

struct tun_layer {
	uint8_t kind;         /* enum tun_kind */
	/* IPIP, GRE, VXLAN, Geneve: the IP header that carried the layer */
	struct ip_head ip;
	/* VXLAN, Geneve, BCM-LI: the UDP header, and its checksum as checked (enum udp_ck) */
	uint16_t sport, dport;
	uint16_t udp_len, udp_sum, udp_sum_shouldbe;
	uint8_t udp_ck;
	/* GRE: flags and version word, protocol, the GRE packet's length; Geneve: protocol */
	uint16_t gre_flags, proto;
	uint32_t gre_len;
	uint16_t gre_sum, gre_off;
	uint32_t key, seq;    /* with GRE's K and S flags */
	/* VXLAN, Geneve */
	uint8_t flags;        /* VXLAN's flags byte; Geneve's O/C/reserved byte */
	uint8_t rsvd;         /* Geneve's reserved byte after the VNI */
	uint16_t opt_len;     /* Geneve options, bytes */
	uint32_t vni;
	uint8_t ngopts;       /* Geneve options in gopts[] */
	bool gopts_more;      /* more than GENEVE_MAX_OPTS */
	/* BCM-LI: the shim word (direction, packet type and subtype, LI id) */
	uint32_t shim;
	/* PPPoE: version and type byte, code, session id, length; `proto` is PPP's protocol */
	uint8_t pppoe_vt, pppoe_code;
	uint16_t session, pppoe_len;
	uint32_t pppoe_wire;  /* the PPPoE payload's length on the wire */
	/* MPLS */
	uint8_t nlabels;
	uint32_t labels[MPLS_MAX_LABELS];
	/* ERSPAN: type (1-3), the header's first word, type II's index word or type III's last 16 bits */
	uint8_t erspan_type;
	uint32_t erspan_hdr, erspan_hdr2;
	/* PBB: the I-TAG (priority, DEI, UCA, I-SID); VN-Tag: the tag word after 0x8926 */
	uint32_t tag;
	/* Teredo: which of its optional headers came first; the origin indication, de-obfuscated */
	bool teredo_auth, teredo_origin;
	uint16_t origin_port;
	uint8_t origin_addr[4];
	/* GTP-U: flags, message type, length; the TEID is in `key`, the sequence number in `seq` */
	uint8_t gtp_flags, gtp_type;
	uint16_t gtp_len;
	/* VXLAN, Geneve, GRE, ERSPAN and PBB carrying Ethernet: the inner frame's header, as -e shows it */
	bool has_ether;
	uint32_t ether_len;   /* the inner frame's length */
	struct link_info ether;
	/* Last, filled an entry at a time (ngopts and ip.nopts count them). */
	struct geneve_opt gopts[GENEVE_MAX_OPTS];
	struct ip_opt ip_opts[IP_MAX_OPTS]; /* the carrying IPv4 header's options */
};

struct tunnel_info {
	uint8_t depth;        /* layers in layer[] */
	/*
	 * The connection identity the tunnel adds to the inner 5-tuple: the
	 * innermost layer's kind and number (VNI, GRE key, bottom MPLS label,
	 * PPPoE session, ERSPAN session, PBB I-SID, GTP-U TEID),
	 * and a hash of every layer with its outer endpoints (in either order).
	 */
	uint8_t id_kind;
	uint32_t id;
	uint32_t id_hash;
	struct tun_layer layer[TUN_MAX_DEPTH];
};

struct packet {
	int64_t ts_sec;
	uint32_t ts_frac;    /* microseconds, or nanoseconds when ts_nano */
	bool ts_nano;
	uint32_t number;     /* the frame's number in the input, from 1 (tcpdump -#) */
	uint32_t caplen, wirelen;
	struct span frame;   /* the captured frame, link header included (tcpdump -x, -X, -A) */
	uint32_t l3_off;     /* where the network header starts in frame */
	struct link_info link;
	struct ip_info ip;
	struct tcp_info tcp;
	enum pkt_stop stop;
	struct tunnel_info tun; /* depth 0: not in a tunnel */
};

/* seq + len, +1 for SYN, +1 for FIN: the end of what a segment occupies in sequence space. */
static inline uint32_t tcp_segment_end(const struct tcp_info *t)
{
	return t->seq + t->paylen + ((t->flags & TCPF_SYN) ? 1u : 0u) +
	       ((t->flags & TCPF_FIN) ? 1u : 0u);
}

/* True when the TCP fixed header was decoded (sequence numbers are valid). */
static inline bool packet_has_tcp(const struct packet *p)
{
	return p->stop == STOP_NONE || p->stop == STOP_TCP_HLEN_LONG;
}

/* True when tcpnote prints this packet (it is TCP, however damaged). */
static inline bool packet_is_tcp(const struct packet *p)
{
	return p->stop != STOP_NOT_IP && p->stop != STOP_NOT_TCP;
}

#endif
