#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# VLAN stripping: with rxvlan on, the device strips 802.1Q tags into the
# descriptor (rx_vlan_stripped) and the driver hands the tag to the stack
# out of band; with rxvlan off the tag stays in the frame. A VLAN
# interface works either way. (XDP's view of the tag: nicsim_rss.)

. "$(dirname "$0")/nicsim_lib.sh"

trap nicsim_cleanup EXIT

ktap_print_header
nicsim_require
ktap_set_plan 3
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair || ktap_exit_fail_msg "cannot set up a port pair"
ip -n "$NS0" link add link "$IF0" name vlan10 type vlan id 10
ip -n "$NS1" link add link "$IF1" name vlan10 type vlan id 10
ip -n "$NS0" addr add 10.10.0.1/24 dev vlan10
ip -n "$NS1" addr add 10.10.0.2/24 dev vlan10
ip -n "$NS0" link set vlan10 up
ip -n "$NS1" link set vlan10 up

stripped() { nicsim_ethtool_stat "$NS1" "$IF1" rx_vlan_stripped; }
vlan_pings() { ip netns exec "$NS0" ping -q -c 5 -i 0.1 -W 5 10.10.0.2 >/dev/null; }

default_on() {
	ip netns exec "$NS1" ethtool -k "$IF1" | grep -q "rx-vlan-offload: on"
}
ktap_test_result "rxvlan is on by default" default_on

strip_on() {
	local before=$(stripped)

	vlan_pings && [ $(( $(stripped) - before )) -ge 5 ]
}
ktap_test_result "rxvlan on: tags stripped by the device, VLAN traffic passes" strip_on

strip_off() {
	local before

	ip netns exec "$NS1" ethtool -K "$IF1" rxvlan off || return 1
	before=$(stripped)
	vlan_pings && [ "$(stripped)" -eq "$before" ]
}
ktap_test_result "rxvlan off: tags stay in the frame, VLAN traffic passes" strip_off

ktap_finished
