#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# nicsim's vectors are real IRQs: each queue pair's interrupt is counted in
# /proc/interrupts on the CPU that /proc/irq/N/smp_affinity selects, and
# irq:irq_handler_entry sees its handler.

. "$(dirname "$0")/nicsim_lib.sh"

trap nicsim_cleanup EXIT

ktap_print_header
nicsim_require
[ "$(nproc)" -ge 2 ] || { ktap_skip_all "needs 2 CPUs"; exit "$KSFT_SKIP"; }
ktap_set_plan 3
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair 2 || ktap_exit_fail_msg "cannot set up a port pair"

irq=$(awk -v n="$IF1-rxtx-0" '$NF == n { sub(":", "", $1); print $1 }' /proc/interrupts)
# count of $irq on CPU $1 (columns after the IRQ number are per CPU)
irq_count() { awk -v i="$irq:" -v c="$1" '$1 == i { print $(c + 2) }' /proc/interrupts; }
traffic() { ip netns exec "$NS0" ping -q -c 10 -i 0.05 -W 5 10.0.0.2 >/dev/null; }

ip -n "$NS1" link set "$IF1" up
ip netns exec "$NS1" ethtool -X "$IF1" equal 1	# everything on queue 0
follows() { # CPU
	local before after

	echo "$1" >"/proc/irq/$irq/smp_affinity_list" || return 1
	before=$(irq_count "$1")
	traffic
	after=$(irq_count "$1")
	ktap_print_msg "IRQ $irq on CPU $1: $before -> $after"
	[ "$after" -gt "$before" ] &&
		grep -qx "$1" "/proc/irq/$irq/effective_affinity_list"
}
ktap_test_result "interrupts follow smp_affinity to CPU 1" follows 1
ktap_test_result "and back to CPU 0" follows 0

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
