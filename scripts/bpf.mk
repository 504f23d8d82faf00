# SPDX-License-Identifier: GPL-2.0
# Shared rules for nicsim's libbpf programs (samples/bpf, selftests):
# name.bpf.c -> name.bpf.o -> name.skel.h, and name.c + skeleton -> name.
#
# Inputs (scripts/prepare passes them): TOOLS, the directory from
# scripts/tools-build (libbpf.a and headers, bpftool, vmlinux.h); CLANG;
# NICSIM_ROOT; OUTPUT, where everything is written.

CLANG ?= clang-19
BPFTOOL ?= $(TOOLS)/bpftool
LIBBPF_A := $(TOOLS)/libbpf/libbpf.a
LIBBPF_INC := $(TOOLS)/root/usr/include

ifeq ($(wildcard $(LIBBPF_A)),)
$(error TOOLS=$(TOOLS) has no libbpf.a: run scripts/tools-build, or use scripts/prepare)
endif

BPF_CFLAGS := -g -O2 -Wall -Werror --target=bpf -mcpu=v3 -D__TARGET_ARCH_x86 \
	      -I$(TOOLS) -I$(LIBBPF_INC) -I$(NICSIM_ROOT)/kmod
# the tree's exported uapi headers (tools-build): newer than the host's
USER_CFLAGS := -g -O2 -Wall \
	       -I$(OUTPUT) -I$(LIBBPF_INC) -I$(NICSIM_ROOT)/kmod \
	       -isystem $(TOOLS)/khdr/include
USER_LDLIBS := $(LIBBPF_A) -lelf -lz

$(OUTPUT)/%.bpf.o: %.bpf.c $(TOOLS)/vmlinux.h $(NICSIM_ROOT)/kmod/nicsim_kfuncs.h
	@mkdir -p $(OUTPUT)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(OUTPUT)/%.skel.h: $(OUTPUT)/%.bpf.o
	$(BPFTOOL) gen skeleton $< name $(notdir $*) > $@.tmp && mv $@.tmp $@
