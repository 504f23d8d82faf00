// SPDX-License-Identifier: GPL-2.0
/*
 * nicsim_journey: per-stage latency of the seed's packet journey through
 * nicsim ports, receive (cable -> NIC DMA write -> interrupt -> driver ->
 * XDP -> sk_buff -> stack -> TC -> socket -> application) and send
 * (application -> TC -> driver -> doorbell -> NIC DMA read -> cable ->
 * completion), UDP or TCP.
 *
 * By default it prints log2 histograms of each stage's latency since the
 * previous stage seen, every INTERVAL seconds and at exit, the way the
 * libbpf-tools do; with --timeline it prints each packet's journey
 * instead, filtered by 5-tuple and sampled 1 in N. --json prints both as
 * one JSON object per line. Stages it could not see for a packet (no XDP
 * program, an interrupt that was not needed...) are marked, never guessed.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "nicsim_common.h"
#include "nicsim_journey.h"
#include "nicsim_journey.skel.h"

#define MAX_PORTS	16

static const char *const rx_names[RX_NR] = {
	"wire", "dma", "irq", "handler", "napi", "xdp", "skb", "stack", "tc",
	"socket", "app",
};

static const char *const tx_names[TX_NR] = {
	"app", "tc", "xmit", "post", "doorbell", "dma", "wire", "done",
};

static const char *const end_names[] = {
	[END_DELIVERED] = "delivered", [END_CONSUMED] = "consumed",
	[END_DROPPED] = "dropped", [END_XDP] = "xdp", [END_MERGED] = "merged",
};

static const char *const xdp_names[] = {
	"aborted", "drop", "pass", "tx", "redirect",
};

static struct env {
	struct port {
		char ifname[IF_NAMESIZE];
		char netns[64];
		int ifindex;
	} ports[MAX_PORTS];
	int nports;
	bool no_tc;
	bool xdp;
	bool timeline;
	bool json;
	long interval;
	long duration;
	long count;
	long sample;
	struct flow filter;
} env = { .interval = 0, .sample = 1 };

static atomic_bool exiting;
static long printed;

static const struct argp_option options[] = {
	{ "interface", 'i', "IFNAME[@NETNS]", 0,
	  "a nicsim port, where TC programs go (repeat; default: all in this namespace)", 0 },
	{ "no-tc", 'n', NULL, 0, "do not attach TC programs (the tc stages are then not seen)", 0 },
	{ "xdp", 'x', NULL, 0,
	  "attach a pass-through XDP program to each port, so the xdp stage is seen", 0 },
	{ "interval", 'I', "SECONDS", 0,
	  "print the histograms every SECONDS (default: at exit)", 0 },
	{ "duration", 'd', "SECONDS", 0, "exit after SECONDS", 0 },
	{ "timeline", 't', NULL, 0, "print each packet's journey instead of histograms", 0 },
	{ "count", 'c', "N", 0, "with --timeline, exit after N journeys", 0 },
	{ "sample", 's', "N", 0, "with --timeline, print 1 journey in N", 0 },
	{ "saddr", 'S', "ADDR", 0, "only packets from ADDR (IPv4 or IPv6)", 0 },
	{ "daddr", 'D', "ADDR", 0, "only packets to ADDR", 0 },
	{ "sport", 'P', "PORT", 0, "only packets from PORT", 0 },
	{ "dport", 'Q', "PORT", 0, "only packets to PORT", 0 },
	{ "proto", 'p', "udp|tcp|icmp|icmp6", 0, "only this protocol", 0 },
	{ "json", 'j', NULL, 0, "one JSON object per line", 0 },
	{},
};

static void parse_addr(struct argp_state *state, const char *arg, __u32 *addr)
{
	__u8 family = AF_INET;

	if (inet_pton(AF_INET, arg, addr) != 1) {
		family = AF_INET6;
		if (inet_pton(AF_INET6, arg, addr) != 1)
			argp_error(state, "'%s' is not an IPv4 or IPv6 address",
				   arg);
	}
	if (env.filter.family && env.filter.family != family)
		argp_error(state, "--saddr and --daddr of two families");
	env.filter.family = family;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct port *p;
	char *at;

	switch (key) {
	case 'i':
		if (env.nports == MAX_PORTS)
			argp_error(state, "at most %d ports", MAX_PORTS);
		p = &env.ports[env.nports++];
		at = strchr(arg, '@');
		if (at) {
			snprintf(p->netns, sizeof(p->netns), "%s", at + 1);
			*at = '\0';
		}
		if (!*arg || strlen(arg) >= IF_NAMESIZE)
			argp_error(state, "bad interface name '%s'", arg);
		snprintf(p->ifname, sizeof(p->ifname), "%s", arg);
		break;
	case 'n':
		env.no_tc = true;
		break;
	case 'x':
		env.xdp = true;
		break;
	case 'I':
		env.interval = nicsim_arg_number(state, key, arg, 3600);
		break;
	case 'd':
		env.duration = nicsim_arg_number(state, key, arg, 86400);
		break;
	case 't':
		env.timeline = true;
		break;
	case 'c':
		env.count = nicsim_arg_number(state, key, arg, LONG_MAX);
		break;
	case 's':
		env.sample = nicsim_arg_number(state, key, arg, 1000000);
		break;
	case 'S':
		parse_addr(state, arg, env.filter.saddr);
		break;
	case 'D':
		parse_addr(state, arg, env.filter.daddr);
		break;
	case 'P':
		env.filter.sport = nicsim_arg_number(state, key, arg, 65535);
		break;
	case 'Q':
		env.filter.dport = nicsim_arg_number(state, key, arg, 65535);
		break;
	case 'p':
		if (!strcmp(arg, "udp"))
			env.filter.proto = IPPROTO_UDP;
		else if (!strcmp(arg, "tcp"))
			env.filter.proto = IPPROTO_TCP;
		else if (!strcmp(arg, "icmp"))
			env.filter.proto = IPPROTO_ICMP;
		else if (!strcmp(arg, "icmp6"))
			env.filter.proto = IPPROTO_ICMPV6;
		else
			argp_error(state, "unknown protocol '%s'", arg);
		break;
	case 'j':
		env.json = true;
		break;
	case ARGP_KEY_END:
		if ((env.count || env.sample > 1) && !env.timeline)
			argp_error(state, "--count and --sample go with --timeline");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static void on_signal(int sig)
{
	atomic_store(&exiting, true);
}

/* Every nicsim port of this namespace, when -i named none. */
static void find_ports(void)
{
	struct if_nameindex *ifs = if_nameindex(), *i;

	for (i = ifs; i && i->if_index && env.nports < MAX_PORTS; i++)
		if (nicsim_is_port(i->if_name))
			snprintf(env.ports[env.nports++].ifname, IF_NAMESIZE,
				 "%s", i->if_name);
	if_freenameindex(ifs);
}

