// SPDX-License-Identifier: GPL-2.0
/*
 * nicsim_guard: a runtime guard for the processes of one cgroup (v2).
 * It reports, with an audit line per event, a bind to a local port not
 * in --allow-bind (a listener nobody expected) and a connect or UDP send
 * to a destination outside --allow-dst; with --deny those calls also fail
 * with EPERM.
 *
 * Usage: nicsim_guard -c CGROUP [--allow-bind PORT]... [--allow-dst PREFIX]...
 *                     [--deny] [-d SECONDS] [--json]
 */
#define _GNU_SOURCE
#include <argp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
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
#include "nicsim_guard.h"
#include "nicsim_guard.skel.h"

#define MAX_RULES	64

static struct env {
	const char *cgroup;
	long bind_ports[MAX_RULES];
	int nbind;
	const char *dsts[MAX_RULES];
	int ndst;
	bool deny;
	long duration;
	bool json;
} env;

static atomic_bool exiting;
static const char *const op_names[] = { "bind", "connect", "sendmsg" };

static const struct argp_option options[] = {
	{ "cgroup", 'c', "PATH", 0, "the cgroup v2 directory to guard", 0 },
	{ "allow-bind", 'b', "PORT", 0, "a local port its processes may bind (repeat)", 0 },
	{ "allow-dst", 'a', "PREFIX", 0,
	  "a destination prefix they may connect or send to (repeat)", 0 },
	{ "deny", 'D', NULL, 0, "make unexpected calls fail with EPERM (default: audit only)", 0 },
	{ "duration", 'd', "SECONDS", 0, "exit after SECONDS", 0 },
	{ "json", 'j', NULL, 0, "one JSON object per line", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'c':
		env.cgroup = arg;
		break;
	case 'b':
		if (env.nbind == MAX_RULES)
			argp_error(state, "at most %d ports", MAX_RULES);
		env.bind_ports[env.nbind++] = nicsim_arg_number(state, key, arg, 65535);
		break;
	case 'a':
		if (env.ndst == MAX_RULES)
			argp_error(state, "at most %d prefixes", MAX_RULES);
		env.dsts[env.ndst++] = arg;
		break;
	case 'D':
		env.deny = true;
		break;
	case 'd':
		env.duration = nicsim_arg_number(state, key, arg, 86400);
		break;
	case 'j':
		env.json = true;
		break;
	case ARGP_KEY_END:
		if (!env.cgroup)
			argp_error(state, "-c CGROUP is required");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* "ADDR[/LEN]", IPv4 kept as ::ffff:a.b.c.d; -EINVAL if malformed. */
static int parse_prefix(const char *text, struct lpm_key *key)
{
	unsigned char addr[16];
	int family, len, err;

	memset(key, 0, sizeof(*key));
	err = nicsim_parse_prefix(text, &family, addr, &len);
	if (err)
		return err;
	if (family == AF_INET6) {
		memcpy(key->addr, addr, 16);
		key->prefixlen = len;
		return 0;
	}
	key->addr[10] = 0xff;
	key->addr[11] = 0xff;
	memcpy(&key->addr[12], addr, 4);
	key->prefixlen = 96 + len;
	return 0;
}

static void on_signal(int sig)
{
	atomic_store(&exiting, true);
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct guard_event *e = data;
	char addr[INET6_ADDRSTRLEN];
	const char *proto = e->proto == IPPROTO_TCP ? "tcp" :
			    e->proto == IPPROTO_UDP ? "udp" : "other";

	if (size < sizeof(*e))
		return 0;
	inet_ntop(e->family, e->addr, addr, sizeof(addr));
	if (env.json) {
		printf("{\"type\":\"audit\",\"ts_ns\":%llu,\"pid\":%u,\"uid\":%u,",
		       (unsigned long long)e->ts, e->pid, e->uid);
		printf("\"comm\":\"%s\",\"op\":\"%s\",\"proto\":\"%s\",",
		       e->comm, op_names[e->op % 3], proto);
		printf("\"addr\":\"%s\",\"port\":%u,\"verdict\":\"%s\"}\n",
		       addr, e->port, e->denied ? "denied" : "audited");
	} else {
		printf("%-7s pid %-7u uid %-5u %-16s %-7s %s %s%s%s:%u\n",
		       e->denied ? "DENIED" : "AUDIT", e->pid, e->uid, e->comm,
		       op_names[e->op % 3], proto,
		       e->family == AF_INET6 ? "[" : "", addr,
		       e->family == AF_INET6 ? "]" : "", e->port);
	}
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct argp argp = {
		.options = options,
		.parser = parse_arg,
		.doc = "Audit, and optionally deny, a cgroup's unexpected binds and connections.",
	};
	struct bpf_program *prog;
	struct bpf_link *links[8] = {};
	struct ring_buffer *rb = NULL;
	struct nicsim_guard *skel;
	int cg, err = 0, i, nlinks = 0, ncpu;
	time_t start;
	__u8 one = 1;

	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return err;
	cg = open(env.cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cg < 0) {
		fprintf(stderr, "%s: %s\n", env.cgroup, strerror(errno));
		return 1;
	}
	skel = nicsim_guard__open();
	if (!skel) {
		close(cg);
		return 1;
	}
	skel->rodata->enforce = env.deny;
	err = nicsim_guard__load(skel);
	if (err) {
		fprintf(stderr, "cannot load the BPF programs: %d\n", err);
		goto out;
	}
	for (i = 0; i < env.nbind; i++) {
		__u16 port = env.bind_ports[i];

		bpf_map__update_elem(skel->maps.bind_ports, &port, sizeof(port),
				     &one, sizeof(one), BPF_ANY);
	}
	for (i = 0; i < env.ndst; i++) {
		struct lpm_key key;

		if (parse_prefix(env.dsts[i], &key)) {
			fprintf(stderr, "bad prefix '%s'\n", env.dsts[i]);
			err = -EINVAL;
			goto out;
		}
		bpf_map__update_elem(skel->maps.destinations, &key, sizeof(key),
				     &one, sizeof(one), BPF_ANY);
	}
	bpf_object__for_each_program(prog, skel->obj) {
		links[nlinks] = bpf_program__attach_cgroup(prog, cg);
		if (!links[nlinks]) {
			err = -errno;
			fprintf(stderr, "cannot attach %s to %s: %s\n",
				bpf_program__name(prog), env.cgroup,
				strerror(-err));
			goto out;
		}
		nlinks++;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.audit), on_event, NULL,
			      NULL);
	if (!rb) {
		err = -errno;
		goto out;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (env.json) {
		printf("{\"type\":\"start\",\"cgroup\":\"%s\",\"deny\":%s,",
		       env.cgroup, env.deny ? "true" : "false");
		printf("\"allow_bind\":%d,\"allow_dst\":%d}\n", env.nbind,
		       env.ndst);
	} else {
		printf("Guarding %s (%s): %d allowed ports, ", env.cgroup,
		       env.deny ? "deny" : "audit only", env.nbind);
		printf("%d allowed destinations. Ctrl-C to end.\n", env.ndst);
	}
	fflush(stdout);
	start = time(NULL);
	while (!atomic_load(&exiting)) {
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR)
			break;
		err = 0;
		if (env.duration && time(NULL) - start >= env.duration)
			break;
	}
	ring_buffer__consume(rb);
	ncpu = libbpf_num_possible_cpus();
	{
		unsigned long long c[GC_NR] = {};
		__u64 vals[ncpu];
		__u32 k;

		for (k = 0; k < GC_NR; k++)
			if (!bpf_map__lookup_elem(skel->maps.counters, &k, sizeof(k),
						  vals, sizeof(vals), 0))
				for (i = 0; i < ncpu; i++)
					c[k] += vals[i];
		if (env.json) {
			printf("{\"type\":\"summary\",\"allowed\":%llu,\"audited\":%llu,",
			       c[GC_ALLOWED], c[GC_AUDITED]);
			printf("\"denied\":%llu,\"lost\":%llu}\n", c[GC_DENIED],
			       c[GC_LOST]);
		} else {
			printf("%llu allowed, %llu audited, %llu denied, %llu audit events lost\n",
			       c[GC_ALLOWED], c[GC_AUDITED], c[GC_DENIED], c[GC_LOST]);
		}
	}
out:
	ring_buffer__free(rb);
	for (i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	nicsim_guard__destroy(skel);
	close(cg);
	return err ? 1 : 0;
}
