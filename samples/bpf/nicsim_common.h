/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by the user-space halves of nicsim's samples. */
#ifndef _NICSIM_COMMON_H
#define _NICSIM_COMMON_H

#include <argp.h>
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
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

#endif