static __u64 sum_counter(int fd, __u32 key)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	__u64 vals[ncpu], sum = 0;

	if (bpf_map_lookup_elem(fd, &key, vals))
		return 0;
	for (i = 0; i < ncpu; i++)
		sum += vals[i];
	return sum;
}

/* Sum a histogram over the CPUs; clear it when @clear. */
static void read_hist(int fd, __u32 key, struct hist *out, bool clear)
{
	int ncpu = libbpf_num_possible_cpus(), i, s;
	struct hist *vals = calloc(ncpu, sizeof(*vals));

	memset(out, 0, sizeof(*out));
	if (!vals)
		return;
	if (!bpf_map_lookup_elem(fd, &key, vals)) {
		for (i = 0; i < ncpu; i++) {
			for (s = 0; s < HIST_SLOTS; s++)
				out->slots[s] += vals[i].slots[s];
			out->count += vals[i].count;
			out->sum_ns += vals[i].sum_ns;
		}
	}
	if (clear) {
		memset(vals, 0, ncpu * sizeof(*vals));
		bpf_map_update_elem(fd, &key, vals, BPF_ANY);
	}
	free(vals);
}

/* Slot s holds latencies of [2^(s-1), 2^s) us; slot 0 those under 1 us. */
static void slot_range(int s, unsigned long long *lo, unsigned long long *hi)
{
	*lo = s ? 1ULL << (s - 1) : 0;
	*hi = s ? (1ULL << s) - 1 : 0;
}

static void print_log2_hist(const struct hist *h)
{
	int s, first = -1, last = -1, i, width;
	unsigned long long lo, hi, max = 0;

	for (s = 0; s < HIST_SLOTS; s++) {
		if (!h->slots[s])
			continue;
		if (first < 0)
			first = s;
		last = s;
		if (h->slots[s] > max)
			max = h->slots[s];
	}
	if (first < 0)
		return;
	printf("     %-19s : count    distribution\n", "usecs");
	for (s = first; s <= last; s++) {
		slot_range(s, &lo, &hi);
		width = (int)(h->slots[s] * 40 / max);
		printf("%10llu -> %-10llu : %-8llu |", lo, hi,
		       (unsigned long long)h->slots[s]);
		for (i = 0; i < 40; i++)
			putchar(i < width ? '*' : ' ');
		printf("|\n");
	}
}

