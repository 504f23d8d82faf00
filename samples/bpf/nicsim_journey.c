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
#include <linux/if_link.h>
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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "nicsim_common.h"
#include "nicsim_journey.h"
#include "nicsim_journey.skel.h"

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
		__u32 netns_ino;	/* its namespace's inode number */
		char driver[32];
		char bus[32];		/* ethtool's bus_info */
		__u8 kind;		/* enum port_kind */
		int nirqs;		/* receive interrupts found */
		struct nicsim_journey *hw_prog;	/* --xdp: its device-bound program */
		struct hwts_stat hw;	/* what that program saw */
	} ports[MAX_PORTS];
	int nports;
	bool no_tc;
	bool xdp;
	bool upstream_only;
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

/* --perfetto, --pcapng, --svg */
static struct {
	const char *perfetto_path, *pcapng_path, *svg_path;
	FILE *perfetto, *pcapng, *svg_file;
	__u64 mono_to_real;		/* CLOCK_REALTIME - CLOCK_MONOTONIC, ns */
	unsigned long flows;
	unsigned int nqueues;
	int queues[64];			/* queue tracks named so far */
	struct journey svg[DIR_NR];	/* the waterfall's packets */
	bool have[DIR_NR];
} ex;

static const struct argp_option options[] = {
	{ "interface", 'i', "IFNAME[@NETNS]", 0,
	  "a port, of any driver; nicsim's show every stage (repeat; default: nicsim's here)",
	  0 },
	{ "no-tc", 'n', NULL, 0, "do not attach TC programs (the tc stages are then not seen)", 0 },
	{ "xdp", 'x', NULL, 0,
	  "attach a pass-through XDP program to each port: the xdp stage, and on other drivers the hardware receive time (dma)",
	  0 },
	{ "upstream-only", 'U', NULL, 0,
	  "follow nicsim ports as any other driver's, by the upstream hooks only", 0 },
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
	{ "perfetto", 1001, "FILE", 0,
	  "write the timelines as a Chrome JSON trace (ui.perfetto.dev, chrome://tracing)", 0 },
	{ "pcapng", 1002, "FILE", 0,
	  "write each packet's first bytes to a pcapng file, its stages in a comment", 0 },
	{ "svg", 1003, "FILE", 0,
	  "write an SVG of one packet's journey each way and the histograms", 0 },
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
	case 'U':
		env.upstream_only = true;
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
	case 1001:
		ex.perfetto_path = arg;
		break;
	case 1002:
		ex.pcapng_path = arg;
		break;
	case 1003:
		ex.svg_path = arg;
		break;
	case ARGP_KEY_END:
		if ((env.count || env.sample > 1) && !env.timeline &&
		    !ex.perfetto_path && !ex.pcapng_path && !ex.svg_path)
			argp_error(state,
				   "--count and --sample go with --timeline or an export");
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

/* Clock @id minus CLOCK_MONOTONIC, in ns. */
static __s64 clock_offset(clockid_t id)
{
	struct timespec mono, t;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(id, &t);
	return (t.tv_sec - mono.tv_sec) * 1000000000LL + t.tv_nsec - mono.tv_nsec;
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

/* The port's namespace, driver and bus (ethtool -i), from its namespace. */
static void port_driver(struct port *p)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = { .ifr_data = (void *)&info };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct stat st;

	if (!stat("/proc/thread-self/ns/net", &st))
		p->netns_ino = st.st_ino;
	if (fd < 0)
		return;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", p->ifname);
	if (!ioctl(fd, SIOCETHTOOL, &ifr)) {
		snprintf(p->driver, sizeof(p->driver), "%s", info.driver);
		snprintf(p->bus, sizeof(p->bus), "%s", info.bus_info);
	}
	close(fd);
	if (!strcmp(p->driver, "nicsim") && !env.upstream_only)
		p->kind = JPORT_NICSIM;
	else if (!strcmp(p->driver, "veth"))
		p->kind = JPORT_VETH;
	else
		p->kind = JPORT_OTHER;
}

/*
 * A PCI port's receive interrupts: its MSI-X vectors (sysfs msi_irqs, which
 * no namespace hides) whose /proc/interrupts name is a receive queue's
 * ("virtio0-input.0", "eth0-rx-1", "eth0-TxRx-2"...), the queue the number
 * that ends it. Into the irqs map; returns how many.
 */
static int port_irqs(struct nicsim_journey *skel, const struct port *p)
{
	struct irq_port ip = { .port = PORT_KEY(p->netns_ino, p->ifindex) };
	char path[128], *line = NULL, *name, *end;
	size_t size = 0;
	int n = 0, len;
	__u32 irq;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/msi_irqs", p->bus);
	if (!*p->bus || access(path, F_OK))
		return 0;
	f = fopen("/proc/interrupts", "r");
	if (!f)
		return 0;
	while (getline(&line, &size, f) > 0) {
		irq = strtoul(line, &end, 10);
		if (end == line || *end != ':')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/msi_irqs/%u",
			 p->bus, irq);
		if (access(path, F_OK))
			continue;
		len = strlen(line);
		while (len && (line[len - 1] == '\n' || line[len - 1] == ' '))
			line[--len] = '\0';
		name = strrchr(line, ' ');
		name = name ? name + 1 : line;
		if (!strcasestr(name, "input") && !strcasestr(name, "rx"))
			continue;
		while (len && line[len - 1] >= '0' && line[len - 1] <= '9')
			len--;
		ip.queue = strtoul(line + len, NULL, 10);
		if (!bpf_map__update_elem(skel->maps.irqs, &irq, sizeof(irq), &ip,
					  sizeof(ip), BPF_ANY))
			n++;
	}
	free(line);
	fclose(f);
	return n;
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

/*
 * Does port @p show the hardware's receive time (the dma stage) on another
 * driver? Its device-bound XDP program asks the driver (--xdp); until it
 * saw a frame, it may.
 */
static bool port_hw_time(const struct port *p)
{
	const struct hwts_stat *h = &p->hw;

	return p->hw_prog && (h->stamped ||
			      !(h->err || h->zero || h->nodata || h->unsynced));
}

/*
 * Can port @p show stage @s? nicsim's show every stage. Other drivers lack
 * the device's own (the cable, the interrupt it raises, the doorbell, its
 * DMA but for the receive time XDP RX metadata may give); the interrupt
 * handler needs receive interrupts found for the port, the XDP stage the
 * journey's program (--xdp), and a veth has no descriptors (it hands the
 * skb to its peer).
 */
static bool port_shows(const struct port *p, int dir, int s)
{
	if (p->kind == JPORT_NICSIM)
		return true;
	if (dir == DIR_RX)
		return !(s == RX_WIRE || (s == RX_DMA && !port_hw_time(p)) ||
			 s == RX_IRQ || (s == RX_HANDLER && !p->nirqs) ||
			 (s == RX_XDP && !env.xdp));
	return !(s == TX_DOORBELL || s == TX_DMA || s == TX_WIRE ||
		 (s == TX_POST && p->kind == JPORT_VETH));
}

/* "not available on DRIVER[, DRIVER]" if no port shows it, or NULL */
static const char *unavailable(int dir, int s)
{
	static char buf[96];
	int i, off;

	for (i = 0; i < env.nports; i++)
		if (port_shows(&env.ports[i], dir, s))
			return NULL;
	off = snprintf(buf, sizeof(buf), "not available on");
	for (i = 0; i < env.nports && off < (int)sizeof(buf); i++)
		if (!strstr(buf, env.ports[i].driver))
			off += snprintf(buf + off, sizeof(buf) - off, "%s %s",
					off > 16 ? "," : "", env.ports[i].driver);
	return buf;
}

/*
 * --xdp on another driver's port @p: journey_xdp_hw, bound to the port's
 * device so that bpf_xdp_metadata_rx_timestamp() reaches its driver. A
 * second copy of the BPF object loads only that program, in the port's
 * namespace (where its ifindex is), on the maps of @skel. Returns it, or
 * NULL with errno set (a driver without XDP refuses it: the shared
 * program goes there).
 */
static struct nicsim_journey *load_hw_prog(struct nicsim_journey *skel,
					   const struct port *p, int home)
{
	__u64 key = PORT_KEY(p->netns_ino, p->ifindex);
	struct nicsim_journey *hw = nicsim_journey__open();
	struct hwts_stat zero = {};
	struct bpf_program *prog;
	struct bpf_map *map;
	int err;

	if (!hw)
		return NULL;
	bpf_object__for_each_program(prog, hw->obj)
		bpf_program__set_autoload(prog, prog == hw->progs.journey_xdp_hw);
	bpf_program__set_ifindex(hw->progs.journey_xdp_hw, p->ifindex);
	bpf_program__set_flags(hw->progs.journey_xdp_hw,
			       bpf_program__flags(hw->progs.journey_xdp_hw) |
			       BPF_F_XDP_DEV_BOUND_ONLY);
	/* the maps journey_xdp_hw uses: any other it used would fail the load */
	bpf_object__for_each_map(map, hw->obj)
		if (map != hw->maps.rodata && map != hw->maps.cpu_states &&
		    map != hw->maps.hwts)
			bpf_map__set_autocreate(map, false);
	err = bpf_map__reuse_fd(hw->maps.cpu_states, bpf_map__fd(skel->maps.cpu_states)) ?:
	      bpf_map__reuse_fd(hw->maps.hwts, bpf_map__fd(skel->maps.hwts));
	memcpy(hw->rodata, skel->rodata, sizeof(*hw->rodata));
	if (!err)
		err = nicsim_enter_netns(p->netns, home);
	if (!err) {
		err = nicsim_journey__load(hw);
		nicsim_enter_netns(NULL, home);
	}
	if (!err)
		err = bpf_map__update_elem(skel->maps.hwts, &key, sizeof(key), &zero,
					   sizeof(zero), BPF_ANY);
	if (err) {
		nicsim_journey__destroy(hw);
		errno = -err;
		return NULL;
	}
	return hw;
}

/*
 * What the ports' device-bound XDP programs saw so far; @undecided: only
 * where it saw no frame yet.
 */
static void read_hw_times(struct nicsim_journey *skel, bool undecided)
{
	int i;

	for (i = 0; i < env.nports; i++) {
		struct port *p = &env.ports[i];
		__u64 key = PORT_KEY(p->netns_ino, p->ifindex);

		if (undecided && (p->hw.err || p->hw.stamped || p->hw.zero ||
				  p->hw.nodata || p->hw.unsynced))
			continue;
		if (p->hw_prog)
			bpf_map__lookup_elem(skel->maps.hwts, &key, sizeof(key),
					     &p->hw, sizeof(p->hw), 0);
	}
}

/*
 * Whether port @p, of another driver, gave the hardware's receive times;
 * @n: the how-manieth JSON element.
 */
static void print_hw_time(const struct port *p, int n)
{
	const struct hwts_stat *h = &p->hw;

	if (env.json) {
		printf("%s{\"ifname\":\"%s\",\"netns\":\"%s\",\"bound\":%s,",
		       n ? "," : "", p->ifname, p->netns,
		       p->hw_prog ? "true" : "false");
		printf("\"err\":%d,\"stamped\":%llu,\"zero\":%llu,\"nodata\":%llu,",
		       h->err, (unsigned long long)h->stamped,
		       (unsigned long long)h->zero, (unsigned long long)h->nodata);
		printf("\"unsynced\":%llu}", (unsigned long long)h->unsynced);
		return;
	}
	printf("%s (%s): ", p->ifname, p->driver);
	if (!p->hw_prog) {
		printf("no hardware receive time: the driver took no device-bound XDP program\n");
		return;
	}
	if (!h->stamped && h->err) {
		printf("no hardware receive time: %s\n", h->err == -EOPNOTSUPP ?
		       "no XDP RX metadata timestamp in the driver" : strerror(-h->err));
		return;
	}
	printf("a hardware receive time for %llu frames, 0 for %llu, ",
	       (unsigned long long)h->stamped, (unsigned long long)h->zero);
	printf("none for %llu, out of the system's clocks for %llu\n",
	       (unsigned long long)h->nodata, (unsigned long long)h->unsynced);
	/* drivers with a PHC answer -ENODATA until it is switched on */
	if (h->nodata && !h->stamped)
		printf("%s: is receive timestamping on? (hwstamp_ctl -i %s -r 1)\n",
		       p->ifname, p->ifname);
}

/* Why --xdp cannot go on port @p, which has an XDP program. */
static const char *xdp_has_one(const struct port *p)
{
	return p->kind == JPORT_NICSIM ?
	       "it has one: the xdp stage is seen without --xdp" :
	       "it has one, and the xdp stage needs the journey's own on this driver";
}

/* The port journey @j went through, or -1 (ifindexes are per namespace). */
static int port_of(const struct journey *j)
{
	int i;

	for (i = 0; i < env.nports; i++)
		if (env.ports[i].ifindex == (int)j->ifindex &&
		    env.ports[i].netns_ino == j->netns)
			return i;
	return -1;
}

/* "not available on DRIVER" if journey @j's port cannot show stage @s */
static const char *journey_unavailable(const struct journey *j, int s)
{
	static char buf[64];
	int i = port_of(j);

	if (i < 0)
		return NULL;
	if (port_shows(&env.ports[i], j->dir, s))
		return NULL;
	snprintf(buf, sizeof(buf), "not available on %s", env.ports[i].driver);
	return buf;
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
			const char *na = idx ? unavailable(dir, idx) : NULL;

			read_hist(hfd, HIST_IDX(dir, idx), &h, clear);
			if (env.json) {
				int k;

				printf("%s{\"stage\":\"%s\",\"available\":%s,\"count\":%llu,",
				       s > 1 ? "," : "", stage_name(dir, idx),
				       na ? "false" : "true",
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
				printf("%-8s  %s\n", stage_name(dir, idx),
				       na ?: "not seen");
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

/* "eth1@ns" for the port journey @j went through */
static void port_name(const struct journey *j, char *buf, size_t len)
{
	int i = port_of(j);

	if (i < 0)
		snprintf(buf, len, "ifindex %u", j->ifindex);
	else
		snprintf(buf, len, "%s%s%s", env.ports[i].ifname,
			 *env.ports[i].netns ? "@" : "", env.ports[i].netns);
}

/* ---- exports: Perfetto (Chrome JSON), pcapng, SVG ---------------------- */

static const char *journey_stage(const struct journey *j, int s)
{
	return j->dir == DIR_RX ? rx_names[s] : tx_names[s];
}

static int journey_stages(const struct journey *j)
{
	return j->dir == DIR_RX ? RX_NR : TX_NR;
}

/* The stage seen after @s, or -1. */
static int next_seen(const struct journey *j, int s)
{
	for (s++; s < journey_stages(j); s++)
		if (j->ts[s])
			return s;
	return -1;
}

static int first_seen(const struct journey *j)
{
	return j->ts[0] ? 0 : next_seen(j, 0);
}

/*
 * Perfetto, and chrome://tracing: the Chrome JSON trace format. Each stage
 * is a slice on the track of the CPU that saw it, lasting until the next
 * stage; a flow links a packet's stages across CPUs; the whole journey is
 * a slice on its queue's track. Times are CLOCK_MONOTONIC microseconds.
 */
#define PID_CPUS	1
#define PID_QUEUES	2

static void perfetto_open(void)
{
	int i;

	fprintf(ex.perfetto, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
	fprintf(ex.perfetto,
		"{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%d,\"args\":{\"name\":\"CPUs\"}},\n",
		PID_CPUS);
	fprintf(ex.perfetto,
		"{\"ph\":\"M\",\"name\":\"process_name\",\"pid\":%d,\"args\":{\"name\":\"queues\"}}",
		PID_QUEUES);
	for (i = 0; i < libbpf_num_possible_cpus(); i++)
		fprintf(ex.perfetto,
			",\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":\"CPU %d\"}}",
			PID_CPUS, i, i);
}

static void perfetto_journey(const struct journey *j, const char *port)
{
	const char *dir = j->dir == DIR_RX ? "rx" : "tx";
	int s = first_seen(j), n, last = s, tid;
	unsigned int i;

	if (s < 0)
		return;
	tid = (port_of(j) + 1) * 64 + j->queue;
	for (i = 0; i < ex.nqueues && ex.queues[i] != tid; i++)
		;
	if (i == ex.nqueues && i < ARRAY_SIZE(ex.queues)) {
		ex.queues[ex.nqueues++] = tid;
		fprintf(ex.perfetto,
			",\n{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":%d,\"tid\":%d,\"args\":{\"name\":\"%s q%u\"}}",
			PID_QUEUES, tid, port, j->queue);
	}
	ex.flows++;
	for (; s >= 0; s = n) {
		n = next_seen(j, s);
		fprintf(ex.perfetto,
			",\n{\"ph\":\"X\",\"name\":\"%s %s\",\"cat\":\"%s\",\"pid\":%d,\"tid\":%u,\"ts\":%.3f,\"dur\":0,",
			dir, journey_stage(j, s), dir, PID_CPUS, j->cpu[s],
			j->ts[s] / 1000.0);
		fprintf(ex.perfetto,
			"\"args\":{\"dir\":\"%s\",\"stage\":\"%s\",\"seq\":%llu,\"port\":\"%s\",\"queue\":%u,\"to_next_us\":%.3f}}",
			dir, journey_stage(j, s), (unsigned long long)j->seq, port,
			j->queue, n < 0 ? 0.0 :
			(double)(long long)(j->ts[n] - j->ts[s]) / 1000.0);
		/* the flow: starts at the first stage, steps, ends at the last */
		fprintf(ex.perfetto,
			",\n{\"ph\":\"%s\",\"name\":\"%s seq %llu\",\"cat\":\"journey\",\"id\":%lu,\"pid\":%d,\"tid\":%u,\"ts\":%.3f%s}",
			s == first_seen(j) ? "s" : n < 0 ? "f" : "t", dir,
			(unsigned long long)j->seq, ex.flows, PID_CPUS, j->cpu[s],
			j->ts[s] / 1000.0, n < 0 ? ",\"bp\":\"e\"" : "");
		last = s;
	}
	/* journeys on a queue overlap: async slices, which may */
	fprintf(ex.perfetto,
		",\n{\"ph\":\"b\",\"name\":\"%s seq %llu\",\"cat\":\"%s q%u\",\"id\":%lu,\"pid\":%d,\"tid\":%d,\"ts\":%.3f,\"args\":{\"end\":\"%s\"}}",
		dir, (unsigned long long)j->seq, port, j->queue, ex.flows,
		PID_QUEUES, tid, j->ts[first_seen(j)] / 1000.0, end_names[j->end]);
	fprintf(ex.perfetto,
		",\n{\"ph\":\"e\",\"name\":\"%s seq %llu\",\"cat\":\"%s q%u\",\"id\":%lu,\"pid\":%d,\"tid\":%d,\"ts\":%.3f}",
		dir, (unsigned long long)j->seq, port, j->queue, ex.flows,
		PID_QUEUES, tid, j->ts[last] / 1000.0);
}

static void perfetto_close(void)
{
	fprintf(ex.perfetto, "\n]}\n");
}

/*
 * pcapng (the format Wireshark writes): a section header, an interface
 * per port, and an enhanced packet block per journey with the frame's
 * first bytes and, in its comment, the time of each stage.
 */
static void pcapng_write(const void *p, size_t len)
{
	static const __u8 zero[4];

	fwrite(p, 1, len, ex.pcapng);
	if (len % 4)
		fwrite(zero, 1, 4 - len % 4, ex.pcapng);
}

static __u32 pad4(size_t len)
{
	return (len + 3) & ~3U;
}

static void pcapng_option(__u16 code, const void *val, __u16 len)
{
	__u16 hdr[2] = { code, len };

	pcapng_write(hdr, sizeof(hdr));
	if (len)
		pcapng_write(val, len);
}

static void pcapng_open(void)
{
	struct { __u32 type, len, magic; __u16 major, minor; __s64 section; } shb = {
		0x0A0D0D0A, sizeof(shb) + 8, 0x1A2B3C4D, 1, 0, -1,
	};
	__u32 total;
	int i;

	total = shb.len;
	pcapng_write(&shb, sizeof(shb));
	pcapng_option(0, NULL, 0);
	fwrite(&total, 4, 1, ex.pcapng);
	for (i = 0; i < env.nports; i++) {
		struct { __u32 type, len; __u16 linktype, reserved; __u32 snaplen; } idb;
		char name[96];
		__u8 tsresol = 9;	/* nanoseconds */

		snprintf(name, sizeof(name), "%s%s%s", env.ports[i].ifname,
			 *env.ports[i].netns ? "@" : "", env.ports[i].netns);
		idb.type = 1;
		idb.len = sizeof(idb) + 4 + pad4(strlen(name)) + 4 + 4 + 4 + 4;
		idb.linktype = 1;	/* LINKTYPE_ETHERNET */
		idb.reserved = 0;
		idb.snaplen = CAP_BYTES;
		pcapng_write(&idb, sizeof(idb));
		pcapng_option(2, name, strlen(name));		/* if_name */
		pcapng_option(9, &tsresol, 1);			/* if_tsresol */
		pcapng_option(0, NULL, 0);
		fwrite(&idb.len, 4, 1, ex.pcapng);
	}
}

static void pcapng_journey(const struct journey *j, const char *port)
{
	struct { __u32 type, len, ifid, ts_hi, ts_lo, caplen, origlen; } epb;
	int s = first_seen(j), i, ifid = port_of(j), off;
	char comment[512];
	__u64 t;

	if (s < 0 || !j->caplen)
		return;
	if (ifid < 0)
		ifid = 0;
	off = snprintf(comment, sizeof(comment), "%s %s seq %llu %s:",
		       j->dir == DIR_RX ? "rx" : "tx", port,
		       (unsigned long long)j->seq, end_names[j->end]);
	for (i = 0; i < journey_stages(j) && off < (int)sizeof(comment); i++)
		off += snprintf(comment + off, sizeof(comment) - off,
				j->ts[i] ? " %s=%+.1f" : " %s=-", journey_stage(j, i),
				(double)((long long)(j->ts[i] - j->ts[s])) / 1000.0);
	if (off < (int)sizeof(comment))
		snprintf(comment + off, sizeof(comment) - off, " us");
	t = j->ts[s] + ex.mono_to_real;
	epb.type = 6;
	epb.len = sizeof(epb) + pad4(j->caplen) + 4 + pad4(strlen(comment)) + 4 + 4;
	epb.ifid = ifid;
	epb.ts_hi = t >> 32;
	epb.ts_lo = (__u32)t;
	epb.caplen = j->caplen;
	epb.origlen = j->len > j->caplen ? j->len : j->caplen;
	pcapng_write(&epb, sizeof(epb));
	pcapng_write(j->data, j->caplen);
	pcapng_option(1, comment, strlen(comment));	/* opt_comment */
	pcapng_option(0, NULL, 0);
	fwrite(&epb.len, 4, 1, ex.pcapng);
}

/*
 * SVG: one packet's journey, receive and send, as a waterfall (a bar per
 * stage on one time axis), and the per-stage histograms.
 */
static void svg_text(FILE *f, double x, double y, const char *anchor,
		     const char *style, const char *text)
{
	fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" style=\"%s\">%s</text>\n",
		x, y, anchor, style, text);
}

static double at_least0(double v)
{
	return v < 0 ? 0 : v;
}

static void svg_write(struct nicsim_journey *skel)
{
	const struct journey *js[2] = {
		ex.have[DIR_RX] ? &ex.svg[DIR_RX] : NULL,
		ex.have[DIR_TX] ? &ex.svg[DIR_TX] : NULL,
	};
	int hfd = bpf_map__fd(skel->maps.hists), dir, s, n, k;
	double x0 = 140, width = 620, y = 50, span = 1;
	char buf[160], port[96], *body = NULL;
	size_t body_len = 0;
	FILE *f = open_memstream(&body, &body_len);	/* the height comes last */

	if (!f)
		return;

	for (dir = 0; dir < DIR_NR; dir++) {
		const struct journey *j = js[dir];
		int a = j ? first_seen(j) : -1;

		if (a < 0)
			continue;
		for (s = a; s >= 0; s = next_seen(j, s))
			if ((long long)(j->ts[s] - j->ts[a]) > span)
				span = (long long)(j->ts[s] - j->ts[a]);
	}
	svg_text(f, 400, 24, "middle", "font-size:16px;font-weight:bold",
		 "nicsim_journey: one packet's journey, then every packet's");
	for (dir = 0; dir < DIR_NR; dir++) {
		const struct journey *j = js[dir];
		int a = j ? first_seen(j) : -1, i = 0;

		if (a < 0)
			continue;
		port_name(j, port, sizeof(port));
		snprintf(buf, sizeof(buf), "%s on %s, seq %llu (us after its first stage)",
			 dir == DIR_RX ? "Receive" : "Send", port,
			 (unsigned long long)j->seq);
		svg_text(f, 10, y, "start", "font-weight:bold", buf);
		y += 10;
		for (s = 0; s < journey_stages(j); s++, i++) {
			double from, to;

			y += 18;
			svg_text(f, x0 - 8, y + 11, "end", "", journey_stage(j, s));
			if (!j->ts[s]) {
				svg_text(f, x0, y + 11, "start", "fill:#999", "not seen");
				continue;
			}
			n = s;
			for (k = s - 1; k >= 0; k--)
				if (j->ts[k]) {
					n = k;
					break;
				}
			/* a stage before the first (an early interrupt) sits at 0 */
			from = x0 + width * at_least0((long long)(j->ts[n] - j->ts[a])) / span;
			to = x0 + width * at_least0((long long)(j->ts[s] - j->ts[a])) / span;
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"14\"",
				from, y, to - from < 1 ? 1 : to - from);
			fprintf(f, " fill=\"%s\"><title>%s %s</title></rect>\n",
				dir == DIR_RX ? "#4477aa" : "#cc6677",
				dir == DIR_RX ? "rx" : "tx", journey_stage(j, s));
			snprintf(buf, sizeof(buf), "%+.1f",
				 (long long)(j->ts[s] - j->ts[a]) / 1000.0);
			svg_text(f, to + 4 > x0 + width - 40 ? x0 + width - 40 : to + 4, y + 11,
				 "start", "font-size:10px", buf);
		}
		y += 30;
	}
	svg_text(f, 10, y, "start", "font-weight:bold",
		 "Every packet: each stage since the one before, log2 buckets of us (bar: packets)");
	y += 10;
	for (dir = 0; dir < DIR_NR; dir++) {
		for (s = 1; s < (dir == DIR_RX ? RX_NR : TX_NR); s++) {
			struct hist h;
			__u64 max = 0;

			read_hist(hfd, HIST_IDX(dir, s), &h, false);
			y += 18;
			snprintf(buf, sizeof(buf), "%s %s", dir == DIR_RX ? "rx" : "tx",
				 stage_name(dir, s));
			svg_text(f, x0 - 8, y + 11, "end", "", buf);
			if (!h.count) {
				svg_text(f, x0, y + 11, "start", "fill:#999", "not seen");
				continue;
			}
			for (k = 0; k < HIST_SLOTS; k++)
				if (h.slots[k] > max)
					max = h.slots[k];
			for (k = 0; k < 20; k++) {
				double hgt = 14.0 * h.slots[k] / max;

				fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"20\"",
					x0 + 22 * k, y + 14 - hgt);
				fprintf(f, " height=\"%.1f\"", hgt);
				fprintf(f, " fill=\"%s\"><title>%llu</title></rect>\n",
					dir == DIR_RX ? "#4477aa" : "#cc6677",
					(unsigned long long)h.slots[k]);
			}
			snprintf(buf, sizeof(buf), "%llu, avg %.1f us",
				 (unsigned long long)h.count, h.sum_ns / 1000.0 / h.count);
			svg_text(f, x0 + 22 * 20 + 6, y + 11, "start", "font-size:10px", buf);
		}
		y += 10;
	}
	y += 18;
	for (k = 0; k < 20; k += 4) {
		unsigned long long lo, hi;

		slot_range(k, &lo, &hi);
		snprintf(buf, sizeof(buf), "%llu", lo);
		svg_text(f, x0 + 22 * k + 10, y, "middle", "font-size:10px", buf);
	}
	fclose(f);
	fprintf(ex.svg_file, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(ex.svg_file,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"800\" height=\"%.0f\" font-family=\"sans-serif\" font-size=\"12\">\n",
		y + 16);
	fprintf(ex.svg_file, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fwrite(body, 1, body_len, ex.svg_file);
	fprintf(ex.svg_file, "</svg>\n");
	free(body);
}

/* Keep the first delivered journey of each direction for the waterfall. */
static void export_journey(const struct journey *j)
{
	char port[96];

	port_name(j, port, sizeof(port));
	if (ex.perfetto)
		perfetto_journey(j, port);
	if (ex.pcapng)
		pcapng_journey(j, port);
	if (ex.svg_file && j->dir < DIR_NR && !ex.have[j->dir] &&
	    j->end == END_DELIVERED) {
		ex.svg[j->dir] = *j;
		ex.have[j->dir] = true;
	}
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
	/* whether a port gives receive times is known from its first frame */
	if (j->dir == DIR_RX && !j->ts[RX_DMA])
		read_hw_times(ctx, true);
	export_journey(j);
	if (!env.timeline)
		goto counted;
	format_addr(&j->flow, j->flow.saddr, src, sizeof(src));
	format_addr(&j->flow, j->flow.daddr, dst, sizeof(dst));
	for (s = 0; s < nr && !t0; s++)
		t0 = j->ts[s];
	port_name(j, ifname, sizeof(ifname));

	if (env.json) {
		printf("{\"type\":\"journey\",\"dir\":\"%s\",\"port\":\"%s\",", dir, ifname);
		printf("\"ifindex\":%u,\"netns\":%u,\"queue\":%u,", j->ifindex,
		       j->netns, j->queue);
		printf("\"t0_ns\":%llu,", (unsigned long long)t0);
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
				printf("%s{\"stage\":\"%s\",\"t_us\":null,\"available\":%s}",
				       s ? "," : "", name,
				       journey_unavailable(j, s) ? "false" : "true");
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
				printf("    %-9s %10s\n", name,
				       journey_unavailable(j, s) ?: "not seen");
		}
	}
	fflush(stdout);
counted:
	if (++printed == env.count)
		atomic_store(&exiting, true);
	return 0;
}

static FILE *open_export(const char *path)
{
	FILE *f;

	if (!path)
		return NULL;
	f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
	return f;
}

static int open_exports(void)
{
	ex.perfetto = open_export(ex.perfetto_path);
	ex.pcapng = open_export(ex.pcapng_path);
	ex.svg_file = open_export(ex.svg_path);
	if ((ex.perfetto_path && !ex.perfetto) || (ex.pcapng_path && !ex.pcapng) ||
	    (ex.svg_path && !ex.svg_file))
		return -1;
	ex.mono_to_real = clock_offset(CLOCK_REALTIME);
	if (ex.perfetto)
		perfetto_open();
	if (ex.pcapng)
		pcapng_open();
	return 0;
}

/* Finish the exports: each is complete once its file is closed. */
static void close_exports(struct nicsim_journey *skel)
{
	if (ex.perfetto) {
		perfetto_close();
		fclose(ex.perfetto);
		fprintf(stderr, "nicsim_journey: wrote %s\n", ex.perfetto_path);
	}
	if (ex.pcapng) {
		fclose(ex.pcapng);
		fprintf(stderr, "nicsim_journey: wrote %s\n", ex.pcapng_path);
	}
	if (ex.svg_file) {
		svg_write(skel);
		fclose(ex.svg_file);
		fprintf(stderr, "nicsim_journey: wrote %s\n", ex.svg_path);
	}
	ex.perfetto = NULL;
	ex.pcapng = NULL;
	ex.svg_file = NULL;
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = options,
		.parser = parse_arg,
		.doc = "Per-stage latency of the packet journey, as histograms or timelines:\n"
		       "every stage on nicsim ports, the upstream hooks' on others.",
	};
	struct bpf_link *links[2 * MAX_PORTS] = {};
	int xdp_links[MAX_PORTS], nxdp = 0;
	struct ring_buffer *rb = NULL;
	struct nicsim_journey *skel;
	int err, i, dir, nlinks = 0, home;
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
		LIBBPF_OPTS(bpf_xdp_query_opts, xdp_query);
		struct port *p = &env.ports[i];

		err = nicsim_enter_netns(p->netns, home);
		if (!err)
			p->ifindex = if_nametoindex(p->ifname);
		if (!err && p->ifindex)
			port_driver(p);
		/* before the load: --xdp never replaces a program, in any mode */
		if (!err && p->ifindex && env.xdp &&
		    !bpf_xdp_query(p->ifindex, 0, &xdp_query) &&
		    xdp_query.attach_mode != XDP_ATTACHED_NONE) {
			fprintf(stderr, "%s: cannot attach the XDP program: %s\n",
				p->ifname, xdp_has_one(p));
			return 1;
		}
		nicsim_enter_netns(NULL, home);
		if (err || !p->ifindex) {
			fprintf(stderr, "%s%s%s: no such interface%s\n",
				p->ifname, *p->netns ? "@" : "", p->netns,
				err ? " (no such namespace)" : "");
			return 1;
		}
		if (!*p->driver || !strcmp(p->driver, "loopback")) {
			fprintf(stderr, "%s: not a NIC (no driver information)\n",
				p->ifname);
			return 1;
		}
	}

	if (open_exports())
		return 1;
	skel = nicsim_journey__open();
	if (!skel) {
		fprintf(stderr, "cannot open the BPF object\n");
		return 1;
	}
	skel->rodata->filter_ports = true;
	skel->rodata->filter = env.filter;
	skel->rodata->sample_every = env.sample;
	skel->rodata->timelines = env.timeline || ex.perfetto || ex.pcapng ||
				  ex.svg_file;
	skel->rodata->nr_write = SYS_write;
	skel->rodata->nr_writev = SYS_writev;
	skel->rodata->nr_sendto = SYS_sendto;
	skel->rodata->nr_sendmsg = SYS_sendmsg;
	skel->rodata->nr_sendmmsg = SYS_sendmmsg;
	skel->rodata->clock_offsets[0] = clock_offset(CLOCK_TAI);
	skel->rodata->clock_offsets[1] = clock_offset(CLOCK_REALTIME);
	bpf_program__set_autoload(skel->progs.journey_xdp_hw, false);
	bpf_program__set_autoattach(skel->progs.rx_tc, false);
	bpf_program__set_autoattach(skel->progs.tx_tc, false);
	if (access("/sys/kernel/btf/nicsim", F_OK) || env.upstream_only) {
		struct bpf_program *prog;

		/* no nicsim module: the upstream hooks only, for other drivers */
		bpf_object__for_each_program(prog, skel->obj)
			if (!strncmp(bpf_program__section_name(prog),
				     "tp_btf/nicsim_", 14))
				bpf_program__set_autoload(prog, false);
	}
	err = nicsim_journey__load(skel);
	if (err) {
		fprintf(stderr, "cannot load the BPF programs: %d\n", err);
		goto out;
	}
	for (i = 0; i < env.nports; i++) {
		struct port *p = &env.ports[i];
		__u64 key = PORT_KEY(p->netns_ino, p->ifindex);

		bpf_map__update_elem(skel->maps.ports, &key, sizeof(key), &p->kind,
				     sizeof(p->kind), BPF_ANY);
		if (p->kind == JPORT_OTHER)
			p->nirqs = port_irqs(skel, p);
		if (!env.xdp || p->kind == JPORT_NICSIM)
			continue;
		p->hw_prog = load_hw_prog(skel, p, home);
		if (!p->hw_prog)
			fprintf(stderr,
				"%s: no device-bound XDP program (%s): no hardware receive time\n",
				p->ifname, strerror(errno));
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
		LIBBPF_OPTS(bpf_link_create_opts, xdp_opts,
			    .flags = XDP_FLAGS_DRV_MODE);
		struct port *p = &env.ports[i];

		/*
		 * A link: it fails on a port that has a program, never replaces
		 * it. In the driver (never generic XDP, which runs after the
		 * stack has the sk_buff): its order is the frames'.
		 */
		nicsim_enter_netns(p->netns, home);
		xdp_links[nxdp] = bpf_link_create(bpf_program__fd(p->hw_prog ?
						  p->hw_prog->progs.journey_xdp_hw :
						  skel->progs.journey_xdp),
						  p->ifindex, BPF_XDP, &xdp_opts);
		err = -errno;
		nicsim_enter_netns(NULL, home);
		if (xdp_links[nxdp] < 0) {
			fprintf(stderr, "%s: cannot attach the XDP program: %s%s%s%s\n",
				p->ifname, strerror(-err),
				err == -EBUSY || err == -EEXIST ? " (" : "",
				err == -EBUSY || err == -EEXIST ? xdp_has_one(p) : "",
				err == -EBUSY || err == -EEXIST ? ")" :
				err == -EOPNOTSUPP ? " (no XDP in its driver)" : "");
			goto out;
		}
		nxdp++;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_journey, skel,
			      NULL);
	if (!rb) {
		err = -errno;
		goto out;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (env.json) {
		printf("{\"type\":\"start\",\"ports\":[");
		for (i = 0; i < env.nports; i++) {
			struct port *p = &env.ports[i];

			printf("%s{\"ifname\":\"%s\",\"netns\":\"%s\",\"ifindex\":%d,",
			       i ? "," : "", p->ifname, p->netns, p->ifindex);
			printf("\"driver\":\"%s\",\"irqs\":%d}", p->driver, p->nirqs);
		}
		printf("],\"tc\":%s,\"xdp\":%s,\"unavailable\":{",
		       env.no_tc ? "false" : "true", env.xdp ? "true" : "false");
		for (dir = 0; dir < DIR_NR; dir++) {
			int s, n = 0;

			printf("%s\"%s\":[", dir ? "," : "", dir ? "tx" : "rx");
			for (s = 0; s < (dir ? TX_NR : RX_NR); s++)
				if (unavailable(dir, s))
					printf("%s\"%s\"", n++ ? "," : "",
					       dir ? tx_names[s] : rx_names[s]);
			printf("]");
		}
		printf("}}\n");
	} else {
		printf("Following packets on");
		for (i = 0; i < env.nports; i++)
			printf(" %s%s%s (%s)", env.ports[i].ifname,
			       *env.ports[i].netns ? "@" : "",
			       env.ports[i].netns, env.ports[i].driver);
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
		read_hw_times(skel, false);
		if (env.duration && time(NULL) - start >= env.duration)
			break;
		if (env.interval && !env.timeline &&
		    time(NULL) - last >= env.interval) {
			print_hists(skel, false);
			last = time(NULL);
		}
	}
	ring_buffer__consume(rb);
	read_hw_times(skel, false);
	close_exports(skel);
	if (!env.timeline)
		print_hists(skel, false);
	{
		int cfd = bpf_map__fd(skel->maps.counters);
		unsigned long long rx = sum_counter(cfd, CNT_JOURNEYS_RX);
		unsigned long long tx = sum_counter(cfd, CNT_JOURNEYS_TX);
		unsigned long long lost = sum_counter(cfd, CNT_LOST_EVENTS);
		unsigned long long skipped = sum_counter(cfd, CNT_SAMPLED_OUT);
		unsigned long long unfollowed = sum_counter(cfd, CNT_TCP_UNFOLLOWED);
		unsigned long long unseen = sum_counter(cfd, CNT_END_UNSEEN);
		int n;

		if (env.json) {
			printf("{\"type\":\"summary\",\"rx_journeys\":%llu,\"tx_journeys\":%llu,",
			       rx, tx);
			printf("\"timelines\":%ld,\"sampled_out\":%llu,\"lost_events\":%llu,",
			       printed, skipped, lost);
			printf("\"tcp_unfollowed\":%llu,\"end_unseen\":%llu,",
			       unfollowed, unseen);
			printf("\"hw_rx_time\":[");
			for (i = 0, n = 0; i < env.nports; i++)
				if (env.xdp && env.ports[i].kind != JPORT_NICSIM)
					print_hw_time(&env.ports[i], n++);
			printf("]}\n");
		} else {
			printf("\n%llu receive and %llu send journeys, ", rx, tx);
			printf("%ld timelines printed, %llu sampled out, %llu events lost\n",
			       printed, skipped, lost);
			if (unfollowed) {
				printf("%llu TCP segments not followed to the application",
				       unfollowed);
				printf(": their socket had %d unread\n", TCP_UNREAD);
			}
			if (unseen) {
				printf("%llu receive journeys whose end was not seen: ", unseen);
				printf("their sk_buff came back to the stack first\n");
			}
			for (i = 0; i < env.nports; i++)
				if (env.xdp && env.ports[i].kind != JPORT_NICSIM)
					print_hw_time(&env.ports[i], 0);
		}
	}
out:
	if (ex.perfetto)	/* an error: what was written stays, cut short */
		fclose(ex.perfetto);
	if (ex.pcapng)
		fclose(ex.pcapng);
	if (ex.svg_file)
		fclose(ex.svg_file);
	ring_buffer__free(rb);
	for (i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	for (i = 0; i < nxdp; i++)
		close(xdp_links[i]);
	for (i = 0; i < env.nports; i++)
		nicsim_journey__destroy(env.ports[i].hw_prog);
	nicsim_journey__destroy(skel);
	close(home);
	return err ? 1 : 0;
}
