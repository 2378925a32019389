#!/usr/bin/env bats
# Lifecycle (runtime.md "Operations"): create -> created (state fields, --pid-file), start ->
# running, kill (default TERM, by name, SIGNAME, number, --all, of a created container) ->
# stopped, delete; `run` in the foreground (exit code of the container, 128+signo when
# killed), `run -d`; delete --force of a running / unknown container; annotations in state;
# state JSON checked against schema/state.schema.json; a config without "process".

load helpers

RFC3339_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'

# A container whose init exits on SIGTERM. (PID 1 of a pid namespace ignores every signal it
# has no handler for, except SIGKILL/SIGSTOP, so plain `sleep` would not die of TERM.)
term_handling_args() {
    set_sh "trap 'exit 0' TERM; sleep $MARK & wait"
}

@test "create: state is created, with pid, bundle, id, ociVersion, created, owner" {
    update_config ".process.args = $LONG_ARGS"
    run ocirt create --bundle "$BUNDLE" --pid-file "$BUNDLE/pid" "$CID"
    assert_success

    run ocirt state "$CID"
    assert_success
    local json=$output
    assert_equal "$(jq -r .id <<<"$json")" "$CID" id
    assert_equal "$(jq -r .status <<<"$json")" created status
    assert_equal "$(jq -r .bundle <<<"$json")" "$BUNDLE" bundle
    assert_equal "$(jq -r .rootfs <<<"$json")" "$ROOTFS" rootfs
    assert_equal "$(jq -r .owner <<<"$json")" "" owner
    assert_equal "$(jq -r '.annotations // "none"' <<<"$json")" none annotations
    [[ $(jq -r .ociVersion <<<"$json") =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]]
    [[ $(jq -r .created <<<"$json") =~ $RFC3339_RE ]]
    local pid
    pid=$(jq -r .pid <<<"$json")
    [[ $pid =~ ^[0-9]+$ ]] && ((pid > 0))
    [[ -d /proc/$pid ]]
    # the pid file holds the same pid (runc writes it without a newline)
    assert_equal "$(cat "$BUNDLE/pid")" "$pid" "pid file"
}

@test "create: process.args do not run before start" {
    update_config ".process.args = $LONG_ARGS"
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    sleep 0.2
    run pgrep -f -- "$MARK"
    assert_failure

    run ocirt start "$CID"
    assert_success
    wait_for_status "$CID" running
    local pid
    pid=$(state_field "$CID" .pid)
    assert_equal "$(tr '\0' ' ' </proc/"$pid"/cmdline)" "sleep $MARK " "cmdline of the started init"
}

@test "create: a relative --bundle is recorded as an absolute path" {
    update_config ".process.args = $LONG_ARGS"
    cd "$(dirname "$BUNDLE")"
    run ocirt create --bundle "$(basename "$BUNDLE")" "$CID"
    assert_success
    assert_equal "$(state_field "$CID" .bundle)" "$BUNDLE" bundle
}

@test "create -b: the short bundle flag works, and the bundle defaults to the current directory" {
    update_config ".process.args = $LONG_ARGS"
    run ocirt create -b "$BUNDLE" "$CID"
    assert_success
    track_id "$CID-b"
    cd "$BUNDLE"
    run ocirt create "$CID-b"
    assert_success
    assert_equal "$(state_field "$CID-b" .bundle)" "$BUNDLE" bundle
}

@test "start: created -> running, the state pid is the container's init" {
    update_config ".process.args = $LONG_ARGS"
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    local pid
    pid=$(state_field "$CID" .pid)
    run ocirt start "$CID"
    assert_success
    wait_for_status "$CID" running
    assert_equal "$(state_field "$CID" .pid)" "$pid" "pid after start"
}

@test "start: a container whose process exits becomes stopped" {
    set_args true
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    run ocirt start "$CID"
    assert_success
    wait_for_status "$CID" stopped
    assert_equal "$(state_field "$CID" .pid)" 0 "pid of a stopped container"
}

@test "kill: default signal is TERM" {
    term_handling_args
    create_and_start "$CID"
    run ocirt kill "$CID"
    assert_success
    wait_for_status "$CID" stopped
}

