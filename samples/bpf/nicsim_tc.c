// SPDX-License-Identifier: GPL-2.0
/*
 * nicsim_tc: TC on a nicsim port. With --target, packets arriving on the
 * port are spread round robin over the target ports' egress (bpf_redirect
 * from tcx ingress). With --rate, packets leaving the port are paced to
 * RATE with earliest departure times (skb->tstamp) that the fq qdisc
 * enforces; --fq installs fq on the port for as long as the sample runs.
 *
 * Usage: nicsim_tc -i IFNAME [-t TARGET]... [-r RATE [--fq]] [-I SECONDS]
 *                  [-d SECONDS] [--json]
 * RATE is bits per second, with an optional k, m or g suffix.
 */
#define _GNU_SOURCE
#include <argp.h>
#include <errno.h>
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
#include "nicsim_tc.h"
#include "nicsim_tc.skel.h"

static struct env {
	const char *ifname;
	const char *targets[MAX_TARGETS];
	int ntargets;
	unsigned long long rate_bits;
	bool fq;
	long interval;
	long duration;
	bool json;
} env;

static atomic_bool exiting;

static const struct argp_option options[] = {
	{ "interface", 'i', "IFNAME", 0, "the nicsim port", 0 },
	{ "target", 't', "IFNAME", 0, "spread what arrives over these ports' egress (repeat)", 0 },
	{ "rate", 'r', "RATE", 0, "pace what leaves to RATE bits/s (k, m, g suffixes)", 0 },
	{ "fq", 'f', NULL, 0, "install the fq qdisc on the port while running", 0 },
	{ "interval", 'I', "SECONDS", 0, "print every SECONDS (default: at exit)", 0 },
	{ "duration", 'd', "SECONDS", 0, "exit after SECONDS", 0 },
	{ "json", 'j', NULL, 0, "one JSON object per line", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	unsigned long long mult = 1;
	char *end;

	switch (key) {
	case 'i':
		env.ifname = arg;
		break;
	case 't':
		if (env.ntargets == MAX_TARGETS)
			argp_error(state, "at most %d targets", MAX_TARGETS);
		env.targets[env.ntargets++] = arg;
		break;
	case 'r':
		errno = 0;
		env.rate_bits = strtoull(arg, &end, 10);
		if (*end == 'k' || *end == 'K')
			mult = 1000ULL, end++;
		else if (*end == 'm' || *end == 'M')
			mult = 1000000ULL, end++;
		else if (*end == 'g' || *end == 'G')
			mult = 1000000000ULL, end++;
		if (errno || *end || end == arg || !env.rate_bits ||
		    env.rate_bits > 100000000000ULL / mult)
			argp_error(state, "bad rate '%s' (bits/s, e.g. 800k)", arg);
		env.rate_bits *= mult;
		if (env.rate_bits < 8)
			argp_error(state, "rate below one byte per second");
		break;
	case 'f':
		env.fq = true;
		break;
	case 'I':
		env.interval = nicsim_arg_number(state, key, arg, 86400);
		break;
	case 'd':
		env.duration = nicsim_arg_number(state, key, arg, 86400);
		break;
	case 'j':
		env.json = true;
		break;
	case ARGP_KEY_END:
		if (!env.ifname)
			argp_error(state, "-i IFNAME is required");
		if (!env.ntargets && !env.rate_bits)
			argp_error(state, "nothing to do: give --target or --rate");
		if (env.fq && !env.rate_bits)
			argp_error(state, "--fq goes with --rate");
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

/* Run tc to install or remove the fq qdisc on the port. */
static int set_fq(bool on)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), on ? "tc qdisc replace dev %s root fq" :
		 "tc qdisc del dev %s root", env.ifname);
	return system(cmd) ? -1 : 0;
}

static void print_stats(struct nicsim_tc *skel, double secs,
			struct nicsim_tc_stats *prev)
{
	int ncpu = libbpf_num_possible_cpus(), c, i;
	struct nicsim_tc_stats *v = calloc(ncpu, sizeof(*v)), t = {};
	__u32 zero = 0;
	double rate;

