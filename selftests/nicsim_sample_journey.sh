#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# samples/bpf/nicsim_journey on real traffic: its histograms count every
# datagram sent at every stage it can see (and mark XDP, with no program,
# as not seen), --xdp puts them through the XDP stage (and refuses a port
# that has a program), TCP segments reach the application, its timelines
# give each stage in order and its exports match them, sampling prints 1 in
# N, and bad options are refused.

. "$(dirname "$0")/nicsim_lib.sh"

journey_pid=""
srv_pid=""
tmp=$(mktemp -d)
cleanup() {
	[ -n "$journey_pid" ] && kill "$journey_pid" 2>/dev/null
	[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null
	rm -rf "$tmp"
	nicsim_cleanup
}
trap cleanup EXIT

PY=/usr/bin/python3

ktap_print_header
nicsim_require
nicsim_require_sample nicsim_journey
JOURNEY=$SAMPLE
ktap_set_plan 9
nicsim_load || ktap_exit_fail_msg "cannot load nicsim"
nicsim_pair || ktap_exit_fail_msg "cannot set up a port pair"
ip netns exec "$NS0" ping -q -c 1 -W 5 10.0.0.2 >/dev/null

# journey OUT ARGS...: start it on both ports, wait until it follows
journey() {
	local out=$1 _

	shift
	[ -n "$journey_pid" ] && kill "$journey_pid" 2>/dev/null	# a failed test's
	"$JOURNEY" -i "$IF0@$NS0" -i "$IF1@$NS1" --json "$@" >"$out" 2>&1 &
	journey_pid=$!
	for _ in $(seq 100); do
		grep -q '"type":"start"' "$out" && return 0
		kill -0 "$journey_pid" 2>/dev/null || break
		sleep 0.2
	done
	ktap_print_msg "nicsim_journey did not start: $(head -c 300 "$out")"
	return 1
}
# udp PORT COUNT: COUNT datagrams from $NS0 to a socket on 10.0.0.2:PORT,
# received, and their TX completions (where a send journey ends) done
udp() {
	local n=$2 tx0

	tx0=$(nicsim_stat "$NS0" "$IF0" tx_packets)
	nicsim_udp_recv "$NS1" 10.0.0.2 "$1" "$n" 10 "$tmp/udp.out" || return 1
	ip netns exec "$NS0" "$NICSIM_UDP" send 10.0.0.2 "$1" "$n" 2000 64
	wait "$NICSIM_RECV_PID" || return 1
	nicsim_wait eval '[ $(( $(nicsim_stat "$NS0" "$IF0" tx_packets) - tx0 )) -ge "$n" ]'
}
stop() {
	kill -INT "$journey_pid"
	wait "$journey_pid"
	journey_pid=""
}

histograms() {
	journey "$tmp/hist" --proto udp --dport 7000 || return 1
	udp 7000 50 || { ktap_print_msg "receiver missed datagrams"; return 1; }
	stop
	$PY - "$tmp/hist" <<'PYEOF'
import json, sys
h = [json.loads(l) for l in open(sys.argv[1]) if '"histograms"' in l][-1]
ok = True
def want(cond, what):
    global ok
    if not cond:
        print('# # ' + what)
        ok = False
for d, must, some, unseen in (
        ('rx', ['dma', 'napi', 'skb', 'stack', 'tc', 'socket', 'app', 'total'],
         ['irq', 'handler'], ['xdp']),
        ('tx', ['tc', 'xmit', 'post', 'dma', 'wire', 'done', 'total'],
         ['doorbell'], [])):
    st = {s['stage']: s for s in h[d]['stages']}
    print('# # %s: %d journeys; %s' % (d, h[d]['journeys'], ', '.join(
        '%s %d (%.0f us)' % (n, s['count'], s['avg_us']) for n, s in st.items())))
    want(h[d]['journeys'] == 50, '%s: %d journeys, not 50' % (d, h[d]['journeys']))
    for n, s in st.items():
        want(sum(s['slots']) == s['count'], '%s %s: slots sum to %d, count %d' %
             (d, n, sum(s['slots']), s['count']))
    for n in must:
        want(st[n]['count'] == 50, '%s %s: %d of 50' % (d, n, st[n]['count']))
    for n in some:
        want(0 < st[n]['count'] <= 50, '%s %s: %d' % (d, n, st[n]['count']))
    for n in unseen:
        want(st[n]['count'] == 0, '%s %s seen %d times' % (d, n, st[n]['count']))
want(h['lost_events'] == 0, 'lost events')
sys.exit(0 if ok else 1)
PYEOF
}
ktap_test_result "histograms: all 50 datagrams at every stage seen, both ways" histograms

# --xdp: the journey's pass-through XDP program puts every datagram through
# the xdp stage, and it goes away with the journey
with_xdp() {
	journey "$tmp/xdp" --xdp --proto udp --dport 7003 || return 1
	ip -n "$NS1" link show "$IF1" | grep -q "xdp" ||
		{ ktap_print_msg "no XDP program on $IF1 while following"; return 1; }
	udp 7003 20 || { ktap_print_msg "receiver missed datagrams"; return 1; }
	stop
	if ip -n "$NS1" link show "$IF1" | grep -q "xdp"; then
		ktap_print_msg "the XDP program outlived the journey"
		return 1
	fi
	$PY - "$tmp/xdp" <<'PYEOF'
import json, sys
h = [json.loads(l) for l in open(sys.argv[1]) if '"histograms"' in l][-1]
st = {s['stage']: s['count'] for s in h['rx']['stages']}
print('# # rx: %s' % st)
sys.exit(0 if st['xdp'] == 20 and st['skb'] == 20 and st['app'] == 20 else 1)
PYEOF
}
ktap_test_result "--xdp: all at the xdp stage; the program leaves with the journey" with_xdp

# a port whose XDP program is the user's: --xdp refuses, and keeps it
xdp_busy() {
	local err

	ip -n "$NS1" link set dev "$IF1" xdpdrv obj "$lib_dir/nicsim_pass.bpf.o" sec xdp ||
		{ ktap_print_msg "cannot attach a program of our own"; return 1; }
	"$JOURNEY" -i "$IF1@$NS1" --xdp -d 1 >/dev/null 2>"$tmp/err"
	err=$?
	ktap_print_msg "$(head -n 1 "$tmp/err")"
	ip -n "$NS1" link show "$IF1" | grep -q "xdp" ||
		{ ktap_print_msg "the user's program was removed"; return 1; }
	ip -n "$NS1" link set dev "$IF1" xdpdrv off
	[ "$err" -ne 0 ] && grep -q "it has one" "$tmp/err"
}
ktap_test_result "--xdp on a port that has a program: refused, the program kept" xdp_busy

# timelines, and their exports (read back below): one load of the tool
timelines() {
	journey "$tmp/tl" --timeline --count 4 --dport 7001 --perfetto "$tmp/trace.json" \
		--pcapng "$tmp/j.pcapng" --svg "$tmp/j.svg" || return 1
	udp 7001 2 || return 1
	wait "$journey_pid"	# --count 4 ends it
	journey_pid=""
	$PY - "$tmp/tl" <<'PYEOF'
import json, sys
js = [json.loads(l) for l in open(sys.argv[1]) if '"journey"' in l]
ok = len(js) == 4 and sorted(j['dir'] for j in js) == ['rx', 'rx', 'tx', 'tx']
for j in js:
    t = {s['stage']: s['t_us'] for s in j['stages']}
    need = (['wire', 'dma', 'napi', 'skb', 'stack', 'tc', 'socket', 'app']
            if j['dir'] == 'rx' else
            ['app', 'tc', 'xmit', 'post', 'dma', 'wire', 'done'])
    seen = [v for v in t.values() if v is not None]
    print('# # %s seq %d %s:%d -> %s:%d: %s' % (j['dir'], j['seq'], j['src'],
          j['sport'], j['dst'], j['dport'],
          ' '.join('%s=%s' % (k, v) for k, v in t.items())))
    ok &= all(t[n] is not None for n in need)
    ok &= seen == sorted(seen) and j['end'] == 'delivered'
    ok &= j['dst'] == '10.0.0.2' and j['dport'] == 7001 and j['seq'] > 0
sys.exit(0 if ok else 1)
PYEOF
}
ktap_test_result "timelines: each stage of each journey, in order" timelines

same_seq() {	# the send and receive journeys of a datagram share the seq
	$PY - "$tmp/tl" <<'PYEOF'
import json, sys
js = [json.loads(l) for l in open(sys.argv[1]) if '"journey"' in l]
rx = sorted(j['seq'] for j in js if j['dir'] == 'rx')
tx = sorted(j['seq'] for j in js if j['dir'] == 'tx')
print('# # rx seqs %s, tx seqs %s' % (rx, tx))
sys.exit(0 if rx and rx == tx else 1)
PYEOF
}
ktap_test_result "a datagram's send and receive journeys share its sequence number" same_seq

# tcp: a request-response stream (100 requests of 200 bytes, each
# echoed), so that no segment is coalesced or merged: on each port 100
# journeys are delivered, socket (tcp_rcv_established) and app (the read
# past the segment's end) seen; the handshake and the ACKs end at the
# socket, consumed; every data segment's send journey completes.
tcp() {
	ip netns exec "$NS1" $PY -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.0.2", 7004)); s.listen(1); s.settimeout(60)
open(sys.argv[1], "w").close()
c, _ = s.accept(); c.settimeout(60)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for _ in range(100):
    b = b""
    while len(b) < 200:
        d = c.recv(200 - len(b))
        if not d: raise SystemExit(1)
        b += d
    c.sendall(b)
c.recv(1)
' "$tmp/listening" &
	srv_pid=$!
	nicsim_wait test -e "$tmp/listening" ||
		nicsim_wait test -e "$tmp/listening" ||
		{ ktap_print_msg "the TCP server does not listen"; return 1; }
	journey "$tmp/tcp" --proto tcp || return 1
	if ! ip netns exec "$NS0" $PY -c '
import socket
c = socket.create_connection(("10.0.0.2", 7004), timeout=60)
c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
for i in range(100):
    c.sendall(bytes([i]) * 200)
    b = b""
    while len(b) < 200:
        d = c.recv(200 - len(b))
        if not d: raise SystemExit(1)
        b += d
c.close()
'; then
		ktap_print_msg "the TCP client failed"
		stop
		return 1
	fi
	wait "$srv_pid" || { ktap_print_msg "the TCP server failed"; stop; return 1; }
	srv_pid=""
	sleep 0.5	# the FINs, and the last completions
	stop
	$PY - "$tmp/tcp" "$IF0" "$IF1" <<'PYEOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]
start = [x for x in lines if x['type'] == 'start'][0]
name = {p['ifindex']: p['ifname'] for p in start['ports']}
h = [x for x in lines if x['type'] == 'histograms'][-1]
summ = [x for x in lines if x['type'] == 'summary'][0]
print('# # summary %s' % summ)
for d in ('rx', 'tx'):
    print('# # %s: %d journeys; %s' % (d, h[d]['journeys'], ', '.join(
        '%s %d' % (s['stage'], s['count']) for s in h[d]['stages'])))
rx = {s['stage']: s['count'] for s in h['rx']['stages']}
tx = {s['stage']: s['count'] for s in h['tx']['stages']}
ok = True
def want(cond, what):
    global ok
    if not cond:
        print('# # ' + what)
        ok = False
# 200 data segments each way counted once: 100 requests, 100 echoes
want(rx['app'] == 200, 'rx app %d, not 200 (read by the application)' % rx['app'])
want(rx['socket'] >= 200, 'rx socket %d, fewer than 200' % rx['socket'])
want(tx['done'] >= 200 and tx['done'] == h['tx']['journeys'],
     'tx done %d of %d journeys' % (tx['done'], h['tx']['journeys']))
want(summ['tcp_unfollowed'] == 0 and summ['lost_events'] == 0, 'unfollowed or lost')
sys.exit(0 if ok else 1)
PYEOF
}
ktap_test_result "tcp: a stream's data segments at the socket and the application, both ways" tcp

# the exports of the timelines above, read back by their readers: Python's
# JSON parser (the Perfetto trace: a slice per stage at the timeline's
# times, one flow per journey), Debian's tshark (the pcapng: the
# datagrams, their stages in comments) and Python's XML parser (the SVG: a
# bar per stage seen)
exports() {
	command -v tshark >/dev/null ||
		{ ktap_print_msg "no tshark (scripts/install-deps)"; return 1; }
	tshark -r "$tmp/j.pcapng" -T fields -e frame.interface_name -e udp.dstport \
		-e frame.comment >"$tmp/tshark" 2>"$tmp/tshark.err" ||
		{ ktap_print_msg "tshark: $(tail -n 2 "$tmp/tshark.err")"; return 1; }
	$PY - "$tmp/tl" "$tmp/trace.json" "$tmp/tshark" "$tmp/j.svg" <<'PYEOF'
import json, sys, xml.etree.ElementTree as ET
js = [json.loads(l) for l in open(sys.argv[1]) if '"journey"' in l]
trace = json.load(open(sys.argv[2]))['traceEvents']
ok = len(js) == 4
def want(cond, what):
    global ok
    if not cond:
        print('# # ' + what)
        ok = False
for j in js:
    slices = {e['args']['stage']: e for e in trace if e['ph'] == 'X' and
              e.get('args', {}).get('seq') == j['seq'] and e['args']['dir'] == j['dir']}
    seen = [s for s in j['stages'] if s['t_us'] is not None]
    want(sorted(slices) == sorted(s['stage'] for s in seen),
         '%s seq %d: slices %s' % (j['dir'], j['seq'], sorted(slices)))
    for s in seen:
        e = slices.get(s['stage'])
        want(e and abs(e['ts'] - (j['t0_ns'] / 1000 + s['t_us'])) < 0.1,
             '%s %s: slice at %s, timeline at %s' % (j['dir'], s['stage'],
             e and e['ts'], j['t0_ns'] / 1000 + s['t_us']))
    flow = [e for e in trace if e['ph'] in 'stf' and e.get('cat') == 'journey' and
            e['name'] == '%s seq %d' % (j['dir'], j['seq'])]
    want(len(flow) == len(seen) and flow[0]['ph'] == 's' and flow[-1]['ph'] == 'f',
         '%s seq %d: flow %s' % (j['dir'], j['seq'], [e['ph'] for e in flow]))
print('# # trace: %d events, %d slices' % (len(trace), len([e for e in trace if e['ph'] == 'X'])))
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[3]) if l.strip()]
print('# # tshark: %s' % rows[:1])
want(len(rows) == 4 and all(r[1] == '7001' and 'dma=' in r[2] and 'seq' in r[2] for r in rows),
     'tshark read %d rows: %s' % (len(rows), rows))
