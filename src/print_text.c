/* print_text.c - writes tcpdump -n's line for a decoded TCP packet, then its labels. */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tcpnote/app_keys.h"
#include "tcpnote/names.h"
#include "tcpnote/print_mptcp.h"
#include "tcpnote/print_text.h"
#include "tcpnote/sbuf.h"
#include "tcpnote/tcp_flags.h"
#include "tcpnote/tun_names.h"

#define LINE_MAX_BYTES 8192
#define IFCACHE 16

static uint32_t be32_at(const uint8_t *d);

struct printer {
	FILE *out;
	struct print_opts opts;
	struct names *names; /* host and port names; NULL with -n */
	/* -ttt: the previous packet's time; -ttttt: the first's (print.c's tv_ref) */
	int64_t ref_sec;
	uint32_t ref_frac;
	/* local time of the last whole second printed */
	int64_t tm_sec_cached;
	bool tm_valid;
	struct tm tm_cached;
	/* if_indextoname() answers, as tcpdump asks them for the "any" device */
	uint32_t if_index[IFCACHE];
	char if_name[IFCACHE][IF_NAMESIZE + 1];
	unsigned if_count;
	bool whole_frame; /* the last line formatted: tcpdump dumps the frame from its first byte */
	char line[LINE_MAX_BYTES];
};

struct tok {
	unsigned value;
	const char *name;
};

/* tcpdump's tcp_option_values (print-tcp.c). */
static const struct tok tcp_option_names[] = {
	{TCPOPT_EOL, "eol"},       {TCPOPT_NOP, "nop"},        {TCPOPT_MSS, "mss"},
	{TCPOPT_WSCALE, "wscale"}, {TCPOPT_SACKOK, "sackOK"},  {TCPOPT_SACK, "sack"},
	{TCPOPT_ECHO, "echo"},     {TCPOPT_ECHOREPLY, "echoreply"},
	{TCPOPT_TIMESTAMP, "TS"},  {TCPOPT_CC, "cc"},          {TCPOPT_CCNEW, "ccnew"},
	{TCPOPT_CCECHO, ""},       {TCPOPT_MD5, "md5"},        {TCPOPT_SCPS, "scps"},
	{TCPOPT_UTO, "uto"},       {TCPOPT_TCPAO, "tcp-ao"},   {TCPOPT_MPTCP, "mptcp"},
	{TCPOPT_FASTOPEN, "tfo"},  {TCPOPT_EXP2, "exp"},       {0, NULL}};

/* tcpdump's ip_option_values (print-ip.c). */
static const struct tok ip_option_names[] = {
	{0, "EOL"}, {1, "NOP"}, {0x44, "timestamp"}, {0x82, "security"}, {0x07, "RR"},
	{0x89, "SSRR"}, {0x83, "LSRR"}, {0x94, "RA"}, {0x52, "traceroute"}, {0, NULL}};

/* The IPv6 next-header names tcpdump prints with -v (ipproto.c). */
static const struct tok ipproto_names[] = {
	{0, "Options"}, {4, "IPIP"}, {6, "TCP"}, {17, "UDP"}, {41, "IPv6"}, {43, "Routing"},
	{44, "Fragment"}, {47, "GRE"}, {58, "ICMPv6"}, {59, "NONE"}, {0, NULL}};

/* Linux packet types as the "any" device's direction column (print-sll.c). */
static const struct tok sll_pkttype_names[] = {
	{0, "In"}, {1, "B"}, {2, "M"}, {3, "P"}, {4, "Out"}, {0, NULL}};

/* tcpdump's ethertype_values (print-ether.c): the types before a TCP packet's IP header. */
static const struct tok ethertype_names[] = {
	{0x0800, "IPv4"}, {0x86dd, "IPv6"}, {0x8100, "802.1Q"}, {0x9100, "802.1Q-9100"},
	{0x88a8, "802.1Q-QinQ"}, {0x9200, "802.1Q-9200"}, {0x8847, "MPLS unicast"},
	{0x8848, "MPLS multicast"}, {0x6558, "TEB"}, {0x8863, "PPPoE D"}, {0x8864, "PPPoE S"},
	{0, NULL}};

/* print-ppp.c's ppptype2str for the protocols tcpnote decodes. */
static const struct tok ppp_proto_names[] = {
	{0x0021, "IP"}, {0x0057, "IP6"}, {0x0281, "MPLS"}, {0x0283, "MPLS"}, {0, NULL}};

/* print-arcnet.c's arctypemap. */
static const struct tok arcnet_type_names[] = {
	{240, "oldip"}, {241, "oldarp"}, {212, "ip"}, {213, "arp"}, {214, "rarp"}, {221, "atalk"},
	{247, "banyan"}, {250, "ipx"}, {0xc4, "ipv6"}, {0x80, "diag"}, {0, NULL}};

/* tcpdump's bsd_af_values (af.c) for the families NULL and LOOP carry IP in. */
static const struct tok bsd_af_names[] = {
	{2, "IPv4"}, {24, "IPv6"}, {28, "IPv6"}, {30, "IPv6"}, {0, NULL}};

static const char *tok_name(const struct tok *t, unsigned v)
{
	for (; t->name != NULL; t++)
		if (t->value == v)
			return t->name;
	return NULL;
}

struct printer *printer_new(FILE *out, const struct print_opts *opts)
{
	struct printer *pr = calloc(1, sizeof(*pr));

	if (pr == NULL)
		return NULL;
	pr->out = out;
	pr->opts = *opts;
	if (opts->resolve && (pr->names = names_new(opts->short_names)) == NULL) {
		free(pr);
		return NULL;
	}
	return pr;
}

void printer_free(struct printer *pr)
{
	if (pr != NULL)
		names_free(pr->names);
	free(pr);
}

/*
 * The timestamps as tcpdump's print.c writes them (ts_print): a fraction
 * is libpcap's tv_usec, a signed number (a file's invalid fraction, 1e9 or
 * more, is read as a 32-bit signed value and scaled), printed as an
 * unsigned int of 6 digits, or 9 with --nano. struct packet keeps its low
 * 32 bits: only a microsecond file's invalid fraction of 2.147 s or more,
 * read with --nano (multiplied by 1000), can make -ttt differ.
 */
static int64_t ts_frac_signed(uint32_t frac)
{
	return (int32_t)frac;
}

/* a < b, as netdissect_timevalcmp: the seconds, then the signed fractions. */
static bool ts_before(int64_t as, int64_t af, int64_t bs, int64_t bf)
{
	return as == bs ? af < bf : as < bs;
}

/* The fraction with at least 6 (9 with --nano) digits: ts_frac_print. */
static void put_frac(struct sbuf *s, uint32_t frac, bool nano)
{
	sbuf_putc(s, '.');
	sbuf_put_uint(s, frac, nano ? 9u : 6u);
}

/* HH:MM:SS of a broken-down time, as strftime's "%H:%M:%S". */
static void put_hms(struct sbuf *s, const struct tm *tm)
{
	sbuf_put_2digits(s, (unsigned)tm->tm_hour);
	sbuf_putc(s, ':');
	sbuf_put_2digits(s, (unsigned)tm->tm_min);
	sbuf_putc(s, ':');
	sbuf_put_2digits(s, (unsigned)tm->tm_sec);
}

/*
 * -ttt and -ttttt: the time since the reference, as ts_date_hmsfrac_print
 * shows it in UTC: the hours of the day only (gmtime), and an error for a
 * second count whose bit 31 is set.
 */
static void put_delta(struct sbuf *s, int64_t sec, int64_t frac, bool nano)
{
	struct tm tm;
	time_t t = (time_t)sec;

	if ((uint32_t)sec & 0x80000000u) {
		sbuf_puts(s, "[Error converting time] ");
		return;
	}
	if (sec >= 0) {
		tm.tm_hour = (int)((sec / 3600) % 24);
		tm.tm_min = (int)((sec / 60) % 60);
		tm.tm_sec = (int)(sec % 60);
	} else if (gmtime_r(&t, &tm) == NULL) {
		sbuf_puts(s, "[Error converting time] ");
		return;
	}
	put_hms(s, &tm);
	put_frac(s, (uint32_t)frac, nano);
	sbuf_putc(s, ' ');
}

