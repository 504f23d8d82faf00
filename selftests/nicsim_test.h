/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by nicsim's C selftests: shell commands, loading the
 * module, and a two-port device with both ports up in this namespace.
 */
#ifndef _NICSIM_TEST_H
#define _NICSIM_TEST_H

#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

/* Run a shell command; its exit status, or -1. */
static inline int nicsim_run(const char *cmd)
{
	int rc = system(cmd);

	return rc == -1 ? -1 : WEXITSTATUS(rc);
}

static inline int nicsim_load_module(void)
{
	return nicsim_run("[ -d /sys/bus/nicsim ] || modprobe -q nicsim 2>/dev/null || "
			  "insmod ${NICSIM_KO:-${NICSIM_OBJ:-..}/kmod/nicsim.ko}");
}

/*
 * Create device @id with two ports of @queues queue pairs, bring both up
 * and name them in port order. Returns 0 or -1.
 */
static inline int nicsim_create_pair(unsigned int id, unsigned int queues,
				     char *port0, char *port1)
{
	char cmd[512];
	FILE *f;
	int n;

	snprintf(cmd, sizeof(cmd), "echo %u 2 %u > /sys/bus/nicsim/new_device",
		 id, queues);
	if (nicsim_load_module() || nicsim_run(cmd))
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "for n in /sys/bus/nicsim/devices/nicsim%u/net/*; do "
		 "echo $(cat $n/dev_port) ${n##*/}; done | sort -n | cut -d' ' -f2",
		 id);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	n = fscanf(f, "%15s %15s", port0, port1);
	pclose(f);
	if (n != 2)
		return -1;
	snprintf(cmd, sizeof(cmd), "ip link set %s up && ip link set %s up",
		 port0, port1);
	return nicsim_run(cmd) ? -1 : 0;
}

static inline void nicsim_delete(unsigned int id)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "echo %u > /sys/bus/nicsim/del_device", id);
	nicsim_run(cmd);
}

#endif
