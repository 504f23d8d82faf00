#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The nicsim bus: new_device/del_device create and remove devices and their
# netdevs; malformed input is refused with an error and leaves nothing.

. "$(dirname "$0")/nicsim_lib.sh"

trap nicsim_cleanup EXIT

# expect_write_fails FILE STRING ERRNO_TEXT: the write must fail with it.
expect_write_fails() {
	local err

	err=$( { printf '%s' "$2" >"$1"; } 2>&1 ) && return 1
	[[ "$err" == *"$3"* ]]
}

ktap_print_header
nicsim_require
ktap_set_plan 7
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"

id=$(nicsim_random_id)
nicsim_new "$id"
ports=$(nicsim_ports "$id")
ktap_test_result "new_device ID creates two ports" \
	[ "$(echo "$ports" | wc -l)" -eq 2 ]

id4=$((id + 1))
nicsim_new "$id4" 4
ktap_test_result "new_device ID 4 creates four ports" \
	[ "$(nicsim_ports "$id4" | wc -l)" -eq 4 ]

bad_new_ok=true
for input in " " "abc" "$((id + 2)) 3" "$((id + 2)) 0" "$((id + 2)) 18" \
	     "$((id + 2)) 2 0" "$((id + 2)) 2 129" "$((id + 2)) 2 4 1" "-5" \
	     "99999999999"; do
	if ! expect_write_fails "$NICSIM_BUS/new_device" "$input" \
		"Invalid argument"; then
		ktap_print_msg "new_device accepted '$input'"
		bad_new_ok=false
	fi
done
[ -e "$NICSIM_BUS/devices/nicsim$((id + 2))" ] && bad_new_ok=false
ktap_test_result "new_device refuses malformed input with EINVAL" $bad_new_ok

ktap_test_result "new_device refuses an existing ID with EEXIST" \
	expect_write_fails "$NICSIM_BUS/new_device" "$id" "File exists"

bad_del_ok=true
expect_write_fails "$NICSIM_BUS/del_device" "abc" "Invalid argument" ||
	bad_del_ok=false
expect_write_fails "$NICSIM_BUS/del_device" "$((id + 2))" \
	"No such file or directory" || bad_del_ok=false
ktap_test_result "del_device refuses bad and unknown IDs" $bad_del_ok

echo "$id" >"$NICSIM_BUS/del_device"
gone=true
for p in $ports; do
	[ -e "/sys/class/net/$p" ] && gone=false
done
[ -e "$NICSIM_BUS/devices/nicsim$id" ] && gone=false
ktap_test_result "del_device removes the device and its netdevs" $gone

loop_ok=true
before=$(ls /sys/class/net | wc -l)
for i in $(seq 1 20); do
	echo "$((id + 10)) 2" >"$NICSIM_BUS/new_device" || loop_ok=false
	echo "$((id + 10))" >"$NICSIM_BUS/del_device" || loop_ok=false
done
[ "$(ls /sys/class/net | wc -l)" -eq "$before" ] || loop_ok=false
ktap_test_result "20 create/delete cycles leave no netdev behind" $loop_ok

ktap_finished
