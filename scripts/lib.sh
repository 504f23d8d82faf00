# SPDX-License-Identifier: GPL-2.0
# Shared settings for nicsim's scripts; sourced, not run.
# shellcheck shell=bash

NICSIM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NICSIM_CACHE=${NICSIM_CACHE:-$HOME/.cache/nicsim}
NICSIM_KSRC_TAR=${NICSIM_KSRC_TAR:-/usr/src/linux-source-6.12.tar.xz}
CLANG=${CLANG:-clang-19}
export NICSIM_ROOT NICSIM_CACHE

msg() { printf 'nicsim: %s\n' "$*" >&2; }
die() { printf 'nicsim: error: %s\n' "$*" >&2; exit 1; }

# kdir_for FLAVOUR: the prepared kernel build directory to use.
# KDIR from the environment wins; otherwise the cached build of FLAVOUR.
kdir_for() {
	if [ -n "${KDIR:-}" ]; then
		echo "$KDIR"
	else
		echo "$NICSIM_CACHE/build-$1"
	fi
}

# tools_dir KDIR: where libbpf, bpftool and vmlinux.h built from KDIR live.
tools_dir() {
	echo "$NICSIM_CACHE/tools-$(echo "$1" | md5sum | cut -c1-8)"
}

# obj_dir KDIR: where the module, samples and selftests built for KDIR go.
obj_dir() {
	echo "$NICSIM_CACHE/obj-$(echo "$1" | md5sum | cut -c1-8)"
}

# run_logged LOG DESCRIPTION CMD...: run a long step quietly, showing a
# heartbeat with the log's size, and print the log's tail on failure.
run_logged() {
	local log=$1 what=$2 pid start rc
	shift 2
	msg "$what (log: $log)"
	start=$(date +%s)
	"$@" >"$log" 2>&1 &
	pid=$!
	local n=0
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		n=$((n + 1))
		[ $((n % 30)) -eq 0 ] && kill -0 "$pid" 2>/dev/null &&
			msg "  ... $what: ${n}s, $(wc -l <"$log") log lines, last: $(tail -n 1 "$log" | cut -c1-60)"
	done
	rc=0
	wait "$pid" || rc=$?
	if [ "$rc" -ne 0 ]; then
		tail -n 40 "$log" >&2
		die "$what failed (exit $rc); full log: $log"
	fi
	msg "$what: done in $(( $(date +%s) - start ))s"
}
