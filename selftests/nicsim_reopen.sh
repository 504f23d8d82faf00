#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Reconfiguring a running port (MTU, ring size, channels, the RX buffers
# of the first XDP program) allocates the new rings before it lets go of
# the old ones: when the allocations fail, the
# port keeps its old configuration and keeps passing traffic, and it can
# still be brought down. Counters survive reconfiguration, and a dropped
# frame is counted once.
#
# The allocations are failed with failslab and fail_page_alloc, restricted
# to the one command that reconfigures (task-filter, /proc/PID/make-it-fail)
# and to calls from nicsim's code (the stack trace filter, so that the
# command's own page faults never fail), after SPACE bytes of them: a range
# of SPACEs moves the failure through the driver's allocations.

. "$(dirname "$0")/nicsim_lib.sh"

XDP_PIN=/sys/fs/bpf/nicsim_reopen_$$
FAILSLAB=/sys/kernel/debug/failslab
FAILPAGE=/sys/kernel/debug/fail_page_alloc

fail_off() {
	local f

	for f in "$FAILSLAB" "$FAILPAGE"; do
		[ -d "$f" ] || continue
		echo 0 >"$f/probability"
		echo 0 >"$f/space"
	done
}
cleanup() {
	fail_off
	rm -f "$XDP_PIN"
	nicsim_cleanup
}
trap cleanup EXIT

ktap_print_header
nicsim_require ethtool
if [ ! -e "$FAILSLAB/require-start" ] || [ ! -d "$FAILPAGE" ]; then
	ktap_skip_all "optional: needs CONFIG_FAILSLAB, CONFIG_FAIL_PAGE_ALLOC" \
		"and CONFIG_FAULT_INJECTION_STACKTRACE_FILTER"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 7