/* The local time of day, as the default timestamp (and -tttt's date first). */
static void put_clock(struct printer *pr, struct sbuf *s, bool date, int64_t sec, uint32_t frac,
		      bool nano)
{
	if (!pr->tm_valid || pr->tm_sec_cached != sec) {
		time_t t = (time_t)sec;

		if (localtime_r(&t, &pr->tm_cached) == NULL) {
			pr->tm_valid = false;
			sbuf_puts(s, "[Error converting time]");
			return;
		}
		pr->tm_sec_cached = sec;
		pr->tm_valid = true;
	}
	if (date)
		sbuf_printf(s, "%04d-%02d-%02d ", pr->tm_cached.tm_year + 1900, pr->tm_cached.tm_mon + 1,
			    pr->tm_cached.tm_mday);
	put_hms(s, &pr->tm_cached);
	put_frac(s, frac, nano);
}

static void print_timestamp(struct printer *pr, struct sbuf *s, const struct packet *p)
{
	int64_t unit = p->ts_nano ? 1000000000 : 1000000;
	int64_t frac = ts_frac_signed(p->ts_frac), ref_frac, sec;
	bool neg;

	if (pr->opts.ts == TS_NONE)
		return;
	/* print.c refuses a second count with bit 31 set: a negative 32-bit time. */
	if (pr->opts.ts != TS_DELTA_PREV && pr->opts.ts != TS_DELTA_FIRST &&
	    ((uint32_t)p->ts_sec & 0x80000000u)) {
		sbuf_puts(s, "[Error converting time] ");
		return;
	}
	switch (pr->opts.ts) {
	case TS_NONE:
		return;
	case TS_EPOCH:
		sbuf_put_uint(s, (uint32_t)p->ts_sec, 0);
		put_frac(s, p->ts_frac, p->ts_nano);
		sbuf_putc(s, ' ');
		return;
	case TS_DELTA_PREV:
	case TS_DELTA_FIRST:
		/* One reference, taken again while it is zero (netdissect_timevalisset). */
		if (pr->ref_sec == 0 && pr->ref_frac == 0) {
			pr->ref_sec = p->ts_sec;
			pr->ref_frac = p->ts_frac;
		}
		ref_frac = ts_frac_signed(pr->ref_frac);
		neg = ts_before(p->ts_sec, frac, pr->ref_sec, ref_frac);
		/* netdissect_timevalsub: one borrow when the fraction goes below zero. */
		sec = neg ? pr->ref_sec - p->ts_sec : p->ts_sec - pr->ref_sec;
		frac = neg ? ref_frac - frac : frac - ref_frac;
		if (frac < 0) {
			sec--;
			frac += unit;
		}
		sbuf_putc(s, neg ? '-' : ' ');
		put_delta(s, sec, frac, p->ts_nano);
		if (pr->opts.ts == TS_DELTA_PREV) {
			pr->ref_sec = p->ts_sec;
			pr->ref_frac = p->ts_frac;
		}
		return;
	case TS_LOCAL:
	case TS_DATE:
		break;
	}
	put_clock(pr, s, pr->opts.ts == TS_DATE, p->ts_sec, p->ts_frac, p->ts_nano);
	sbuf_putc(s, ' ');
}

/* -#: print.c's "%5u  ", the count of packets the filter passed (tcpdump's packets_captured). */
static void print_number(const struct printer *pr, struct sbuf *s, const struct packet *p)
{
	if (pr->opts.number)
		sbuf_printf(s, "%5u  ", (unsigned)p->number);
}

static const char *ifname_of(struct printer *pr, uint32_t ifindex)
{
	unsigned i;
	char name[IF_NAMESIZE + 1];

	for (i = 0; i < pr->if_count; i++)
		if (pr->if_index[i] == ifindex)
			return pr->if_name[i];
	if (if_indextoname(ifindex, name) == NULL)
		strcpy(name, "?");
	i = pr->if_count < IFCACHE ? pr->if_count++ : ifindex % IFCACHE;
	pr->if_index[i] = ifindex;
	memcpy(pr->if_name[i], name, sizeof(name));
	return pr->if_name[i];
}

/* "ethertype IPv4 (0x0800)", or with -q "IPv4" (print-ether.c's ether_type_print). */
static void put_ether_type(struct sbuf *s, uint16_t type, bool quick)
{
	const char *name = tok_name(ethertype_names, type);

	if (!quick)
		sbuf_printf(s, "ethertype %s (0x%04x)", name != NULL ? name : "Unknown", type);
	else if (name != NULL)
		sbuf_puts(s, name);
	else
		sbuf_printf(s, "Unknown Ethertype (0x%04x)", type);
}

/* A VLAN tag's TCI, as ieee8021q_tci_string() (IEEE 802.1Q: 3-bit priority, DEI, 12-bit VLAN ID). */
static void put_vlan_tci(struct sbuf *s, uint16_t tci)
{
	sbuf_printf(s, "vlan %u, p %u%s, ", tci & 0xfffu, (unsigned)tci >> 13,
		    (tci & 0x1000) ? ", DEI" : "");
}

/*
 * -e on Ethernet, as ether_common_print(): the addresses, then each type
 * field with the tag it announces; the frame's length after the first.
 */
static void print_ether_header(struct sbuf *s, struct names *nm, const struct link_info *l,
			       uint32_t length, bool quick)
{
	uint16_t type = l->type, tci, next;
	unsigned i;

	names_put_mac(nm, s, l->mac + 6);
	sbuf_puts(s, " > ");
	names_put_mac(nm, s, l->mac);
	sbuf_puts(s, ", ");
	for (i = 0; i <= l->ntags; i++) {
		put_ether_type(s, type, quick);
		if (i == 0)
			sbuf_printf(s, ", length %u: ", length);
		else
			sbuf_puts(s, ", ");
		if (i == l->ntags)
			break;
		link_tag(l, i, &tci, &next);
		put_vlan_tci(s, tci);
		type = next;
	}
}

/*
 * Without -e, print-ether.c still shows the header of a frame whose
 * ethertype it has no printer for (PBB's 0x88e7, VN-Tag's 0x8926): the
 * addresses, the last type field, the length.
 */
static void print_unknown_ether(struct sbuf *s, struct names *nm, const struct link_info *l,
				uint32_t length, bool quick)
{
	uint16_t type = l->type, tci;

	if (l->ntags > 0)
		link_tag(l, l->ntags - 1u, &tci, &type);
	names_put_mac(nm, s, l->mac + 6);
	sbuf_puts(s, " > ");
	names_put_mac(nm, s, l->mac);
	sbuf_puts(s, ", ");
	put_ether_type(s, type, quick);
	sbuf_printf(s, ", length %u: ", length);
}

/*
 * What comes before the IP header: with -e the link-level header, for
 * every link type as tcpdump's printer for it; and, -e or not, what
 * print-sll.c shows of a VLAN tag in a Linux cooked header.
 */
