#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The MAC and PCS of a nicsim port pair: 802.3x flow control (ethtool -A)
# and RS-FEC (ethtool --set-fec), with their standard statistics.
#  - A receiver whose RX ring runs empty sends PAUSE frames; a sender that
#    honours them holds its frames on the cable instead of losing them.
#  - RS-FEC, on at both ends, corrects the bit errors the cable injects
#    (fail_wire_corrupt) and counts them; off, the errors reach the
#    receiver's checksum check.

. "$(dirname "$0")/nicsim_lib.sh"

trap nicsim_cleanup EXIT

ktap_print_header
nicsim_require ethtool
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair || ktap_exit_fail_msg "cannot set up a port pair"
dbg=/sys/kernel/debug/nicsim/nicsim$ID
[ -d "$dbg/port0/fail_wire_corrupt" ] || {
	ktap_skip_all "optional: needs CONFIG_FAULT_INJECTION_DEBUG_FS"
	exit "$KSFT_SKIP"
}
ktap_set_plan 6
e0() { ip netns exec "$NS0" ethtool "$@"; }
e1() { ip netns exec "$NS1" ethtool "$@"; }
ip netns exec "$NS0" ping -q -c 1 -W 5 10.0.0.2 >/dev/null	# resolve ARP

# pause_stat NS IF NAME: tx_pause_frames or rx_pause_frames
pause_stat() {
	ip netns exec "$1" ethtool -I -a "$2" | awk -v s="$3:" '$1 == s { print $2 }'
}
# fec_stat NS IF NAME: corrected_blocks, uncorrectable_blocks or
# corrected_bits, the total
fec_stat() {
	ip netns exec "$1" ethtool -I --show-fec "$2" |
		awk -v s="$3:" '$1 == s { print $2; exit }'
}
# burst: 1000 datagrams as fast as the sender goes, to a receiver that
# polls only every 100 ms (one interrupt per 100 ms) with a 64-entry ring:
# it overruns. Prints the frames the receiver's device lost for lack of a
# buffer, after the last datagram had time to arrive.
burst() {
	local before

	before=$(nicsim_ethtool_stat "$NS1" "$IF1" rx_no_buffer)
	ip netns exec "$NS0" "$NICSIM_UDP" send 10.0.0.2 9000 1000 0 >/dev/null || return 1
	# 1000 frames at 64 per 100 ms poll
	sleep 3
	echo $(($(nicsim_ethtool_stat "$NS1" "$IF1" rx_no_buffer) - before))
}

pause_params() {
	e0 -a "$IF0" | grep -q "^Autonegotiate:.*off" &&
		e0 -a "$IF0" | grep -q "^RX:.*off" &&
		e0 -A "$IF0" rx on tx off &&
		e0 -a "$IF0" | grep -q "^RX:.*on" &&
		e0 -a "$IF0" | grep -q "^TX:.*off" &&
		! e0 -A "$IF0" autoneg on 2>/dev/null &&
		e0 -A "$IF0" rx off
}
ktap_test_result "ethtool -A sets RX and TX flow control; no autonegotiation" pause_params

pause() {
	local lost_off lost_on tx rx

	e1 -G "$IF1" rx 64 tx 64 &&
		e1 -C "$IF1" rx-usecs 100000 rx-frames 4096 || return 1
	lost_off=$(burst) || return 1
	e0 -A "$IF0" rx on && e1 -A "$IF1" tx on || return 1
	lost_on=$(burst) || return 1
	tx=$(pause_stat "$NS1" "$IF1" tx_pause_frames)
	rx=$(pause_stat "$NS0" "$IF0" rx_pause_frames)
	e0 -A "$IF0" rx off && e1 -A "$IF1" tx off || return 1
	e1 -C "$IF1" rx-usecs 30 rx-frames 64 && e1 -G "$IF1" rx 256 tx 256 || return 1
	ktap_print_msg "1000 frames to a slow receiver: $lost_off lost without flow control," \
		"$lost_on with; PAUSE sent $tx, received $rx"
	[ "$tx" -gt 0 ] && [ "$rx" -eq "$tx" ] &&
		[ "$lost_off" -ge 200 ] && [ "$lost_on" -le $((lost_off / 4)) ]
}
ktap_test_result "an overrun receiver sends PAUSE; the sender holds its frames" pause

