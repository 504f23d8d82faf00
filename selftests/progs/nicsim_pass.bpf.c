// SPDX-License-Identifier: GPL-2.0
/* The smallest native XDP program, for attach/detach under traffic. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

SEC("xdp")
int nicsim_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
