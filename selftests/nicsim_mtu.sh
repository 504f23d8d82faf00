#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# RX buffers follow the MTU: half a page while a frame fits one (an skb is
# charged that much receive memory), a page or more beyond, and always
# with XDP. A frame longer than the receiver's buffers is dropped by the
# device and counted as oversize (rx_length_errors); jumbo frames pass
# once both ends have a jumbo MTU. XDP is single-buffer: it is refused
# above one page's MTU, and so is such an MTU while XDP is on.

. "$(dirname "$0")/nicsim_lib.sh"

pin=/sys/fs/bpf/nicsim_mtu_$$
cleanup() {
	rm -f "$pin"
	nicsim_cleanup
}
trap cleanup EXIT

PASS_OBJ=$NICSIM_PASS_OBJ

ktap_print_header
nicsim_require
ktap_set_plan 7
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair || ktap_exit_fail_msg "cannot set up a port pair"
# ping without fragmentation, payload $1, $2 echoes
ping_df() {
	ip netns exec "$NS0" ping -q -M "do" -s "$1" -c "$2" -i 0.1 -W 2 10.0.0.2 >/dev/null
}
ping_df 100 1 || ktap_exit_fail_msg "no traffic at MTU 1500"

# rx_truesize: the receive memory (the skbs' truesize) each of 20 UDP
# datagrams from $IF0 takes in a socket on $IF1's side that leaves them
# unread
rx_truesize() {
	local port=$((20000 + RANDOM % 20000)) out pid held rmem

	out=$(mktemp)
	ip netns exec "$NS1" "$NICSIM_UDP" hold 10.0.0.2 "$port" 2 >"$out" &
	pid=$!
	nicsim_wait grep -q '^ready' "$out" &&
		ip netns exec "$NS0" "$NICSIM_UDP" send 10.0.0.2 "$port" 20 0 100
	wait "$pid"
	read -r _ held _ rmem < <(grep '^held' "$out")
	rm -f "$out"
	if [ "${held:-0}" -ne 20 ]; then
		ktap_print_msg "the socket held ${held:-none} of 20 datagrams" >&2
		return 1
	fi
	echo $((rmem / held))
}

# truesize: a 2048-byte fragment (1728 bytes of data, 320 of shared
# info) plus 256 for the sk_buff; a page, 4096, plus the sk_buff
rx_buffers_follow_mtu() {
	local half page

	half=$(rx_truesize) || return 1
	ip -n "$NS1" link set "$IF1" mtu 3000 || return 1
	page=$(rx_truesize)
	ip -n "$NS1" link set "$IF1" mtu 1500 || return 1
	ktap_print_msg "receive memory per datagram: $half bytes at MTU 1500," \
		"${page:-?} at MTU 3000"
	[ "$half" -le 2560 ] && [ "${page:-0}" -ge 4096 ]
}
ktap_test_result "RX buffers of half a page at MTU 1500, of a page at MTU 3000" \
	rx_buffers_follow_mtu

oversize_dropped() {
	local over0 len0 over len

	ip -n "$NS0" link set "$IF0" mtu 9000 || return 1
	over0=$(nicsim_ethtool_stat "$NS1" "$IF1" rx_oversize)
	len0=$(nicsim_stat "$NS1" "$IF1" rx_length_errors)
	ping_df 4000 3 && { ktap_print_msg "a 4028-byte packet got through"; return 1; }
	over=$(( $(nicsim_ethtool_stat "$NS1" "$IF1" rx_oversize) - over0 ))
	len=$(( $(nicsim_stat "$NS1" "$IF1" rx_length_errors) - len0 ))
	ktap_print_msg "3 frames of 4042 bytes to MTU 1500:" \
		"rx_oversize +$over, rx_length_errors +$len"
	[ "$over" -eq 3 ] && [ "$len" -eq 3 ] && ping_df 1400 3
}
ktap_test_result "frames longer than the RX buffers are dropped as oversize" oversize_dropped

jumbo_passes() {
	local buf

	ip -n "$NS1" link set "$IF1" mtu 9000 || return 1
	buf=$(ip netns exec "$NS1" ethtool -g "$IF1" | awk '/^RX Buf Len:/ { print $4; exit }')
	ktap_print_msg "RX Buf Len at MTU 9000: ${buf:-not shown}"
	[ -z "$buf" ] || [ "$buf" -eq 9018 ] || return 1
	ping_df 8900 5 && [ "$(nicsim_ethtool_stat "$NS1" "$IF1" rx_oversize)" -eq 3 ]
}
ktap_test_result "jumbo frames pass at MTU 9000" jumbo_passes

if ! [ -x "$BPFTOOL" ] || ! "$BPFTOOL" prog load "$PASS_OBJ" "$pin" type xdp; then
	ktap_exit_fail_msg "cannot load $PASS_OBJ"
fi
# ip netns exec has its own /sys: name the program by id there
id=$("$BPFTOOL" prog show pinned "$pin" | awk -F: 'NR == 1 { print $1 }')
xdp_attach() {
	ip netns exec "$NS1" "$BPFTOOL" net attach xdpdrv id "$id" dev "$IF1"
}

xdp_refused_at_jumbo() {
	local err

	err=$(xdp_attach 2>&1) && { ktap_print_msg "XDP attached at MTU 9000"; return 1; }
	ktap_print_msg "attach at MTU 9000: $(echo "$err" | grep -m1 -i 'mtu')"
	echo "$err" | grep -q "MTU 9000 too large for single-buffer XDP, max [0-9]"
}
ktap_test_result "XDP refused above the single-buffer MTU, with an extack" xdp_refused_at_jumbo

jumbo_refused_under_xdp() {
	ip -n "$NS1" link set "$IF1" mtu 1500 || return 1
	xdp_attach || return 1
	ip -n "$NS1" link set "$IF1" mtu 9000 2>/dev/null && return 1
	[ "$(ip netns exec "$NS1" cat "/sys/class/net/$IF1/mtu")" -eq 1500 ] &&
		ping_df 1400 3 &&
		ip netns exec "$NS1" "$BPFTOOL" net detach xdpdrv dev "$IF1"
}
ktap_test_result "MTU 9000 refused while XDP is attached" jumbo_refused_under_xdp

# XDP's headroom and single buffer need a page per frame: the port's
# queues get new buffers when the first program comes and when it goes,
# one queue at a time, the link staying up
carrier_changes() {
	ip netns exec "$NS1" cat "/sys/class/net/$IF1/carrier_changes"
}
xdp_rx_buffers() {
	local xdp after c0 c1

	c0=$(carrier_changes) || return 1
	xdp_attach || { ktap_print_msg "cannot attach XDP"; return 1; }
	xdp=$(rx_truesize)
	ip netns exec "$NS1" "$BPFTOOL" net detach xdpdrv dev "$IF1" || return 1
	after=$(rx_truesize) || return 1
	c1=$(carrier_changes) || return 1
	ktap_print_msg "receive memory per datagram: ${xdp:-?} bytes with XDP," \
		"$after after; carrier changes: $((c1 - c0))"
	[ "${xdp:-0}" -ge 4096 ] && [ "$after" -le 2560 ] && [ "$c1" = "$c0" ]
}
ktap_test_result "RX buffers of a page while XDP is attached, the link up" \
	xdp_rx_buffers

mtu_down_under_traffic() {
	ip -n "$NS0" link set "$IF0" mtu 1500 &&
		ip -n "$NS1" link set "$IF1" mtu 1500 &&
		ping_df 1400 3 && ! ping_df 1500 1 2>/dev/null
}
ktap_test_result "back to MTU 1500" mtu_down_under_traffic

ktap_finished