static const char *stage_name(int dir, int s)
{
	if (!s)
		return "total";
	return dir == DIR_RX ? rx_names[s] : tx_names[s];
}

/* Which stage came before @s for these latencies: the previous one. */
static void print_hists(struct nicsim_journey *skel, bool clear)
{
	int hfd = bpf_map__fd(skel->maps.hists);
	int cfd = bpf_map__fd(skel->maps.counters);
	int dir, s, nr;
	struct hist h;
	time_t now = time(NULL);
	char tbuf[16];

	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", localtime(&now));
	if (env.json)
		printf("{\"type\":\"histograms\",\"time\":\"%s\"", tbuf);
	else
		printf("\n%s\n", tbuf);
	for (dir = 0; dir < DIR_NR; dir++) {
		nr = dir == DIR_RX ? RX_NR : TX_NR;
		if (env.json)
			printf(",\"%s\":{\"journeys\":%llu,\"stages\":[",
			       dir == DIR_RX ? "rx" : "tx",
			       (unsigned long long)sum_counter(cfd, dir == DIR_RX ?
					CNT_JOURNEYS_RX : CNT_JOURNEYS_TX));
		else
			printf("== %s: %llu journeys\n",
			       dir == DIR_RX ? "receive" : "send",
			       (unsigned long long)sum_counter(cfd, dir == DIR_RX ?
					CNT_JOURNEYS_RX : CNT_JOURNEYS_TX));
		for (s = 1; s <= nr; s++) {
			int idx = s == nr ? 0 : s;	/* the total last */

			read_hist(hfd, HIST_IDX(dir, idx), &h, clear);
			if (env.json) {
				int k;

				printf("%s{\"stage\":\"%s\",\"count\":%llu,",
				       s > 1 ? "," : "", stage_name(dir, idx),
				       (unsigned long long)h.count);
				printf("\"avg_us\":%.1f,\"slots\":[",
				       h.count ? h.sum_ns / 1000.0 / h.count : 0.0);
				for (k = 0; k < HIST_SLOTS; k++)
					printf("%s%llu", k ? "," : "",
					       (unsigned long long)h.slots[k]);
				printf("]}");
				continue;
			}
			if (!h.count) {
				printf("%-8s  not seen\n", stage_name(dir, idx));
				continue;
			}
			printf("%-8s  %llu packets, avg %.1f us %s\n",
			       stage_name(dir, idx), (unsigned long long)h.count,
			       h.sum_ns / 1000.0 / h.count,
			       idx ? "since the stage before" :
			       "from the first stage to the last");
			print_log2_hist(&h);
		}
		if (env.json)
			printf("]}");
	}
	if (env.json)
		printf(",\"lost_events\":%llu}\n",
		       (unsigned long long)sum_counter(cfd, CNT_LOST_EVENTS));
	fflush(stdout);
}

static void format_addr(const struct flow *f, const __u32 *addr, char *buf,
			size_t len)
{
	if (!f->family)
		snprintf(buf, len, "-");
	else
		inet_ntop(f->family, addr, buf, len);
}

/* "eth1@ns" for a port we follow (ifindexes are per namespace) */
static void port_name(__u32 ifindex, char *buf, size_t len)
{
	int i;

	for (i = 0; i < env.nports; i++) {
		if (env.ports[i].ifindex != (int)ifindex)
			continue;
		snprintf(buf, len, "%s%s%s", env.ports[i].ifname,
			 *env.ports[i].netns ? "@" : "", env.ports[i].netns);
		return;
	}
	snprintf(buf, len, "ifindex %u", ifindex);
}

