#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nicsim goes through the DMA API, so the kernel's dma:* tracepoints show
# its traffic: descriptor rings from dma_alloc_coherent() and back, TX
# buffers and page_pool pages mapped, and every mapping made while traced
# unmapped once the ports are down. (The debug kernel's DMA-API checks
# add theirs: a wrong unmap or a mapping left at unbind is a splat.)

. "$(dirname "$0")/nicsim_lib.sh"

trap nicsim_cleanup EXIT

ktap_print_header
nicsim_require
[ -d "$NICSIM_TRACEFS/events/dma" ] || { ktap_skip_all "no dma:* tracepoints"; exit "$KSFT_SKIP"; }
ktap_set_plan 3
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair || ktap_exit_fail_msg "cannot set up a port pair"

nicsim_trace_instance nicsim-dma
inst=$NICSIM_TRACE_INSTANCE
echo 8192 >"$inst/buffer_size_kb"
for ev in dma_map_page dma_unmap_page dma_alloc dma_free; do
	echo 1 >"$inst/events/dma/$ev/enable"
done
ip -n "$NS1" link set "$IF1" down
ip -n "$NS1" link set "$IF1" up
ip netns exec "$NS0" ping -q -c 5 -i 0.1 -W 5 10.0.0.2 >/dev/null
ip -n "$NS0" link set "$IF0" down
ip -n "$NS1" link set "$IF1" down
# unpaired: each map with no later unmap of the same address and size
# (port 0's pool mapped its pages before the trace began: their unmaps
# pair with nothing, and that is fine)
unpaired() {
	awk -v dev="nicsim$ID" '
		$0 ~ " dma_(un)?map_page: " dev " " {
			for (i = 1; i <= NF; i++) {
				if ($i ~ /^dma_addr=/) a = $i
				if ($i ~ /^size=/) s = $i
			}
			k = a " " s
			if ($0 ~ / dma_map_page: /) n[k]++
			else if (n[k] > 0) n[k]--
		}
		END {
			for (k in n) if (n[k]) { print "never unmapped: " k; bad++ }
			exit bad > 0
		}' "$inst/trace" | head -n 5
}
# pages still in flight return to their pool, whose release retries
# every second: wait for the unmaps themselves
nicsim_wait eval '[ -z "$(unpaired)" ]'
echo 0 >"$inst/tracing_on"

count() { grep -c " $1: nicsim$ID " "$inst/trace"; }
alloc=$(count dma_alloc)
free=$(count dma_free)
map=$(count dma_map_page)
unmap=$(count dma_unmap_page)
ktap_print_msg "nicsim$ID: dma_alloc $alloc, dma_free $free," \
	"dma_map_page $map, dma_unmap_page $unmap"

ktap_test_result "rings come from dma_alloc_coherent() and go back" \
	[ "$alloc" -ge 2 -a "$free" -ge "$alloc" ]
ktap_test_result "TX buffers and page_pool pages are mapped (dma_map_page)" \
	[ "$map" -ge 5 ]
unpaired=$(unpaired)
[ -n "$unpaired" ] && ktap_print_msg "$unpaired"
ktap_test_result "each mapping made while traced is unmapped, by address and size" \
	[ -z "$unpaired" ]

ktap_finished
