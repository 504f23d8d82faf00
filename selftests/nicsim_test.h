/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by nicsim's C selftests: shell commands, loading the
 * module, and a two-port device with both ports up in this namespace.
 */
#ifndef _NICSIM_TEST_H
#define _NICSIM_TEST_H

#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

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
 * and name them in port order: nicsim_lib.sh's nicsim_pair_dev, the one
 * helper the shell tests use too. Returns 0 or -1.
 */
static inline int nicsim_create_pair(unsigned int id, unsigned int queues,
				     char *port0, char *port1)
{
	char cmd[PATH_MAX + 256], exe[PATH_MAX];
	ssize_t n;
	FILE *f;
	int got;

	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0 || nicsim_load_module())
		return -1;
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';	/* the directory of the tests */
	snprintf(cmd, sizeof(cmd),
		 "bash -c '. \"%s/nicsim_lib.sh\" && nicsim_pair_dev %u %u && %s'",
		 exe, id, queues,
		 "ip link set \"$IF0\" up && ip link set \"$IF1\" up && echo $IF0 $IF1");
	f = popen(cmd, "r");
	if (!f)
		return -1;
	got = fscanf(f, "%15s %15s", port0, port1);
	return pclose(f) || got != 2 ? -1 : 0;
}

static inline void nicsim_delete(unsigned int id)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "echo %u > /sys/bus/nicsim/del_device", id);
	nicsim_run(cmd);
}

#endif
