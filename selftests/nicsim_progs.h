/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel functions that the BPF programs in progs/ call and that neither
 * vmlinux.h nor nicsim_kfuncs.h declares. Include after vmlinux.h and
 * bpf_helpers.h.
 */
#ifndef _NICSIM_PROGS_H
#define _NICSIM_PROGS_H

void *bpf_cast_to_kern_ctx(void *obj) __ksym;

#endif
