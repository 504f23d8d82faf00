/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the user-space halves of nicsim's samples, and by the
 * C kselftests in tools/testing/selftests/drivers/net/nicsim/.
 */
#ifndef _NICSIM_COMMON_H
#define _NICSIM_COMMON_H

#include <argp.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* The number 1..@max in option -@key's @arg, or an argp error. */
static inline long nicsim_arg_number(struct argp_state *state, int key,
				     const char *arg, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *end || end == arg || v <= 0 || v > max)
		argp_error(state, "-%c needs a number 1..%ld, not '%s'", key,
			   max, arg);
	return v;
}

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

/*
 * A nicsim port: its driver, as ethtool reports it in the current network
 * namespace (sysfs would show the one it was mounted in, not the one
 * setns() entered).
 */
static inline bool nicsim_is_port(const char *ifname)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = { .ifr_data = (void *)&info };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok;

	if (fd < 0)
		return false;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ok = !ioctl(fd, SIOCETHTOOL, &ifr) && !strcmp(info.driver, "nicsim");
	close(fd);
	return ok;
}

/*
 * "ADDR[/LEN]", IPv4 or IPv6: its family, address (4 or 16 bytes of
 * @addr, the rest zero) and length (the whole address when none is
 * given). Returns 0, or -EINVAL if it is malformed.
 */
static inline int nicsim_parse_prefix(const char *text, int *family,
				      unsigned char addr[16], int *len)
{
	char buf[INET6_ADDRSTRLEN + 1], *slash, *end;
	long n = -1, max;

	snprintf(buf, sizeof(buf), "%s", text);
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		n = strtol(slash + 1, &end, 10);
		if (*end || end == slash + 1 || n < 0)
			return -EINVAL;
	}
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1) {
		*family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, buf, addr) == 1) {
		*family = AF_INET6;
		max = 128;
	} else {
		return -EINVAL;
	}
	if (n > max)
		return -EINVAL;
	*len = n < 0 ? max : n;
	return 0;
}

/* Enter network namespace @name (NULL or "": the one @home is), or fail. */
static inline int nicsim_enter_netns(const char *name, int home)
{
	char path[128];
	int fd, err;

	if (!name || !*name)
		return setns(home, CLONE_NEWNET) ? -errno : 0;
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = setns(fd, CLONE_NEWNET) ? -errno : 0;
	close(fd);
	return err;
}

/*
 * Run SYSCALL program @prog_fd once, with @ctx (@size bytes) in and out:
 * how user space calls bpf_nicsim_queue_state(). Returns 0 or -errno.
 */
static inline int nicsim_run_syscall_prog(int prog_fd, void *ctx, size_t size)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = ctx,
		    .ctx_size_in = size);

	return bpf_prog_test_run_opts(prog_fd, &opts) ? -errno : 0;
}

#endif
