#!/usr/bin/env bats
# pause / resume (the cgroup freezer) and ps: a paused container's processes stop running
# and its state is "paused"; resume lets them go on; ps lists exactly the container's
# processes (table from the host's ps, or --format json pids); delete --force of a paused
# container works. Runs on v1/hybrid hosts and in the cgroup-v2 guest (integration/vm/suites).

load helpers

# A container whose shell counts in a file of a private rootfs, plus one `sleep $MARK`.
counting_container() {
    use_writable_rootfs
    set_sh "sleep $MARK & i=0; while true; do i=\$((i+1)); echo \$i > /tmp/counter; sleep 0.05; done"
    create_and_start "$CID"
    wait_until 60 counter_started || fail "the counter did not start"
}

counter_started() {
    [[ -s $BUNDLE/rootfs/tmp/counter ]] && pgrep -f -- "^sleep $MARK" >/dev/null
}

counter_past() { # N: the counter is above N (an empty file is one being rewritten)
    local v
    v=$(cat "$BUNDLE/rootfs/tmp/counter")
    ((${v:-0} > $1))
}

@test "pause: status paused, the processes stop; resume: running, they go on" {
    counting_container
    run ocirt pause "$CID"
    assert_success
    assert_equal "$(state_field "$CID" .status)" paused "status after pause"
    local a b
    a=$(cat "$BUNDLE/rootfs/tmp/counter")
    sleep 0.5
    b=$(cat "$BUNDLE/rootfs/tmp/counter")
    assert_equal "$b" "$a" "counter while paused"
    run ocirt list
    assert_output_contains paused
    run ocirt resume "$CID"
    assert_success
    assert_equal "$(state_field "$CID" .status)" running "status after resume"
    wait_until 60 counter_past "$a" || fail "counter did not move after resume: $a -> $(cat "$BUNDLE/rootfs/tmp/counter")"
}

@test "pause twice, resume of a running one, pause of a stopped one: errors" {
    counting_container
    ocirt pause "$CID"
    run --separate-stderr ocirt pause "$CID"
    assert_failure
    ocirt resume "$CID"
    run --separate-stderr ocirt resume "$CID"
    assert_failure
    ocirt kill "$CID" KILL
    wait_for_status "$CID" stopped
    run --separate-stderr ocirt pause "$CID"
    assert_failure
}

@test "delete --force of a paused container" {
    counting_container
    ocirt pause "$CID"
    run ocirt delete --force "$CID"
    assert_success
    run ocirt state "$CID"
    assert_failure
    assert_nothing_left "$CID"
}

@test "kill KILL and kill --all KILL of a paused container: it stops (its cgroup is thawed)" {
    local all
    for all in "" --all; do
        counting_container
        ocirt pause "$CID"
        run ocirt kill $all "$CID" KILL
        assert_success
        wait_for_status "$CID" stopped 10
        run ocirt delete "$CID"
        assert_success
        assert_nothing_left "$CID"
        rm -rf "$BUNDLE/rootfs"
    done
}

@test "kill TERM of a paused container: it stays paused, the signal waits for resume" {
    set_sh "trap 'exit 3' TERM; sleep $MARK & wait"
    create_and_start "$CID"
    local i
    for i in $(seq 50); do  # the trap is set once sleep runs
        pgrep -f -- "^sleep $MARK" >/dev/null && break
        sleep 0.1
    done
    ocirt pause "$CID"
    run ocirt kill "$CID" TERM
    assert_success
    assert_equal "$(state_field "$CID" .status)" paused "status after kill TERM"
    ocirt resume "$CID"
    wait_for_status "$CID" stopped 10
}

@test "ps: the table lists the container's processes and no others" {
    counting_container
    run --separate-stderr ocirt ps "$CID"
    assert_success
    assert_output_contains "PID"
    assert_output_contains "sleep $MARK"
    local init
    init=$(state_field "$CID" .pid)
    assert_output_contains " $init "
    # not the host's own processes (pid 1 of the host, this shell)
    [[ $output != *" $$ "* ]] || fail "ps shows the test's shell"
    run --separate-stderr ocirt ps "$CID" -o pid,comm
    assert_success
    assert_output_contains sleep
}

@test "ps --format json: the pids of the container's cgroup" {
    counting_container
    run --separate-stderr ocirt ps --format json "$CID"
    assert_success
    local init
    init=$(state_field "$CID" .pid)
    echo "$output" | jq -e --argjson p "$init" 'index($p) != null' >/dev/null || fail "init $init not in $output"
    local sleeper
    sleeper=$(pgrep -f -- "^sleep $MARK")
    echo "$output" | jq -e --argjson p "$sleeper" 'index($p) != null' >/dev/null || fail "sleep not in $output"
}