static void print_link(struct printer *pr, struct sbuf *s, const struct packet *p)
{
	const struct link_info *l = &p->link;
	bool e = pr->opts.eflag, quick = pr->opts.quick;
	const char *name;
	uint16_t tci, next;
	unsigned i;

	switch (l->hdr) {
	case LINK_HDR_ETHER:
		/* print-juniper.c: the direction (flag 0x01: in), the header's length, no cookie */
		if (e && l->jnx_hlen != 0)
			sbuf_printf(s, "%3s hlen %u, proto 0x0000, ", (l->jnx_flags & 1) ? "In" : "Out",
				    l->jnx_hlen);
		if (e)
			print_ether_header(s, pr->names, l,
					   p->wirelen > l->jnx_hlen ? p->wirelen - l->jnx_hlen : 0, quick);
		else if (p->tun.depth > 0 &&
			 (p->tun.layer[0].kind == TUN_PBB || p->tun.layer[0].kind == TUN_VNTAG))
			print_unknown_ether(s, pr->names, l, p->wirelen, quick);
		return;
	case LINK_HDR_SLL:
	case LINK_HDR_SLL2:
		if (e && l->hdr == LINK_HDR_SLL) {
			name = tok_name(sll_pkttype_names, l->pkttype);
			sbuf_printf(s, "%3s ", name != NULL ? name : "?");
		} else if (e) {
			sbuf_printf(s, "ifindex %u ", l->ifindex);
		}
		if (e && l->mac != NULL) {
			names_put_mac(pr->names, s, l->mac);
			sbuf_putc(s, ' ');
		}
		if (e && !quick) {
			put_ether_type(s, l->type, false);
			sbuf_printf(s, ", length %u: ", p->wirelen);
		}
		for (i = 0; i < l->ntags; i++) {
			link_tag(l, i, &tci, &next);
			if (e)
				put_vlan_tci(s, tci);
			if (!quick) {
				name = tok_name(ethertype_names, next);
				sbuf_printf(s, "ethertype %s, ", name != NULL ? name : "Unknown");
			}
		}
		return;
	case LINK_HDR_NULL:
		if (!e)
			return;
		name = tok_name(bsd_af_names, l->af);
		if (!quick)
			sbuf_printf(s, "AF %s (%u)", name != NULL ? name : "Unknown", l->af);
		else if (name != NULL)
			sbuf_puts(s, name);
		else
			sbuf_printf(s, "Unknown AF %u", l->af);
		sbuf_printf(s, ", length %u: ", p->wirelen);
		return;
	case LINK_HDR_RAW:
		if (e)
			sbuf_puts(s, "ip: ");
		return;
	case LINK_HDR_PPP:
		if (!e)
			return;
		name = tok_name(ppp_proto_names, l->type);
		sbuf_printf(s, "%s (0x%04x), length %u: ", name != NULL ? name : "unknown", l->type,
			    p->wirelen);
		return;
	case LINK_HDR_IPOIB:
		if (!e)
			return;
		sbuf_puts(s, "IPOIB, ");
		if (quick) {
			/* print-ipoib.c's -q form names the type without its number */
			name = tok_name(ethertype_names, l->type);
			sbuf_printf(s, "ethertype %s", name != NULL ? name : "Unknown");
		} else {
			put_ether_type(s, l->type, false);
		}
		sbuf_printf(s, ", length %u: ", p->wirelen);
		return;
	case LINK_HDR_ARCNET:
		if (!e)
			return;
		/* print-arcnet.c reads the Linux header as the plain one: its type is byte 2 */
		if (quick) {
			sbuf_printf(s, "%02x %02x %u: ", l->mac[0], l->mac[1], p->wirelen);
			return;
		}
		name = tok_name(arcnet_type_names, l->mac[2]);
		if (name != NULL)
			sbuf_printf(s, "%02x %02x %s %u: ", l->mac[0], l->mac[1], name, p->wirelen);
		else
			sbuf_printf(s, "%02x %02x %02x %u: ", l->mac[0], l->mac[1], l->mac[2], p->wirelen);
		return;
	default:
		return;
	}
}

static void print_addr(struct sbuf *s, struct names *nm, const struct ip_info *ip,
		       const uint8_t *a)
{
	names_put_host(nm, s, ip->head.version == 4 ? AF_INET : AF_INET6, a);
}

/* "SRC > DST" without ports. */
static void print_addr_pair(struct sbuf *s, struct names *nm, const struct ip_info *ip)
{
	print_addr(s, nm, ip, ip->head.src);
	sbuf_puts(s, " > ");
	print_addr(s, nm, ip, ip->head.dst);
}

/*
 * The IPv4 timestamp option (RFC 791, "Internet Timestamp"), as tcpdump's
 * ip_printts() shows it; it never reads past the option's own length.
 */
static void print_ip4_timestamp(struct sbuf *s, struct names *nm, const struct ip_opt *o)
{
	unsigned flag, hoplen, ptr, at;
	const char *mark = " ";

	if (o->len < 4) {
		sbuf_printf(s, "[bad length %u]", o->len);
		return;
	}
	sbuf_puts(s, " TS{");
	flag = o->data[3] & 0x0f;
	hoplen = flag != 0 ? 8 : 4;
	if ((o->len - 4u) & (hoplen - 1))
		sbuf_printf(s, "[bad length %u]", o->len);
	ptr = (unsigned)o->data[2] - 1u;
	if (ptr < 4 || ((ptr - 4) & (hoplen - 1)) || ptr > (unsigned)o->len + 1)
		sbuf_printf(s, "[bad ptr %u]", o->data[2]);
	at = 0;
	if (flag == 0 || flag == 1 || flag == 3) {
		sbuf_puts(s, flag == 0 ? "TSONLY" : flag == 1 ? "TS+ADDR" : "PRESPEC");
		for (at = 4; at < o->len; at += hoplen) {
			if (at + hoplen > o->len)
				break;
			if (ptr == at)
				mark = " ^ ";
			sbuf_printf(s, "%s%u@", mark, be32_at(o->data + at + hoplen - 4));
			if (hoplen == 8)
				names_put_host(nm, s, AF_INET, o->data + at);
			mark = " ";
		}
	} else {
		sbuf_printf(s, "[bad ts type %u]", flag);
	}
	sbuf_puts(s, ptr == at ? " ^ " : "");
	if (o->data[3] >> 4)
		sbuf_printf(s, " [%u hops not recorded]} ", o->data[3] >> 4);
	else
		sbuf_putc(s, '}');
}

static void print_ip4_options(struct sbuf *s, struct names *nm, const struct ip_head *ip,
			      const struct ip_opt *opts)
{
	unsigned i, j;

	sbuf_puts(s, ", options (");
	for (i = 0; i < ip->nopts; i++) {
		const struct ip_opt *o = &opts[i];
		const char *name = tok_name(ip_option_names, o->code);

		if (i > 0)
			sbuf_putc(s, ',');
		if (name != NULL)
			sbuf_puts(s, name);
		else
			sbuf_printf(s, "unknown %u", o->code);
		if (o->bad_len) {
			sbuf_printf(s, " [bad length %u]", o->len);
			break;
		}
		if (o->code == 0x07 || o->code == 0x89 || o->code == 0x83) {
			unsigned ptr;

			if (o->len < 3) {
				sbuf_printf(s, " [bad length %u]", o->len);
				continue;
			}
			ptr = (unsigned)o->data[2] - 1;
			if ((o->len + 1) & 3)
				sbuf_printf(s, " [bad length %u]", o->len);
			if (ptr < 3 || ((ptr + 1) & 3) || ptr > (unsigned)o->len + 1)
				sbuf_printf(s, " [bad ptr %u]", o->data[2]);
			for (j = 3; j + 4 <= o->len; j += 4) {
				sbuf_putc(s, ' ');
				names_put_host(nm, s, AF_INET, o->data + j);
				if (ptr > j)
					sbuf_putc(s, ',');
			}
		} else if (o->code == 0x44) {
			print_ip4_timestamp(s, nm, o);
		} else if (o->code == 0x94) {
			if (o->len < 4)
				sbuf_printf(s, " [bad length %u]", o->len);
			else if (((o->data[2] << 8) | o->data[3]) != 0)
				sbuf_printf(s, " value %u", (o->data[2] << 8) | o->data[3]);
		}
	}
	if (ip->opts_trunc)
		sbuf_puts(s, " [truncated-option]");
	sbuf_putc(s, ')');
}

/* opts: the header's options, or NULL where they are not shown. */
static void print_ip4_verbose(struct sbuf *s, struct names *nm, const struct ip_head *ip,
			      const struct ip_opt *opts)
{
	static const char *const ecn[4] = {"", ",ECT(1)", ",ECT(0)", ",CE"};
	uint16_t fl = ip->off & 0xe000;
	int first = 1;
	const char *name;

	sbuf_printf(s, "(tos 0x%x%s", ip->tos, ecn[ip->tos & 3]);
	if (ip->ttl >= 1)
		sbuf_printf(s, ", ttl %u", ip->ttl);
	sbuf_printf(s, ", id %u, offset %u, flags [", ip->id, (ip->off & 0x1fff) * 8u);
	/* tcpdump's bittok2str order: +, DF, rsvd, joined by ", ". */
	if (fl & 0x2000) {
		sbuf_puts(s, "+");
		first = 0;
	}
	if (fl & 0x4000) {
		sbuf_puts(s, first ? "DF" : ", DF");
		first = 0;
	}
	if (fl & 0x8000) {
		sbuf_puts(s, first ? "rsvd" : ", rsvd");
		first = 0;
	}
	if (first)
		sbuf_puts(s, "none");
	name = tok_name(ipproto_names, ip->proto);
	sbuf_printf(s, "], proto %s (%u), length %u", name != NULL ? name : "unknown", ip->proto,
		    ip->totlen);
	if (ip->hlen > 20 && opts != NULL)
		print_ip4_options(s, nm, ip, opts);
	if (ip->hdr_sum_bad)
		sbuf_printf(s, ", bad cksum %x (->%x)!", ip->hdr_sum, ip->hdr_sum_shouldbe);
	sbuf_puts(s, ")\n    ");
}