static int on_journey(void *ctx, void *data, size_t size)
{
	const struct journey *j = data;
	int nr = j->dir == DIR_RX ? RX_NR : TX_NR, s;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], ifname[96];
	const char *dir = j->dir == DIR_RX ? "rx" : "tx";
	__u64 t0 = 0;

	if (size < sizeof(*j))
		return 0;
	format_addr(&j->flow, j->flow.saddr, src, sizeof(src));
	format_addr(&j->flow, j->flow.daddr, dst, sizeof(dst));
	for (s = 0; s < nr && !t0; s++)
		t0 = j->ts[s];
	port_name(j->ifindex, ifname, sizeof(ifname));

	if (env.json) {
		printf("{\"type\":\"journey\",\"dir\":\"%s\",\"ifindex\":%u,\"queue\":%u,",
		       dir, j->ifindex, j->queue);
		printf("\"desc\":%u,\"seq\":%llu,\"len\":%u,", j->desc,
		       (unsigned long long)j->seq, j->len);
		printf("\"src\":\"%s\",\"dst\":\"%s\",\"sport\":%u,\"dport\":%u,",
		       src, dst, j->flow.sport, j->flow.dport);
		printf("\"proto\":%u,\"end\":\"%s\",\"stages\":[", j->flow.proto,
		       end_names[j->end]);
		for (s = 0; s < nr; s++) {
			const char *name = j->dir == DIR_RX ? rx_names[s] : tx_names[s];

			if (j->ts[s])
				printf("%s{\"stage\":\"%s\",\"t_us\":%.1f}",
				       s ? "," : "", name,
				       ((long long)(j->ts[s] - t0)) / 1000.0);
			else
				printf("%s{\"stage\":\"%s\",\"t_us\":null}",
				       s ? "," : "", name);
		}
		printf("]}\n");
	} else {
		printf("%s %s q%u desc %u seq %llu: %s:%u -> %s:%u proto %u, %u bytes, %s",
		       dir, ifname, j->queue, j->desc,
		       (unsigned long long)j->seq, src, j->flow.sport, dst,
		       j->flow.dport, j->flow.proto, j->len,
		       end_names[j->end]);
		if (j->end == END_XDP && j->xdp_act < 5)
			printf(" (XDP %s)", xdp_names[j->xdp_act]);
		printf("\n");
		for (s = 0; s < nr; s++) {
			const char *name = j->dir == DIR_RX ? rx_names[s] : tx_names[s];

			if (j->ts[s])
				printf("    %-9s %+10.1f us\n", name,
				       ((long long)(j->ts[s] - t0)) / 1000.0);
			else
				printf("    %-9s %10s\n", name, "not seen");
		}
	}
	fflush(stdout);
	if (++printed == env.count)
		atomic_store(&exiting, true);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = options,
		.parser = parse_arg,
		.doc = "Per-stage latency through nicsim ports, as histograms or packet timelines.",
	};
	struct bpf_link *links[3 * MAX_PORTS] = {};
	struct ring_buffer *rb = NULL;
	struct nicsim_journey *skel;
	int err, i, nlinks = 0, home;
	time_t start, last;

	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return err;
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0) {
		perror("open /proc/self/ns/net");
		return 1;
	}
	if (!env.nports)
		find_ports();
	if (!env.nports) {
		fprintf(stderr, "no nicsim port here: name one with -i IFNAME[@NETNS]\n");
		return 1;
	}
	for (i = 0; i < env.nports; i++) {
		struct port *p = &env.ports[i];

		err = nicsim_enter_netns(p->netns, home);
		if (!err)
			p->ifindex = if_nametoindex(p->ifname);
		if (err || !p->ifindex || !nicsim_is_port(p->ifname)) {
			fprintf(stderr, "%s%s%s: not a nicsim port%s\n",
				p->ifname, *p->netns ? "@" : "", p->netns,
				err ? " (no such namespace)" : "");
			return 1;
		}
		nicsim_enter_netns(NULL, home);
	}

	skel = nicsim_journey__open();
	if (!skel) {
		fprintf(stderr, "cannot open the BPF object\n");
		return 1;
	}
	skel->rodata->filter_ports = true;
	skel->rodata->filter = env.filter;
	skel->rodata->sample_every = env.sample;
	skel->rodata->timelines = env.timeline;
	skel->rodata->nr_write = SYS_write;
	skel->rodata->nr_writev = SYS_writev;
	skel->rodata->nr_sendto = SYS_sendto;
	skel->rodata->nr_sendmsg = SYS_sendmsg;
	skel->rodata->nr_sendmmsg = SYS_sendmmsg;
	bpf_program__set_autoattach(skel->progs.rx_tc, false);
	bpf_program__set_autoattach(skel->progs.tx_tc, false);
	err = nicsim_journey__load(skel);
	if (err) {
		fprintf(stderr, "cannot load the BPF programs: %d (is nicsim loaded?)\n",
			err);
		goto out;
	}
	for (i = 0; i < env.nports; i++) {
		__u32 key = env.ports[i].ifindex;
		__u8 one = 1;

		bpf_map__update_elem(skel->maps.ports, &key, sizeof(key), &one,
				     sizeof(one), BPF_ANY);
	}
	err = nicsim_journey__attach(skel);
	if (err) {
		fprintf(stderr, "cannot attach: %d\n", err);
		goto out;
	}
	for (i = 0; i < env.nports && !env.no_tc; i++) {
		struct port *p = &env.ports[i];

		nicsim_enter_netns(p->netns, home);
		links[nlinks] = bpf_program__attach_tcx(skel->progs.rx_tc,
							p->ifindex, NULL);
		links[nlinks + 1] = bpf_program__attach_tcx(skel->progs.tx_tc,
							    p->ifindex, NULL);
		nicsim_enter_netns(NULL, home);
		if (!links[nlinks] || !links[nlinks + 1]) {
			fprintf(stderr, "%s: cannot attach TC programs (try --no-tc)\n",
				p->ifname);
			err = -1;
			goto out;
		}
		nlinks += 2;
	}
	for (i = 0; i < env.nports && env.xdp; i++) {
		struct port *p = &env.ports[i];

		/* a link: it fails on a port that has a program, never replaces it */
		nicsim_enter_netns(p->netns, home);
		links[nlinks] = bpf_program__attach_xdp(skel->progs.journey_xdp,
							p->ifindex);
		err = -errno;
		nicsim_enter_netns(NULL, home);
		if (!links[nlinks]) {
			fprintf(stderr, "%s: cannot attach the XDP program: %s%s\n",
				p->ifname, strerror(-err), err == -EBUSY ?
				" (it has one: the xdp stage is seen without --xdp)" : "");
			goto out;
		}
		nlinks++;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_journey, NULL,
			      NULL);
	if (!rb) {
		err = -errno;
		goto out;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (env.json) {
		printf("{\"type\":\"start\",\"ports\":[");
		for (i = 0; i < env.nports; i++)
			printf("%s{\"ifname\":\"%s\",\"netns\":\"%s\",\"ifindex\":%d}",
			       i ? "," : "", env.ports[i].ifname,
			       env.ports[i].netns, env.ports[i].ifindex);
		printf("],\"tc\":%s,\"xdp\":%s}\n", env.no_tc ? "false" : "true",
		       env.xdp ? "true" : "false");
	} else {
		printf("Following packets on");
		for (i = 0; i < env.nports; i++)
			printf(" %s%s%s", env.ports[i].ifname,
			       *env.ports[i].netns ? "@" : "",
			       env.ports[i].netns);
		printf("%s%s. Ctrl-C to end.\n",
		       env.no_tc ? " (no TC programs)" : "",
		       env.xdp ? " (an XDP program attached)" : "");
	}
	fflush(stdout);
	start = time(NULL);
	last = start;
	while (!atomic_load(&exiting)) {
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR)
			break;
		err = 0;
		if (env.duration && time(NULL) - start >= env.duration)
			break;
		if (env.interval && !env.timeline &&
		    time(NULL) - last >= env.interval) {
			print_hists(skel, false);
			last = time(NULL);
		}
	}
	ring_buffer__consume(rb);
	if (!env.timeline)
		print_hists(skel, false);
	{
		int cfd = bpf_map__fd(skel->maps.counters);
		unsigned long long rx = sum_counter(cfd, CNT_JOURNEYS_RX);
		unsigned long long tx = sum_counter(cfd, CNT_JOURNEYS_TX);
		unsigned long long lost = sum_counter(cfd, CNT_LOST_EVENTS);
		unsigned long long skipped = sum_counter(cfd, CNT_SAMPLED_OUT);
		unsigned long long unfollowed = sum_counter(cfd, CNT_TCP_UNFOLLOWED);

		if (env.json) {
			printf("{\"type\":\"summary\",\"rx_journeys\":%llu,\"tx_journeys\":%llu,",
			       rx, tx);
			printf("\"timelines\":%ld,\"sampled_out\":%llu,\"lost_events\":%llu,",
			       printed, skipped, lost);
			printf("\"tcp_unfollowed\":%llu}\n", unfollowed);
		} else {
			printf("\n%llu receive and %llu send journeys, ", rx, tx);
			printf("%ld timelines printed, %llu sampled out, %llu events lost\n",
			       printed, skipped, lost);
			if (unfollowed)
				printf("%llu TCP segments not followed to the application: their socket had %d unread\n",
				       unfollowed, TCP_UNREAD);
		}
	}
out:
	ring_buffer__free(rb);
	for (i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	nicsim_journey__destroy(skel);
	close(home);
	return err ? 1 : 0;
}
