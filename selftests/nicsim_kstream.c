// SPDX-License-Identifier: GPL-2.0
/*
 * A pwru-style streaming tracer, for nicsim's benchmarks (not a test).
 *
 *   nicsim_kstream SECONDS
 *	a kprobe on each stage function of the packet journey below, every
 *	hit streamed through a perf buffer and printed as a line on stdout
 *	(as pwru and nettrace's default mode print theirs), for SECONDS or
 *	until SIGINT; then "events N lost N" on stderr.
 *
 * It stands in for those tools in the comparison with nicsim_journey:
 * same probes per packet, same per-event transport, no filtering.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "../../../kselftest.h"
#include "nicsim_kstream.skel.h"

struct kstream_event {
	__u64 ts;
	__u64 skb;
	__u32 func;
	__u32 cpu;
	__u32 len;
	__u32 pad;
};

/* the journey's stage functions, and the argument that is the skb */
static const struct {
	const char *name;
	int skb_arg;
} funcs[] = {
	{ "__dev_queue_xmit", 1 },	/* send: the stack to the qdisc */
	{ "dev_hard_start_xmit", 1 },	/* to the driver */
	{ "napi_consume_skb", 1 },	/* TX completion */
	{ "napi_gro_receive", 2 },	/* receive: the driver to GRO */
	{ "__netif_receive_skb", 1 },
	{ "ip_rcv", 1 },
	{ "ip_local_deliver", 1 },
	{ "udp_rcv", 1 },
	{ "__udp_enqueue_schedule_skb", 2 },	/* the socket */
	{ "skb_consume_udp", 2 },	/* the application */
	{ "sk_skb_reason_drop", 2 },	/* kfree_skb_reason() */
	{ "consume_skb", 1 },
};

#define NFUNCS ARRAY_SIZE(funcs)

static atomic_bool stop;
static unsigned long long nevents, nlost;

static void on_signal(int sig)
{
	atomic_store(&stop, true);
}

static void on_event(void *ctx, int cpu, void *data, __u32 size)
{
	const struct kstream_event *e = data;

	if (size < sizeof(*e) || e->func >= NFUNCS)
		return;
	nevents++;
	printf("%llu cpu %u %-28s skb 0x%llx len %u\n", (unsigned long long)e->ts,
	       e->cpu, funcs[e->func].name, (unsigned long long)e->skb, e->len);
}

static void on_lost(void *ctx, int cpu, __u64 n)
{
	nlost += n;
}

int main(int argc, char **argv)
{
	struct nicsim_kstream *skel;
	struct perf_buffer *pb;
	time_t end;
	unsigned int i;
	int err;

	if (argc != 2 || atoi(argv[1]) <= 0) {
		fprintf(stderr, "usage: %s SECONDS\n", argv[0]);
		return 2;
	}
	end = time(NULL) + atoi(argv[1]);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	skel = nicsim_kstream__open_and_load();
	if (!skel) {
		fprintf(stderr, "cannot load the BPF programs\n");
		return 1;
	}
	for (i = 0; i < NFUNCS; i++) {
		LIBBPF_OPTS(bpf_kprobe_opts, opts, .bpf_cookie = i);
		struct bpf_program *prog = funcs[i].skb_arg == 1 ? skel->progs.skb_arg1 :
					   funcs[i].skb_arg == 2 ? skel->progs.skb_arg2 :
					   skel->progs.skb_arg3;

		if (!bpf_program__attach_kprobe_opts(prog, funcs[i].name, &opts)) {
			fprintf(stderr, "cannot attach to %s: %s\n", funcs[i].name,
				strerror(errno));
			nicsim_kstream__destroy(skel);
			return 1;
		}
	}
	pb = perf_buffer__new(bpf_map__fd(skel->maps.events), 64, on_event, on_lost,
			      NULL, NULL);
	if (!pb) {
		fprintf(stderr, "cannot open the perf buffer\n");
		nicsim_kstream__destroy(skel);
		return 1;
	}
	fprintf(stderr, "ready: %zu kprobes\n", NFUNCS);
	while (!atomic_load(&stop) && time(NULL) < end) {
		err = perf_buffer__poll(pb, 100);
		if (err < 0 && err != -EINTR)
			break;
	}
	perf_buffer__consume(pb);
	fprintf(stderr, "events %llu lost %llu\n", nevents, nlost);
	perf_buffer__free(pb);
	nicsim_kstream__destroy(skel);
	return 0;
}