fec_params() {
	e0 --show-fec "$IF0" | grep -q "Active FEC encoding: Off" &&
		e0 --set-fec "$IF0" encoding rs &&
		e0 --show-fec "$IF0" | grep -q "Configured FEC encodings: RS" &&
		e0 --show-fec "$IF0" | grep -q "Active FEC encoding: Off" &&
		e1 --set-fec "$IF1" encoding auto &&
		e0 --show-fec "$IF0" | grep -q "Active FEC encoding: RS" &&
		! e0 --set-fec "$IF0" encoding baser 2>/dev/null
}
ktap_test_result "--set-fec: RS is active once neither end has it off" fec_params

# corrupt N: the next N frames port 0 sends get a bit error on the cable
# (in their last byte: 100-byte payloads, not Ethernet padding); prints
# how many of 20 UDP datagrams with checksums arrived intact
corrupt() {
	local f=$dbg/port0/fail_wire_corrupt out

	out=$(mktemp)
	nicsim_udp_recv "$NS1" 10.0.0.2 9001 20 5 "$out" || return 1
	echo 0 >"$f/verbose"
	echo 100 >"$f/probability"
	echo 1 >"$f/interval"
	echo "$1" >"$f/times"
	ip netns exec "$NS0" "$NICSIM_UDP" send 10.0.0.2 9001 20 10000 100 >/dev/null
	wait "$NICSIM_RECV_PID"
	echo 0 >"$f/times"
	awk '/^received/ { print $2 }' "$out"
	rm -f "$out"
}

fec_corrects() {
	local blocks bits got

	blocks=$(fec_stat "$NS1" "$IF1" corrected_blocks)
	bits=$(fec_stat "$NS1" "$IF1" corrected_bits)
	got=$(corrupt 10)
	blocks=$(( $(fec_stat "$NS1" "$IF1" corrected_blocks) - blocks ))
	bits=$(( $(fec_stat "$NS1" "$IF1" corrected_bits) - bits ))
	ktap_print_msg "FEC on: $got of 20 received; corrected blocks +$blocks, bits +$bits"
	[ "$got" = 20 ] && [ "$blocks" -eq 10 ] && [ "$bits" -eq 80 ] &&
		[ "$(fec_stat "$NS1" "$IF1" uncorrectable_blocks)" -eq 0 ]
}
ktap_test_result "RS-FEC corrects 10 bit errors: every datagram arrives" fec_corrects

fec_off() {
	local blocks errs got

	e1 --set-fec "$IF1" encoding off || return 1
	blocks=$(fec_stat "$NS1" "$IF1" corrected_blocks)
	errs=$(nicsim_ethtool_stat "$NS1" "$IF1" rx_csum_errors)
	got=$(corrupt 10)
	errs=$(( $(nicsim_ethtool_stat "$NS1" "$IF1" rx_csum_errors) - errs ))
	ktap_print_msg "FEC off: $got of 20 received, rx_csum_errors +$errs"
	# (a neighbour frame may take one of the 10 errors: no checksum)
	[ "$got" -ge 10 ] && [ "$got" -lt 20 ] &&
		[ "$(fec_stat "$NS1" "$IF1" corrected_blocks)" -eq "$blocks" ] &&
		[ "$errs" -eq $((20 - got)) ]
}
ktap_test_result "with FEC off at one end, the bit errors reach the checksum" fec_off

std_stats() {
	ip netns exec "$NS0" ethtool -I -a "$IF0" | grep -q "rx_pause_frames:" &&
		ip netns exec "$NS1" ethtool -I --show-fec "$IF1" | grep -q "corrected_blocks:"
}
ktap_test_result "pause and FEC standard statistics are reported" std_stats

ktap_finished