static void print_ip6_verbose(struct sbuf *s, const struct ip_head *ip)
{
	const char *nh = tok_name(ipproto_names, ip->next);

	sbuf_putc(s, '(');
	if (ip->flow & 0x0ff00000)
		sbuf_printf(s, "class 0x%02x, ", (ip->flow & 0x0ff00000) >> 20);
	if (ip->flow & 0x000fffff)
		sbuf_printf(s, "flowlabel 0x%05x, ", ip->flow & 0x000fffff);
	sbuf_printf(s, "hlim %u, next-header %s (%u) payload length: %u) ", ip->hlim,
		    nh != NULL ? nh : "unknown", ip->next, ip->plen);
}

/* Hop-by-hop or destination options, under -v (tcpdump's ip6_opt_process). */
static void print_ip6_tlvs(struct sbuf *s, const struct ip6_ext *e)
{
	unsigned i;

	for (i = 0; i < e->ntlv; i++) {
		const struct ip6_tlv *t = &e->tlv[i];

		if (t->type == 0x00)
			sbuf_puts(s, "(pad1)");
		else if (t->type == 0x01)
			sbuf_puts(s, "(padn)");
		else if (t->type == 0x05 && t->len == 2)
			sbuf_printf(s, "(rtalert: 0x%04x) ", t->value);
		else if (t->type == 0xc2 && t->len == 4)
			sbuf_printf(s, "(jumbo: %u) ", t->value);
		else
			sbuf_printf(s, "(opt_type 0x%02x: len=%u)", t->type, t->len);
	}
	sbuf_putc(s, ' ');
}

/* What tcpdump prints for each IPv6 extension header before the TCP part. */
static void print_ip6_ext(struct sbuf *s, struct names *nm, const struct ip_info *ip, int vflag)
{
	unsigned i, j;

	for (i = 0; i < ip->head.next_ext; i++) {
		const struct ip6_ext *e = &ip->ext[i];
		unsigned fraglen = 40u + ip->head.plen - e->off - 8u;

		switch (e->type) {
		case 0:
		case 60:
			sbuf_puts(s, e->type == 0 ? "HBH " : "DSTOPT ");
			if (vflag)
				print_ip6_tlvs(s, e);
			break;
		case 44:
			if (vflag)
				sbuf_printf(s, "frag (0x%08x:%u|%u)", e->frag_id, e->frag_off, fraglen);
			else
				sbuf_printf(s, "frag (%u|%u)", e->frag_off, fraglen);
			/* A later fragment has no TCP header to show. */
			if (e->frag_off == 0)
				sbuf_putc(s, ' ');
			break;
		case 43:
			sbuf_printf(s, "RT6 (len=%u, type=%u%s, segleft=%u", e->len / 8u - 1u, e->rt_type,
				    e->rt_type == 0 ? " [Deprecated]" : "", e->segleft);
			if (e->rt_type == 0 || e->rt_type == 2) {
				if (vflag)
					sbuf_printf(s, ", rsv=0x%0x", e->rt_reserved);
				for (j = 0; j < e->naddr; j++) {
					sbuf_printf(s, ", [%u]", j);
					names_put_host(nm, s, AF_INET6, e->addrs + 16u * j);
				}
			}
			sbuf_puts(s, ") ");
			break;
		default:
			break;
		}
	}
}

static void print_flags(struct sbuf *s, uint8_t f)
{
	sbuf_puts(s, "Flags [");
	sbuf_put_tcp_flags(s, f);
	sbuf_putc(s, ']');
}

static uint32_t be32_at(const uint8_t *d)
{
	return ((uint32_t)d[0] << 24) | ((uint32_t)d[1] << 16) | ((uint32_t)d[2] << 8) | d[3];
}

static void print_hex(struct sbuf *s, const uint8_t *d, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		sbuf_printf(s, "%02x", d[i]);
}

/* TCP Fast Open cookie (RFC 7413 section 4.1.1), as print_tcp_fastopen_option(). */
static void print_tfo(struct sbuf *s, const uint8_t *d, unsigned datalen, bool exp)
{
	if (exp)
		sbuf_puts(s, "tfo");
	if (datalen == 0) {
		sbuf_puts(s, " cookiereq");
	} else if (datalen % 2 != 0 || datalen < 4 || datalen > 16) {
		sbuf_puts(s, " (invalid)");
	} else {
		sbuf_puts(s, " cookie ");
		print_hex(s, d, datalen);
	}
}

/* One option's value, printing only what its decoded bytes allow. */
static bool print_one_option(struct sbuf *s, struct names *nm, const struct tcp_opt *o,
			     uint8_t flags, uint32_t sack_base)
{
	const char *name = tok_name(tcp_option_names, o->kind);
	const uint8_t *d = o->data;
	unsigned i, v;

	if (name != NULL)
		sbuf_puts(s, name);
	else
		sbuf_printf(s, "unknown-%u", o->kind);

	switch (o->kind) {
	case TCPOPT_MSS:
	case TCPOPT_UTO:
		if (o->ndata < 2)
			return true;
		v = ((unsigned)d[0] << 8) | d[1];
		if (o->kind == TCPOPT_MSS) {
			sbuf_printf(s, " %u", v);
		} else {
			sbuf_printf(s, " 0x%x", v);
			sbuf_printf(s, " %u", (v & 1) ? (v >> 1) * 60 : v >> 1);
		}
		return true;
	case TCPOPT_WSCALE:
		if (o->ndata >= 1)
			sbuf_printf(s, " %u", d[0]);
		return true;
	case TCPOPT_SACK:
		if (o->datalen % 8 != 0) {
			sbuf_puts(s, " invalid sack");
			return true;
		}
		sbuf_printf(s, " %u ", o->datalen / 8u);
		for (i = 0; i + 8 <= o->ndata; i += 8)
			sbuf_printf(s, "{%u:%u}", be32_at(d + i) - sack_base,
				    be32_at(d + i + 4) - sack_base);
		return true;
	case TCPOPT_ECHO:
	case TCPOPT_ECHOREPLY:
	case TCPOPT_CC:
	case TCPOPT_CCNEW:
	case TCPOPT_CCECHO:
		if (o->ndata >= 4)
			sbuf_printf(s, " %u", be32_at(d));
		return true;
	case TCPOPT_TIMESTAMP:
		if (o->ndata >= 8) {
			sbuf_puts(s, " val ");
			sbuf_put_uint(s, be32_at(d), 0);
			sbuf_puts(s, " ecr ");
			sbuf_put_uint(s, be32_at(d + 4), 0);
		}
		return true;
	case TCPOPT_MD5:
		if (o->ndata < 16)
			return true;
		/* tcpdump without -M cannot verify the signature (RFC 2385). */
		sbuf_puts(s, " shared secret not supplied with -M, can't check - ");
		print_hex(s, d, 16);
		return true;
	case TCPOPT_SCPS:
		if (o->ndata >= 2)
			sbuf_printf(s, " cap %02x id %u", d[0], d[1]);
		return true;
	case TCPOPT_TCPAO:
		if (o->datalen < 2) {
			sbuf_puts(s, " (invalid)");
			return true;
		}
		if (o->ndata >= 1)
			sbuf_printf(s, " keyid %u", d[0]);
		if (o->ndata >= 2)
			sbuf_printf(s, " rnextkeyid %u", d[1]);
		if (o->ndata >= 2 && o->datalen > 2) {
			sbuf_puts(s, " mac 0x");
			print_hex(s, d + 2, o->ndata - 2u);
		}
		return true;
	case TCPOPT_MPTCP:
		if (o->end != OPT_END_OK)
			return true;
		return print_mptcp_option(s, nm, d - 2, o->len, flags);
	case TCPOPT_FASTOPEN:
		if (o->end == OPT_END_OK)
			print_tfo(s, d, o->datalen, false);
		return true;
	case TCPOPT_EXP2:
		if (o->end != OPT_END_OK)
			return true;
		sbuf_putc(s, '-');
		if (((d[0] << 8) | d[1]) == 0xf989)
			print_tfo(s, d + 2, o->datalen - 2u, true);
		else
			sbuf_printf(s, "%04x", (d[0] << 8) | d[1]);
		return true;
	case TCPOPT_EOL:
	case TCPOPT_NOP:
	case TCPOPT_SACKOK:
		return true;
	default:
		if (o->datalen > 0)
			sbuf_puts(s, " 0x");
		print_hex(s, d, o->ndata);
		return true;
	}
}