	if (!v)
		return;
	if (!bpf_map__lookup_elem(skel->maps.stats, &zero, sizeof(zero), v,
				  ncpu * sizeof(*v), 0)) {
		for (c = 0; c < ncpu; c++) {
			for (i = 0; i < MAX_TARGETS; i++)
				t.lb_packets[i] += v[c].lb_packets[i];
			t.lb_errors += v[c].lb_errors;
			t.paced += v[c].paced;
			t.paced_bytes += v[c].paced_bytes;
			t.delay_ns += v[c].delay_ns;
			if (v[c].max_delay_ns > t.max_delay_ns)
				t.max_delay_ns = v[c].max_delay_ns;
			t.horizon_drops += v[c].horizon_drops;
		}
	}
	rate = secs > 0 ? (t.paced_bytes - prev->paced_bytes) * 8 / secs : 0;
	if (env.json) {
		printf("{\"type\":\"stats\",\"targets\":[");
		for (i = 0; i < env.ntargets; i++)
			printf("%s{\"ifname\":\"%s\",\"packets\":%llu}", i ? "," : "",
			       env.targets[i],
			       (unsigned long long)t.lb_packets[i]);
		printf("],\"lb_errors\":%llu,\"paced\":%llu,\"paced_bytes\":%llu,",
		       (unsigned long long)t.lb_errors,
		       (unsigned long long)t.paced,
		       (unsigned long long)t.paced_bytes);
		printf("\"avg_delay_us\":%.1f,\"max_delay_us\":%.1f,",
		       t.paced ? t.delay_ns / 1000.0 / t.paced : 0.0,
		       t.max_delay_ns / 1000.0);
		printf("\"horizon_drops\":%llu,\"rate_bits\":%llu,",
		       (unsigned long long)t.horizon_drops, env.rate_bits);
		printf("\"interval_bits_per_s\":%.0f}\n", rate);
	} else {
		for (i = 0; i < env.ntargets; i++)
			printf("ingress -> %-10s %10llu packets\n", env.targets[i],
			       (unsigned long long)t.lb_packets[i]);
		if (env.ntargets && t.lb_errors)
			printf("ingress redirect errors %llu\n",
			       (unsigned long long)t.lb_errors);
		if (env.rate_bits) {
			printf("egress paced to %llu bit/s: %llu packets, %llu bytes, ",
			       env.rate_bits, (unsigned long long)t.paced,
			       (unsigned long long)t.paced_bytes);
			printf("departure delay avg %.1f us max %.1f us, ",
			       t.paced ? t.delay_ns / 1000.0 / t.paced : 0.0,
			       t.max_delay_ns / 1000.0);
			printf("%llu over the horizon; %.0f bit/s since the last report\n",
			       (unsigned long long)t.horizon_drops, rate);
		}
	}
	fflush(stdout);
	*prev = t;
	free(v);
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = options,
		.parser = parse_arg,
		.doc = "Round-robin ingress redirect and EDT egress pacing on a nicsim port (tcx).",
	};
	struct bpf_link *ingress = NULL, *egress = NULL;
	struct nicsim_tc_stats prev = {};
	struct nicsim_tc *skel;
	int ifindex, err = 0, i;
	bool fq_on = false;
	struct timespec t0, t1;
	time_t start;

	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return err;
	ifindex = if_nametoindex(env.ifname);
	if (!ifindex) {
		fprintf(stderr, "%s: no such interface\n", env.ifname);
		return 1;
	}
	skel = nicsim_tc__open();
	if (!skel)
		return 1;
	for (i = 0; i < env.ntargets; i++) {
		skel->rodata->targets[i] = if_nametoindex(env.targets[i]);
		if (!skel->rodata->targets[i]) {
			fprintf(stderr, "%s: no such interface\n", env.targets[i]);
			err = -ENODEV;
			goto out;
		}
	}
	skel->rodata->ntargets = env.ntargets;
	skel->rodata->rate_bytes = env.rate_bits / 8;
	err = nicsim_tc__load(skel);
	if (err) {
		fprintf(stderr, "cannot load the BPF programs: %d\n", err);
		goto out;
	}
	if (env.fq) {
		err = set_fq(true);
		if (err) {
			fprintf(stderr, "%s: cannot install fq\n", env.ifname);
			goto out;
		}
		fq_on = true;
	}
	if (env.ntargets) {
		ingress = bpf_program__attach_tcx(skel->progs.tc_balance, ifindex,
						  NULL);
		if (!ingress) {
			err = -errno;
			fprintf(stderr, "%s: cannot attach tcx ingress\n", env.ifname);
			goto out;
		}
	}
	if (env.rate_bits) {
		egress = bpf_program__attach_tcx(skel->progs.tc_pace, ifindex,
						 NULL);
		if (!egress) {
			err = -errno;
			fprintf(stderr, "%s: cannot attach tcx egress\n", env.ifname);
			goto out;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (env.json) {
		printf("{\"type\":\"start\",\"ifname\":\"%s\",\"targets\":%d,",
		       env.ifname, env.ntargets);
		printf("\"rate_bits\":%llu,\"fq\":%s}\n", env.rate_bits,
		       fq_on ? "true" : "false");
	} else {
		printf("TC on %s: %d redirect targets, pacing %s. Ctrl-C to end.\n",
		       env.ifname, env.ntargets, env.rate_bits ? "on" : "off");
	}
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	start = time(NULL);
	while (!atomic_load(&exiting)) {
		usleep(100000);
		if (env.duration && time(NULL) - start >= env.duration)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (env.interval && t1.tv_sec - t0.tv_sec >= env.interval) {
			print_stats(skel, (t1.tv_sec - t0.tv_sec) +
				    (t1.tv_nsec - t0.tv_nsec) / 1e9, &prev);
			t0 = t1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_stats(skel, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
		    &prev);
out:
	bpf_link__destroy(ingress);
	bpf_link__destroy(egress);
	if (fq_on)
		set_fq(false);
	nicsim_tc__destroy(skel);
	return err ? 1 : 0;
}
