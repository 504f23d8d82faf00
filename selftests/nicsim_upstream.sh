#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Upstream's driver tests, unchanged, in HW mode on a nicsim port: the
# tests of drivers/net/ and drivers/net/hw/ that otherwise need a real
# NIC. As drivers/net/README.rst describes: NETIF is port 0 of a new
# nicsim device, in this namespace with 192.0.2.1 and 2001:db8::1; port 1,
# its cable's other end, is the remote endpoint in a namespace of its own
# (REMOTE_TYPE=netns) with .2 and ::2.
#
# Each case of each upstream test is one result here, under its upstream
# name (ping.test_v4, rss_ctx.test_rss_context4, ...), with its SKIP or
# XFAIL directive and reason. The upstream tests are installed with these
# (TARGETS="drivers/net drivers/net/hw net/lib drivers/net/nicsim").
#
# The default list is what passes in the debug VM under qemu TCG. The
# others there need a faster machine than that (see the README's table):
# NICSIM_UPSTREAM_TESTS="hw/rss_ctx.py hw/pp_alloc_fail.py" runs those instead
# (names separated by spaces or commas), each given NICSIM_UPSTREAM_TIMEOUT
# seconds (240).
# The device has 72 queue pairs (rss_ctx's 32 contexts take 66), 8 in use.

. "$(dirname "$0")/nicsim_lib.sh"

drv_dir=$(cd "$lib_dir/.." && pwd)
tests=$(echo "${NICSIM_UPSTREAM_TESTS:-ping.py queues.py stats.py hw/csum.py}" | tr , " ")
queues=72
# a hung test must not take the rest with it
case_timeout=${NICSIM_UPSTREAM_TIMEOUT:-240}

ktap_print_header
nicsim_require iperf3 socat python3 ethtool timeout
if ! python3 -c 'import yaml' 2>/dev/null; then
	ktap_skip_all "python3-yaml is not installed (YNL needs it)"
	exit "$KSFT_SKIP"
fi
for t in $tests; do
	[ -x "$drv_dir/$t" ] && continue
	ktap_skip_all "$drv_dir/$t is missing: install drivers/net, drivers/net/hw" \
		"and net/lib with these tests"
	exit "$KSFT_SKIP"
done

trap nicsim_cleanup EXIT
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair_dev "$(nicsim_random_id)" "$queues" ||
	ktap_exit_fail_msg "cannot create a nicsim device with $queues queues"
REMOTE_NS=nicsim-up-$ID
ip netns add "$REMOTE_NS" && NICSIM_NETNS="$NICSIM_NETNS $REMOTE_NS" ||
	ktap_exit_fail_msg "cannot add netns $REMOTE_NS"
ethtool -L "$IF0" combined 8 && ethtool -L "$IF1" combined 8 ||
	ktap_exit_fail_msg "cannot set 8 channels"
ip link set "$IF1" netns "$REMOTE_NS" || ktap_exit_fail_msg "cannot move $IF1"
# stats.py's check_down sets the port down, which would flush its IPv6
# addresses for the tests after it
sysctl -qw "net.ipv6.conf.$IF0.keep_addr_on_down=1"
ip addr add 192.0.2.1/24 dev "$IF0"
ip addr add 2001:db8::1/64 dev "$IF0" nodad
ip link set "$IF0" up
ip -n "$REMOTE_NS" addr add 192.0.2.2/24 dev "$IF1"
ip -n "$REMOTE_NS" addr add 2001:db8::2/64 dev "$IF1" nodad
ip -n "$REMOTE_NS" link set "$IF1" up
ip -n "$REMOTE_NS" link set lo up
nicsim_wait ping -c 1 -W 1 -q 192.0.2.2 >/dev/null ||
	ktap_exit_fail_msg "$IF0 cannot reach $IF1 in $REMOTE_NS"

export NETIF=$IF0 LOCAL_V4=192.0.2.1 REMOTE_V4=192.0.2.2
export LOCAL_V6=2001:db8::1 REMOTE_V6=2001:db8::2
export REMOTE_TYPE=netns REMOTE_ARGS=$REMOTE_NS
ktap_print_msg "NETIF=$NETIF, remote $IF1 in netns $REMOTE_NS, 8 channels of $queues"

# The results are printed once every test has run, after the plan; the
# upstream tests' own output goes by as diagnostics meanwhile.
results=$(mktemp)
out=$(mktemp)
trap 'rm -f "$results" "$out"; nicsim_cleanup' EXIT
for t in $tests; do
	name=${t##*/}
	ktap_print_msg "running $t"
	(cd "$drv_dir" && PYTHONUNBUFFERED=1 timeout -k 10 "$case_timeout" "./$t") >"$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out"
	plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$out" | head -n 1)
	n=$(grep -cE '^(not )?ok [0-9]+ ' "$out")
	# each case's result, "ok N name [# directive]", without its number
	grep -E '^(not )?ok [0-9]+ ' "$out" |
		sed -E 's/^(not ok|ok) [0-9]+ /\1 /' >>"$results"
	if [ -z "$plan" ] || [ "$n" -ne "$plan" ]; then
		echo "not ok ${name%.py}: $n results of ${plan:-no} plan (exit $rc)" >>"$results"
	elif [ "$rc" -ne 0 ] && [ "$rc" -ne "$KSFT_SKIP" ] &&
	     ! grep -q '^not ok ' "$out"; then
		echo "not ok ${name%.py}: exit $rc without a failed case" >>"$results"
	fi
done

ktap_set_plan "$(wc -l <"$results")"
while read -r res rest; do
	[ "$res" = not ] && { res="not ok"; rest=${rest#ok }; }
	case $res:$rest in
	"not ok":*)
		echo "not ok $KTAP_TESTNO $rest"
		KTAP_CNT_FAIL=$((KTAP_CNT_FAIL + 1)) ;;
	*"# SKIP"*)
		echo "ok $KTAP_TESTNO $rest"
		KTAP_CNT_SKIP=$((KTAP_CNT_SKIP + 1)) ;;
	*)
		echo "ok $KTAP_TESTNO $rest"
		KTAP_CNT_PASS=$((KTAP_CNT_PASS + 1)) ;;
	esac
	KTAP_TESTNO=$((KTAP_TESTNO + 1))
done <"$results"
ktap_finished
