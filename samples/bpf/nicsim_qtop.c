// SPDX-License-Identifier: GPL-2.0
/*
 * nicsim_qtop: top for the queues of nicsim ports. Every INTERVAL it
 * prints, per queue pair: interrupts per second and the RX and TX
 * completions each one covered (how well moderation batches them), NAPI
 * polls per second, frames per poll and polls that used their whole
 * budget, and from bpf_nicsim_queue_state() the RX buffers posted and not
 * yet filled, the TX descriptors in flight, the completions latched for
 * the next interrupt and the moderation settings.
 *
 * The ports are looked up in the namespace it runs in (ip netns exec).
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "nicsim_common.h"
#include "nicsim_qtop.h"
#include "nicsim_qtop.skel.h"

#define MAX_PORTS	16
#define MAX_QUEUES	16

static struct env {
	char ports[MAX_PORTS][IF_NAMESIZE];
	int ifindex[MAX_PORTS];
	int nports;
	long interval;
	long iterations;
	bool batch;
	bool json;
} env = { .interval = 1 };

static atomic_bool exiting;

static const struct argp_option options[] = {
	{ "interface", 'i', "IFNAME", 0,
	  "a nicsim port (repeat; default: every nicsim port here)", 0 },
	{ "interval", 'I', "SECONDS", 0, "refresh every SECONDS (default 1)", 0 },
	{ "iterations", 'n', "N", 0, "exit after N refreshes", 0 },
	{ "batch", 'b', NULL, 0, "do not clear the screen", 0 },
	{ "json", 'j', NULL, 0, "one JSON object per refresh", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'i':
		if (env.nports == MAX_PORTS)
			argp_error(state, "at most %d ports", MAX_PORTS);
		if (!*arg || strlen(arg) >= IF_NAMESIZE)
			argp_error(state, "bad interface name '%s'", arg);
		snprintf(env.ports[env.nports++], IF_NAMESIZE, "%s", arg);
		break;
	case 'I':
		env.interval = nicsim_arg_number(state, key, arg, 1000000);
		break;
	case 'n':
		env.iterations = nicsim_arg_number(state, key, arg, 1000000);
		break;
	case 'b':
		env.batch = true;
		break;
	case 'j':
		env.json = true;
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

/* The stats of one queue pair, summed over the CPUs. */
static void read_stats(int fd, __u64 key, struct qstats *out)
{
	int ncpu = libbpf_num_possible_cpus(), c;
	struct qstats vals[ncpu];

	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(fd, &key, vals))
		return;
	for (c = 0; c < ncpu; c++) {
		out->irqs += vals[c].irqs;
		out->rx_batch += vals[c].rx_batch;
		out->tx_batch += vals[c].tx_batch;
		out->polls += vals[c].polls;
		out->work += vals[c].work;
		out->full_polls += vals[c].full_polls;
	}
}

static int queue_state(struct nicsim_qtop *skel, __u32 ifindex, __u32 queue,
		       struct qstate_args *args)
{
	int err;

	memset(args, 0, sizeof(*args));
	args->ifindex = ifindex;
	args->queue = queue;
	err = nicsim_run_syscall_prog(bpf_program__fd(skel->progs.qtop_state),
				      args, sizeof(*args));
	return err ?: args->err;
}

static double per(__u64 a, __u64 b)
{
	return b ? (double)a / b : 0.0;
}

