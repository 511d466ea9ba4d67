#!/bin/sh
# tests/cli/test-serve.sh - `sealcall serve` (TAP). Needs $SEALCALL.
# SPDX-License-Identifier: LGPL-2.1-or-later

SEALCALL=${SEALCALL:-./ui-cli/sealcall}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sc-serve.XXXXXX") || exit 1
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; }
check() { # check DESCRIPTION COMMAND...
    desc=$1; shift
    if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
lines() { wc -l < "$1" | tr -d ' '; }

# Until the program dispatches `serve`, there is nothing to test.
if ! "$SEALCALL" serve --help 2>/dev/null | grep -q -- '--port'; then
    echo "1..0 # SKIP $SEALCALL does not dispatch the serve command"
    exit 0
fi

# waits (at most ~20 s) until FILE has a complete line
wait_line() {
    i=0
    while [ $i -lt 200 ]; do
        [ "$(lines "$1")" -ge 1 ] && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}

# 1-4: --port 0 prints the listening line, SIGTERM exits 0
"$SEALCALL" serve --port 0 > "$tmp/out" 2> "$tmp/err" &
server_pid=$!
check "listening line printed" wait_line "$tmp/out" "$server_pid"
check "listening line format" grep -Eq \
    '^\{"event":"listening","host":"127\.0\.0\.1","port":[1-9][0-9]*\}$' \
    "$tmp/out"
port=$(sed -n 's/.*"port":\([0-9]*\)}.*/\1/p' "$tmp/out")

# 5-6: a second relay on the same port fails with status 1, one line
"$SEALCALL" serve --port "$port" > "$tmp/out2" 2> "$tmp/err2"
rc=$?
check "port in use: exit 1" [ "$rc" -eq 1 ]
check "port in use: one-line error" [ "$(lines "$tmp/err2")" -eq 1 ]

kill -TERM "$server_pid"
wait "$server_pid"
rc=$?
server_pid=
check "SIGTERM: exit 0" [ "$rc" -eq 0 ]
check "stdout holds exactly the listening line" [ "$(lines "$tmp/out")" -eq 1 ]

# SIGINT too
"$SEALCALL" serve --port 0 > "$tmp/out3" 2> "$tmp/err3" &
server_pid=$!
wait_line "$tmp/out3" "$server_pid"
kill -INT "$server_pid"
wait "$server_pid"
rc=$?
server_pid=
check "SIGINT: exit 0" [ "$rc" -eq 0 ]

# usage errors: exit 2, one line on stderr, nothing on stdout
usage_case() { # usage_case DESCRIPTION ARGS...
    what=$1; shift
    "$SEALCALL" serve "$@" > "$tmp/uout" 2> "$tmp/uerr"
    rc=$?
    check "$what: exit 2" [ "$rc" -eq 2 ]
    check "$what: one-line error" [ "$(lines "$tmp/uerr")" -eq 1 ]
    check "$what: nothing on stdout" [ ! -s "$tmp/uout" ]
}
usage_case "unknown option" --bogus
usage_case "port 99999" --port 99999
usage_case "port not a number" --port abc
usage_case "bad host" --host not-an-address --port 0
usage_case "extra argument" extra

# --help describes every option
"$SEALCALL" serve --help > "$tmp/help" 2>&1
rc=$?
check "--help: exit 0" [ "$rc" -eq 0 ]
check "--help describes --host" grep -q -- '--host' "$tmp/help"
check "--help describes --port" grep -q -- '--port' "$tmp/help"
check "--help describes --verbose" grep -q -- '--verbose' "$tmp/help"

echo "1..$n"
exit $failed
