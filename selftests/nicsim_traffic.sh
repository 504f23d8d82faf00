#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Traffic through a nicsim port pair between two network namespaces: ping
# over IPv4 and IPv6, full-MTU frames, UDP datagrams, and counters that
# agree on both ends of the cable.

. "$(dirname "$0")/nicsim_lib.sh"

trap nicsim_cleanup EXIT

counters_now() {
	echo "$(nicsim_stat "$NS0" "$IF0" tx_packets) $(nicsim_stat "$NS1" "$IF1" rx_packets)" \
	     "$(nicsim_stat "$NS1" "$IF1" tx_packets) $(nicsim_stat "$NS0" "$IF0" rx_packets)"
}

# Counters once no frame is in flight: two reads 0.3 s apart agree.
counters() {
	local a b i

	b=$(counters_now)
	for i in $(seq 1 20); do
		sleep 0.3
		a=$b
		b=$(counters_now)
		[ "$a" = "$b" ] && break
	done
	echo "$b"
}


ktap_print_header
nicsim_require
ktap_set_plan 5
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair || ktap_exit_fail_msg "cannot set up a port pair"
# Frames sent while the other end was still down were dropped by its
# device: count from here on.
ip netns exec "$NS0" ping -q -c 1 -W 5 10.0.0.2 >/dev/null
ip netns exec "$NS0" ping -q -6 -c 1 -W 5 fd00::2 >/dev/null
read -r tx0_a rx1_a tx1_a rx0_a < <(counters)

ktap_test_result "ping IPv4 across the cable" \
	ip netns exec "$NS0" ping -q -c 5 -i 0.1 -W 5 10.0.0.2

ktap_test_result "ping IPv6 across the cable" \
	ip netns exec "$NS0" ping -q -6 -c 5 -i 0.1 -W 5 fd00::2

ktap_test_result "full-MTU frames (1500 bytes, DF set)" \
	ip netns exec "$NS1" ping -q -c 3 -i 0.1 -W 5 -s 1472 -M do 10.0.0.1

# UDP: 200 numbered datagrams each way family, received in order.
udp_test() { # ADDR
	local rx rc

	rx=$(mktemp)
	ip netns exec "$NS1" "$NICSIM_UDP" recv "$1" 9000 200 20 >"$rx" &
	for _ in $(seq 1 100); do
		grep -q ready "$rx" && break
		sleep 0.1
	done
	ip netns exec "$NS0" "$NICSIM_UDP" send "$1" 9000 200
	wait $!
	rc=$?
	ktap_print_msg "UDP to $1: $(tail -n 1 "$rx")"
	rm -f "$rx"
	return $rc
}
ktap_test_result "UDP: 200 datagrams over IPv4 and IPv6 arrive complete, in order" \
	eval "udp_test 10.0.0.2 && udp_test fd00::2"

read -r tx0 rx1 tx1 rx0 < <(counters)
tx0=$((tx0 - tx0_a)) rx1=$((rx1 - rx1_a)) tx1=$((tx1 - tx1_a)) rx0=$((rx0 - rx0_a))
ktap_print_msg "during the tests: $IF0 sent $tx0, $IF1 received $rx1;" \
	"$IF1 sent $tx1, $IF0 received $rx0"
counters_agree() {
	[ "$tx0" -gt 400 ] && [ "$tx0" -eq "$rx1" ] && [ "$tx1" -eq "$rx0" ]
}
ktap_test_result "what one port sent the other received" counters_agree

ktap_finished
