#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# samples/bpf/nicsim_guard on a cgroup: in audit mode an unexpected bind,
# UDP send and TCP connect from the cgroup are each reported once and let
# through, expected ones are not reported; with --deny they fail with
# EPERM and are reported as denied, while a process outside the cgroup
# is not touched.

. "$(dirname "$0")/nicsim_lib.sh"

guard_pid=""
tmp=$(mktemp -d)
CG=/sys/fs/cgroup/nicsim-guard-$$
cleanup() {
	[ -n "$guard_pid" ] && kill "$guard_pid" 2>/dev/null
	wait 2>/dev/null
	rmdir "$CG" 2>/dev/null
	rm -rf "$tmp"
	nicsim_cleanup
}
trap cleanup EXIT

PY=/usr/bin/python3

ktap_print_header
nicsim_require
nicsim_require_sample nicsim_guard
GUARD=$SAMPLE
if [ ! -f /sys/fs/cgroup/cgroup.procs ]; then
	ktap_skip_all "no cgroup v2 at /sys/fs/cgroup"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 3
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair || ktap_exit_fail_msg "cannot set up a port pair"
ip netns exec "$NS0" ping -q -c 1 -W 5 10.0.0.2 >/dev/null
mkdir "$CG" || ktap_exit_fail_msg "cannot create $CG"

# in_cg NS CMD...: run CMD in namespace NS, inside the guarded cgroup
# (joined first: ip netns exec remounts /sys, hiding /sys/fs/cgroup)
in_cg() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	bash -c 'echo $$ > "$0/cgroup.procs" && exec ip netns exec "$@"' "$CG" "$@"
}
guard() {
	local out=$1 _

	shift
	"$GUARD" -c "$CG" --allow-bind 8080 --allow-dst 10.0.0.2/32 --json "$@" >"$out" 2>&1 &
	guard_pid=$!
	for _ in $(seq 100); do
		grep -q '"type":"start"' "$out" && return 0
		kill -0 "$guard_pid" 2>/dev/null || break
		sleep 0.2
	done
	ktap_print_msg "nicsim_guard did not start: $(head -c 300 "$out")"
	return 1
}
stop() {
	kill -INT "$guard_pid"
	wait "$guard_pid"
	guard_pid=""
}
# the calls: expected ones (bind 8080, send to 10.0.0.2) and unexpected
# ones (bind 9999, send to 10.0.0.9, connect to 10.0.0.9:80); prints
# whether the bind and the send went through (the connect goes nowhere
# either way: the audit trail tells)
calls() {
	local bind send recv_out

	recv_out=$(mktemp)
	in_cg "$NS1" "$NICSIM_UDP" recv 10.0.0.2 8080 1 1 >"$recv_out" 2>&1 &
	nicsim_wait grep -q '^ready' "$recv_out"	# bound
	in_cg "$NS0" "$NICSIM_UDP" send 10.0.0.2 8080 1 >/dev/null 2>&1
	wait $!
	rm -f "$recv_out"
	# "ready" once bound
	bind=$(in_cg "$NS1" "$NICSIM_UDP" recv 10.0.0.2 9999 1 1 2>&1 | grep -c '^ready')
	in_cg "$NS0" "$NICSIM_UDP" send 10.0.0.9 9 1 >/dev/null 2>&1
	send=$?
	in_cg "$NS0" nc -z -w 1 10.0.0.9 80 >/dev/null 2>&1
	echo "bound=$bind send=$send"
}
# audit FILE VERDICT: the three unexpected calls, once each, with VERDICT
audit() {
	$PY - "$1" "$2" <<'PYEOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]
ev = [(e['op'], e['proto'], e['addr'], e['port'], e['verdict'])
      for e in lines if e['type'] == 'audit']
s = [e for e in lines if e['type'] == 'summary'][0]
print('# # audit %s; summary %s' % (ev, s))
v = sys.argv[2]
want = sorted([('bind', 'udp', '10.0.0.2', 9999, v), ('sendmsg', 'udp', '10.0.0.9', 9, v),
               ('connect', 'tcp', '10.0.0.9', 80, v)])
n = s['denied' if v == 'denied' else 'audited']
sys.exit(0 if sorted(ev) == want and n == 3 and s['allowed'] >= 2 and s['lost'] == 0 else 1)
PYEOF
}

audited() {
	local rc

	guard "$tmp/a" || return 1
	rc=$(calls)
	stop
	ktap_print_msg "audit mode: $rc"
	# bind and send succeed; the connect to nowhere fails on its own
	[ "$rc" = "bound=1 send=0" ] && audit "$tmp/a" audited
}
ktap_test_result "audit mode: each unexpected call reported once, let through" audited

denied() {
	local rc

	guard "$tmp/d" --deny || return 1
	rc=$(calls)
	# outside the cgroup, the same bind works
	ip netns exec "$NS1" "$NICSIM_UDP" recv 10.0.0.2 9999 1 1 >"$tmp/outside" 2>&1
	stop
	ktap_print_msg "deny mode: $rc; outside the cgroup: $(cat "$tmp/outside")"
	[ "$rc" = "bound=0 send=1" ] && grep -q "^ready" "$tmp/outside" &&
		audit "$tmp/d" denied
}
ktap_test_result "--deny: they fail with EPERM, reported denied; outside is untouched" denied

refused() {
	local bad

	for bad in "" "-c /nonexistent" "-c $CG --allow-bind 0" \
		   "-c $CG --allow-bind 70000" "-c $CG --allow-dst 10.0.0.0/40" \
		   "-c $CG --allow-dst nonsense"; do
		# shellcheck disable=SC2086
		if "$GUARD" $bad -d 1 >/dev/null 2>"$tmp/err"; then
			ktap_print_msg "accepted: '$bad'"
			return 1
		fi
		ktap_print_msg "'$bad': $(head -n 1 "$tmp/err")"
	done
}
ktap_test_result "bad options are refused with a message" refused

ktap_finished
