# SPDX-License-Identifier: GPL-2.0
# nicsim: the two commands, and the steps they are made of.
#
#   make demo    boot the VM, send traffic through nicsim, print timelines
#   make check   every kselftest on the debug kernel, then checkpatch
#   make bench   the benchmark suite against veth (scripts/bench), then
#                BENCHMARKS.md and its charts (scripts/bench-report)
#   make soak    the soak test alone, DURATION seconds (default 600), debug kernel
#   make upstream  upstream's driver tests that need a real NIC's packet
#                rates (hw/pp_alloc_fail.py, hw/rss_ctx.py), default kernel
#   make patches write the series against Linux 6.12 into patches/
#
# KDIR=/path/to/built/kernel uses that tree instead of the cached 6.12.
# (`make -C $KDIR M=$PWD` builds just the module: Kbuild is its entry.)

FLAVOUR ?= default

all: module

demo:
	@scripts/demo

check:
	@scripts/check

patches:
	@scripts/install-deps && scripts/make-patches

# Individual steps
deps:
	@scripts/install-deps
kernel:
	@scripts/kernel-build $(FLAVOUR)
prepare module:
	@scripts/prepare $(FLAVOUR)
shell:
	@scripts/prepare $(FLAVOUR) >/dev/null && scripts/vm-run --flavour $(FLAVOUR)
RUNS ?= 5
SECS ?= 3
bench:
	@scripts/prepare $(FLAVOUR) >/dev/null && \
		ko=$$(scripts/build-notrace $(FLAVOUR)) && \
		scripts/vm-run --flavour $(FLAVOUR) --timeout 7200 -- \
		env NICSIM_NOTRACE_KO=$$ko scripts/bench $(RUNS) $(SECS) && \
		scripts/bench-report

DURATION ?= 600
soak:
	@scripts/prepare debug >/dev/null && \
		scripts/vm-run --flavour debug --timeout $$(($(DURATION) + 900)) -- \
		env NICSIM_SOAK_SECONDS=$(DURATION) \
		NICSIM_KSFT_TIMEOUT=$$(($(DURATION) + 600)) \
		scripts/run-selftests nicsim_soak.sh

UPSTREAM_TESTS ?= hw/pp_alloc_fail.py,hw/rss_ctx.py
upstream:
	@scripts/prepare default >/dev/null && \
		scripts/vm-run --flavour default --timeout 3600 -- \
		env NICSIM_UPSTREAM_TESTS=$(UPSTREAM_TESTS) \
		NICSIM_UPSTREAM_TIMEOUT=900 NICSIM_KSFT_TIMEOUT=2400 \
		scripts/run-selftests nicsim_upstream.sh

clean:
	rm -rf kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/.*.cmd \
		Module.symvers modules.order .*.cmd kmod/modules.order

.PHONY: all demo check patches deps kernel prepare module shell bench soak upstream clean