@test "kill: by name KILL, SIGKILL, by number 9, and TERM/SIGTERM/15 by name" {
    update_config ".process.args = $LONG_ARGS"
    local sig i=0
    for sig in KILL SIGKILL 9; do
        i=$((i + 1))
        track_id "$CID-$i"
        create_and_start "$CID-$i"
        run ocirt kill "$CID-$i" "$sig"
        assert_success
        wait_for_status "$CID-$i" stopped
        run ocirt delete "$CID-$i"
        assert_success
    done
    term_handling_args
    for sig in TERM SIGTERM 15; do
        i=$((i + 1))
        track_id "$CID-$i"
        create_and_start "$CID-$i"
        run ocirt kill "$CID-$i" "$sig"
        assert_success
        wait_for_status "$CID-$i" stopped
        run ocirt delete "$CID-$i"
        assert_success
    done
}

@test "kill: a created (not started) container can be killed and becomes stopped" {
    update_config ".process.args = $LONG_ARGS"
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    run ocirt kill "$CID" KILL
    assert_success
    wait_for_status "$CID" stopped
    run ocirt delete "$CID"
    assert_success
    assert_nothing_left
}

@test "kill: SIGTERM (the default) stops a created container too" {
    # runc's waiting init dies of SIGTERM; a runtime whose waiting child is PID 1 of a pid
    # namespace must handle TERM itself, since PID 1 ignores signals without a handler
    update_config ".process.args = $LONG_ARGS"
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    run ocirt kill "$CID"
    assert_success
    wait_for_status "$CID" stopped
    run pgrep -f -- "$MARK"
    assert_failure
}

@test "kill --all: every process of the container gets the signal" {
    set_sh "sleep $MARK & sleep $MARK & sleep $MARK"
    create_and_start "$CID"
    # wait until all three sleeps are there
    local i
    for i in $(seq 50); do
        [[ $(pgrep -c -f -- "^sleep $MARK") -ge 3 ]] && break
        sleep 0.1
    done
    [[ $(pgrep -c -f -- "^sleep $MARK") -ge 3 ]]
    run ocirt kill --all "$CID" KILL
    assert_success
    wait_for_status "$CID" stopped
    for i in $(seq 50); do
        pgrep -f -- "$MARK" >/dev/null || break
        sleep 0.1
    done
    run pgrep -f -- "$MARK"
    assert_failure
}

@test "delete: a stopped container is removed; its state is gone" {
    set_args true
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    run ocirt start "$CID"
    assert_success
    wait_for_status "$CID" stopped
    run ocirt delete "$CID"
    assert_success
    run ocirt state "$CID"
    assert_failure
    assert_nothing_left
}

@test "delete --force: a running container is killed and removed" {
    update_config ".process.args = $LONG_ARGS"
    create_and_start "$CID"
    local pid
    pid=$(state_field "$CID" .pid)
    run ocirt delete --force "$CID"
    assert_success
    run ocirt state "$CID"
    assert_failure
    [[ ! -e /proc/$pid ]] || [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) == Z ]]
    assert_nothing_left
}

@test "delete --force: a created container is removed" {
    update_config ".process.args = $LONG_ARGS"
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    run ocirt delete --force "$CID"
    assert_success
    run ocirt state "$CID"
    assert_failure
    assert_nothing_left
}

@test "delete --force: an id that does not exist exits 0" {
    run ocirt delete --force "$CID-nonexistent"
    assert_success
}

@test "run: exits with the container's exit code" {
    set_sh 'exit 3'
    run ocirt run --bundle "$BUNDLE" "$CID"
    assert_status 3
    # run deletes the container when it exits
    run ocirt state "$CID"
    assert_failure
    assert_nothing_left
}

@test "run: output of the container goes to run's stdout/stderr" {
    run_sh 'echo out; echo err >&2'
    assert_success
    assert_output_equals out
    assert_equal "$stderr" err stderr
}

