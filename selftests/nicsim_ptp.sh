#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The PTP hardware clock of each nicsim port, and hardware time stamps, as
# the kernel's and linuxptp's tools use them, unchanged:
#  - ethtool -T lists hardware TX/RX stamps and the port's own clock;
#  - hwtstamp_config (selftests/net) sets and reads SIOCSHWTSTAMP: TX on
#    or off, any RX filter stamps all frames, one-step is refused;
#  - phc.sh (selftests/ptp, through phc_ctl) on another device's clock
#    while the rest runs: adjtime; its settime and adjfreq wait 220 s in
#    all, and run with NICSIM_PHC_TESTS="settime adjtime adjfreq";
#  - the clock's rate follows adjfine and the oscillator error that
#    phc_drift_ppb injects;
#  - timestamping (selftests/net) on both ends of the cable: the receiver's
#    hardware stamp of a datagram is the sender's plus the cable latency
#    the test sets;
#  - ptp4l with hardware stamps over the cable: the peer's clock, its
#    oscillator 50 ppm off, locks to this port's, and ptp4l's frequency
#    correction undoes the injected error.

. "$(dirname "$0")/nicsim_lib.sh"

phc_pid=""
tmp=$(mktemp -d)
cleanup() {
	[ -n "$phc_pid" ] && kill "$phc_pid" 2>/dev/null
	jobs -p | xargs -r kill 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
	nicsim_cleanup
}
trap cleanup EXIT

PY=/usr/bin/python3
HWTSTAMP_CONFIG=$lib_dir/hwtstamp_config
TIMESTAMPING=$lib_dir/timestamping
PHC_SH=$lib_dir/phc.sh

ktap_print_header
nicsim_require ethtool phc_ctl ptp4l stdbuf
for t in "$HWTSTAMP_CONFIG" "$TIMESTAMPING" "$PHC_SH"; do
	[ -x "$t" ] || ktap_exit_fail_msg "$t is missing: it is installed with these tests"
done
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair || ktap_exit_fail_msg "cannot set up a port pair"
dbg=/sys/kernel/debug/nicsim/nicsim$ID
ktap_set_plan 6

# phc NS IF: the port's PTP clock device, /dev/ptpN (NS "": the root one)
phc() {
	if [ -n "$1" ]; then ip netns exec "$1" ethtool -T "$2"; else ethtool -T "$2"; fi |
		awk -F': ' '/PTP Hardware Clock|Hardware timestamp provider index/ {
			print "/dev/ptp" $2; exit }'
}
PHC0=$(phc "$NS0" "$IF0")
PHC1=$(phc "$NS1" "$IF1")

# upstream's phc.sh runs on a clock of its own, on a device of its own,
# while the other cases run. Its settime and adjfreq cases wait 120 and
# 100 s: make check runs adjtime only.
PHC_TESTS=${NICSIM_PHC_TESTS:-adjtime}
phc_dev=$(nicsim_random_id)
if nicsim_new "$phc_dev"; then
	phc_if=$(nicsim_ports "$phc_dev" | head -n 1)
	phc_clock=$(phc "" "$phc_if")
	(cd "$lib_dir" && TESTS=$PHC_TESTS ./phc.sh "$phc_clock") >"$tmp/phc.out" 2>&1 &
	phc_pid=$!
fi

