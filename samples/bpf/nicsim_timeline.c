// SPDX-License-Identifier: GPL-2.0
/*
 * nicsim_timeline: print the driver-level receive timeline of each frame
 * arriving on a nicsim port: device DMA write -> interrupt raised -> hard
 * IRQ -> NAPI poll -> XDP, from nicsim's tracepoints, irq:irq_handler_entry
 * and the bpf_nicsim_xdp_meta() kfunc.
 *
 * Usage: nicsim_timeline -i IFNAME [-c COUNT] [-t SECONDS]
 */
#include <argp.h>
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "nicsim_timeline.h"
#include "nicsim_timeline.skel.h"

static struct {
	const char *ifname;
	long count;
	long seconds;
} env = { .seconds = 0 };

static atomic_bool exiting;
static long printed;

static const struct argp_option options[] = {
	{ "interface", 'i', "IFNAME", 0, "nicsim port to watch (XDP is attached to it)", 0 },
	{ "count", 'c', "N", 0, "exit after N frames", 0 },
	{ "time", 't', "SECONDS", 0, "exit after SECONDS", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	char *end;

	switch (key) {
	case 'i':
		env.ifname = arg;
		break;
	case 'c':
	case 't':
		errno = 0;
		*(key == 'c' ? &env.count : &env.seconds) = strtol(arg, &end, 10);
		if (errno || *end || end == arg || strtol(arg, NULL, 10) <= 0)
			argp_error(state, "-%c needs a positive number, not '%s'",
				   key, arg);
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

static const struct argp argp = {
	.options = options,
	.parser = parse_arg,
	.doc = "Per-packet driver-level receive timeline of a nicsim port.",
};

static void on_signal(int sig)
{
	atomic_store(&exiting, true);
}

/* Offset of @ts from the DMA write, in microseconds; '-' if unseen. */
static void stage(char *buf, size_t len, __u64 ts, __u64 base)
{
	if (!ts)
		snprintf(buf, len, "%10s", "-");
	else
		snprintf(buf, len, "%+10.1f", ((double)(__s64)(ts - base)) / 1000);
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct timeline_event *e = data;
	char ifname[IF_NAMESIZE] = "?";
	char irq[16], entry[16], napi[16], xdp[16];

	if_indextoname(e->ifindex, ifname);
	stage(irq, sizeof(irq), e->irq_raise_ts, e->dma_ts);
	stage(entry, sizeof(entry), e->irq_entry_ts, e->dma_ts);
	stage(napi, sizeof(napi), e->napi_ts, e->dma_ts);
	stage(xdp, sizeof(xdp), e->xdp_ts, e->dma_ts);
	printf("%8llu %-8s %2u %4u %5u |        0.0 %s %s %s %s  irq %u cpu %u\n",
	       (unsigned long long)e->seq, ifname, e->queue, e->desc_idx,
	       e->len, irq, entry, napi, xdp, e->irq, e->irq_cpu);
	fflush(stdout);
	if (env.count && ++printed >= env.count)
		atomic_store(&exiting, true);
	return 0;
}

int main(int argc, char **argv)
{
	struct nicsim_timeline *skel;
	struct ring_buffer *rb = NULL;
	int ifindex, err;
	time_t end;

	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return 1;
	ifindex = if_nametoindex(env.ifname);
	if (!ifindex) {
		fprintf(stderr, "nicsim_timeline: no interface '%s'\n", env.ifname);
		return 1;
	}

	skel = nicsim_timeline__open_and_load();
	if (!skel) {
		fprintf(stderr,
			"nicsim_timeline: cannot load BPF programs: %s (is nicsim loaded?)\n",
			strerror(errno));
		return 1;
	}
	err = nicsim_timeline__attach(skel);
	if (err) {
		fprintf(stderr, "nicsim_timeline: cannot attach tracepoints: %d\n", err);
		goto cleanup;
	}
	err = bpf_xdp_attach(ifindex, bpf_program__fd(skel->progs.timeline_xdp),
			     XDP_FLAGS_DRV_MODE, NULL);
	if (err) {
		fprintf(stderr, "nicsim_timeline: cannot attach native XDP to %s: %s\n",
			env.ifname, strerror(-err));
		goto cleanup;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL, NULL);
	if (!rb) {
		err = -errno;
		goto detach;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("%8s %-8s %2s %4s %5s | %10s %10s %10s %10s %10s   (us after the DMA write)\n",
	       "seq", "dev", "q", "desc", "len", "DMA write", "IRQ raise",
	       "hard IRQ", "NAPI poll", "XDP");
	fflush(stdout);
	end = env.seconds ? time(NULL) + env.seconds : 0;
	while (!atomic_load(&exiting) && (!end || time(NULL) < end)) {
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "nicsim_timeline: ring buffer: %d\n", err);
			break;
		}
		err = 0;
	}
	printf("# %ld frames, %llu lost events, %llu frames without a DMA record\n",
	       printed, (unsigned long long)skel->bss->lost_events,
	       (unsigned long long)skel->bss->untracked_frames);

detach:
	bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
cleanup:
	ring_buffer__free(rb);
	nicsim_timeline__destroy(skel);
	return err ? 1 : 0;
}
