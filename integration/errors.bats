#!/usr/bin/env bats
# Errors of the operations (runtime.md): unknown ids for state/start/kill/delete, an id in
# use, invalid ids, start of a running container, kill of a stopped one, delete of a running
# or created one without --force, unknown signals. Every failure exits non-zero, says what is
# wrong on stderr and leaves nothing behind.

load helpers

@test "state of an unknown id fails and says so" {
    run --separate-stderr ocirt state "$CID"
    assert_failure
    [[ $stderr == *"$CID"* || $stderr == *"does not exist"* ]] || fail "stderr: $stderr"
    ocirt_only assert_stderr_contains "$CID"
}

@test "start of an unknown id fails and says so" {
    run --separate-stderr ocirt start "$CID"
    assert_failure
    [[ $stderr == *"$CID"* || $stderr == *"does not exist"* ]] || fail "stderr: $stderr"
    ocirt_only assert_stderr_contains "$CID"
}

@test "kill of an unknown id fails and says so" {
    run --separate-stderr ocirt kill "$CID" KILL
    assert_failure
    [[ $stderr == *"$CID"* || $stderr == *"does not exist"* ]] || fail "stderr: $stderr"
    ocirt_only assert_stderr_contains "$CID"
}

@test "delete of an unknown id (without --force) fails and says so" {
    run --separate-stderr ocirt delete "$CID"
    assert_failure
    [[ $stderr == *"$CID"* || $stderr == *"does not exist"* ]] || fail "stderr: $stderr"
    ocirt_only assert_stderr_contains "$CID"
}

@test "create with an id already in use fails with 'already exists', the first one is intact" {
    update_config ".process.args = $LONG_ARGS"
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    local pid
    pid=$(state_field "$CID" .pid)
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "already exists"
    assert_equal "$(state_field "$CID" .status)" created "status of the first container"
    assert_equal "$(state_field "$CID" .pid)" "$pid" "pid of the first container"
}

@test "create with an invalid id fails and leaves nothing: a/b, .., ., empty, a space" {
    update_config ".process.args = $LONG_ARGS"
    local id
    for id in "a/b" ".." "." "" "a b" "../$CID" "/$CID"; do
        run --separate-stderr ocirt create --bundle "$BUNDLE" "$id"
        if [[ $status -eq 0 ]]; then
            fail "create with id '$id' succeeded"
        fi
        [[ -n $stderr ]] || fail "no message for id '$id'"
    done
    # "../$CID" and "/$CID" must not have created anything outside the root either
    local escaped="" p
    for p in "$(dirname "$ROOT")/$CID" "/$CID"; do
        if [[ -e $p ]]; then
            escaped+=" $p"
            "$OCIRT" --root "$(dirname "$p")" delete --force "$CID" >/dev/null 2>&1 || true
            rm -rf "$p"
        fi
    done
    [[ -z $escaped ]] || fail "a state dir escaped the root:$escaped"
    run ocirt list -q
    assert_success
    assert_output_equals ""
    [[ -z $(ls -A "$ROOT") ]] || fail "state root not empty: $(ls -A "$ROOT")"
    assert_nothing_left
}

@test "create without an id fails" {
    run ocirt create --bundle "$BUNDLE"
    assert_failure
    assert_nothing_left
}

@test "start of a running container fails, it keeps running" {
    update_config ".process.args = $LONG_ARGS"
    create_and_start "$CID"
    run --separate-stderr ocirt start "$CID"
    assert_failure
    [[ -n $stderr ]]
    assert_equal "$(state_field "$CID" .status)" running status
}

@test "start of a stopped container fails" {
    set_args true
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    run ocirt start "$CID"
    assert_success
    wait_for_status "$CID" stopped
    run --separate-stderr ocirt start "$CID"
    assert_failure
    [[ -n $stderr ]]
}

@test "kill of a stopped container fails" {
    set_args true
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    run ocirt start "$CID"
    assert_success
    wait_for_status "$CID" stopped
    run --separate-stderr ocirt kill "$CID" KILL
    assert_failure
    # runc's words: containerd's shim reads "container not running" as "already finished"
    # (without them, CRI's StopPodSandbox of a pod whose container exited fails)
    assert_stderr_contains "container not running"
}

@test "kill with an unknown signal fails, the container keeps running" {
    update_config ".process.args = $LONG_ARGS"
    create_and_start "$CID"
    local sig
    for sig in FOO SIGFOO -1 abc; do
        run --separate-stderr ocirt kill "$CID" "$sig"
        assert_failure
        [[ -n $stderr ]]
    done
    assert_equal "$(state_field "$CID" .status)" running status
}

@test "delete without --force of a running container fails, it keeps running" {
    update_config ".process.args = $LONG_ARGS"
    create_and_start "$CID"
    run --separate-stderr ocirt delete "$CID"
    assert_failure
    [[ -n $stderr ]]
    assert_equal "$(state_field "$CID" .status)" running status
    run pgrep -f -- "^sleep $MARK"
    assert_success
}

@test "delete without --force of a created container fails (runtime.md), it stays created" {
    skip_if_runc "runc deletes a created container without --force"
    update_config ".process.args = $LONG_ARGS"
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    run --separate-stderr ocirt delete "$CID"
    assert_failure
    [[ -n $stderr ]]
    assert_equal "$(state_field "$CID" .status)" created status
}

@test "create with a missing bundle directory fails and leaves nothing" {
    run --separate-stderr ocirt create --bundle "$BUNDLE/nonexistent" "$CID"
    assert_failure
    assert_stderr_contains "$BUNDLE/nonexistent"
    assert_nothing_left
}

@test "create with a bundle without config.json fails, names config.json, leaves nothing" {
    rm "$BUNDLE/config.json"
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "config.json"
    assert_nothing_left
}

@test "a failing process.args (not found) makes start or create fail, and leaves nothing after delete" {
    set_args /nonexistent-binary
    local rc=0
    ocirt create --bundle "$BUNDLE" "$CID" || rc=$?
    if ((rc == 0)); then
        # runc reports a missing binary at create; a runtime may also report it at start
        run ocirt start "$CID"
        assert_failure
    fi
    run ocirt delete --force "$CID"
    assert_nothing_left
}