ts_info() {
	local t0 t1 n0 n1

	ip netns exec "$NS0" ethtool -T "$IF0" >"$tmp/T" || return 1
	sed 's/^/# # /' "$tmp/T"
	for cap in hardware-transmit hardware-receive hardware-raw-clock; do
		grep -q "$cap" "$tmp/T" || { ktap_print_msg "no $cap"; return 1; }
	done
	grep -A2 "Hardware Transmit Timestamp Modes" "$tmp/T" | grep -qw on &&
		grep -A2 "Hardware Receive Filter Modes" "$tmp/T" | grep -qw all ||
		{ ktap_print_msg "TX on or RX all missing"; return 1; }
	[ -c "$PHC0" ] && [ -c "$PHC1" ] && [ "$PHC0" != "$PHC1" ] ||
		{ ktap_print_msg "port clocks: '$PHC0' and '$PHC1'"; return 1; }
	t0=${PHC0#/dev/} t1=${PHC1#/dev/}
	n0=$(cat "/sys/class/ptp/$t0/clock_name") n1=$(cat "/sys/class/ptp/$t1/clock_name")
	ktap_print_msg "clocks: $t0 '$n0', $t1 '$n1'"
	[ "$n0" = "nicsim$ID port 0" ] && [ "$n1" = "nicsim$ID port 1" ]
}
ktap_test_result "ethtool -T: hardware stamps, each port its own PTP clock" ts_info

# hwcfg ARGS...: hwtstamp_config on port 0, "tx_type rx_filter" it printed
hwcfg() {
	ip netns exec "$NS0" "$HWTSTAMP_CONFIG" "$IF0" "$@" >"$tmp/cfg" 2>&1 || return 1
	awk '/^tx_type/ { t = $3 } /^rx_filter/ { r = $3 } END { print t, r }' "$tmp/cfg"
}
hwtstamp() {
	local got ok=0

	check() {	# WANT ARGS...
		local want=$1

		shift
		got=$(hwcfg "$@")
		ktap_print_msg "hwtstamp_config $IF0 $*: $got"
		[ "$got" = "$want" ] || { ktap_print_msg "not '$want'"; ok=1; }
	}
	check "OFF NONE"
	check "ON ALL" ON ALL
	check "ON ALL"
	check "ON ALL" ON PTP_V2_EVENT
	check "OFF ALL" OFF SOME
	if hwcfg ONESTEP_SYNC NONE >/dev/null; then
		ktap_print_msg "one-step accepted"
		ok=1
	fi
	ktap_print_msg "ONESTEP_SYNC: $(cat "$tmp/cfg")"
	check "OFF ALL"
	check "OFF NONE" OFF NONE
	return $ok
}
ktap_test_result "hwtstamp_config: TX off or on, RX none or all, no one-step" hwtstamp

# Both ends run upstream's timestamping tool (it sends a datagram to a PTP
# multicast group every 5 s, and prints its TX stamp from the error queue
# and the stamps of what it receives) with hardware stamps. The cable
# from port 0 is 3 ms long. Both clocks started at the system time when
# the device was created, a few ns apart, and nothing has changed them.
LATENCY_US=3000
stamps() {
	local a b

	echo $LATENCY_US >"$dbg/port0/wire_latency_us"
	a="SOF_TIMESTAMPING_TX_HARDWARE SOF_TIMESTAMPING_RX_HARDWARE SOF_TIMESTAMPING_RAW_HARDWARE"
	ip netns exec "$NS0" timeout 11 stdbuf -oL "$TIMESTAMPING" "$IF0" $a >"$tmp/ts0" 2>&1 &
	b=$!
	ip netns exec "$NS1" timeout 11 stdbuf -oL "$TIMESTAMPING" "$IF1" $a >"$tmp/ts1" 2>&1
	wait $b
	echo 0 >"$dbg/port0/wire_latency_us"
	grep SIOCSHWTSTAMP "$tmp/ts0" | sed 's/^/# # /'
	$PY - "$tmp/ts0" "$tmp/ts1" $LATENCY_US <<'PYEOF'
import re, sys
def stamps(path, kind):
    out, origin = [], None
    for l in open(path):
        m = re.match(r'[\d.]+: received (\w+) data, \d+ bytes from ([\d.]+)', l)
        if m:
            origin = m.groups()
            continue
        m = re.search(r'SO_TIMESTAMPING SW [\d.]+ HW raw (\d+)\.(\d+)', l)
        if m and origin and origin[0] == kind:
            out.append((int(m.group(1)) * 10**9 + int(m.group(2)), origin[1]))
    return out
tx = [t for t, _ in stamps(sys.argv[1], 'error')]
rx = [t for t, src in stamps(sys.argv[2], 'regular') if src == '10.0.0.1']
lat = int(sys.argv[3]) * 1000
print('# # port 0 TX stamps: %s' % tx)
print('# # port 1 RX stamps of them: %s' % rx)
# the receiver may start after the sender's first datagram, never later
ok = len(rx) >= 2 and len(rx) <= len(tx)
for t, r in zip(tx[len(tx) - len(rx):], rx):
    d = r - t
    print('# # RX - TX: %d ns (cable %d ns)' % (d, lat))
    # stamped when the cable model says the frame passed each MAC
    ok &= abs(d - lat) <= 1000
sys.exit(0 if ok else 1)
PYEOF
}
ktap_test_result "timestamping: the receiver's stamp is the sender's plus the cable's 3 ms" \
	stamps

# rate CLOCK: its rate against CLOCK_MONOTONIC over two seconds, in ppb.
# Each end is the read of the clock with the shortest syscall around it
# of 20: a TCG guest's syscalls take tens of us, and vary.
rate() {
	$PY - "$1" <<'PYEOF'
import os, sys, time
fd = os.open(sys.argv[1], os.O_RDONLY)
clk = (~fd << 3) | 3		# FD_TO_CLOCKID
def sample():
    best = None
    for _ in range(20):
        m0 = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        p = time.clock_gettime_ns(clk)
        m1 = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        if best is None or m1 - m0 < best[0]:
            best = (m1 - m0, (m0 + m1) // 2, p)
    return best[1:]
m0, p0 = sample()
time.sleep(2)
m1, p1 = sample()
print(round(((p1 - p0) / (m1 - m0) - 1) * 1e9))
PYEOF
}
# near VALUE WANT TOLERANCE
near() { [ $(( $1 > $2 ? $1 - $2 : $2 - $1 )) -le "$3" ]; }
frequency() {
	local r ok=0

	r=$(rate "$PHC1")
	ktap_print_msg "nominal: $r ppb"
	near "$r" 0 20000 || ok=1
	phc_ctl "$PHC1" freq 20000000 >/dev/null || return 1
	r=$(rate "$PHC1")
	ktap_print_msg "adjfine +20000000 ppb: $r ppb"
	near "$r" 20000000 20000 || ok=1
	echo -1000000 >"$dbg/port1/phc_drift_ppb" || return 1
	r=$(rate "$PHC1")
	ktap_print_msg "and an oscillator 1000000 ppb slow: $r ppb"
	near "$r" 19000000 20000 || ok=1
	phc_ctl "$PHC1" freq 0 >/dev/null
	echo 0 >"$dbg/port1/phc_drift_ppb"
	if echo 2000000 >"$dbg/port1/phc_drift_ppb" 2>/dev/null; then
		ktap_print_msg "a 2000 ppm oscillator error accepted"
		ok=1
	fi
	return $ok
}
ktap_test_result "the clock runs at the rate adjfine and the oscillator's error give" \
	frequency

# ptp4l on both ends, hardware stamps, layer 2: port 1's clock, its
# oscillator 50 ppm fast, is the slave. ptp4l slows it by 50 ppm, and
# the offset to the master and the path delay (no cable latency) go to a
# few ns.
DRIFT_PPB=50000
ptp4l_sync() {
	local m s opts

	phc_ctl "$PHC0" set >/dev/null && phc_ctl "$PHC1" set >/dev/null || return 1
	echo $DRIFT_PPB >"$dbg/port1/phc_drift_ppb"
	# a TCG guest takes its time for a TX completion: 100 ms, not 1
	opts="-2 -H -m --tx_timestamp_timeout=100 --logSyncInterval=-3"
	ip netns exec "$NS0" timeout 33 ptp4l -i "$IF0" $opts --priority1=1 >"$tmp/m" 2>&1 &
	m=$!
	ip netns exec "$NS1" timeout 30 ptp4l -i "$IF1" $opts -s >"$tmp/s" 2>&1
	wait $m
	echo 0 >"$dbg/port1/phc_drift_ppb"
	grep -m 1 "to SLAVE" "$tmp/s" | sed 's/^/# # /'
	tail -n 5 "$tmp/s" | sed 's/^/# # /'
	grep -q "UNCALIBRATED to SLAVE" "$tmp/s" || { ktap_print_msg "never locked"; return 1; }
	# with several syncs a second, ptp4l sums up each second: the offset's
	# rms and max (ns), its frequency correction (ppb) and the path delay
	$PY - "$tmp/s" $DRIFT_PPB <<'PYEOF'
import re, sys
drift = int(sys.argv[2])
# (a second without a delay measurement has no "delay" field)
s = [re.search(r'rms\s+(\d+) max\s+(-?\d+) freq\s+([-+]?\d+) \+/-\s+\d+(?: delay\s+(-?\d+))?', l)
     for l in open(sys.argv[1])]
s = [tuple(int(x) if x is not None else None for x in m.groups()) for m in s if m]
print('# # %d seconds summed up' % len(s))
if len(s) < 10:
    sys.exit(1)
last = s[-5:-1]		# not the last: the master may be gone in it
rms = max(x[0] for x in last)
freq = sum(x[2] for x in last) / len(last)
delays = [abs(x[3]) for x in s[-10:-1] if x[3] is not None]
if not delays:
    sys.exit(1)
delay = max(delays)
# ptp4l prints the correction it computes; it applies its opposite
print('# # seconds before the last: rms offset up to %d ns, mean freq %+.0f ppb '
      '(the oscillator: %+d ppb), path delay up to %d ns' % (rms, freq, drift, delay))
sys.exit(0 if rms < 100 and abs(freq - drift) < 500 and delay < 100 else 1)
PYEOF
}
ktap_test_result "ptp4l: the peer locks to this clock; its 50 ppm error corrected" \
	ptp4l_sync

phc_sh() {
	[ -n "$phc_pid" ] || { ktap_print_msg "no device for phc.sh"; return 1; }
	wait "$phc_pid"
	local rc=$?

	phc_pid=""
	sed 's/^/# # /' "$tmp/phc.out"
	[ $rc -eq 0 ] && [ "$(grep -c '\[ OK \]' "$tmp/phc.out")" -eq "$(echo $PHC_TESTS | wc -w)" ]
}
ktap_test_result "phc.sh (selftests/ptp): $PHC_TESTS" phc_sh

ktap_finished
