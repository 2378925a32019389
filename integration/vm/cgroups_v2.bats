#!/usr/bin/env bats
# cgroup v2 alone (no v1 hierarchy): the container's cgroup from create to delete, as seen from
# outside (/proc/PID/cgroup, the cgroup's files) and inside (/proc/self/cgroup and the
# /sys/fs/cgroup mount, with and without a cgroup namespace); pause/resume through
# cgroup.freeze; ps and kill --all over cgroup.procs; delete --force of a paused container
# whose processes are not in a pid namespace and partly in a sub-cgroup (cgroup.kill).
# Run by `make vm-test` in a guest booted with cgroup_no_v1=all (integration/vm/); skipped
# where /sys/fs/cgroup is not cgroup2.
# The guest is emulated (TCG): waits are long hang guards, never timing assertions.

load ../helpers

setup() {
    cgroup_v2 || skip "needs cgroup v2 alone at /sys/fs/cgroup (make vm-test runs it in a guest)"
    common_setup
    PARENT=/ocirt-test-v2-$$-$BATS_TEST_NUMBER
    CG=/sys/fs/cgroup$PARENT/$CID
    update_config '.linux.cgroupsPath = $p' --arg p "$PARENT/$CID"
}

teardown() {
    local rc=0
    common_teardown || rc=1
    # the private parent is ours: ocirt removes it when it made it and it is empty
    if [[ -n ${PARENT:-} && -d /sys/fs/cgroup$PARENT ]]; then
        rmdir "/sys/fs/cgroup$PARENT" || rc=1
    fi
    return "$rc"
}

sleepers_running() { # N: N processes `sleep $MARK` exist
    [[ $(pgrep -c -f -- "^sleep $MARK\$") == "$1" ]]
}

cgroup_empty() {
    [[ ! -s $CG/cgroup.procs ]]
}

# the field KEY of a flat keyed cgroup file ("frozen 1" in cgroup.events)
keyed() {
    awk -v k="$2" '$1 == k { print $2 }' "$1"
}

@test "v2 lifecycle: the init is in the container's cgroup from create on; delete removes it" {
    update_config '.process.args = $a' --argjson a "$LONG_ARGS"
    ocirt create --bundle "$BUNDLE" "$CID"
    [[ -d $CG ]] || fail "no cgroup $CG after create"
    local pid
    pid=$(state_field "$CID" .pid)
    assert_equal "$(state_field "$CID" .status)" created "status after create"
    assert_equal "$(cat "/proc/$pid/cgroup")" "0::$PARENT/$CID" "/proc/$pid/cgroup"
    assert_equal "$(cat "$CG/cgroup.procs")" "$pid" "$CG/cgroup.procs"
    ocirt start "$CID"
    wait_for_status "$CID" running 60
    ocirt kill "$CID" KILL
    wait_for_status "$CID" stopped 60
    ocirt delete "$CID"
    run ocirt state "$CID"
    assert_failure
    [[ ! -e $CG ]] || fail "$CG is left after delete"
}

@test "v2 cgroup namespace: inside, the container's cgroup is / and is what /sys/fs/cgroup shows" {
    update_config '.process.args = $a | .linux.namespaces += [{type: "cgroup"}]' --argjson a "$LONG_ARGS"
    create_and_start "$CID"
    local pid line
    pid=$(state_field "$CID" .pid)
    assert_equal "$(cat "/proc/$pid/cgroup")" "0::$PARENT/$CID" "/proc/$pid/cgroup from outside"
    # The container's /sys/fs/cgroup, seen from the host: a read-only cgroup2 mount whose root
    # is the container's cgroup.
    line=$(awk '$5 == "/sys/fs/cgroup"' "/proc/$pid/mountinfo")
    [[ -n $line ]] || fail "no /sys/fs/cgroup mount in the container: $(cat "/proc/$pid/mountinfo")"
    assert_equal "$(awk '{print $4}' <<<"$line")" "$PARENT/$CID" "root of the container's cgroup mount"
    [[ $line == *" - cgroup2 "* ]] || fail "not a cgroup2 mount: $line"
    [[ $(awk '{print $6}' <<<"$line") == ro,* ]] || fail "not read-only: $line"
    # Inside: the exec'd shell is in the same cgroup, which is the root of its namespace.
    run --separate-stderr ocirt exec "$CID" sh -c \
        'cat /proc/self/cgroup; echo procs $(cat /sys/fs/cgroup/cgroup.procs); mkdir /sys/fs/cgroup/x || echo mkdir failed'
    assert_success
    assert_equal "${lines[0]}" "0::/" "/proc/self/cgroup inside"
    [[ " ${lines[1]} " == *" 1 "* ]] || fail "the container's init (pid 1) is not in /sys/fs/cgroup/cgroup.procs: ${lines[1]}"
    assert_equal "${lines[2]}" "mkdir failed" "mkdir in the read-only /sys/fs/cgroup"
    assert_equal "$(wc -l <"$CG/cgroup.procs")" 1 "processes left in $CG after exec"
}

