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

# ksft_dir FLAVOUR: the kselftests installed from the patched tree, built
# against FLAVOUR's kernel (scripts/prepare).
ksft_dir() {
	echo "$NICSIM_CACHE/kselftest-${KDIR:+kdir-}$1"
}

# modroot_dir FLAVOUR: INSTALL_MOD_PATH of FLAVOUR's modules.
modroot_dir() {
	echo "$NICSIM_CACHE/modroot-${KDIR:+kdir-}$1"
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

# The cached Linux source and its history. The source directory has no
# .git (kbuild would then append "+" to the kernel version): its git
# directory lives beside it. nicsim-base is the unpacked tarball; the
# series in patches/ is applied on branch nicsim (scripts/kernel-build).
NICSIM_KSRC=$NICSIM_CACHE/linux-6.12
NICSIM_KGIT=$NICSIM_CACHE/linux.git
kgit() {
	GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 \
		git --git-dir="$NICSIM_KGIT" --work-tree="$NICSIM_KSRC" "$@"
}

# Who the series is from, and when: fixed, so that `make patches` on the
# same sources writes the same bytes.
NICSIM_AUTHOR=${NICSIM_AUTHOR:-nicsim developers <nicsim-devel@example.org>}
NICSIM_SERIES_DATE="2024-11-17 12:00:00 +0000"
series_git_env() {
	export GIT_AUTHOR_NAME="${NICSIM_AUTHOR% <*}"
	export GIT_AUTHOR_EMAIL="${NICSIM_AUTHOR##*<}"
	GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL%>}
	export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME
	export GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
	export GIT_AUTHOR_DATE=$NICSIM_SERIES_DATE
	export GIT_COMMITTER_DATE=$NICSIM_SERIES_DATE
}

# ksrc_unpack: unpack Debian's linux-source-6.12 into $NICSIM_KSRC, once
# per tarball version (a new one also drops the git directory).
ksrc_unpack() {
	local src=$NICSIM_KSRC tar_id

	tar_id=$(stat -c '%s-%Y' "$NICSIM_KSRC_TAR" 2>/dev/null) ||
		die "$NICSIM_KSRC_TAR missing: run scripts/install-deps"
	[ "$(cat "$src/.nicsim-unpacked" 2>/dev/null)" = "$tar_id" ] && return 0
	rm -rf "$src" "$src.tmp"
	mkdir -p "$src.tmp"
	run_logged "$NICSIM_CACHE/unpack.log" "unpacking $NICSIM_KSRC_TAR" \
		tar -C "$src.tmp" --strip-components=1 -xf "$NICSIM_KSRC_TAR"
	echo "$tar_id" >"$src.tmp/.nicsim-unpacked"
	rm -rf "$NICSIM_KGIT"
	mv "$src.tmp" "$src"
}

# kgit_base: make sure $NICSIM_KGIT has the pristine source as nicsim-base.
# Only an untouched source can become the base: one the series was applied
# to (its stamp says so) is unpacked again by scripts/kernel-build.
kgit_base() {
	ksrc_unpack
	[ -n "$(kgit rev-parse -q --verify nicsim-base 2>/dev/null)" ] && return 0
	[ ! -f "$NICSIM_KSRC/.nicsim-series" ] ||
		die "$NICSIM_KSRC has a series applied but no git base: rm -rf it and rerun"
	rm -rf "$NICSIM_KGIT"
	git init -q --bare "$NICSIM_KGIT"
	kgit config core.autocrlf false
	kgit config gc.auto 0
	# -f: the source's own .gitignore would hide some of its files
	run_logged "$NICSIM_CACHE/kgit.log" "recording the pristine source in $NICSIM_KGIT" \
		kgit add -A -f .
	kgit rm -q --cached --ignore-unmatch .nicsim-unpacked
	(series_git_env
	 kgit commit -q --no-verify -m "Linux $(make -s -C "$NICSIM_KSRC" kernelversion 2>/dev/null) ($(basename "$NICSIM_KSRC_TAR"))")
	kgit tag nicsim-base
}
