#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The MSI-X mask bit and pending latch: a vector masked in the device's
# table (debugfs msix) sends nothing, latches its message in the pending
# bit, and delivers it when unmasked, with reason=unmask in
# nicsim_irq_raise. Bad writes are refused; the IRQ core's mask is kept.

. "$(dirname "$0")/nicsim_lib.sh"

trap nicsim_cleanup EXIT

ktap_print_header
nicsim_require
ktap_set_plan 4
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair || ktap_exit_fail_msg "cannot set up a port pair"
msix=/sys/kernel/debug/nicsim/nicsim$ID/port1/msix
[ -f "$msix" ] || ktap_exit_fail_msg "no $msix"
irq=$(awk -v n="$IF1-rxtx-0" '$NF == n { sub(":", "", $1); print $1 }' /proc/interrupts)
# field $1 (irq cpu masked pending enabled raised) of vector 0
vec0() {
	awk -v f="$1" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == 0 { print $col[f] }' "$msix"
}
# interrupts of $irq on all CPUs (one column per CPU in the header)
irq_total() {
	awk -v i="$irq:" 'NR == 1 { n = NF }
		$1 == i { for (c = 2; c <= n + 1; c++) t += $c; print t }' /proc/interrupts
}

table_ok() {
	ktap_print_msg "$(tr '\n' ';' <"$msix")"
	[ "$(vec0 irq)" = "$irq" ] && [ "$(vec0 masked)" -eq 0 ] &&
		[ "$(vec0 pending)" -eq 0 ]
}
ktap_test_result "the table shows vector 0 as $IF1-rxtx-0, unmasked" table_ok

nicsim_trace_instance nicsim-msix
inst=$NICSIM_TRACE_INSTANCE
echo 1 >"$inst/events/nicsim/nicsim_irq_raise/enable"

latched() {
	local raised0 irqs0

	echo "0 mask" >"$msix" || return 1
	raised0=$(vec0 raised)
	irqs0=$(irq_total)
	# frames arrive on port 1; its replies are not needed
	ip netns exec "$NS0" "$NICSIM_UDP" send 10.0.0.2 9 5 1000 || return 1
	nicsim_wait eval '[ "$(vec0 pending)" -eq 1 ]'
	ktap_print_msg "masked: raised $raised0 -> $(vec0 raised), pending $(vec0 pending)," \
		"interrupts $irqs0 -> $(irq_total)"
	[ "$(vec0 masked)" -eq 2 ] &&
		[ "$(vec0 pending)" -eq 1 ] && [ "$(vec0 raised)" -eq "$raised0" ] &&
		[ "$(irq_total)" -eq "$irqs0" ]
}
ktap_test_result "a masked vector latches its message as pending" latched

delivered() {
	local raised0 irqs0

	raised0=$(vec0 raised)
	irqs0=$(irq_total)
	echo "0 unmask" >"$msix" || return 1
	nicsim_wait eval '[ "$(vec0 pending)" -eq 0 ]'
	ktap_print_msg "unmasked: raised $raised0 -> $(vec0 raised), pending $(vec0 pending)," \
		"interrupts $irqs0 -> $(irq_total)"
	grep "nicsim_irq_raise: dev=$IF1 " "$inst/trace" | sed 's/^ *//' |
		while read -r l; do ktap_print_msg "$l"; done
	[ "$(vec0 pending)" -eq 0 ] && [ "$(vec0 raised)" -gt "$raised0" ] &&
		[ "$(irq_total)" -gt "$irqs0" ] &&
		grep -q "nicsim_irq_raise: dev=$IF1 .*vector=0 irq=$irq .*reason=unmask" \
			"$inst/trace"
}
ktap_test_result "unmasking delivers the pending message (reason=unmask)" delivered

refused() {
	local bad

	for bad in "16 mask" "0 frob" "mask" "-1 unmask"; do
		echo "$bad" >"$msix" 2>/dev/null && { ktap_print_msg "accepted '$bad'"; return 1; }
	done
	# port down: the IRQ is freed and masked by the IRQ core; the file's
	# own mask bit (2) comes and goes, the core's (1) stays
	ip -n "$NS1" link set "$IF1" down
	echo "0 mask" >"$msix" && [ "$(vec0 masked)" -eq 3 ] || return 1
	echo "0 unmask" >"$msix" || return 1
	[ "$(vec0 masked)" -eq 1 ] || { ktap_print_msg "the IRQ core's mask was lifted"; return 1; }
	ip -n "$NS1" link set "$IF1" up
	[ "$(vec0 masked)" -eq 0 ] &&
		ip netns exec "$NS0" ping -q -c 3 -i 0.1 -W 2 10.0.0.2 >/dev/null
}
ktap_test_result "bad writes are refused, the IRQ core's mask is kept" refused

ktap_finished
