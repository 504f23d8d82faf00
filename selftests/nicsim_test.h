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

/* The kernel's BIT(), which user space lacks. */
#ifndef BIT
#define BIT(nr)		(1UL << (nr))
#endif

#define NICSIM_NO_MODULE "no nicsim module (CONFIG_NICSIM=m, or set NICSIM_KO)"

/*
 * Load the module unless it is there: NICSIM_KO=path/nicsim.ko stands in
 * for an installed one. Returns 0 when it is loaded, 1 when there is no
 * module to load (the test should skip), -1 when loading failed.
 */
static inline int nicsim_load_module(void)
{
	if (!nicsim_run("[ -d /sys/bus/nicsim ]"))
		return 0;
	if (getenv("NICSIM_KO"))
		return nicsim_run("insmod \"$NICSIM_KO\"") ? -1 : 0;
	if (nicsim_run("modinfo nicsim >/dev/null 2>&1"))
		return 1;
	return nicsim_run("modprobe nicsim") ? -1 : 0;
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
		 "for n in /sys/bus/nicsim/devices/nicsim%u/net/*; do %s; done | %s",
		 id, "echo $(cat $n/dev_port) ${n##*/}", "sort -n | cut -d' ' -f2");
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
