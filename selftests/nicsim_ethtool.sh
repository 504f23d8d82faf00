#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ethtool on a 4-queue nicsim port: driver info and link, channels (one
# IRQ per queue pair, changed live), ring sizes (changed live, bad sizes
# refused), the RSS key and table, and per-queue statistics that agree
# with the netdev counters.

. "$(dirname "$0")/nicsim_lib.sh"

trap nicsim_cleanup EXIT

ktap_print_header
nicsim_require
ktap_set_plan 9
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair 4 || ktap_exit_fail_msg "cannot set up a 4-queue port pair"
e0() { ip netns exec "$NS0" ethtool "$@"; }
e1() { ip netns exec "$NS1" ethtool "$@"; }
pings() { ip netns exec "$NS0" ping -q -c "${1:-3}" -i 0.1 -W 5 10.0.0.2 >/dev/null; }

drvinfo_ok() {
	e0 -i "$IF0" | grep -qx "driver: nicsim" &&
		e0 -i "$IF0" | grep -qx "bus-info: nicsim$ID" &&
		e0 "$IF0" | grep -q "Speed: 100000Mb/s" &&
		e0 "$IF0" | grep -q "Link detected: yes"
}
ktap_test_result "drvinfo and link settings" drvinfo_ok

irqs_of() { grep -c " $1-rxtx-" /proc/interrupts; }
channels_4() {
	e0 -l "$IF0" | grep -A4 "maximums" | grep -q "Combined:.*4" &&
		e0 -l "$IF0" | grep -A4 "Current" | grep -q "Combined:.*4" &&
		[ "$(irqs_of "$IF0")" -eq 4 ]
}
ktap_test_result "4 channels, one <ifname>-rxtx-<n> IRQ each" channels_4

channels_2() {
	e0 -L "$IF0" combined 2 &&
		e0 -l "$IF0" | grep -A4 "Current" | grep -q "Combined:.*2" &&
		[ "$(irqs_of "$IF0")" -eq 2 ] && pings &&
		e0 -L "$IF0" combined 4 && [ "$(irqs_of "$IF0")" -eq 4 ] && pings
}
ktap_test_result "ethtool -L combined 2 and back, live, traffic passes" channels_2

channels_bad() {
	! e0 -L "$IF0" combined 5 2>/dev/null && ! e0 -L "$IF0" combined 0 2>/dev/null
}
ktap_test_result "ethtool -L beyond the device's queues is refused" channels_bad

rings() {
	e1 -G "$IF1" rx 1024 tx 1024 &&
		e1 -g "$IF1" | grep -A5 "Current" | grep -q "RX:.*1024" &&
		pings && e1 -G "$IF1" rx 64 tx 64 && pings 5 &&
		e1 -G "$IF1" rx 4096 tx 4096 && pings
}
ktap_test_result "ethtool -G 1024, 64, 4096, live, traffic passes" rings

rings_bad() {
	local bad

	for bad in "rx 100 tx 100" "rx 32 tx 32" "rx 8192 tx 8192" "rx 512 tx 256"; do
		# shellcheck disable=SC2086
		e1 -G "$IF1" $bad 2>/dev/null && return 1
	done
	e1 -g "$IF1" | grep -A5 "Current" | grep -q "RX:.*4096"
}
ktap_test_result "ring sizes that are not a power of two in 64..4096 are refused" rings_bad

rss() {
	local key

	key=00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff
	key=$key:00:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff
	key=$key:00:11:22:33:44:55:66:77
	e1 -x "$IF1" | grep -q "indirection table for $IF1 with 4 RX ring" &&
		e1 -X "$IF1" hkey "$key" equal 2 &&
		e1 -x "$IF1" | grep -A1 "RSS hash key" | tail -n 1 | grep -qx "$key" &&
		[ "$(e1 -x "$IF1" | awk '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++) print $i }' |
		     sort -u | tr '\n' ' ')" = "0 1 " ]
}
ktap_test_result "ethtool -X sets the 40-byte key and the 128-entry table" rss

stats_names() {
	local s

	for s in rx0_packets rx3_napi_polls tx1_doorbells hw2_irqs_raised hw0_rx_no_buffer; do
		e1 -S "$IF1" | grep -q "^ *$s: [0-9]*$" || return 1
	done
}
ktap_test_result "ethtool -S has per-queue driver and device counters" stats_names

stats_agree() {
	local sum link again i

	pings 5
	# a frame may land between the two reads: retry until none did
	for i in 1 2 3 4 5; do
		sum=$(e1 -S "$IF1" | awk '/^ *rx[0-9]+_packets:/ { s += $2 } END { print s }')
		link=$(nicsim_stat "$NS1" "$IF1" rx_packets)
		again=$(e1 -S "$IF1" | awk '/^ *rx[0-9]+_packets:/ { s += $2 } END { print s }')
		[ "$sum" = "$again" ] && break
		sleep 0.2
	done
	ktap_print_msg "sum of rxN_packets $sum, rx_packets $link"
	[ "$sum" -eq "$link" ] && [ "$sum" -gt 0 ]
}
ktap_test_result "per-queue RX packets add up to the netdev counter" stats_agree

ktap_finished
