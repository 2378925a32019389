#!/usr/bin/env bats
# --pidfd-socket (runc 1.2+) on create, run and exec: ocirt connects to the unix socket and
# sends a pidfd of the container's init ("standard") or the exec'd process ("setns") with
# SCM_RIGHTS. The receiver (helpers/pidfd_receiver.py) checks the fd is a pidfd of that pid and
# kills the process through it (pidfd_send_signal).

load helpers

setup() {
    common_setup
    skip_if_runc "runc 1.1 has no --pidfd-socket (1.2+)"
    SOCK="$BUNDLE/pidfd.sock"
    OUT="$BUNDLE/pidfd.out"
    TRIGGER="$BUNDLE/kill-now"
    update_config '.process.args = $a' --argjson a "$LONG_ARGS"
}

teardown() {
    [[ -n ${RECEIVER:-} ]] && kill "$RECEIVER" 2>/dev/null
    common_teardown
}

start_receiver() {
    python3 "$BATS_TEST_DIRNAME/helpers/pidfd_receiver.py" "$SOCK" "$OUT" "$TRIGGER" &
    RECEIVER=$!
    wait_until 10 test -S "$SOCK"
}

# kill_through_pidfd: tells the receiver to kill, waits for it to finish
kill_through_pidfd() {
    touch "$TRIGGER"
    wait "$RECEIVER" || fail "the receiver failed: $(cat "$OUT" 2>/dev/null)"
    RECEIVER=
}

@test "create --pidfd-socket: the init's pidfd is received, and kills the container" {
    start_receiver
    run --separate-stderr ocirt create --pidfd-socket "$SOCK" --bundle "$BUNDLE" "$CID"
    assert_success
    ocirt start "$CID"
    wait_for_status "$CID" running
    local pid
    pid=$(state_field "$CID" .pid)
    wait_until 10 test -s "$OUT"
    assert_equal "$(sed -n 1p "$OUT")" standard "message data"
    assert_equal "$(sed -n 2p "$OUT")" "$pid" "the pid the received pidfd refers to"
    kill_through_pidfd
    assert_equal "$(sed -n 3p "$OUT")" killed "pidfd_send_signal"
    wait_for_status "$CID" stopped
    ocirt delete "$CID"
    assert_nothing_left
}

@test "run -d --pidfd-socket, exec -d --pidfd-socket: the exec'd process' pidfd" {
    start_receiver
    run --separate-stderr ocirt run -d --pidfd-socket "$SOCK" --bundle "$BUNDLE" "$CID"
    assert_success
    wait_until 10 test -s "$OUT"
    assert_equal "$(sed -n 2p "$OUT")" "$(state_field "$CID" .pid)" "the init's pid"
    kill_through_pidfd
    wait_for_status "$CID" stopped
    ocirt delete "$CID"

    rm -f "$SOCK" "$OUT" "$TRIGGER"
    create_and_start "$CID"
    start_receiver
    run --separate-stderr ocirt exec -d --pid-file "$BUNDLE/exec.pid" --pidfd-socket "$SOCK" "$CID" sleep "$MARK"
    assert_success
    local pid
    pid=$(cat "$BUNDLE/exec.pid")
    wait_until 10 test -s "$OUT"
    assert_equal "$(sed -n 1p "$OUT")" setns "message data"
    assert_equal "$(sed -n 2p "$OUT")" "$pid" "the pid the received pidfd refers to"
    kill_through_pidfd
    wait_until 5 test ! -e "/proc/$pid/cmdline" -o -z "$(tr -d '\0' < /proc/$pid/cmdline 2>/dev/null)"
    assert_equal "$(state_field "$CID" .status)" running "the container (only the exec'd process was killed)"
}

@test "--pidfd-socket that nobody listens on: create fails naming the flag, nothing left" {
    run --separate-stderr ocirt create --pidfd-socket "$BUNDLE/nobody.sock" --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "--pidfd-socket: connect $BUNDLE/nobody.sock"
    assert_nothing_left
}