svg = ET.parse(sys.argv[4]).getroot()
ns = '{http://www.w3.org/2000/svg}'
titles = [t.text for t in svg.iter(ns + 'title')]
texts = [t.text for t in svg.iter(ns + 'text')]
want(svg.tag == ns + 'svg' and 'rx dma' in titles and 'tx done' in titles and
     any(t and t.startswith('Receive on') for t in texts), 'svg: %s' % titles[:20])
sys.exit(0 if ok else 1)
PYEOF
}
ktap_test_result "--perfetto, --pcapng, --svg: read back by a JSON parser, tshark, an XML parser" \
	exports

sampled() {
	journey "$tmp/s" --timeline --sample 5 --dport 7002 || return 1
	udp 7002 10 || return 1
	stop
	$PY - "$tmp/s" <<'PYEOF'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]
n = len([j for j in lines if j['type'] == 'journey'])
s = [j for j in lines if j['type'] == 'summary'][0]
print('# # %d timelines, summary %s' % (n, s))
sys.exit(0 if n == 4 and s['timelines'] == 4 and s['sampled_out'] == 16
         and s['rx_journeys'] == 10 and s['tx_journeys'] == 10 else 1)
PYEOF
}
ktap_test_result "--sample 5: 4 timelines of 20 journeys" sampled

refused() {
	local bad

	for bad in "--sample 0" "--count 3" "--dport 70000" "--saddr 10.0.0.300" \
		   "-i lo" "-i $IF1@nonexistent-ns" \
		   "-i $IF1@$NS1 --svg /nonexistent-dir/j.svg"; do
		# shellcheck disable=SC2086
		if "$JOURNEY" $bad -d 1 >/dev/null 2>"$tmp/err"; then
			ktap_print_msg "accepted: $bad"
			return 1
		fi
		ktap_print_msg "$bad: $(head -n 1 "$tmp/err")"
	done
}
ktap_test_result "bad options are refused with a message" refused

ktap_finished
