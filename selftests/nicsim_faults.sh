#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The wire and fault injection (debugfs): latency delays frames, and each
# injected fault (wire drop, TX DMA-map failure, RX refill failure, RX
# stall, a bad RX length, lost interrupt) is counted where hardware or driver would count
# it, loses only what it must, and traffic recovers when it stops. Leaks
# and splats are caught by the VM runner's kmemleak and dmesg scan.

. "$(dirname "$0")/nicsim_lib.sh"

trap nicsim_cleanup EXIT

ktap_print_header
nicsim_require
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair || ktap_exit_fail_msg "cannot set up a port pair"
[ -d /sys/kernel/debug/nicsim ] || ktap_exit_fail_msg "no /sys/kernel/debug/nicsim"
dbg=/sys/kernel/debug/nicsim/nicsim$ID
[ -d "$dbg/port0/fail_wire_drop" ] || {
	ktap_skip_all "optional: needs CONFIG_FAULT_INJECTION_DEBUG_FS"
	exit "$KSFT_SKIP"
}
ktap_set_plan 7
ip netns exec "$NS0" ping -q -c 1 -W 5 10.0.0.2 >/dev/null	# resolve ARP

# stat PORT NAME: an ethtool -S counter of port 0 or 1, over all queues
stat() {
	if [ "$1" = 1 ]; then
		nicsim_ethtool_stat "$NS1" "$IF1" "$2"
	else
		nicsim_ethtool_stat "$NS0" "$IF0" "$2"
	fi
}
# inject PORT FAULT TIMES: fail the next TIMES opportunities, quietly
inject() {
	local f=$dbg/port$1/$2

	echo 0 >"$f/verbose"
	echo 100 >"$f/probability"
	echo 1 >"$f/interval"
	echo "$3" >"$f/times"
}
# lost_between LOST MAX: at least one and at most MAX pings were lost (a
# fault may also hit an ARP or neighbour frame)
lost_between() { [ "$1" -ge 1 ] && [ "$1" -le "$2" ]; }
# received COUNT: how many of COUNT pings 0.1 s apart got a reply
received() {
	ip netns exec "$NS0" ping -c "$1" -i 0.1 -W 2 10.0.0.2 2>/dev/null |
		awk '/packets transmitted/ { print $4 }'
}
min_rtt() {
	ip netns exec "$NS0" ping -c 3 -i 0.2 -W 5 10.0.0.2 |
		awk -F'[/ ]' '/^rtt/ { print int($7) }'
}

latency() {
	local slow fast

	echo 30000 >"$dbg/port0/wire_latency_us"
	slow=$(min_rtt)
	echo 0 >"$dbg/port0/wire_latency_us"
	fast=$(min_rtt)
	ktap_print_msg "min RTT: ${slow} ms with 30 ms on one direction, ${fast} ms without"
	[ "$slow" -ge 30 ] && [ "$fast" -lt 30 ]
}
ktap_test_result "wire_latency_us delays the frames one port sends" latency

# fault_loses PORT FAULT TIMES COUNTER: inject TIMES faults on PORT during
# 10 pings; the counter grows by exactly TIMES, at least one and at most
# TIMES pings are lost, and 5 more pings all pass.
fault_loses() {
	local before got

	before=$(stat "$1" "$4")
	inject "$1" "$2" "$3"
	got=$(received 10)
	ktap_print_msg "$2: $got of 10 replies, $4 +$(( $(stat "$1" "$4") - before ))"
	lost_between $((10 - got)) "$3" &&
		[ $(( $(stat "$1" "$4") - before )) -eq "$3" ] &&
		[ "$(received 5)" -eq 5 ]
}
ktap_test_result "fail_wire_drop: 4 frames lost on the cable and counted, then recovery" \
	fault_loses 0 fail_wire_drop 4 tx_wire_drops
ktap_test_result "fail_tx_dma_map: 3 frames dropped and counted, then recovery" \
	fault_loses 0 fail_tx_dma_map 3 dma_map_errors
ktap_test_result "fail_rx_stall: 5 frames dropped by the device, then recovery" \
	fault_loses 1 fail_rx_stall 5 rx_stalled
# the device writes back a length one past the buffer: the driver must not
# build an skb past its buffer (skb_over_panic) but discard the frame
ktap_test_result "fail_rx_bad_len: 3 frames with a bad length discarded, then recovery" \
	fault_loses 1 fail_rx_bad_len 3 discards

rx_refill() {
	local before

	before=$(stat 1 alloc_errors)
	inject 1 fail_rx_refill 2000
	# every buffer the ring had is used up: the rest cannot be received
	ip netns exec "$NS0" ping -q -c 300 -i 0.002 -W 1 10.0.0.2 >/dev/null 2>&1
	ktap_print_msg "RX refill: alloc_errors +$(( $(stat 1 alloc_errors) - before ))," \
		"rx_no_buffer $(stat 1 rx_no_buffer)"
	echo 0 >"$dbg/port1/fail_rx_refill/times"
	# an empty ring interrupts no more: the driver's watchdog (500 ms)
	# polls and refills it
	nicsim_wait eval 'ip netns exec "$NS0" ping -q -c 1 -W 1 10.0.0.2 >/dev/null'
	[ $(( $(stat 1 alloc_errors) - before )) -gt 0 ] &&
		[ "$(received 5)" -eq 5 ]
}
ktap_test_result "fail_rx_refill: allocation failures counted, RX recovers" rx_refill

lost_irq() {
	local before_lost before_wd got

	before_lost=$(stat 1 irqs_lost)
	before_wd=$(stat 1 irq_watchdog)
	inject 1 fail_lost_irq 1
	got=$(ip netns exec "$NS0" ping -c 1 -W 5 10.0.0.2 |
		awk '/packets transmitted/ { print $4 }')
	ktap_print_msg "lost IRQ: $got reply," \
		"irqs_lost +$(( $(stat 1 irqs_lost) - before_lost ))," \
		"irq_watchdog +$(( $(stat 1 irq_watchdog) - before_wd ))"
	[ "$got" -eq 1 ] && [ $(( $(stat 1 irqs_lost) - before_lost )) -eq 1 ] &&
		[ $(( $(stat 1 irq_watchdog) - before_wd )) -ge 1 ] &&
		[ "$(received 5)" -eq 5 ]
}
ktap_test_result "fail_lost_irq: the driver's watchdog recovers the queue" lost_irq

ktap_finished
