#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Interrupt moderation modelled by the device: ethtool -C settings are kept
# and refused when out of range, and rx-frames=N (with a long rx-usecs
# timer) cuts the receiver's interrupts per packet by roughly N.

. "$(dirname "$0")/nicsim_lib.sh"

trap nicsim_cleanup EXIT

FRAMES=8
PACKETS=160

ktap_print_header
nicsim_require
ktap_set_plan 4
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair || ktap_exit_fail_msg "cannot set up a port pair"
e1() { ip netns exec "$NS1" ethtool "$@"; }
hw_stat() { nicsim_ethtool_stat "$NS1" "$IF1" "$1"; }

# PACKETS datagrams 2 ms apart to NS1: prints interrupts raised per packet
# on the receiver (x1000, as an integer).
irqs_per_1000_packets() {
	local irq0 irq1 rx rc

	rx=$(mktemp)
	irq0=$(hw_stat irqs_raised)
	ip netns exec "$NS1" "$NICSIM_UDP" recv 10.0.0.2 9000 "$PACKETS" 30 >"$rx" &
	for _ in $(seq 1 100); do
		grep -q ready "$rx" && break
		sleep 0.1
	done
	ip netns exec "$NS0" "$NICSIM_UDP" send 10.0.0.2 9000 "$PACKETS" 2000
	wait $!
	rc=$?
	irq1=$(hw_stat irqs_raised)
	ktap_print_msg "$(tail -n 1 "$rx"), $((irq1 - irq0)) interrupts" >&2
	rm -f "$rx"
	[ "$rc" -eq 0 ] || return 1
	echo $(( (irq1 - irq0) * 1000 / PACKETS ))
}

ip netns exec "$NS0" ping -q -c 1 -W 5 10.0.0.2 >/dev/null	# resolve ARP

settings_kept() {
	e1 -C "$IF1" rx-usecs 50 rx-frames 4 tx-usecs 20 tx-frames 2 &&
		e1 -c "$IF1" | grep -q "^rx-usecs:[[:space:]]*50$" &&
		e1 -c "$IF1" | grep -q "^rx-frames:[[:space:]]*4$" &&
		e1 -c "$IF1" | grep -q "^tx-usecs:[[:space:]]*20$" &&
		e1 -c "$IF1" | grep -q "^tx-frames:[[:space:]]*2$"
}
ktap_test_result "ethtool -C rx/tx usecs and frames are kept" settings_kept

ktap_test_result "out-of-range moderation is refused" \
	eval "! e1 -C $IF1 rx-usecs 200000 2>/dev/null && ! e1 -C $IF1 rx-frames 5000 2>/dev/null"

e1 -C "$IF1" rx-usecs 0 rx-frames 1 tx-usecs 0 tx-frames 1
base=$(irqs_per_1000_packets)
e1 -C "$IF1" rx-usecs 100000 rx-frames "$FRAMES"
moderated=$(irqs_per_1000_packets)
ktap_print_msg "interrupts per 1000 packets: $base unmoderated, $moderated with rx-frames $FRAMES"

cut_by_frames() {
	[ -n "$base" ] && [ -n "$moderated" ] && [ "$moderated" -gt 0 ] &&
		[ "$base" -ge 800 ] &&
		[ $((base * 10 / moderated)) -ge $((FRAMES * 10 * 2 / 3)) ] &&
		[ $((base * 10 / moderated)) -le $((FRAMES * 10 * 3 / 2)) ]
}
ktap_test_result "rx-frames $FRAMES cuts interrupts per packet by about $FRAMES" cut_by_frames

# With a short timer and high frame thresholds in both directions, only
# the RX timer can deliver a ping: each round trip takes at least its 3 ms
# and far less than the watchdog's 500 ms, which never has to step in.
e1 -C "$IF1" rx-usecs 3000 rx-frames 64 tx-usecs 3000 tx-frames 64
timer_fires() {
	local wd0 wd1 rtt min max

	wd0=$(hw_stat irq_watchdog)
	rtt=$(ip netns exec "$NS0" ping -q -c 3 -i 0.2 -W 5 10.0.0.2 |
	      awk -F'[/ ]' '/^rtt/ { print $7, $9 }')
	wd1=$(hw_stat irq_watchdog)
	read -r min max <<<"$rtt"
	ktap_print_msg "RTT min ${min:-?} max ${max:-?} ms, watchdog rescues +$((wd1 - wd0))"
	[ -n "$max" ] && [ "${min%.*}" -ge 3 ] && [ "${max%.*}" -lt 200 ] &&
		[ "$wd1" -eq "$wd0" ]
}
ktap_test_result "the moderation timer delivers frames below the threshold" timer_fires

ktap_finished