@test "v2 without a cgroup namespace: /sys/fs/cgroup inside is the container's own cgroup" {
    skip_if_runc "runc 1.1 mounts the whole cgroup2 hierarchy there"
    run_sh 'cat /proc/self/cgroup; echo procs $(cat /sys/fs/cgroup/cgroup.procs); grep " /sys/fs/cgroup " /proc/self/mountinfo'
    assert_success
    assert_equal "${lines[0]}" "0::$PARENT/$CID" "/proc/self/cgroup inside"
    [[ " ${lines[1]} " == *" 1 "* ]] || fail "pid 1 is not in /sys/fs/cgroup/cgroup.procs: ${lines[1]}"
    assert_equal "$(awk '{print $4}' <<<"${lines[2]}")" "$PARENT/$CID" "root of /sys/fs/cgroup inside"
    [[ ${lines[2]} == *" - cgroup2 "* ]] || fail "not a cgroup2 mount: ${lines[2]}"
}

@test "v2 pause/resume: cgroup.freeze, status paused, a counter stops and goes on" {
    mkdir "$BUNDLE/out"
    update_config '.mounts += [{destination: "/mnt", type: "bind", source: $o, options: ["rbind", "rw"]}]' \
        --arg o "$BUNDLE/out"
    set_sh "sleep $MARK & i=0; while :; do i=\$((i+1)); echo \$i >/mnt/counter; sleep 0.1; done"
    create_and_start "$CID"
    counter() { # 0 before the first write; an empty file is one being rewritten: read again
        local v=""
        while [[ -z $v ]]; do v=$(cat "$BUNDLE/out/counter" 2>/dev/null || echo 0); done
        echo "$v"
    }
    counter_past() { (($(counter) > $1)); }
    # How long two ticks take here (an emulated guest is slow): the pause is watched longer.
    wait_until 60 counter_past 0
    local t0=$SECONDS a0
    a0=$(counter)
    wait_until 60 counter_past $((a0 + 1))
    local watch=$((2 * (SECONDS - t0) + 1))

    ocirt pause "$CID"
    assert_equal "$(state_field "$CID" .status)" paused "status after pause"
    assert_equal "$(cat "$CG/cgroup.freeze")" 1 "cgroup.freeze"
    assert_equal "$(keyed "$CG/cgroup.events" frozen)" 1 "frozen in cgroup.events"
    local a b
    a=$(counter)
    sleep "$watch"
    b=$(counter)
    assert_equal "$b" "$a" "counter after ${watch}s paused"

    ocirt resume "$CID"
    assert_equal "$(state_field "$CID" .status)" running "status after resume"
    assert_equal "$(cat "$CG/cgroup.freeze")" 0 "cgroup.freeze after resume"
    assert_equal "$(keyed "$CG/cgroup.events" frozen)" 0 "frozen after resume"
    wait_until 60 counter_past "$a"
}

@test "v2 ps and kill --all: the pids of cgroup.procs, all killed" {
    set_sh "sleep $MARK & sleep $MARK & wait"
    create_and_start "$CID"
    wait_until 60 sleepers_running 2
    run --separate-stderr ocirt ps --format json "$CID"
    assert_success
    assert_equal "$(jq -r 'sort | .[]' <<<"$output")" "$(sort -n "$CG/cgroup.procs")" "ps --format json"
    assert_equal "$(wc -l <"$CG/cgroup.procs")" 3 "processes in $CG"
    run --separate-stderr ocirt ps "$CID"
    assert_success
    assert_equal "$(grep -c "sleep $MARK\$" <<<"$output")" 2 "sleep lines in ps"
    ocirt kill --all "$CID" KILL
    wait_for_status "$CID" stopped 60
    wait_until 60 cgroup_empty
    wait_until 60 sleepers_running 0
    ocirt delete "$CID"
    [[ ! -e $CG ]] || fail "$CG is left after delete"
}

@test "v2 delete --force: a paused container without a pid namespace, one process in a sub-cgroup" {
    skip_if_runc "runc 1.1 kills the processes but leaves the cgroups (rmdir: busy)"
    update_config '.linux.namespaces |= map(select(.type != "pid"))'
    set_sh "sleep $MARK & sleep $MARK & wait"
    create_and_start "$CID"
    wait_until 60 sleepers_running 2
    # A process of the container moves to a cgroup below the container's (as a nested
    # manager would): delete must kill and remove it too.
    mkdir "$CG/sub"
    pgrep -f -- "^sleep $MARK\$" | head -n 1 >"$CG/sub/cgroup.procs"
    assert_equal "$(wc -l <"$CG/sub/cgroup.procs")" 1 "processes in $CG/sub"
    ocirt pause "$CID"
    assert_equal "$(keyed "$CG/sub/cgroup.events" frozen)" 1 "the sub-cgroup is frozen too"
    run --separate-stderr ocirt delete --force "$CID"
    assert_success
    wait_until 60 sleepers_running 0
    [[ ! -e $CG ]] || fail "$CG is left after delete --force"
    run ocirt state "$CID"
    assert_failure
}
