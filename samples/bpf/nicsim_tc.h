/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by nicsim_tc.bpf.c and nicsim_tc.c. */
#ifndef _NICSIM_TC_H
#define _NICSIM_TC_H

#define MAX_TARGETS	8

/* per CPU */
struct nicsim_tc_stats {
	__u64 lb_packets[MAX_TARGETS];	/* ingress: redirected to target i */
	__u64 lb_errors;		/* bpf_redirect() refused */
	__u64 paced;			/* egress: packets given a departure time */
	__u64 paced_bytes;
	__u64 delay_ns;			/* departure time minus now, summed */
	__u64 max_delay_ns;
	__u64 horizon_drops;		/* later than the horizon: dropped */
};

#endif
