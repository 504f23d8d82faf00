// SPDX-License-Identifier: GPL-2.0
/*
 * XDP traffic generator for nicsim's benchmarks (not a test itself).
 *
 *   nicsim_xdpgen TX_DEV RX_DEV SIZE SECONDS [RX_PROG]
 *	attach a counting XDP_DROP program to RX_DEV (native mode), then for
 *	SECONDS run an XDP program with live frames (BPF_PROG_RUN,
 *	BPF_F_TEST_XDP_LIVE_FRAMES, as xdp-trafficgen does) that redirects
 *	each SIZE-byte UDP frame, addressed to RX_DEV's MAC, out of TX_DEV
 *	(its ndo_xdp_xmit); print "sent N dropped N seconds S rate R", R
 *	being the frames RX_DEV's program dropped per second. RX_PROG
 *	calls_none, calls_ktime or calls_xdp_meta makes 16 calls of nothing,
 *	bpf_ktime_get_ns() or bpf_nicsim_xdp_meta() per frame first, and adds
 *	" ns_per_frame T": their time per frame.
 *   nicsim_xdpgen syscall DEV
 *	print the ns per call of nothing, bpf_ktime_get_ns() and
 *	bpf_nicsim_queue_state() on DEV's queue 0, each from a SYSCALL
 *	program looping 100000 times: "none N ktime N queue_state N".
 *
 * TX_DEV and RX_DEV are the two ends of a cable (a nicsim port pair) or a
 * veth pair, in this namespace.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "nicsim_bench.skel.h"

#define MAX_SIZE	1514
#define BATCH		64
#define REPEAT		65536		/* frames per BPF_PROG_RUN */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int get_mac(const char *ifname, unsigned char *mac)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM, 0), err;

	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	err = ioctl(fd, SIOCGIFHWADDR, &ifr);
	close(fd);
	if (err)
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	return 0;
}

