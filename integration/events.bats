#!/usr/bin/env bats
# events: --stats prints one stats event (checked against schema/events.schema.json) with the
# container's pids, memory and cpu; the stream prints a stats event every --interval and stops
# when the container stops; the OOM killer acting in the container's cgroup gives an "oom"
# event at once; SIGTERM ends the stream; bad ids, stopped containers and bad intervals fail.
# Layout-aware: the memory limit is written to v1's memory hierarchy, or to cgroup2's memory.max.

load helpers

teardown() {
    if [[ -n ${EVENTS_PID:-} ]] && kill -0 "$EVENTS_PID" 2>/dev/null; then
        kill -KILL "$EVENTS_PID" 2>/dev/null || true
        wait "$EVENTS_PID" 2>/dev/null || true
    fi
    local rc=0
    common_teardown || rc=$?
    # The test's own cgroup parent (see use_test_cgroup), in every hierarchy, once empty.
    if [[ -n ${CG_PARENT:-} ]]; then
        local d
        for d in /sys/fs/cgroup/*"$CG_PARENT" /sys/fs/cgroup"$CG_PARENT"; do
            [[ -d $d ]] && rmdir "$d"
        done
    fi
    return "$rc"
}

cgroup_v2() { [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]; }

# use_test_cgroup: the container's cgroup is $CG_PARENT/$CID, under a parent of this test's own.
# On cgroup2 the parent is made here with the memory (and, where there, pids) controller
# enabled for its children; skips when the root does not delegate memory.
use_test_cgroup() {
    CG_PARENT="/ocirt-test-events-$$-$BATS_TEST_NUMBER"
    update_config '.linux.cgroupsPath = $p' --arg p "$CG_PARENT/$CID"
    if cgroup_v2; then
        grep -qw memory /sys/fs/cgroup/cgroup.subtree_control || skip "cgroup2 root does not delegate memory"
        mkdir "/sys/fs/cgroup$CG_PARENT"
        local c
        for c in memory pids; do
            if grep -qw "$c" "/sys/fs/cgroup$CG_PARENT/cgroup.controllers"; then
                echo "+$c" >"/sys/fs/cgroup$CG_PARENT/cgroup.subtree_control"
            fi
        done
    fi
}

# set_memory_limit BYTES: the container's memory limit, without swap, written to its own cgroup
# (not through linux.resources).
set_memory_limit() {
    if cgroup_v2; then
        local d=/sys/fs/cgroup$CG_PARENT/$CID
        echo "$1" >"$d/memory.max"
        if [[ -e $d/memory.swap.max ]]; then echo 0 >"$d/memory.swap.max"; fi
    else
        local d=/sys/fs/cgroup/memory$CG_PARENT/$CID
        echo "$1" >"$d/memory.limit_in_bytes"
        if [[ -e $d/memory.memsw.limit_in_bytes ]]; then echo "$1" >"$d/memory.memsw.limit_in_bytes"; fi
    fi
}

# stats_now: `events --stats` of $CID into $BUNDLE/stats.json, checked against the schema.
stats_now() {
    ocirt events --stats "$CID" >"$BUNDLE/stats.json" || fail "events --stats failed"
    [[ $(wc -l <"$BUNDLE/stats.json") -eq 1 ]] || fail "events --stats printed more than one line"
    validate_json "$SCHEMA_DIR/events.schema.json" "$BUNDLE/stats.json" || fail "stats event does not match the schema"
}

stat_field() { jq -r "$1" "$BUNDLE/stats.json"; }

# start_events ARGS...: `events ARGS` in the background; stdout in $EVENTS_OUT, pid in $EVENTS_PID.
start_events() {
    EVENTS_OUT=$BUNDLE/events.out
    timeout --kill-after=5 120 "$OCIRT" --root "$ROOT" events "$@" \
        >"$EVENTS_OUT" 2>"$BUNDLE/events.err" </dev/null &
    EVENTS_PID=$!
}

# wait_for_lines N: until $EVENTS_OUT has N complete lines (bounded wait).
wait_for_lines() {
    local _
    for _ in $(seq 400); do
        (($(wc -l <"$EVENTS_OUT") >= $1)) && return 0
        kill -0 "$EVENTS_PID" 2>/dev/null || break
        sleep 0.05
    done
    (($(wc -l <"$EVENTS_OUT") >= $1)) && return 0
    cat "$EVENTS_OUT" "$BUNDLE/events.err" >&2
    fail "events did not print $1 lines"
}

# wait_events_exit: until the events process exits (bounded); its status in EVENTS_STATUS.
wait_events_exit() {
    local _
    for _ in $(seq 400); do
        kill -0 "$EVENTS_PID" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$EVENTS_PID" 2>/dev/null; then
        cat "$BUNDLE/events.err" >&2
        fail "events is still running 20 s after the container stopped"
        return 1
    fi
    EVENTS_STATUS=0
    wait "$EVENTS_PID" || EVENTS_STATUS=$?
    EVENTS_PID=
}

# events_ready: the running events process watches the container's memory cgroup (its
# eventfd on v1, its inotify fd on cgroup2), so an OOM from now on is not missed.
events_ready() {
    local want=eventfd _ pid fd
    cgroup_v2 && want=inotify
    for _ in $(seq 400); do
        for pid in $(pgrep -P "$EVENTS_PID"); do
            for fd in /proc/"$pid"/fd/*; do
                [[ $(readlink "$fd" 2>/dev/null) == "anon_inode:[$want]" || $(readlink "$fd" 2>/dev/null) == "anon_inode:$want" ]] && return 0
            done
        done
        sleep 0.05
    done
    fail "events never opened its $want"
}

# validate_lines: every line of $EVENTS_OUT is a whole event matching the schema.
validate_lines() {
    local n=0 line
    while IFS= read -r line; do
        n=$((n + 1))
        printf '%s\n' "$line" >"$BUNDLE/line.json"
        validate_json "$SCHEMA_DIR/events.schema.json" "$BUNDLE/line.json" || fail "line $n: $line"
    done <"$EVENTS_OUT"
}

@test "events --stats: one stats event matching the schema, with pids, memory and the id" {
    use_test_cgroup
    set_sh "sleep $MARK & sleep $MARK & exec sleep $MARK"
    create_and_start "$CID"
    local _ n
    for _ in $(seq 100); do
        n=$(ocirt ps --format json "$CID" | jq length)
        ((n == 3)) && break
        sleep 0.05
    done
    assert_equal "$n" 3 "processes in the container"
    stats_now
    assert_equal "$(stat_field .type)" stats "type"
    assert_equal "$(stat_field .id)" "$CID" "id"
    assert_equal "$(stat_field .data.pids.current)" 3 "pids.current"
    assert_equal "$(stat_field '.data.memory.usage.usage > 0')" true "memory usage > 0"
    assert_equal "$(stat_field '.data.cpu.usage.total > 0')" true "cpu total > 0"
    # No limit on pids: runc prints no "limit"; none set on memory: the kernel's largest value.
    assert_equal "$(stat_field .data.pids.limit)" null "pids.limit"
    assert_equal "$(stat_field '.data.memory.usage.limit > 1099511627776')" true "no memory limit"
}

@test "events --stats: cpu total grows after the container burns cpu" {
    set_args sleep "$MARK"
    create_and_start "$CID"
    stats_now
    local before after
    before=$(stat_field .data.cpu.usage.total)
    ocirt exec "$CID" sh -c 'i=0; while [ $i -lt 50000 ]; do i=$((i + 1)); done'
    stats_now
    after=$(stat_field .data.cpu.usage.total)
    ((after > before)) || fail "cpu total did not grow: $before -> $after"
    assert_equal "$(stat_field '.data.cpu.usage.user + .data.cpu.usage.kernel > 0')" true "user + kernel time > 0"
}

@test "events --stats: the memory limit written to the container's cgroup is reported" {
    use_test_cgroup
    set_args sleep "$MARK"
    ocirt create --bundle "$BUNDLE" "$CID"
    set_memory_limit 67108864
    stats_now  # a created container has stats too
    assert_equal "$(stat_field .data.memory.usage.limit)" 67108864 "memory.usage.limit"
}

@test "events --interval: a stats event per interval, the stream stops when the container stops" {
    set_args sleep "$MARK"
    create_and_start "$CID"
    start_events --interval 100ms "$CID"
    wait_for_lines 2
    ocirt kill "$CID" KILL
    if is_runc; then ocirt delete --force "$CID"; fi # runc (v1) stops when the cgroup goes
    wait_events_exit
    assert_equal "$EVENTS_STATUS" 0 "events exit status"
    validate_lines
    [[ $(jq -r .type "$EVENTS_OUT" | sort -u) == stats ]] || fail "not only stats events"
    [[ $(jq -r .id "$EVENTS_OUT" | sort -u) == "$CID" ]] || fail "ids: $(jq -r .id "$EVENTS_OUT")"
}

@test "events: the stream stops when the container's init exits, without a delete" {
    skip_if_runc "runc's v1 stream only stops when the cgroup is removed"
    set_args sleep "$MARK"
    create_and_start "$CID"
    start_events --interval 1h "$CID"
    events_ready
    ocirt kill "$CID" KILL
    wait_events_exit
    assert_equal "$EVENTS_STATUS" 0 "events exit status"
    [[ ! -s $EVENTS_OUT ]] || fail "unexpected events: $(cat "$EVENTS_OUT")"
}

@test "events: an oom event as soon as the OOM killer acts in the container's cgroup" {
    use_test_cgroup
    set_args sleep "$MARK"
    ocirt create --bundle "$BUNDLE" "$CID"
    set_memory_limit 16777216
    ocirt start "$CID"
    # An hour between stats: any line that comes is the OOM notification.
    start_events --interval 1h "$CID"
    events_ready
    run ocirt exec "$CID" dd if=/dev/zero of=/dev/null bs=64M count=1
    assert_failure
    wait_for_lines 1
    assert_equal "$(head -n1 "$EVENTS_OUT")" "{\"type\":\"oom\",\"id\":\"$CID\"}" "first event"
    validate_lines
    ocirt delete --force "$CID"
    wait_events_exit
    assert_equal "$EVENTS_STATUS" 0 "events exit status"
}

@test "events: SIGTERM ends the stream after whole lines" {
    set_args sleep "$MARK"
    create_and_start "$CID"
    start_events --interval 50ms "$CID"
    wait_for_lines 1
    kill -TERM "$EVENTS_PID"
    wait_events_exit
    assert_equal "$EVENTS_STATUS" 143 "events exit status (128 + SIGTERM, as runc's)"
    validate_lines
    [[ $(tail -c1 "$EVENTS_OUT" | od -An -c | tr -d ' ') == '\n' ]] || fail "the last line was cut"
}

@test "events: unknown id, stopped container, bad --interval fail and change nothing" {
    run --separate-stderr ocirt events --stats nosuch
    assert_status 1
    assert_stderr_contains "does not exist"

    set_args true
    ocirt create --bundle "$BUNDLE" "$CID"
    ocirt start "$CID"
    wait_for_status "$CID" stopped
    run --separate-stderr ocirt events --stats "$CID"
    assert_status 1
    assert_stderr_contains "container with id $CID is not running"
    run --separate-stderr ocirt events "$CID"
    assert_status 1
    assert_stderr_contains "container with id $CID is not running"
    [[ -z $output ]] || fail "output: $output"

    local bad
    for bad in abc 5 1x ""; do
        run --separate-stderr ocirt events --interval "$bad" "$CID"
        assert_status 1
        assert_stderr_contains "for flag -interval"
        ocirt_only assert_stderr_contains "invalid value \"$bad\" for flag -interval"
    done
    for bad in 0 -1s; do
        run --separate-stderr ocirt events --interval "$bad" "$CID"
        assert_status 1
        assert_stderr_contains "duration interval must be greater than 0"
    done
    run --separate-stderr ocirt events "$CID" extra
    assert_status 1
    assert_equal "$(state_field "$CID" .status)" stopped "status"
}
