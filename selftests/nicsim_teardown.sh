#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Deleting a device while frames are on its cable (NICSIM_TEARDOWN_ROUNDS
# times, default 5): with wire latency the cable holds frames on a timer;
# both directions flood, the wire tracepoint is on (it reads both ports'
# netdevs), and the device goes away under it.
# Nothing may fire into freed memory: the kernel log must stay clean of
# KASAN reports, ODEBUG warnings and splats.

. "$(dirname "$0")/nicsim_lib.sh"

ROUNDS=${NICSIM_TEARDOWN_ROUNDS:-5}
pids=""
cleanup() {
	[ -n "$pids" ] && kill $pids 2>/dev/null
	wait 2>/dev/null
	[ -n "$NICSIM_TRACE_INSTANCE" ] &&
		echo 0 >"$NICSIM_TRACE_INSTANCE/events/nicsim/enable" 2>/dev/null
	nicsim_cleanup
}
trap cleanup EXIT

ktap_print_header
nicsim_require ping
ktap_set_plan 2
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
[ -d "$NICSIM_TRACEFS/events/nicsim" ] ||
	ktap_exit_fail_msg "no nicsim tracepoints in $NICSIM_TRACEFS"
nicsim_trace_instance nicsim_teardown
echo 1 >"$NICSIM_TRACE_INSTANCE/events/nicsim/enable"

mark="nicsim_teardown $$ $RANDOM"
echo "$mark" >/dev/kmsg

delete_under_flood() {
	local round id dbg

	for round in $(seq "$ROUNDS"); do
		nicsim_pair || return 1
		id=$ID
		dbg=/sys/kernel/debug/nicsim/nicsim$id
		echo $(( 100 * round )) >"$dbg/port0/wire_latency_us"
		echo $(( 50 * round )) >"$dbg/port1/wire_latency_us"
		ip netns exec "$NS0" ping -q -f -W 1 10.0.0.2 >/dev/null 2>&1 &
		pids="$!"
		ip netns exec "$NS1" ping -q -f -W 1 10.0.0.1 >/dev/null 2>&1 &
		pids="$pids $!"
		sleep 0.$(( RANDOM % 5 + 3 ))
		echo "$id" >"$NICSIM_BUS/del_device" || return 1
		kill $pids 2>/dev/null
		wait
		pids=""
		nicsim_cleanup
		[ -e "$NICSIM_BUS/devices/nicsim$id" ] && return 1
	done
	ktap_print_msg "$ROUNDS devices deleted with frames on their cables"
}
ktap_test_result "delete a device with frames in flight on its cable" delete_under_flood

log_clean() {
	local bad

	sleep 1	# a timer left armed fires within the longest latency
	bad=$(dmesg | sed -n "/$mark/,\$p" |
	      grep -E "BUG:|WARNING:|ODEBUG|KASAN|general protection|Oops" | head -n 5)
	[ -z "$bad" ] && return 0
	ktap_print_msg "kernel log: $bad"
	return 1
}
ktap_test_result "no report in the kernel log" log_clean

ktap_finished