/* How printing the option list ended. */
enum opts_printed {
	OPTS_ALL,     /* "]": the line goes on */
	OPTS_STOPPED, /* "[bad opt]", or " [|tcp]" from tcpdump's LENCHECK: the line ends */
	OPTS_GAVE_UP  /* a kind or length byte not captured: " [|tcp]" from tcpdump's longjmp */
};

/* ", options [...]". */
static enum opts_printed print_tcp_options(struct sbuf *s, struct names *nm, const struct tcp_info *t,
			      uint32_t sack_base)
{
	char ch = '\0';
	unsigned i;
	/* tcpdump names the last protocol printer it entered in " [|proto]". */
	const char *proto = "tcp";

	sbuf_puts(s, ", options [");
	for (i = 0; i < t->nopts; i++) {
		const struct tcp_opt *o = &t->opts[i];
		unsigned want;

		if (ch != '\0')
			sbuf_putc(s, ch);
		if (!print_one_option(s, nm, o, t->flags, sack_base) || o->end == OPT_END_BAD) {
			sbuf_puts(s, "[bad opt]");
			if (ch != '\0')
				sbuf_putc(s, ']');
			return OPTS_STOPPED;
		}
		if (o->end == OPT_END_TRUNC) {
			/* tcpdump's LENCHECK truncation path closes with '>' after the first option. */
			sbuf_printf(s, " [|%s]", proto);
			if (ch != '\0')
				sbuf_putc(s, '>');
			return OPTS_STOPPED;
		}
		want = o->datalen + 1u + (o->kind == TCPOPT_EOL || o->kind == TCPOPT_NOP ? 0u : 1u);
		if (want != o->len)
			sbuf_printf(s, "[len %u]", o->len);
		ch = ',';
		if (o->kind == TCPOPT_MPTCP)
			proto = "mptcp";
	}
	if (t->opts_end == OPT_END_TRUNC) {
		/* GET_U_1 on the kind or length byte: print-tcp.c gives up through longjmp. */
		if (ch != '\0')
			sbuf_putc(s, ch);
		sbuf_printf(s, " [|%s]", proto);
		return OPTS_GAVE_UP;
	}
	if (t->opts_end == OPT_END_BAD) {
		if (ch != '\0')
			sbuf_putc(s, ch);
		sbuf_puts(s, "[bad opt]");
		if (ch != '\0')
			sbuf_putc(s, ']');
		return OPTS_STOPPED;
	}
	sbuf_putc(s, ']');
	return OPTS_ALL;
}

/* RFC 1122 section 4.2.2.12: text in a RST, shown as tcpdump -v does. */
static void print_rst_data(struct sbuf *s, const struct tcp_info *t)
{
	uint32_t n = t->paylen;
	size_t i;

	sbuf_puts(s, t->payload.len >= t->paylen ? " [RST" : " [!RST");
	if (n > 30) {
		n = 30;
		sbuf_putc(s, '+');
	}
	sbuf_putc(s, ' ');
	for (i = 0; i < n && i < t->payload.len; i++) {
		unsigned char c = t->payload.data[i];

		if (c & 0x80) {
			sbuf_puts(s, "M-");
			c &= 0x7f;
		}
		if (c < 0x20 || c == 0x7f) {
			sbuf_putc(s, '^');
			c ^= 0x40;
		}
		sbuf_putc(s, (char)c);
	}
	sbuf_putc(s, ']');
}

/* tcpdump's TCP part; returns true where tcpdump gave up through its longjmp. */
static bool print_tcp(struct sbuf *s, struct names *nm, const struct packet *p,
		      const struct relseq_view *v, int vflag, bool quick)
{
	const struct ip_info *ip = &p->ip;
	const struct tcp_info *t = &p->tcp;
	bool with_addrs = ip->head.version == 4 || ip->head.next == 6;

	if (p->stop == STOP_TCP_TRUNC_PORTS) {
		print_addr_pair(s, nm, ip);
		sbuf_puts(s, ": [|tcp]");
		return false;
	}
	if (with_addrs) {
		print_addr(s, nm, ip, ip->head.src);
		sbuf_putc(s, '.');
	}
	names_put_tcp_port(nm, s, t->sport);
	sbuf_puts(s, " > ");
	if (with_addrs) {
		print_addr(s, nm, ip, ip->head.dst);
		sbuf_putc(s, '.');
	}
	names_put_tcp_port(nm, s, t->dport);
	sbuf_puts(s, ": ");
	if (p->stop == STOP_TCP_TRUNC_HDR) {
		sbuf_puts(s, " [|tcp]");
		return false;
	}
	if (p->stop == STOP_TCP_HLEN_SHORT) {
		sbuf_printf(s, " tcp %u [bad hdr length %u - too short, < 20]", t->length - t->hlen,
			    t->hlen);
		return false;
	}
	/* tcpdump -q: the payload length alone (wrapping, as tcpdump's u_int, when hlen > length). */
	if (quick) {
		sbuf_printf(s, "tcp %u", (unsigned)t->length - t->hlen);
		if (p->stop == STOP_TCP_HLEN_LONG)
			sbuf_printf(s, " [bad hdr length %u - too long, > %u]", t->hlen, t->length);
		return false;
	}
	print_flags(s, t->flags);
	if (p->stop == STOP_TCP_HLEN_LONG) {
		sbuf_printf(s, " [bad hdr length %u - too long, > %u]", t->hlen, t->length);
		return false;
	}
	if (vflag && t->cksum_checked) {
		sbuf_printf(s, ", cksum 0x%04x", t->sum);
		if (t->cksum_ok)
			sbuf_puts(s, " (correct)");
		else
			sbuf_printf(s, " (incorrect -> 0x%04x)", t->cksum_shouldbe);
	}
	if (vflag > 1 || t->paylen > 0 || (t->flags & (TCPF_SYN | TCPF_FIN | TCPF_RST))) {
		sbuf_puts(s, ", seq ");
		sbuf_put_uint(s, v->seq, 0);
		if (t->paylen > 0) {
			sbuf_putc(s, ':');
			sbuf_put_uint(s, (uint32_t)(v->seq + t->paylen), 0);
		}
	}
	if (t->flags & TCPF_ACK) {
		sbuf_puts(s, ", ack ");
		sbuf_put_uint(s, v->ack, 0);
	}
	sbuf_puts(s, ", win ");
	sbuf_put_uint(s, t->win, 0);
	if (t->flags & TCPF_URG)
		sbuf_printf(s, ", urg %u", t->urp);
	if (t->hlen > 20) {
		enum opts_printed how = print_tcp_options(s, nm, t, v->sack_base);

		if (how != OPTS_ALL)
			return how == OPTS_GAVE_UP;
	}
	sbuf_puts(s, ", length ");
	sbuf_put_uint(s, t->paylen, 0);
	if ((t->flags & TCPF_RST) && vflag && t->paylen > 0)
		print_rst_data(s, t);
	return false;
}

/* Geneve's flag bits (print-geneve.c's geneve_flag_values), as bittok2str_nosep joins them. */
static void put_geneve_flags(struct sbuf *s, uint8_t f)
{
	static const char *const names[8] = {"O", "C", "R1", "R2", "R3", "R4", "R5", "R6"};
	unsigned i;

	if (f == 0)
		sbuf_puts(s, "none");
	for (i = 0; i < 8; i++)
		if (f & (0x80u >> i))
			sbuf_puts(s, names[i]);
}