static void print_refresh(struct nicsim_qtop *skel,
			  struct qstats prev[MAX_PORTS][MAX_QUEUES], double secs)
{
	int fd = bpf_map__fd(skel->maps.stats), p, q, rows = 0;
	time_t now = time(NULL);
	char tbuf[16];

	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", localtime(&now));
	if (env.json) {
		printf("{\"type\":\"refresh\",\"time\":\"%s\",\"queues\":[", tbuf);
	} else {
		if (!env.batch)
			printf("\033[H\033[J");
		printf("nicsim_qtop - %s, every %lds\n", tbuf, env.interval);
		printf("%-10s %2s %8s %7s %7s %8s %9s %5s %6s %6s %6s %s\n",
		       "IFACE", "Q", "IRQ/s", "RX/IRQ", "TX/IRQ", "POLL/s",
		       "WORK/POLL", "FULL%", "RXFILL", "TXINFL", "LATCH",
		       "RX-USECS/FR");
	}
	for (p = 0; p < env.nports; p++) {
		for (q = 0; q < MAX_QUEUES; q++) {
			struct qstats s, d;
			struct qstate_args a;
			__u64 key = (__u64)env.ifindex[p] << 32 | q;

			if (queue_state(skel, env.ifindex[p], q, &a))
				break;	/* -ERANGE: past the last queue */
			read_stats(fd, key, &s);
			d.irqs = s.irqs - prev[p][q].irqs;
			d.rx_batch = s.rx_batch - prev[p][q].rx_batch;
			d.tx_batch = s.tx_batch - prev[p][q].tx_batch;
			d.polls = s.polls - prev[p][q].polls;
			d.work = s.work - prev[p][q].work;
			d.full_polls = s.full_polls - prev[p][q].full_polls;
			prev[p][q] = s;
			if (env.json) {
				printf("%s{\"ifname\":\"%s\",\"queue\":%d,",
				       rows ? "," : "", env.ports[p], q);
				printf("\"irqs\":%llu,\"irq_per_s\":%.1f,",
				       (unsigned long long)d.irqs, d.irqs / secs);
				printf("\"rx_per_irq\":%.2f,\"tx_per_irq\":%.2f,",
				       per(d.rx_batch, d.irqs),
				       per(d.tx_batch, d.irqs));
				printf("\"polls\":%llu,\"polls_per_s\":%.1f,",
				       (unsigned long long)d.polls, d.polls / secs);
				printf("\"work_per_poll\":%.2f,\"full_polls\":%llu,",
				       per(d.work, d.polls),
				       (unsigned long long)d.full_polls);
				printf("\"rx_frames_polled\":%llu,",
				       (unsigned long long)d.work);
				printf("\"running\":%u,\"ring_size\":%u,",
				       a.state.running, a.state.ring_size);
				printf("\"rx_fill\":%u,\"tx_inflight\":%u,",
				       a.state.rx_fill, a.state.tx_inflight);
				printf("\"rx_latched\":%u,\"tx_latched\":%u,",
				       a.state.rx_latched, a.state.tx_latched);
				printf("\"irq_enabled\":%u,\"irq_masked\":%u,",
				       a.state.irq_enabled, a.state.irq_masked);
				printf("\"rx_usecs\":%u,\"rx_frames\":%u,",
				       a.state.rx_usecs, a.state.rx_frames);
				printf("\"tx_usecs\":%u,\"tx_frames\":%u,",
				       a.state.tx_usecs, a.state.tx_frames);
				printf("\"rx_packets\":%llu,\"tx_packets\":%llu}",
				       (unsigned long long)a.state.rx_packets,
				       (unsigned long long)a.state.tx_packets);
			} else {
				printf("%-10s %2d %8.1f %7.2f %7.2f %8.1f ",
				       env.ports[p], q, d.irqs / secs,
				       per(d.rx_batch, d.irqs),
				       per(d.tx_batch, d.irqs), d.polls / secs);
				printf("%9.2f %5.0f %6u %6u %6u %7u/%u\n",
				       per(d.work, d.polls),
				       100.0 * per(d.full_polls, d.polls),
				       a.state.rx_fill, a.state.tx_inflight,
				       a.state.rx_latched + a.state.tx_latched,
				       a.state.rx_usecs, a.state.rx_frames);
			}
			rows++;
		}
	}
	printf(env.json ? "]}\n" : "");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = options,
		.parser = parse_arg,
		.doc = "Per-queue interrupt, NAPI and ring activity of nicsim ports, like top.",
	};
	static struct qstats prev[MAX_PORTS][MAX_QUEUES];
	struct nicsim_qtop *skel;
	struct timespec t0, t1;
	int err, i;
	long n = 0;

	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return err;
	if (!env.nports) {
		struct if_nameindex *ifs = if_nameindex(), *it;

		for (it = ifs; it && it->if_index && env.nports < MAX_PORTS; it++)
			if (nicsim_is_port(it->if_name))
				snprintf(env.ports[env.nports++], IF_NAMESIZE,
					 "%s", it->if_name);
		if_freenameindex(ifs);
	}
	if (!env.nports) {
		fprintf(stderr, "no nicsim port here: name one with -i\n");
		return 1;
	}
	for (i = 0; i < env.nports; i++) {
		env.ifindex[i] = if_nametoindex(env.ports[i]);
		if (!env.ifindex[i] || !nicsim_is_port(env.ports[i])) {
			fprintf(stderr, "%s: not a nicsim port\n", env.ports[i]);
			return 1;
		}
	}
	skel = nicsim_qtop__open_and_load();
	if (!skel) {
		fprintf(stderr, "cannot load the BPF programs (is nicsim loaded?)\n");
		return 1;
	}
	err = nicsim_qtop__attach(skel);
	if (err) {
		fprintf(stderr, "cannot attach: %d\n", err);
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (env.json)
		printf("{\"type\":\"start\",\"ports\":%d}\n", env.nports);
	else
		printf("nicsim_qtop: watching %d port%s\n", env.nports,
		       env.nports > 1 ? "s" : "");
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!atomic_load(&exiting) &&
	       (!env.iterations || n < env.iterations)) {
		sleep(env.interval);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		print_refresh(skel, prev, (t1.tv_sec - t0.tv_sec) +
			      (t1.tv_nsec - t0.tv_nsec) / 1e9);
		t0 = t1;
		n++;
	}
out:
	nicsim_qtop__destroy(skel);
	return err ? 1 : 0;
}