/* An Ethernet/IPv4/UDP frame of @size bytes from @src to @dst. */
static void build_frame(unsigned char *frame, int size,
			const unsigned char *src, const unsigned char *dst)
{
	struct ethhdr *eth = (struct ethhdr *)frame;
	struct iphdr *ip = (struct iphdr *)(eth + 1);
	struct udphdr *udp = (struct udphdr *)(ip + 1);
	unsigned int sum = 0, i;

	memset(frame, 0, size);
	memcpy(eth->h_dest, dst, ETH_ALEN);
	memcpy(eth->h_source, src, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons(size - sizeof(*eth));
	ip->saddr = htonl(0x0a090001);	/* 10.9.0.1 -> 10.9.0.2 */
	ip->daddr = htonl(0x0a090002);
	for (i = 0; i < sizeof(*ip) / 2; i++)
		sum += ((unsigned short *)ip)[i];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip->check = ~sum;
	udp->source = htons(9);
	udp->dest = htons(9);
	udp->len = htons(size - sizeof(*eth) - sizeof(*ip));
	/* UDP checksum 0: none, valid over IPv4 */
}

/* ns per loop of each SYSCALL program, or -1 */
static int syscall_costs(const char *dev)
{
	struct nicsim_bench *skel = nicsim_bench__open();
	struct bpf_program *progs[3];
	static const char * const names[] = { "none", "ktime", "queue_state" };
	int i, err;

	if (!skel)
		return 1;
	skel->rodata->queue_ifindex = if_nametoindex(dev);
	if (!skel->rodata->queue_ifindex || nicsim_bench__load(skel)) {
		fprintf(stderr, "no device %s, or the programs do not load\n", dev);
		nicsim_bench__destroy(skel);
		return 1;
	}
	progs[0] = skel->progs.bench_syscall_none;
	progs[1] = skel->progs.bench_syscall_ktime;
	progs[2] = skel->progs.bench_syscall_queue_state;
	for (i = 0; i < 3; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, opts);

		err = bpf_prog_test_run_opts(bpf_program__fd(progs[i]), &opts);
		if (err || opts.retval || !skel->bss->syscall_calls) {
			fprintf(stderr, "%s: err %d retval %u\n", names[i], err, opts.retval);
			nicsim_bench__destroy(skel);
			return 1;
		}
		printf("%s%s %.2f", i ? " " : "", names[i],
		       (double)skel->bss->syscall_ns / skel->bss->syscall_calls);
	}
	printf("\n");
	nicsim_bench__destroy(skel);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned char frame[MAX_SIZE], src[ETH_ALEN], dst[ETH_ALEN];
	unsigned long long sent = 0, dropped = 0, calls_ns, calls_frames;
	int tx_ifindex, rx_ifindex, size, ncpus, err, i;
	struct bpf_program *rx_prog;
	struct nicsim_bench *skel;
	double seconds, t0, t;
	__u64 *percpu;
	__u32 key = 0;

	if (argc == 3 && !strcmp(argv[1], "syscall"))
		return syscall_costs(argv[2]);
	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: %s TX_DEV RX_DEV SIZE SECONDS [RX_PROG]\n"
			"       %s syscall DEV\n", argv[0], argv[0]);
		return 2;
	}
	tx_ifindex = if_nametoindex(argv[1]);
	rx_ifindex = if_nametoindex(argv[2]);
	size = atoi(argv[3]);
	seconds = atof(argv[4]);
	if (!tx_ifindex || !rx_ifindex || get_mac(argv[1], src) || get_mac(argv[2], dst)) {
		fprintf(stderr, "no such devices: %s, %s\n", argv[1], argv[2]);
		return 2;
	}
	if (size < 60 || size > MAX_SIZE || seconds <= 0) {
		fprintf(stderr, "SIZE must be 60..%d and SECONDS positive\n", MAX_SIZE);
		return 2;
	}
	ncpus = libbpf_num_possible_cpus();
	percpu = calloc(ncpus, sizeof(*percpu));
	skel = nicsim_bench__open();
	if (!percpu || !skel)
		return 1;
	skel->rodata->out_ifindex = tx_ifindex;
	if (argc == 6) {
		char name[64];

		snprintf(name, sizeof(name), "bench_%s", argv[5]);
		rx_prog = bpf_object__find_program_by_name(skel->obj, name);
	} else {
		rx_prog = skel->progs.bench_drop;
	}
	if (!rx_prog) {
		fprintf(stderr, "no program bench_%s\n", argv[5]);
		nicsim_bench__destroy(skel);
		return 2;
	}
	err = nicsim_bench__load(skel);
	if (!err)
		err = bpf_xdp_attach(rx_ifindex, bpf_program__fd(rx_prog),
				     XDP_FLAGS_DRV_MODE, NULL);
	/*
	 * Each BPF_PROG_RUN with live frames puts its program into the XDP
	 * dispatcher and takes it out again: the dispatcher's code is patched
	 * twice per run while the receiving end's NAPI may be running it on
	 * another CPU, which under qemu TCG ended in "Oops: int3 at
	 * bpf_dispatcher_xdp_func". Attached to TX_DEV for the whole run (it
	 * receives nothing), the generator stays in the dispatcher and a run
	 * only takes a reference: nothing is patched.
	 */
	if (!err)
		err = bpf_xdp_attach(tx_ifindex, bpf_program__fd(skel->progs.bench_gen),
				     XDP_FLAGS_DRV_MODE, NULL);
	if (err) {
		fprintf(stderr, "cannot load or attach: %s\n", strerror(-err));
		bpf_xdp_detach(rx_ifindex, XDP_FLAGS_DRV_MODE, NULL);
		nicsim_bench__destroy(skel);
		return 1;
	}
	build_frame(frame, size, src, dst);
	/* generate on CPU 0: the bench places the receiving end's interrupt */
	{
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(0, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}

	t0 = now();
	do {
		LIBBPF_OPTS(bpf_test_run_opts, opts,
			    .data_in = frame,
			    .data_size_in = size,
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
			    .repeat = REPEAT,
			    .batch_size = BATCH);

		err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.bench_gen), &opts);
		if (err) {
			fprintf(stderr, "BPF_PROG_RUN: %s\n", strerror(-err));
			break;
		}
		sent += REPEAT;
		t = now();
	} while (t - t0 < seconds);
	/* what is still on the cable or in a ring lands within this */
	usleep(200000);
	if (!err && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.dropped), &key, percpu))
		for (i = 0; i < ncpus; i++)
			dropped += percpu[i];
	bpf_xdp_detach(rx_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	bpf_xdp_detach(tx_ifindex, XDP_FLAGS_DRV_MODE, NULL);
	calls_ns = skel->bss->calls_ns;
	calls_frames = skel->bss->calls_frames;
	nicsim_bench__destroy(skel);
	free(percpu);
	if (err)
		return 1;
	printf("sent %llu dropped %llu seconds %.3f rate %.0f",
	       sent, dropped, t - t0, dropped / (t - t0));
	if (calls_frames)
		printf(" ns_per_frame %.1f", (double)calls_ns / calls_frames);
	printf("\n");
	return 0;
}
