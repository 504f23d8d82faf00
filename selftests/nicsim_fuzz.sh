#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bad input gets an errno, never a splat, and changes nothing: malformed,
# huge, negative and random writes to every sysfs and debugfs file nicsim
# has, ethtool and MTU settings at and past their bounds. The control files
# are root's only. The port passes traffic afterwards. (The kfuncs'
# arguments at their bounds are nicsim_follow's; the kernel log is checked
# by make check.)

. "$(dirname "$0")/nicsim_lib.sh"

tmp=$(mktemp -d)
cleanup() {
	rm -rf "$tmp"
	nicsim_cleanup
}
trap cleanup EXIT

ktap_print_header
nicsim_require ethtool
ktap_set_plan 6
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair 2 || ktap_exit_fail_msg "cannot set up a port pair"
dbg=/sys/kernel/debug/nicsim/nicsim$ID

head -c 65536 /dev/urandom >"$tmp/random"
tr -dc '0-9 ' </dev/urandom | head -c 8192 >"$tmp/digits"
# a number too long for any field, as long as a sysfs write can be
head -c 8192 /dev/zero | tr '\0' 9 >"$tmp/long"
# (an empty write never reaches the kernel: not in the list)
BAD=(" " "abc" "-1" "-2147483648" "4294967296" "18446744073709551616"
     "99999999999999999999999" "1 2 3 4 5" "0x10" "1.5" "+" "\t\n" "1 2 3 4 5 6 7 8 9 10"
     "0 0 0" "2 3" "17 2 129")

# write_bad FILE: every bad input fails with an errno; prints the
# accepted ones.
write_bad() {
	local f=$1 v

	for v in "${BAD[@]}"; do
		printf '%b' "$v" >"$f" 2>/dev/null && echo "'$v'"
	done
	for v in random digits long; do
		cat "$tmp/$v" >"$f" 2>/dev/null && echo "<$v>"
	done
	return 0
}

bus_files() {
	local before after acc

	before=$(ls "$NICSIM_BUS/devices" | wc -l)
	acc=$(write_bad "$NICSIM_BUS/new_device"; write_bad "$NICSIM_BUS/del_device")
	after=$(ls "$NICSIM_BUS/devices" | wc -l)
	ktap_print_msg "bus: devices $before -> $after, accepted: ${acc:-none}"
	# "2 3" is device 2 with 3 ports: refused (odd); "0 0 0" too
	[ -z "$acc" ] && [ "$after" -eq "$before" ]
}
ktap_test_result "new_device and del_device refuse bad input" bus_files

debugfs_files() {
	local f acc="" lat

	for f in "$dbg"/port*/msix "$dbg"/port*/wire_latency_us; do
		acc="$acc $(write_bad "$f" | sed "s|^|${f#"$dbg"/}: |" | tr '\n' ' ')"
	done
	# past the bound: refused; at it: taken
	echo 1000001 >"$dbg/port0/wire_latency_us" 2>/dev/null && acc="$acc 1000001"
	echo 1000000 >"$dbg/port0/wire_latency_us" || acc="$acc (1000000 refused)"
	lat=$(cat "$dbg/port0/wire_latency_us")
	echo 0 >"$dbg/port0/wire_latency_us"
	ktap_print_msg "debugfs: accepted: ${acc:-none}; latency bound read back $lat"
	# debugfs numbers may be hexadecimal ("0x10" is 16), and random
	# digits may parse as a number
	acc=$(echo "$acc" | sed "s/[^ ]*: '0x10'//g; s/[^ ]*: <digits>//g" | tr -d ' ')
	[ -z "$acc" ] && [ "$lat" = 1000000 ]
}
ktap_test_result "debugfs msix and wire_latency_us refuse bad input" debugfs_files

root_only() {
	local f bad=""

	for f in "$NICSIM_BUS/new_device" "$NICSIM_BUS/del_device" \
		 "$dbg"/port*/msix "$dbg"/port*/wire_latency_us; do
		case $(stat -c %a "$f") in
		200|600|400) ;;
		*) bad="$bad ${f##*/}=$(stat -c %a "$f")" ;;
		esac
	done
	[ -z "$bad" ] || ktap_print_msg "modes:$bad"
	[ -z "$bad" ]
}
ktap_test_result "control files are root's only" root_only

e1() { ip netns exec "$NS1" ethtool "$@"; }
ethtool_bounds() {
	local acc="" a

	for a in "-G $IF1 rx 0 tx 0" "-G $IF1 rx 32 tx 32" "-G $IF1 rx 100 tx 100" \
		 "-G $IF1 rx 8192 tx 8192" "-G $IF1 rx 256 tx 512" \
		 "-L $IF1 combined 0" "-L $IF1 combined 3" "-L $IF1 combined 17" \
		 "-L $IF1 rx 1 tx 1" "-C $IF1 rx-usecs 100001" \
		 "-C $IF1 rx-frames 4097" \
		 "-X $IF1 equal 3" "-X $IF1 weight 1 1 1" \
		 "-X $IF1 hkey 00:01"; do
		# shellcheck disable=SC2086
		e1 $a 2>/dev/null && acc="$acc [$a]"
	done
	for a in 67 9001 100000 -1; do
		ip -n "$NS1" link set "$IF1" mtu "$a" 2>/dev/null && acc="$acc [mtu $a]"
	done
	# at the bounds: taken
	e1 -G "$IF1" rx 4096 tx 4096 || acc="$acc (4096 refused)"
	e1 -G "$IF1" rx 64 tx 64 || acc="$acc (64 refused)"
	e1 -G "$IF1" rx 256 tx 256
	ip -n "$NS1" link set "$IF1" mtu 68 || acc="$acc (mtu 68 refused)"
	ip -n "$NS1" link set "$IF1" mtu 9000 || acc="$acc (mtu 9000 refused)"
	ip -n "$NS1" link set "$IF1" mtu 1500
	ktap_print_msg "ethtool and MTU: accepted out of bounds or refused in: ${acc:-none}"
	[ -z "$acc" ]
}
ktap_test_result "ethtool and MTU settings at and past their bounds" ethtool_bounds

unchanged() {
	local rings ch mtu

	rings=$(nicsim_ethtool_now "$NS1" "$IF1" -g RX)
	ch=$(nicsim_ethtool_now "$NS1" "$IF1" -l Combined)
	mtu=$(ip netns exec "$NS1" cat "/sys/class/net/$IF1/mtu")
	ktap_print_msg "rings $rings, channels $ch, MTU $mtu"
	[ "$rings" = 256 ] && [ "$ch" = 2 ] && [ "$mtu" = 1500 ]
}
ktap_test_result "the refused settings changed nothing" unchanged

traffic_ok() {
	ip netns exec "$NS0" ping -q -c 5 -i 0.1 -W 2 10.0.0.2 >/dev/null
}
ktap_test_result "the port passes traffic afterwards" traffic_ok

ktap_finished
