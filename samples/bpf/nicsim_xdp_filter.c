// SPDX-License-Identifier: GPL-2.0
/*
 * nicsim_xdp_filter: an XDP firewall on a nicsim port. Drops packets from
 * blocked source prefixes (-b, IPv4 or IPv6, an LPM trie each) and
 * packets beyond a per-source rate (-r packets per second), counts each
 * verdict, and shows how long after the NIC's DMA write each verdict came
 * (bpf_nicsim_xdp_meta()), as log2 histograms.
 *
 * Usage: nicsim_xdp_filter -i IFNAME [-b PREFIX]... [-r PPS] [-I SECONDS]
 *                          [-d SECONDS] [--json]
 */
#define _GNU_SOURCE
#include <argp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "nicsim_common.h"
#include "nicsim_xdp_filter.h"
#include "nicsim_xdp_filter.skel.h"

#define MAX_PREFIXES	64

static const char *const verdict_names[V_NR] = {
	[V_PASS]		= "pass",
	[V_PASS_NOT_IP]		= "pass_not_ip",
	[V_DROP_BLOCKED]	= "drop_blocked",
	[V_DROP_RATE]		= "drop_rate",
};

static struct env {
	const char *ifname;
	const char *prefixes[MAX_PREFIXES];
	int nprefixes;
	long rate;
	long interval;
	long duration;
	bool json;
} env;

static atomic_bool exiting;

