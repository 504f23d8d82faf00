#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# rmmod with devices present and traffic flowing removes everything; the
# module loads and works again afterwards. Leaks and splats are caught by
# the VM runner's kmemleak and dmesg scan.

. "$(dirname "$0")/nicsim_lib.sh"

trap nicsim_cleanup EXIT

ktap_print_header
nicsim_require
ktap_set_plan 3
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair || ktap_exit_fail_msg "cannot set up a port pair"
nicsim_new "$((ID + 1))" 4 || ktap_exit_fail_msg "cannot create a second device"

ip netns exec "$NS0" ping -q -i 0.01 -c 100000 10.0.0.2 >/dev/null 2>&1 &
pinger=$!
# flowing: the receiver's count moves twice, 10 pings apart at least
rx0=$(nicsim_stat "$NS1" "$IF1" rx_packets)
nicsim_stat_reaches "$NS1" "$IF1" rx_packets $((rx0 + 10))
rx0=$(nicsim_stat "$NS1" "$IF1" rx_packets)
nicsim_stat_reaches "$NS1" "$IF1" rx_packets $((rx0 + 10))
rx1=$(nicsim_stat "$NS1" "$IF1" rx_packets)
rmmod_ok=true
rmmod nicsim || rmmod_ok=false
kill "$pinger" 2>/dev/null
wait "$pinger" 2>/dev/null
ktap_print_msg "traffic at rmmod: $IF1 rx_packets $rx0 -> $rx1 just before"
[ "$rx1" -gt "$rx0" ] || rmmod_ok=false
ktap_test_result "rmmod under traffic with two devices succeeds" $rmmod_ok

all_gone() {
	[ ! -e "$NICSIM_BUS" ] && ! ip -n "$NS0" link show "$IF0" 2>/dev/null &&
		! grep -q nicsim /proc/interrupts
}
ktap_test_result "bus, netdevs and interrupts are gone" all_gone
NICSIM_DEVS=""

reload_ok() {
	nicsim_load && nicsim_pair &&
		ip netns exec "$NS0" ping -q -c 2 -i 0.1 -W 5 10.0.0.2 >/dev/null
}
ktap_test_result "the module loads and passes traffic again" reload_ok

ktap_finished
