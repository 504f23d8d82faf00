#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Lifecycle under traffic: ring resize, channel changes, link down/up and
# XDP attach/detach (the carrier staying up) while pings flow, after which
# traffic passes again; and 200 devices created and deleted. Leaks
# (kmemleak) and splats are caught by the VM runner's scan of the guest log.

. "$(dirname "$0")/nicsim_lib.sh"

pinger=""
pin=/sys/fs/bpf/nicsim_pass_$$
cleanup() {
	[ -n "$pinger" ] && kill "$pinger" 2>/dev/null
	rm -f "$pin"
	nicsim_cleanup
}
trap cleanup EXIT

PASS_OBJ=$NICSIM_PASS_OBJ

ktap_print_header
nicsim_require
ktap_set_plan 6
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair 2 || ktap_exit_fail_msg "cannot set up a port pair"
e1() { ip netns exec "$NS1" ethtool "$@"; }
pings_ok() { ip netns exec "$NS0" ping -q -c 5 -i 0.1 -W 5 10.0.0.2 >/dev/null; }

# background traffic for the whole test
ip netns exec "$NS0" ping -q -i 0.01 -w 600 10.0.0.2 >/dev/null 2>&1 &
pinger=$!
rx_start=$(nicsim_stat "$NS1" "$IF1" rx_packets)

rings() {
	local s

	for s in 512 64 2048 256; do
		e1 -G "$IF1" rx "$s" tx "$s" || return 1
		sleep 0.2
	done
	pings_ok
}
ktap_test_result "ring resize under traffic" rings

channels() {
	local n

	for n in 1 2 1 2; do
		e1 -L "$IF1" combined "$n" || return 1
		sleep 0.2
	done
	pings_ok
}
ktap_test_result "channel changes under traffic" channels

link_flap() {
	local i

	for i in 1 2 3; do
		ip -n "$NS1" link set "$IF1" down || return 1
		sleep 0.2
		ip -n "$NS1" link set "$IF1" up || return 1
		sleep 0.2
	done
	pings_ok
}
ktap_test_result "link down/up under traffic" link_flap

# attaching the first program and detaching the last swap the RX buffers
# queue by queue: the carrier stays up
xdp_flap() {
	local i id c0 c1

	[ -x "$BPFTOOL" ] || { ktap_print_msg "no bpftool"; return 1; }
	c0=$(ip netns exec "$NS1" cat "/sys/class/net/$IF1/carrier_changes") ||
		return 1
	"$BPFTOOL" prog load "$PASS_OBJ" "$pin" type xdp || return 1
	# ip netns exec has its own /sys: name the program by id there
	id=$("$BPFTOOL" prog show pinned "$pin" | awk -F: 'NR == 1 { print $1 }')
	for i in 1 2 3; do
		ip netns exec "$NS1" "$BPFTOOL" net attach xdpdrv id "$id" dev "$IF1" ||
			return 1
		sleep 0.2
		ip netns exec "$NS1" "$BPFTOOL" net detach xdpdrv dev "$IF1" || return 1
		sleep 0.2
	done
	c1=$(ip netns exec "$NS1" cat "/sys/class/net/$IF1/carrier_changes") ||
		return 1
	[ "$c1" = "$c0" ] ||
		{ ktap_print_msg "carrier changed $((c1 - c0)) times"; return 1; }
	pings_ok
}
ktap_test_result "XDP attach/detach under traffic, the carrier up" xdp_flap

background_flowed() {
	kill -INT "$pinger" 2>/dev/null
	wait "$pinger"
	pinger=""
	# ping exits 1 if a reply was lost (expected while the link was down)
	rx=$(( $(nicsim_stat "$NS1" "$IF1" rx_packets) - rx_start ))
	ktap_print_msg "$IF1 received $rx packets during the test"
	[ "$rx" -gt 100 ]
}
ktap_test_result "background traffic flowed throughout" background_flowed

many_devices() {
	local i base=$((ID + 100))

	for i in $(seq 0 199); do
		echo "$((base + i)) 2 2" >"$NICSIM_BUS/new_device" || return 1
		echo "$((base + i))" >"$NICSIM_BUS/del_device" || return 1
	done
	# none of them is left (other tests' devices are not ours to count)
	for i in $(seq 0 199); do
		[ ! -e "$NICSIM_BUS/devices/nicsim$((base + i))" ] || return 1
	done
}
ktap_test_result "200 devices created and deleted" many_devices

ktap_finished
