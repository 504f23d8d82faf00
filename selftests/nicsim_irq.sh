#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nicsim's vectors are real IRQs: each queue pair's interrupt is counted in
# /proc/interrupts on the CPU that /proc/irq/N/smp_affinity selects (and
# not on the other), irq:irq_handler_entry sees its handler, and moving
# the affinity under traffic loses no interrupt: a message that arrives
# while the handler still runs on the old CPU is handled (the edge flow),
# so the driver's watchdog never has to find completions nobody announced.

. "$(dirname "$0")/nicsim_lib.sh"

trap nicsim_cleanup EXIT

ktap_print_header
nicsim_require
[ "$(nproc)" -ge 2 ] || { ktap_skip_all "needs 2 CPUs"; exit "$KSFT_SKIP"; }
ktap_set_plan 4
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair 2 || ktap_exit_fail_msg "cannot set up a port pair"

irq=$(awk -v n="$IF1-rxtx-0" '$NF == n { sub(":", "", $1); print $1 }' /proc/interrupts)
# count of $irq on CPU $1 (columns after the IRQ number are per CPU)
irq_count() { awk -v i="$irq:" -v c="$1" '$1 == i { print $(c + 2) }' /proc/interrupts; }
traffic() { ip netns exec "$NS0" ping -q -c 10 -i 0.05 -W 5 10.0.0.2 >/dev/null; }

ip -n "$NS1" link set "$IF1" up
ip netns exec "$NS1" ethtool -X "$IF1" equal 1	# everything on queue 0
follows() { # CPU
	local before after other0 other1 other=$((1 - $1))

	echo "$1" >"/proc/irq/$irq/smp_affinity_list" || return 1
	before=$(irq_count "$1")
	other0=$(irq_count "$other")
	traffic
	after=$(irq_count "$1")
	other1=$(irq_count "$other")
	ktap_print_msg "IRQ $irq on CPU $1: $before -> $after; on CPU $other: $other0 -> $other1"
	[ "$after" -gt "$before" ] && [ "$other1" -eq "$other0" ] &&
		grep -qx "$1" "/proc/irq/$irq/effective_affinity_list"
}
ktap_test_result "interrupts follow smp_affinity to CPU 1" follows 1
ktap_test_result "and back to CPU 0" follows 0

no_interrupt_lost() {
	local wd0 wd1 i pid sent got

	wd0=$(nicsim_ethtool_stat "$NS1" "$IF1" irq_watchdog)
	ip netns exec "$NS0" ping -q -f -c 1500 -W 2 10.0.0.2 >"$tmp" 2>&1 &
	pid=$!
	for i in $(seq 400); do
		echo $((i % 2)) >"/proc/irq/$irq/smp_affinity_list" || break
		kill -0 "$pid" 2>/dev/null || break
	done
	wait "$pid"
	wd1=$(nicsim_ethtool_stat "$NS1" "$IF1" irq_watchdog)
	sent=$(awk '/packets transmitted/ { print $1 }' "$tmp")
	got=$(awk '/packets transmitted/ { print $4 }' "$tmp")
	ktap_print_msg "$i affinity moves under a ping flood: $got of $sent replies," \
		"watchdog rescues +$((wd1 - wd0))"
	[ "$wd1" -eq "$wd0" ] && [ "${got:-0}" -eq "${sent:-1}" ]
}
tmp=$(mktemp)
ktap_test_result "moving the vector under traffic loses no interrupt" no_interrupt_lost
rm -f "$tmp"

nicsim_trace_instance nicsim-irq
inst=$NICSIM_TRACE_INSTANCE
echo "irq == $irq" >"$inst/events/irq/irq_handler_entry/filter"
echo 1 >"$inst/events/irq/irq_handler_entry/enable"
traffic
echo 0 >"$inst/tracing_on"
handler_traced() {
	grep -q "irq_handler_entry: irq=$irq name=$IF1-rxtx-0" "$inst/trace"
}
ktap_test_result "irq:irq_handler_entry sees $IF1-rxtx-0" handler_traced

ktap_finished