/* print-mpls.c's names of the reserved labels 0-15 (RFC 3032 section 2.1). */
static const char *mpls_label_name(uint32_t label)
{
	static const char *const names[4] = {"IPv4 explicit NULL", "router alert",
					     "IPv6 explicit NULL", "implicit NULL"};

	return label < 4 ? names[label] : "rsvd";
}

/* -v: a tunnel's outer IP header, as the inner one. */
static void print_outer_verbose(struct sbuf *s, struct names *nm, const struct tun_layer *l)
{
	if (l->ip.version == 4)
		print_ip4_verbose(s, nm, &l->ip, l->ip_opts);
	else
		print_ip6_verbose(s, &l->ip);
}

/* GRE's flags under -v (print-gre.c's gre_flag_values, joined by ", "), "none" without any. */
static void put_gre_flags(struct sbuf *s, uint16_t f)
{
	static const struct tok names[] = {{0x8000, "checksum present"}, {0x4000, "routing present"},
					   {0x2000, "key present"}, {0x1000, "sequence# present"},
					   {0, NULL}};
	const struct tok *t;
	bool first = true;

	sbuf_puts(s, ", Flags [");
	for (t = names; t->name != NULL; t++) {
		if (!(f & t->value))
			continue;
		sbuf_puts(s, first ? "" : ", ");
		sbuf_puts(s, t->name);
		first = false;
	}
	sbuf_puts(s, first ? "none]" : "]");
}

/* ", proto NAME (0xTYPE)" of GRE and Geneve under -e. */
static void put_tunnel_proto(struct sbuf *s, uint16_t type)
{
	const char *name = tok_name(ethertype_names, type);

	sbuf_printf(s, ", proto %s (0x%04x)", name != NULL ? name : "unknown", type);
}

/*
 * print-pppoe.c for a session packet (code 0, whose name is empty), then
 * ppp_print()'s protocol under -e, with the length print-pppoe.c passes it.
 */
static void print_pppoe(struct sbuf *s, const struct tun_layer *l, bool eflag)
{
	uint32_t len = l->pppoe_len < l->pppoe_wire ? l->pppoe_len : l->pppoe_wire;
	const char *name;

	if ((l->pppoe_vt >> 4) != 1)
		sbuf_printf(s, " [ver %u]", (unsigned)l->pppoe_vt >> 4);
	if ((l->pppoe_vt & 0xf) != 1)
		sbuf_printf(s, " [type %u]", l->pppoe_vt & 0xfu);
	sbuf_puts(s, tun_tcpdump_word(l->kind));
	sbuf_putc(s, ' ');
	if (l->pppoe_len > l->pppoe_wire)
		sbuf_printf(s, " [len %u > %u!]", l->pppoe_len, l->pppoe_wire);
	if (l->session != 0)
		sbuf_printf(s, " [ses 0x%x]", l->session);
	sbuf_putc(s, ' ');
	if (eflag) {
		name = tok_name(ppp_proto_names, l->proto);
		sbuf_printf(s, "%s (0x%04x), length %u: ", name != NULL ? name : "unknown", l->proto, len);
	}
}

/* print-udp.c's checksum verdict under -v (IPv6) or -vv (IPv4, where 0 means none sent). */
static void put_udp_cksum(struct sbuf *s, const struct tun_layer *l, int vflag)
{
	if (l->udp_ck == UDP_CK_NONE)
		return;
	if (l->ip.version == 4) {
		if (vflag < 2)
			return;
		if (l->udp_sum == 0) {
			sbuf_puts(s, "[no cksum] ");
			return;
		}
	}
	if (l->udp_ck == UDP_CK_OK)
		sbuf_puts(s, "[udp sum ok] ");
	else if (l->udp_ck == UDP_CK_BAD)
		sbuf_printf(s, "[bad udp cksum 0x%04x -> 0x%04x!] ", l->udp_sum, l->udp_sum_shouldbe);
}

/* print-geneve.c's name of an option class. */
static const char *geneve_class_name(uint16_t c)
{
	static const char *const names[] = {"Linux", "Open vSwitch", "Open Virtual Networking (OVN)",
					    "In-band Network Telemetry (INT)", "VMware"};

	if (c >= 0x0100 && c <= 0x0104)
		return names[c - 0x0100];
	if (c <= 0x00ff)
		return "Standard";
	return c >= 0xfff0 ? "Experimental" : "Unknown";
}

/* Geneve's options: their size, or under -v each (with its data under -vv). */
static void put_geneve_opts(struct sbuf *s, const struct tun_layer *l, int vflag)
{
	unsigned i, j;

	sbuf_puts(s, ", options [");
	if (!vflag) {
		sbuf_printf(s, "%u bytes]", l->opt_len);
		return;
	}
	for (i = 0; i < l->ngopts; i++) {
		const struct geneve_opt *g = &l->gopts[i];

		sbuf_printf(s, "%sclass %s (0x%x) type 0x%x%s len %u", i > 0 ? ", " : "",
			    geneve_class_name(g->cls), g->cls, g->type, (g->type & 0x80) ? "(C)" : "",
			    g->len);
		if (g->bad_len) {
			sbuf_puts(s, " [bad length]");
			break;
		}
		if (vflag > 1 && g->len > 4) {
			sbuf_puts(s, " data");
			for (j = 0; j + 4 < g->len; j += 4)
				sbuf_printf(s, " %08x", be32_at(g->data + j));
		}
	}
	sbuf_putc(s, ']');
}

/* print-bcm-li.c: the shim's fields, on a line of their own under -v. */
static void put_bcm_li(struct sbuf *s, const struct tun_layer *l, int vflag)
{
	static const char *const dirs[] = {"unknown", "unused", "egress", "ingress"};
	static const char *const types[] = {"undecided", "ipv4", "ipv6", "ethernet"};
	static const char *const subtypes[] = {"unknown", "single VLAN tag", "double VLAN tag",
					       "untagged"};
	unsigned dir = (l->shim >> 29) & 7u, type = (l->shim >> 25) & 0xfu, sub = (l->shim >> 22) & 7u;

	sbuf_printf(s, "%s%s: direction %s, pkt-type %s, pkt-subtype %s, li-id %u%s",
		    vflag ? "\n    " : "", tun_tcpdump_word(l->kind), dir < 4 ? dirs[dir] : "unknown",
		    type >= 4 && type <= 7 ? types[type - 4] : "unknown",
		    sub < 4 ? subtypes[sub] : "unknown", l->shim & 0x3fffffu, vflag ? "\n    " : "");
}

/*
 * print-erspan.c (tcpdump's master branch; 4.99 has none), erspan_print_i_ii
 * and erspan_print_iii, for the types tcpnote follows (type II version 1,
 * type III version 2 carrying Ethernet).
 */
static void print_erspan(struct sbuf *s, const struct tun_layer *l, int vflag)
{
	static const char *const bso[] = {"Good/unknown", "Short", "Oversized", "Bad"};
	uint32_t h = l->erspan_hdr;

	if (l->erspan_type == 1) {
		sbuf_puts(s, "erspan type1: ");
		return;
	}
	sbuf_puts(s, "erspan");
	if (vflag)
		sbuf_printf(s, " type%u", l->erspan_type);
	sbuf_printf(s, " session %u", h & 0x3ffu);
	if (l->erspan_type == 2) {
		switch ((h >> 11) & 3u) {
		case 1:
			sbuf_printf(s, " isl %u", (h >> 16) & 0xfffu);
			break;
		case 2:
			sbuf_printf(s, " vlan %u", (h >> 16) & 0xfffu);
			break;
		case 3:
			sbuf_puts(s, " vlan payload");
			break;
		default:
			break;
		}
	} else {
		sbuf_printf(s, " bso %s", bso[(h >> 11) & 3u]);
	}
	if (vflag) {
		sbuf_printf(s, " cos %u", (h >> 13) & 7u);
		if (h & 0x400u)
			sbuf_puts(s, " truncated");
		if (l->erspan_type == 2)
			sbuf_printf(s, " index %u", l->erspan_hdr2 & 0xfffffu);
	}
	if (l->erspan_type == 3)
		sbuf_puts(s, " ft Ethernet");
	sbuf_puts(s, ": ");
}