static const struct argp_option options[] = {
	{ "interface", 'i', "IFNAME", 0, "the nicsim port to filter (native XDP)", 0 },
	{ "block", 'b', "PREFIX", 0,
	  "drop packets from PREFIX, e.g. 10.1.0.0/16 or fd00::/64 (repeat)", 0 },
	{ "rate", 'r', "PPS", 0, "drop packets beyond PPS per second from any one source", 0 },
	{ "interval", 'I', "SECONDS", 0, "print every SECONDS (default: at exit)", 0 },
	{ "duration", 'd', "SECONDS", 0, "exit after SECONDS", 0 },
	{ "json", 'j', NULL, 0, "one JSON object per line", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'i':
		env.ifname = arg;
		break;
	case 'b':
		if (env.nprefixes == MAX_PREFIXES)
			argp_error(state, "at most %d prefixes", MAX_PREFIXES);
		env.prefixes[env.nprefixes++] = arg;
		break;
	case 'r':
		env.rate = nicsim_arg_number(state, key, arg, 100000000);
		break;
	case 'I':
		env.interval = nicsim_arg_number(state, key, arg, 100000000);
		break;
	case 'd':
		env.duration = nicsim_arg_number(state, key, arg, 100000000);
		break;
	case 'j':
		env.json = true;
		break;
	case ARGP_KEY_END:
		if (!env.ifname)
			argp_error(state, "-i IFNAME is required");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* "ADDR/LEN" into the trie of its family; -EINVAL if it is not one. */
static int add_prefix(struct nicsim_xdp_filter *skel, const char *text)
{
	unsigned char addr[16];
	int family, len, err;
	struct lpm4 k4 = {};
	struct lpm6 k6 = {};
	__u8 one = 1;

	err = nicsim_parse_prefix(text, &family, addr, &len);
	if (err)
		return err;
	if (family == AF_INET) {
		k4.prefixlen = len;
		memcpy(&k4.addr, addr, sizeof(k4.addr));
		return bpf_map__update_elem(skel->maps.block4, &k4, sizeof(k4),
					    &one, sizeof(one), BPF_ANY);
	}
	k6.prefixlen = len;
	memcpy(k6.addr, addr, sizeof(k6.addr));
	return bpf_map__update_elem(skel->maps.block6, &k6, sizeof(k6),
				    &one, sizeof(one), BPF_ANY);
}

static void on_signal(int sig)
{
	atomic_store(&exiting, true);
}

static void print_stats(struct nicsim_xdp_filter *skel)
{
	int ncpu = libbpf_num_possible_cpus(), c, v, s;
	__u64 counts[ncpu];
	struct lat_hist *lh = calloc(ncpu, sizeof(*lh)), h;
	time_t now = time(NULL);
	char tbuf[16];

	if (!lh)
		return;
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", localtime(&now));
	if (env.json)
		printf("{\"time\":\"%s\",\"meta_errors\":%llu,\"verdicts\":{", tbuf,
		       (unsigned long long)skel->bss->meta_errors);
	else
		printf("%s\n%-14s %10s %14s\n", tbuf, "verdict", "packets",
		       "dma->verdict");
	for (v = 0; v < V_NR; v++) {
		__u32 key = v;
		__u64 n = 0;

		memset(&h, 0, sizeof(h));
		if (!bpf_map__lookup_elem(skel->maps.verdicts, &key, sizeof(key),
					  counts, sizeof(counts), 0))
			for (c = 0; c < ncpu; c++)
				n += counts[c];
		if (!bpf_map__lookup_elem(skel->maps.latency, &key, sizeof(key),
					  lh, ncpu * sizeof(*lh), 0))
			for (c = 0; c < ncpu; c++) {
				for (s = 0; s < LAT_SLOTS; s++)
					h.slots[s] += lh[c].slots[s];
				h.count += lh[c].count;
				h.sum_ns += lh[c].sum_ns;
			}
		if (env.json) {
			printf("%s\"%s\":{\"packets\":%llu,\"latency_count\":%llu,",
			       v ? "," : "", verdict_names[v],
			       (unsigned long long)n,
			       (unsigned long long)h.count);
			printf("\"avg_us\":%.1f,\"slots\":[",
			       h.count ? h.sum_ns / 1000.0 / h.count : 0.0);
			for (s = 0; s < LAT_SLOTS; s++)
				printf("%s%llu", s ? "," : "",
				       (unsigned long long)h.slots[s]);
			printf("]}");
			continue;
		}
		if (h.count)
			printf("%-14s %10llu %11.1f us avg\n", verdict_names[v],
			       (unsigned long long)n, h.sum_ns / 1000.0 / h.count);
		else
			printf("%-14s %10llu %14s\n", verdict_names[v],
			       (unsigned long long)n, "-");
		for (s = 0; s < LAT_SLOTS; s++)
			if (h.slots[s])
				printf("    %8llu -> %-8llu us: %llu\n",
				       s ? 1ULL << (s - 1) : 0ULL,
				       s ? (1ULL << s) - 1 : 0ULL,
				       (unsigned long long)h.slots[s]);
	}
	if (env.json)
		printf("}}\n");
	fflush(stdout);
	free(lh);
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = options,
		.parser = parse_arg,
		.doc = "XDP blocklist and rate limit; verdict counts and DMA-to-verdict latency.",
	};
	struct nicsim_xdp_filter *skel;
	int ifindex, err, i;
	time_t start, last;
	bool attached = false;

	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return err;
	ifindex = if_nametoindex(env.ifname);
	if (!ifindex) {
		fprintf(stderr, "%s: no such interface\n", env.ifname);
		return 1;
	}
	skel = nicsim_xdp_filter__open();
	if (!skel) {
		fprintf(stderr, "cannot open the BPF object\n");
		return 1;
	}
	skel->rodata->rate_limit = env.rate;
	err = nicsim_xdp_filter__load(skel);
	if (err) {
		fprintf(stderr, "cannot load the BPF program: %d (is nicsim loaded?)\n",
			err);
		goto out;
	}
	for (i = 0; i < env.nprefixes; i++) {
		err = add_prefix(skel, env.prefixes[i]);
		if (err) {
			fprintf(stderr, "bad prefix '%s'\n", env.prefixes[i]);
			goto out;
		}
	}
	err = bpf_xdp_attach(ifindex, bpf_program__fd(skel->progs.xdp_filter),
			     XDP_FLAGS_DRV_MODE, NULL);
	if (err) {
		fprintf(stderr, "%s: cannot attach native XDP: %s\n", env.ifname,
			strerror(-err));
		goto out;
	}
	attached = true;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (env.json) {
		printf("{\"type\":\"start\",\"ifname\":\"%s\",\"prefixes\":%d,\"rate\":%ld}\n",
		       env.ifname, env.nprefixes, env.rate);
	} else {
		printf("Filtering %s: %d blocked prefixes, ", env.ifname,
		       env.nprefixes);
		printf("rate %ld/s per source%s. Ctrl-C to end.\n", env.rate,
		       env.rate ? "" : " (no limit)");
	}
	fflush(stdout);
	start = time(NULL);
	last = start;
	while (!atomic_load(&exiting)) {
		usleep(100000);
		if (env.duration && time(NULL) - start >= env.duration)
			break;
		if (env.interval && time(NULL) - last >= env.interval) {
			print_stats(skel);
			last = time(NULL);
		}
	}
	print_stats(skel);
out:
	if (attached)
		bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
	nicsim_xdp_filter__destroy(skel);
	return err ? 1 : 0;
}
