#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bpftrace (Debian's) attaches to nicsim's tracepoints by name, reads their
# fields and counts events: the RX DMA writes it counts for 20 pings lie
# between 20 and what the device's own counter saw meanwhile.

. "$(dirname "$0")/nicsim_lib.sh"

bt_pid=""
out=$(mktemp)
cleanup() {
	[ -n "$bt_pid" ] && kill "$bt_pid" 2>/dev/null
	rm -f "$out"
	nicsim_cleanup
}
trap cleanup EXIT

ktap_print_header
nicsim_require
command -v bpftrace >/dev/null || { ktap_skip_all "no bpftrace"; exit "$KSFT_SKIP"; }
ktap_set_plan 2
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair || ktap_exit_fail_msg "cannot set up a port pair"
ifindex=$(ip netns exec "$NS1" cat "/sys/class/net/$IF1/ifindex")
ip netns exec "$NS0" ping -q -c 1 -W 5 10.0.0.2 >/dev/null

frames0=$(nicsim_ethtool_stat "$NS1" "$IF1" rx_frames)
# "ready" from BEGIN reaches the file only once bpftrace reads its output,
# after every probe is attached
bpftrace -B line -e "
BEGIN { printf(\"ready\\n\"); }
tracepoint:nicsim:nicsim_rx_dma_write /args->ifindex == $ifindex/ {
	@dma = count();
	@bytes = sum(args->len);
}
tracepoint:nicsim:nicsim_irq_raise /args->ifindex == $ifindex/ {
	@irqs = count();
}" >"$out" 2>&1 &
bt_pid=$!
attached() {
	local _

	for _ in $(seq 120); do
		grep -q '^ready' "$out" && return 0
		kill -0 "$bt_pid" 2>/dev/null || break
		sleep 0.5
	done
	ktap_print_msg "bpftrace did not attach: $(head -c 500 "$out")"
	return 1
}
ktap_test_result "bpftrace attaches to nicsim:nicsim_rx_dma_write and nicsim_irq_raise" attached

ip netns exec "$NS0" ping -q -c 20 -i 0.05 -W 5 10.0.0.2 >/dev/null
# SIGTERM, like Ctrl-C, makes bpftrace print its maps and exit. bpftrace
# 0.17 only sees the signal when it interrupts epoll_wait(): one that lands
# between two waits sets a flag nothing reads until a probe's output arrives,
# and these probes print nothing. So signal it every second until it exits.
# Not SIGINT: after the first, bpftrace restores SIGINT's default action and
# a second one would kill it before it prints its maps.
for _ in $(seq 60); do
	kill -TERM "$bt_pid" 2>/dev/null || break
	sleep 1
done
if kill -0 "$bt_pid" 2>/dev/null; then
	ktap_print_msg "bpftrace did not exit on SIGTERM within 60 s"
	kill -KILL "$bt_pid"
fi
wait "$bt_pid"
bt_pid=""
frames=$(( $(nicsim_ethtool_stat "$NS1" "$IF1" rx_frames) - frames0 ))

counted() {
	local dma irqs bytes

	dma=$(awk '/^@dma:/ { print $2 }' "$out")
	bytes=$(awk '/^@bytes:/ { print $2 }' "$out")
	irqs=$(awk '/^@irqs:/ { print $2 }' "$out")
	ktap_print_msg "bpftrace: ${dma:-?} DMA writes (${bytes:-?} bytes)," \
		"${irqs:-?} interrupts; the device wrote $frames frames"
	[ -n "$dma" ] && [ "$dma" -ge 20 ] && [ "$dma" -le "$frames" ] &&
		[ "$bytes" -ge $((20 * 98)) ] && [ "${irqs:-0}" -ge 1 ]
}
ktap_test_result "it counts the pings' frames, and their interrupts" counted

ktap_finished