/*
 * The tunnel layers before the inner IP header, outermost first, as
 * tcpdump's printers for them: the carrying IP header's addresses (ports
 * for UDP), then print-gre.c, print-vxlan.c (which ends its line: the inner
 * packet has a line of its own), print-geneve.c or print-mpls.c, and an
 * inner Ethernet header under -e. Like the inner IP header, the outer one
 * says "IP "/"IP6 " only without -e.
 */
static bool print_tunnels(struct sbuf *s, struct names *nm, const struct packet *p, int vflag,
			  bool eflag, bool quick)
{
	unsigned i, j;

	for (i = 0; i < p->tun.depth; i++) {
		const struct tun_layer *l = &p->tun.layer[i];
		int af = l->ip.version == 4 ? AF_INET : AF_INET6;
		bool udp = l->kind == TUN_VXLAN || l->kind == TUN_GENEVE || l->kind == TUN_BCMLI ||
			   l->kind == TUN_TEREDO || l->kind == TUN_GTPU;

		if (l->ip.version != 0) {
			if (!eflag)
				sbuf_puts(s, l->ip.version == 4 ? "IP " : "IP6 ");
			if (vflag)
				print_outer_verbose(s, nm, l);
			names_put_host(nm, s, af, l->ip.src);
			if (udp)
				sbuf_printf(s, ".%u", l->sport);
			sbuf_puts(s, " > ");
			names_put_host(nm, s, af, l->ip.dst);
			if (udp)
				sbuf_printf(s, ".%u", l->dport);
			sbuf_puts(s, ": ");
		}
		if (udp) {
			put_udp_cksum(s, l, vflag);
			/* tcpdump -q does not look inside UDP */
			if (quick) {
				sbuf_printf(s, "UDP, length %u", l->udp_len - 8u);
				return true;
			}
		}
		switch (l->kind) {
		case TUN_GRE:
			sbuf_puts(s, tun_tcpdump_word(l->kind));
			if (vflag)
				put_gre_flags(s, l->gre_flags);
			if (l->gre_flags & 0x8000)
				sbuf_printf(s, ", sum 0x%x, off 0x%x", l->gre_sum, l->gre_off);
			if (l->gre_flags & 0x2000)
				sbuf_printf(s, ", key=0x%x", l->key);
			if (l->gre_flags & 0x1000)
				sbuf_printf(s, ", seq %u", l->seq);
			if (eflag)
				put_tunnel_proto(s, l->proto);
			sbuf_printf(s, ", length %u%s", l->gre_len, vflag ? "\n\t" : ": ");
			break;
		case TUN_VXLAN:
			sbuf_printf(s, "%s, flags [%s] (0x%02x), vni %u\n", tun_tcpdump_word(l->kind),
				    (l->flags & 0x08) ? "I" : ".", l->flags, l->vni);
			break;
		case TUN_GENEVE:
			sbuf_puts(s, tun_tcpdump_word(l->kind));
			sbuf_puts(s, ", Flags [");
			put_geneve_flags(s, l->flags);
			sbuf_printf(s, "], vni 0x%x", l->vni);
			if (l->rsvd)
				sbuf_printf(s, ", rsvd 0x%x", l->rsvd);
			if (eflag)
				put_tunnel_proto(s, l->proto);
			if (l->opt_len > 0)
				put_geneve_opts(s, l, vflag);
			sbuf_puts(s, vflag ? "\n\t" : ": ");
			break;
		case TUN_BCMLI:
			put_bcm_li(s, l, vflag);
			/* without -v, print-bcm-li.c shows the shim alone */
			if (!vflag)
				return true;
			break;
		case TUN_PPPOE:
			print_pppoe(s, l, eflag);
			break;
		case TUN_ERSPAN:
			print_erspan(s, l, vflag);
			break;
		case TUN_PBB:
			/* no tcpdump printer: the shortest words, Wireshark's field names */
			sbuf_printf(s, "PBB, isid %u: ", l->tag & 0xffffffu);
			break;
		case TUN_VNTAG:
			sbuf_printf(s, "VN-Tag, dvif %u, svif %u: ", (l->tag >> 16) & 0x3fffu, l->tag & 0xfffu);
			break;
		case TUN_TEREDO:
			sbuf_puts(s, "Teredo");
			if (l->teredo_auth)
				sbuf_puts(s, ", auth");
			if (l->teredo_origin) {
				sbuf_puts(s, ", origin ");
				names_put_host(nm, s, AF_INET, l->origin_addr);
				sbuf_printf(s, ".%u", l->origin_port);
			}
			sbuf_puts(s, ": ");
			break;
		case TUN_GTPU:
			sbuf_printf(s, "GTPv1-U, teid %u", l->key);
			if (l->gtp_flags & 0x07u)
				sbuf_printf(s, ", seq %u", l->seq);
			sbuf_puts(s, ": ");
			break;
		case TUN_MPLS:
			sbuf_puts(s, tun_tcpdump_word(l->kind));
			for (j = 0; j < l->nlabels; j++) {
				uint32_t e = l->labels[j];

				sbuf_printf(s, "%s(label %u", j > 0 && vflag ? "\n\t" : " ", e >> 12);
				if (vflag && (e >> 12) < 16)
					sbuf_printf(s, " (%s)", mpls_label_name(e >> 12));
				sbuf_printf(s, ", tc %u%s, ttl %u)", (e >> 9) & 7u,
					    (e & 0x100) ? ", [S]" : "", e & 0xffu);
			}
			sbuf_puts(s, vflag ? "\n\t" : " ");
			break;
		default:
			break;
		}
		if (l->has_ether && eflag)
			print_ether_header(s, nm, &l->ether, l->ether_len, quick);
	}
	return false;
}

/*
 * The IP and TCP parts; tcpdump -e leaves out the "IP "/"IP6 " the link
 * header has said. Returns true where tcpdump 4.99 gave up through its
 * longjmp (a GET_ macro past the captured bytes): pretty_print_packet() then
 * forgets the link header's length, and -x, -X and -A dump the whole frame.
 */
static bool print_ip_and_tcp(struct sbuf *s, struct names *nm, const struct packet *p,
			     const struct relseq_view *v, int vflag, bool quick, bool eflag)
{
	const struct ip_info *ip = &p->ip;

	/* A layer whose printer does not show what it carries ends the line. */
	if (p->tun.depth > 0 && print_tunnels(s, nm, p, vflag, eflag, quick))
		return false;
	if (ip->head.version == 6) {
		/* tcpdump 4.99 checks the fixed header before it prints "IP6". */
		if (p->stop == STOP_IP_TRUNC) {
			sbuf_puts(s, " [|ip6]");
			return false;
		}
		if (!eflag)
			sbuf_puts(s, "IP6 ");
		if (ip->head.missing)
			sbuf_printf(s, "truncated-ip6 - %u bytes missing!", ip->head.missing);
		if (vflag)
			print_ip6_verbose(s, &ip->head);
		if (ip->head.next != 6) {
			print_addr_pair(s, nm, ip);
			sbuf_puts(s, ": ");
			print_ip6_ext(s, nm, ip, vflag);
		}
		if (p->stop == STOP_IP_FRAGMENT)
			return false;
		if (p->stop == STOP_IP6_EXT_TRUNC) {
			sbuf_puts(s, " [|ip6]");
			return false;
		}
		return print_tcp(s, nm, p, v, vflag, quick);
	}
	if (p->stop == STOP_IP_BAD_VERSION) {
		if (ip->head.bad_version == 6)
			sbuf_puts(s, "IP6, wrong link-layer encapsulation (invalid)");
		else
			sbuf_printf(s, "IP%u (invalid)", ip->head.bad_version);
		return false;
	}
	if (!eflag)
		sbuf_puts(s, "IP ");
	switch (p->stop) {
	case STOP_IP_TRUNC:
		if (ip->head.opts_trunc && vflag) {
			print_ip4_verbose(s, nm, &ip->head, ip->opts);
			print_addr_pair(s, nm, ip);
			sbuf_puts(s, ":  [|ip]");
			return false;
		}
		sbuf_puts(s, " [|ip]");
		return false;
	case STOP_IP_SHORT:
		sbuf_printf(s, "truncated-ip %u", p->wirelen);
		return false;
	case STOP_IP_BAD_HLEN:
		sbuf_printf(s, "bad-hlen %u", ip->head.hlen);
		return false;
	default:
		break;
	}
	if (ip->head.missing)
		sbuf_printf(s, "truncated-ip - %u bytes missing! ", ip->head.missing);
	if (p->stop == STOP_IP_BAD_LEN) {
		sbuf_printf(s, "bad-len %u", ip->head.totlen);
		return false;
	}
	if (vflag)
		print_ip4_verbose(s, nm, &ip->head, ip->opts);
	if (p->stop == STOP_IP_HDR_CAPLEN) {
		sbuf_printf(s, " [remaining caplen(%u) < header length(%u)] [|ip]", ip->head.avail, ip->head.hlen);
		return false;
	}
	if (p->stop == STOP_IP_FRAGMENT) {
		print_addr_pair(s, nm, ip);
		sbuf_puts(s, ": ip-proto-6");
		return false;
	}
	return print_tcp(s, nm, p, v, vflag, quick);
}