@test "run: a container killed by a signal exits with 128+signo" {
    update_config ".process.args = $LONG_ARGS"
    ocirt run --bundle "$BUNDLE" "$CID" >/dev/null 2>&1 &
    local bg=$!
    wait_for_status "$CID" running
    run ocirt kill "$CID" KILL
    assert_success
    local rc=0
    wait "$bg" || rc=$?
    assert_equal "$rc" 137 "exit status of run (SIGKILL)"
    assert_nothing_left
}

@test "run: SIGTERM to a container without a pid namespace exits 143" {
    update_config ".process.args = $LONG_ARGS | .linux.namespaces -= [{type: \"pid\"}]"
    ocirt run --bundle "$BUNDLE" "$CID" >/dev/null 2>&1 &
    local bg=$!
    wait_for_status "$CID" running
    run ocirt kill "$CID" TERM
    assert_success
    local rc=0
    wait "$bg" || rc=$?
    assert_equal "$rc" 143 "exit status of run (SIGTERM)"
    assert_nothing_left
}

@test "run --keep: the stopped container stays until deleted" {
    set_sh 'exit 4'
    run ocirt run --keep --bundle "$BUNDLE" "$CID"
    assert_status 4
    assert_equal "$(state_field "$CID" .status)" stopped status
    run ocirt delete "$CID"
    assert_success
    assert_nothing_left
}

@test "run -d: detaches, exits 0, the container keeps running" {
    update_config ".process.args = $LONG_ARGS"
    run ocirt run -d --bundle "$BUNDLE" "$CID"
    assert_success
    wait_for_status "$CID" running
    run pgrep -f -- "^sleep $MARK"
    assert_success
    run ocirt kill "$CID" KILL
    assert_success
    wait_for_status "$CID" stopped
    run ocirt delete "$CID"
    assert_success
    assert_nothing_left
}

@test "run --detach --pid-file: the pid file holds the running init's pid" {
    update_config ".process.args = $LONG_ARGS"
    run ocirt run --detach --pid-file "$BUNDLE/pid" --bundle "$BUNDLE" "$CID"
    assert_success
    wait_for_status "$CID" running
    assert_equal "$(cat "$BUNDLE/pid")" "$(state_field "$CID" .pid)" "pid file"
}

@test "annotations of config.json appear in state" {
    update_config ".process.args = $LONG_ARGS | .annotations = {\"org.example.key\": \"value\", \"b\": \"two words\"}"
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    run ocirt state "$CID"
    assert_success
    assert_equal "$(jq -cS .annotations <<<"$output")" '{"b":"two words","org.example.key":"value"}' annotations
}

@test "state JSON matches schema/state.schema.json when created, running and stopped" {
    update_config ".process.args = $LONG_ARGS | .annotations = {\"a\": \"b\"}"
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    ocirt state "$CID" >"$BUNDLE/state-created.json"
    validate_json "$SCHEMA_DIR/state.schema.json" "$BUNDLE/state-created.json"
    run ocirt start "$CID"
    assert_success
    wait_for_status "$CID" running
    ocirt state "$CID" >"$BUNDLE/state-running.json"
    validate_json "$SCHEMA_DIR/state.schema.json" "$BUNDLE/state-running.json"
    run ocirt kill "$CID" KILL
    assert_success
    wait_for_status "$CID" stopped
    ocirt state "$CID" >"$BUNDLE/state-stopped.json"
    validate_json "$SCHEMA_DIR/state.schema.json" "$BUNDLE/state-stopped.json"
}

@test "state JSON has runc's field order" {
    update_config ".process.args = $LONG_ARGS | .annotations = {\"a\": \"b\"}"
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    run ocirt state "$CID"
    assert_success
    assert_equal "$(jq -c keys_unsorted <<<"$output")" \
        '["ociVersion","id","pid","status","bundle","rootfs","created","annotations","owner"]' \
        "state keys"
}

@test "a config without process can be created, but start fails" {
    skip_if_runc "runc 1.1 refuses to create a container without process (the spec allows it)"
    update_config 'del(.process)'
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    assert_equal "$(state_field "$CID" .status)" created status
    run ocirt start "$CID"
    assert_failure
    run ocirt delete --force "$CID"
    assert_success
    assert_nothing_left
}
