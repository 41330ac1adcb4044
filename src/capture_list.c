/* capture_list.c - the devices libpcap finds: -D's list, the default one, -i N, -J's types. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcpnote/capture.h"

/* tcpdump's status_flags table, printed in this order by bittok2str. */
static const struct {
	bpf_u_int32 flag;
	const char *name;
} device_flags[] = {{PCAP_IF_UP, "Up"},
		    {PCAP_IF_RUNNING, "Running"},
		    {PCAP_IF_LOOPBACK, "Loopback"},
		    {PCAP_IF_WIRELESS, "Wireless"},
		    {0, NULL}};

static const char *connection_status(bpf_u_int32 flags)
{
	bool wireless = (flags & PCAP_IF_WIRELESS) != 0;

	switch (flags & PCAP_IF_CONNECTION_STATUS) {
	case PCAP_IF_CONNECTION_STATUS_UNKNOWN:
		return wireless ? ", Association status unknown" : ", Connection status unknown";
	case PCAP_IF_CONNECTION_STATUS_CONNECTED:
		return wireless ? ", Associated" : ", Connected";
	case PCAP_IF_CONNECTION_STATUS_DISCONNECTED:
		return wireless ? ", Not associated" : ", Disconnected";
	default: /* PCAP_IF_CONNECTION_STATUS_NOT_APPLICABLE */
		return "";
	}
}

/* A line of tcpdump -D: "1.eth0 [Up, Running, Connected]", "2.any (Pseudo-device ...) [Up, Running]". */
static void print_device(FILE *out, int number, const pcap_if_t *d)
{
	const char *sep = "";
	int i;

	fprintf(out, "%d.%s", number, d->name);
	if (d->description != NULL)
		fprintf(out, " (%s)", d->description);
	if (d->flags != 0) {
		fputs(" [", out);
		for (i = 0; device_flags[i].name != NULL; i++) {
			if (d->flags & device_flags[i].flag) {
				fprintf(out, "%s%s", sep, device_flags[i].name);
				sep = ", ";
			}
		}
		fprintf(out, "%s%s]", sep[0] == '\0' ? "none" : "", connection_status(d->flags));
	}
	fputc('\n', out);
}

int capture_list_devices(FILE *out, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_if_t *all = NULL, *d;
	int i = 0;

	if (pcap_findalldevs(&all, ebuf) < 0) {
		snprintf(err, errlen, "%s", ebuf);
		return CAPTURE_ERR;
	}
	for (d = all; d != NULL; d = d->next)
		print_device(out, ++i, d);
	pcap_freealldevs(all);
	return CAPTURE_OK;
}

/* ARG as tcpdump 4.99's parse_interface_number reads it: all of it a base-10 number. */
static bool device_number(const char *arg, long *n)
{
	char *end = NULL;

	errno = 0;
	*n = strtol(arg, &end, 10);
	return end != arg && *end == '\0' && errno == 0;
}

int capture_resolve_device(const char *arg, char *name, size_t namelen, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	pcap_if_t *all = NULL, *d, *pick = NULL;
	long n = 1, count = 0;

	if (arg != NULL && !device_number(arg, &n)) {
		snprintf(name, namelen, "%s", arg);
		return CAPTURE_OK;
	}
	if (pcap_findalldevs(&all, ebuf) < 0) {
		snprintf(err, errlen, "%s", ebuf);
		return CAPTURE_ERR;
	}
	for (d = all; d != NULL; d = d->next) {
		if (++count == n)
			pick = d;
		if (arg != NULL && strcmp(d->name, arg) == 0) {
			pick = d; /* a device named by a number is that device first, as in tcpdump */
			break;
		}
	}
	if (pick != NULL)
		snprintf(name, namelen, "%s", pick->name);
	else if (arg == NULL)
		snprintf(err, errlen, "no interfaces available for capture");
	else
		snprintf(err, errlen, "%s: invalid adapter index: tcpnote -D lists %ld device%s, from 1",
			 arg, count, count == 1 ? "" : "s");
	pcap_freealldevs(all);
	return pick != NULL ? CAPTURE_OK : CAPTURE_ERR;
}

int capture_list_tstamp_types(FILE *out, const char *iface, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "", device[256];
	int *types = NULL;
	pcap_t *p;
	int n, i, rc;

	rc = capture_resolve_device(iface, device, sizeof(device), err, errlen);
	if (rc != CAPTURE_OK)
		return rc;
	p = pcap_create(device, ebuf);
	if (p == NULL) {
		snprintf(err, errlen, "%s: %s", device, ebuf);
		return CAPTURE_ERR;
	}
	n = pcap_list_tstamp_types(p, &types);
	if (n < 0) {
		snprintf(err, errlen, "%s", pcap_geterr(p));
		pcap_close(p);
		return CAPTURE_ERR;
	}
	if (n == 0) {
		snprintf(err, errlen, "Time stamp type cannot be set for %s", device);
		pcap_close(p);
		return 1;
	}
	/* tcpdump's show_tstamp_types_and_exit. */
	fprintf(out, "Time stamp types for %s (use option -j to set):\n", device);
	for (i = 0; i < n; i++) {
		const char *name = pcap_tstamp_type_val_to_name(types[i]);

		if (name != NULL)
			fprintf(out, "  %s (%s)\n", name, pcap_tstamp_type_val_to_description(types[i]));
		else
			fprintf(out, "  %d\n", types[i]);
	}
	pcap_free_tstamp_types(types);
	pcap_close(p);
	return CAPTURE_OK;
}