/* Each label's colour (ECMA-48 SGR) by its kind, for --color. */
static const char *const label_sgr[3] = {[LABEL_KIND_LIFECYCLE] = "\033[32m",
					 [LABEL_KIND_ANALYSIS] = "\033[33m",
					 [LABEL_KIND_RESET] = "\033[31m"};

/* Each application hint after the labels, made safe for a terminal (cyan with --color). */
static void print_hints(struct sbuf *s, const struct app_hints *h, bool color, bool first)
{
	uint32_t bits = h->bits;
	enum app_hint_kind k;
	char text[APP_HINT_TEXT_MAX];

	while ((k = app_hints_next(&bits)) != APP_HINT_COUNT) {
		app_hint_format(h, k, text, sizeof(text));
		if (!first)
			sbuf_putn(s, ", ", 2);
		first = false;
		if (color)
			sbuf_puts(s, "\033[36m");
		sbuf_put_safe(s, text, sizeof(text));
		if (color)
			sbuf_puts(s, "\033[0m");
	}
}

/* An absolute time as the lines show it: -tt's seconds, -tttt's date, else the time of day. */
static void put_late_time(struct printer *pr, struct sbuf *s, int64_t sec, uint32_t frac, bool nano)
{
	if (pr->opts.ts == TS_EPOCH) {
		sbuf_put_uint(s, (uint32_t)sec, 0);
		put_frac(s, frac, nano);
	} else {
		put_clock(pr, s, pr->opts.ts == TS_DATE, sec, frac, nano);
	}
}

/*
 * Hints of records that waited for their key (live --keylog), on the line
 * being printed when the key came: "[late, from TIME SRC.PORT > DST.PORT:
 * HINT, HINT]", the packet they came with named by its time and addresses.
 */
static void print_late(struct printer *pr, struct sbuf *s, const struct app_late *l)
{
	const struct app_origin *o = &l->from;
	int af = o->ip_version == 4 ? AF_INET : AF_INET6;

	if (pr->opts.color)
		sbuf_puts(s, "\033[36m");
	sbuf_puts(s, "[late, from ");
	put_late_time(pr, s, o->ts_sec, o->ts_frac, o->ts_nano);
	sbuf_putc(s, ' ');
	names_put_host(pr->names, s, af, o->src);
	sbuf_putc(s, '.');
	names_put_tcp_port(pr->names, s, o->sport);
	sbuf_puts(s, " > ");
	names_put_host(pr->names, s, af, o->dst);
	sbuf_putc(s, '.');
	names_put_tcp_port(pr->names, s, o->dport);
	sbuf_puts(s, ": ");
	print_hints(s, &l->hints, false, true);
	sbuf_putc(s, ']');
	if (pr->opts.color)
		sbuf_puts(s, "\033[0m");
}

static size_t format_line(struct printer *pr, const struct packet *p, const struct relseq_view *v,
			  const struct labels *l, const struct app_hints *h,
			  const struct app_late *late, size_t nlate, char *buf, size_t cap)
{
	struct sbuf s;
	size_t i;

	pr->whole_frame = false;
	if (cap < 2) {
		if (cap == 1)
			buf[0] = '\0';
		return 0;
	}
	sbuf_init(&s, buf, cap);
	print_number(pr, &s, p);
	print_timestamp(pr, &s, p);
	if (p->link.hdr == LINK_HDR_SLL2) {
		const char *dir = tok_name(sll_pkttype_names, p->link.pkttype);

		const char *ifname = ifname_of(pr, p->link.ifindex);
		size_t before = s.len;

		/* tcpdump's "%-5s ", with the name made safe for a terminal. */
		sbuf_put_safe(&s, ifname, IF_NAMESIZE);
		while (s.len - before < 5 && !s.overflow)
			sbuf_putc(&s, ' ');
		sbuf_putc(&s, ' ');
		sbuf_printf(&s, "%-3s ", dir != NULL ? dir : "?");
	}
	print_link(pr, &s, p);
	pr->whole_frame = print_ip_and_tcp(&s, pr->names, p, v, pr->opts.vflag, pr->opts.quick,
					   pr->opts.eflag);
	if ((l != NULL && !labels_empty(l)) || (h != NULL && h->bits != 0)) {
		bool none = l == NULL || labels_empty(l);

		sbuf_puts(&s, "  # ");
		if (none)
			;
		else if (pr->opts.color)
			labels_put_styled(l, &s, label_sgr, "\033[0m");
		else
			labels_put(l, &s);
		if (h != NULL && h->bits != 0)
			print_hints(&s, h, pr->opts.color, none);
	}
	for (i = 0; i < nlate; i++) {
		bool bare = i == 0 && (l == NULL || labels_empty(l)) && (h == NULL || h->bits == 0);

		sbuf_puts(&s, bare ? "  # " : " ");
		print_late(pr, &s, &late[i]);
	}
	return sbuf_end_line(&s);
}

size_t print_text_format(struct printer *pr, const struct packet *p, const struct relseq_view *v,
			 const struct labels *l, const struct app_hints *h, char *buf, size_t cap)
{
	return format_line(pr, p, v, l, h, NULL, 0, buf, cap);
}

bool print_text_packet(struct printer *pr, const struct packet *p, const struct relseq_view *v,
		       const struct labels *l, const struct app_hints *h)
{
	return print_text_packet_late(pr, p, v, l, h, NULL, 0);
}

bool print_text_late(struct printer *pr, const struct app_late *late, int64_t now_sec,
		     uint32_t now_frac)
{
	struct sbuf s;
	size_t n;

	sbuf_init(&s, pr->line, sizeof(pr->line));
	if (pr->opts.ts != TS_NONE) {
		put_late_time(pr, &s, now_sec, now_frac, late->from.ts_nano);
		sbuf_putc(&s, ' ');
	}
	print_late(pr, &s, late);
	n = sbuf_end_line(&s);
	return fwrite(pr->line, 1, n, pr->out) == n;
}

bool print_text_packet_late(struct printer *pr, const struct packet *p, const struct relseq_view *v,
			    const struct labels *l, const struct app_hints *h,
			    const struct app_late *late, size_t nlate)
{
	size_t n = format_line(pr, p, v, l, h, late, nlate, pr->line, sizeof(pr->line));
	size_t from = pr->opts.dump_link || pr->whole_frame ? 0 : p->l3_off;

	if (fwrite(pr->line, 1, n, pr->out) != n)
		return false;
	/* print.c: nothing past the link header, no dump at all. */
	if (pr->opts.dump == DUMP_NONE || p->frame.len <= from)
		return true;
	return dump_write(pr->out, pr->opts.dump, span_sub(p->frame, from, p->frame.len - from));
}

bool print_text_invalid(struct printer *pr, const struct packet *p, uint32_t len, uint32_t caplen)
{
	struct sbuf s;

	/* print.c returns before ts_print(): no timestamp, and -ttt's previous one stays. */
	sbuf_init(&s, pr->line, sizeof(pr->line));
	print_number(pr, &s, p);
	sbuf_printf(&s, "[Invalid header: len(%u) < caplen(%u)]\n", len, caplen);
	return fwrite(pr->line, 1, s.len, pr->out) == s.len;
}