[ -x "$BPFTOOL" ] || ktap_exit_fail_msg "no bpftool"
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
# nicsim's text, from its symbols (16 hex digits: they sort as text)
syms=$(awk '$4 == "[nicsim]" && ($2 == "t" || $2 == "T") { print $1 }' /proc/kallsyms | sort)
TEXT_START=0x$(echo "$syms" | head -n1)
TEXT_END=0x$(printf '%x' $(( 16#$(echo "$syms" | tail -n1) + 4096 )))
[ "$TEXT_START" != 0x ] && [ "$TEXT_START" != 0x0000000000000000 ] ||
	ktap_exit_fail_msg "cannot find nicsim's text in /proc/kallsyms"
nicsim_pair 2 || ktap_exit_fail_msg "cannot set up a port pair"

ping_ok() {
	ip netns exec "$NS0" ping -q -c 3 -i 0.1 -W 2 10.0.0.2 >/dev/null
}
ping_ok || ktap_exit_fail_msg "no traffic before the test"

# failing SPACE CMD...: run CMD in namespace NS1 with every allocation
# after its first SPACE bytes failing. Returns CMD's status.
failing() {
	local space=$1 f
	shift

	for f in "$FAILSLAB" "$FAILPAGE"; do
		echo 0 >"$f/verbose"
		echo Y >"$f/task-filter"
		echo N >"$f/ignore-gfp-wait"
		echo 1 >"$f/interval"
		echo -1 >"$f/times"
		echo "$space" >"$f/space"
		echo "$TEXT_START" >"$f/require-start"
		echo "$TEXT_END" >"$f/require-end"
		echo 32 >"$f/stacktrace-depth"
		echo 100 >"$f/probability"
	done
	echo N >"$FAILPAGE/ignore-gfp-highmem"
	echo 0 >"$FAILPAGE/min-order"
	ip netns exec "$NS1" sh -c 'echo 1 >/proc/self/make-it-fail && exec "$@"' \
		sh "$@" >/dev/null 2>&1
	local rc=$?
	fail_off
	return $rc
}

# healthy: IF1 is up with its carrier, passes traffic, goes down and up
# again within 10 s (a port left without rings hangs in napi_disable).
healthy() {
	local state

	state=$(ip -n "$NS1" -o link show "$IF1")
	case "$state" in
	*NO-CARRIER*|*"state DOWN"*)
		ktap_print_msg "after the failure: $state"
		return 1;;
	esac
	ping_ok || { ktap_print_msg "no traffic after the failure"; return 1; }
	timeout 10 ip -n "$NS1" link set "$IF1" down ||
		{ ktap_print_msg "link down did not return"; return 1; }
	ip -n "$NS1" link set "$IF1" up && ping_ok
}

# under_faults NAME SET RESET CHECK: try SET with the failure after each
# SPACE; after each try the port is healthy and has either the new setting
# (then RESET undoes it) or the old one (CHECK tells which). At least one
# try must have failed inside the driver.
under_faults() {
	local name=$1 set=$2 reset=$3 check=$4 space failed=0 mark

	mark="nicsim_reopen: $name $$ $RANDOM"
	echo "$mark" >/dev/kmsg
	for space in 0 1024 4096 16384; do
		if failing "$space" $set; then
			$check new ||
				{ ktap_print_msg "$name succeeded but not applied"; return 1; }
			ip netns exec "$NS1" $reset || return 1
		else
			$check old || {
				ktap_print_msg "$name failed (space $space) but changed the port"
				return 1
			}
		fi
		healthy || { ktap_print_msg "$name, space $space"; return 1; }
	done
	# the driver's own message says an allocation failed
	failed=$(dmesg | sed -n "/$mark/,\$p" | grep -c "$IF1: cannot .*: -12")
	ktap_print_msg "$name: $failed failures inside the driver, each kept the old setting"
	[ "$failed" -gt 0 ]
}

mtu_is() {
	local want=1500

	[ "$1" = new ] && want=4000
	[ "$(ip netns exec "$NS1" cat "/sys/class/net/$IF1/mtu")" -eq "$want" ]
}
# (ktap_test_result splits its arguments: one function per case)
mtu_faults() {
	under_faults mtu "ip link set dev $IF1 mtu 4000" \
		"ip link set dev $IF1 mtu 1500" mtu_is
}
ktap_test_result "an MTU change that cannot allocate keeps the old MTU running" \
	mtu_faults

ring_is() {
	local want=256 got

	[ "$1" = new ] && want=1024
	got=$(nicsim_ethtool_now "$NS1" "$IF1" -g RX)
	[ "$got" -eq "$want" ]
}
ring_faults() {
	under_faults ring "ethtool -G $IF1 rx 1024 tx 1024" \
		"ethtool -G $IF1 rx 256 tx 256" ring_is
}
ktap_test_result "a ring size change that cannot allocate keeps the old rings running" \
	ring_faults

channels_is() {
	local want=2 got

	[ "$1" = new ] && want=1
	got=$(nicsim_ethtool_now "$NS1" "$IF1" -l Combined)
	[ "$got" -eq "$want" ]
}
channel_faults() {
	under_faults channels "ethtool -L $IF1 combined 1" \
		"ethtool -L $IF1 combined 2" channels_is
}
ktap_test_result "a channel change that cannot allocate keeps the old queues running" \
	channel_faults

# Attaching the first XDP program gives the RX queues new buffers, whole
# pages (nicsim_mtu.sh): if they cannot be had, the attach fails and the
# port keeps its rings, and no program
xdp_is() {
	local on=0

	ip -n "$NS1" link show "$IF1" | grep -q "xdp" && on=1
	[ "$1" = new ] && [ "$on" = 1 ] && return 0
	[ "$1" = old ] && [ "$on" = 0 ]
}
xdp_faults() {
	local id rc

	"$BPFTOOL" prog load "$NICSIM_PASS_OBJ" "$XDP_PIN" type xdp || return 1
	# ip netns exec has its own /sys: name the program by id there
	id=$("$BPFTOOL" prog show pinned "$XDP_PIN" | awk -F: 'NR == 1 { print $1 }')
	under_faults xdp "$BPFTOOL net attach xdpdrv id $id dev $IF1" \
		"$BPFTOOL net detach xdpdrv dev $IF1" xdp_is
	rc=$?
	rm -f "$XDP_PIN"
	return $rc
}
ktap_test_result "an XDP attach that cannot allocate its RX buffers keeps the old rings running" \
	xdp_faults

# udp_flows N: N datagrams from N source ports, NS0 to NS1 (RSS spreads them)
udp_flows() {
	ip netns exec "$NS0" bash -c \
		"for i in \$(seq $1); do echo x >/dev/udp/10.0.0.2/9; done" 2>/dev/null
}

# Counters never go backwards: not when channels shrink (the queues that
# go keep their totals in the port's base), not across a ring change.
counters_kept() {
	local rx0 tx0 rx1 tx1 q1

	udp_flows 64
	ip netns exec "$NS1" ethtool -L "$IF1" combined 2 || return 1
	udp_flows 64
	q1=$(ip netns exec "$NS1" ethtool -S "$IF1" | awk '$1 == "rx1_packets:" { print $2 }')
	rx0=$(nicsim_stat "$NS1" "$IF1" rx_packets)
	tx0=$(nicsim_stat "$NS1" "$IF1" tx_packets)
	ip netns exec "$NS1" ethtool -L "$IF1" combined 1 || return 1
	rx1=$(nicsim_stat "$NS1" "$IF1" rx_packets)
	tx1=$(nicsim_stat "$NS1" "$IF1" tx_packets)
	ktap_print_msg "queue 1 received ${q1:-?}; rx_packets $rx0 -> $rx1," \
		"tx_packets $tx0 -> $tx1 over ethtool -L combined 1"
	[ "${q1:-0}" -gt 0 ] && [ "$rx1" -ge "$rx0" ] && [ "$tx1" -ge "$tx0" ] || return 1
	ip netns exec "$NS1" ethtool -G "$IF1" rx 512 tx 512 || return 1
	[ "$(nicsim_stat "$NS1" "$IF1" rx_packets)" -ge "$rx1" ] &&
		ip netns exec "$NS1" ethtool -G "$IF1" rx 256 tx 256 &&
		ip netns exec "$NS1" ethtool -L "$IF1" combined 2
}
ktap_test_result "counters survive fewer channels and new rings" counters_kept

# A frame the driver cannot map is one drop: tx_dropped grows by exactly
# the number of mapping failures.
map_failure_counted_once() {
	local f=/sys/kernel/debug/nicsim/nicsim$ID/port0/fail_tx_dma_map
	local drop0 err0 drop err

	ping_ok || return 1
	drop0=$(nicsim_stat "$NS0" "$IF0" tx_dropped)
	err0=$(nicsim_ethtool_stat "$NS0" "$IF0" dma_map_errors)
	echo 0 >"$f/verbose"
	echo 100 >"$f/probability"
	echo 1 >"$f/interval"
	echo 3 >"$f/times"
	ip netns exec "$NS0" ping -q -c 6 -i 0.1 -W 1 10.0.0.2 >/dev/null
	drop=$(( $(nicsim_stat "$NS0" "$IF0" tx_dropped) - drop0 ))
	err=$(( $(nicsim_ethtool_stat "$NS0" "$IF0" dma_map_errors) - err0 ))
	ktap_print_msg "3 mapping failures: dma_map_errors +$err, tx_dropped +$drop"
	[ "$err" -eq 3 ] && [ "$drop" -eq 3 ]
}
ktap_test_result "a TX mapping failure is one tx_dropped" map_failure_counted_once

# Bringing the port down and up again under the same faults: open fails
# cleanly, and a later open works.
open_fails_cleanly() {
	local space

	for space in 0 2048 8192 32768; do
		ip -n "$NS1" link set "$IF1" down || return 1
		failing "$space" ip link set dev "$IF1" up
		timeout 10 ip -n "$NS1" link set "$IF1" down || return 1
		ip -n "$NS1" link set "$IF1" up || return 1
		ping_ok || {
			ktap_print_msg "no traffic after a failed open (space $space)"
			return 1
		}
	done
}
ktap_test_result "a failed open leaves a port that can be stopped and opened" \
	open_fails_cleanly

ktap_finished
