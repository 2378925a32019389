#!/usr/bin/env bats
# exec --cgroup (runc 1.1+): the exec'd process joins an existing sub-cgroup of the container's
# cgroup: `--cgroup PATH` (every hierarchy; the v2 form) or `--cgroup CTRL[,CTRL]:PATH` (v1, may
# repeat). Paths that leave the container's cgroup, missing sub-cgroups and unknown controllers
# fail with runc's words. The v1 test runs on the host (hybrid), the v2 test in the QEMU guest
# (integration/vm/suites). Where the process landed is read from the host: /proc/PID/cgroup.

load helpers
load helpers/cgroups

setup() {
    common_setup
    cgroups_setup
    update_config '.process.args = $a' --argjson a "$LONG_ARGS"
    create_and_start "$CID"
}

teardown() {
    local rc=0
    common_teardown || rc=$?
    cgroups_teardown
    return "$rc"
}

# exec_in ARGS...: `exec -d` of a sleep with ARGS before the id; sets PID (the process' host pid)
exec_in() {
    rm -f "$BUNDLE/exec.pid"
    run --separate-stderr ocirt exec -d --pid-file "$BUNDLE/exec.pid" "$@" "$CID" sleep "$MARK"
    assert_success
    PID=$(cat "$BUNDLE/exec.pid")
}

@test "exec --cgroup on v1: per controller, one path for all, the container's own; runc's errors" {
    is_v2 && skip "cgroup v2 host (the v2 test covers it)"
    local mem cpu
    mem=$(cg_dir memory) cpu=$(cg_dir cpu)
    mkdir "$mem/submem" "$cpu/subcpu" "$mem/all" "$cpu/all"
    local d
    for d in /sys/fs/cgroup/*"$CGPATH"; do
        [[ -d $d/all ]] || mkdir "$d/all"
        # a new v1 cpuset has no CPUs and takes no process until given some
        if [[ -e $d/cpuset.cpus ]]; then
            cat "$d/cpuset.cpus" >"$d/all/cpuset.cpus"
            cat "$d/cpuset.mems" >"$d/all/cpuset.mems"
        fi
    done

    exec_in --cgroup memory:submem --cgroup cpu:subcpu
    grep -qx "[0-9]*:memory:$CGPATH/submem" /proc/$PID/cgroup || fail "memory: $(cat /proc/$PID/cgroup)"
    grep -qx "[0-9]*:cpu:$CGPATH/subcpu" /proc/$PID/cgroup || fail "cpu: $(cat /proc/$PID/cgroup)"
    grep -qx "[0-9]*:pids:$CGPATH" /proc/$PID/cgroup || fail "pids (not named): $(cat /proc/$PID/cgroup)"

    exec_in --cgroup all
    run grep -v ":$CGPATH/all\$" /proc/$PID/cgroup
    assert_equal "$output" "" "hierarchies where the process is not in $CGPATH/all"

    exec_in --cgroup /
    run grep -v ":$CGPATH\$" /proc/$PID/cgroup
    assert_equal "$output" "" "hierarchies where the process is not in $CGPATH"

    run --separate-stderr ocirt exec --cgroup .. "$CID" true
    assert_failure
    ocirt_only assert_stderr_contains "bad sub cgroup path"  # runc 1.1: "is not a sub cgroup path"; 1.5 as here
    run --separate-stderr ocirt exec --cgroup nonexistent "$CID" true
    assert_failure
    assert_stderr_contains "o such file or directory"
    run --separate-stderr ocirt exec --cgroup cpu:nonexistent "$CID" true
    assert_failure
    assert_stderr_contains "o such file or directory"
    run --separate-stderr ocirt exec --cgroup whaaat:/ "$CID" true
    assert_failure
    assert_stderr_contains "unknown controller "
    run --separate-stderr ocirt exec --cgroup a --cgroup b "$CID" true
    assert_failure
    ocirt_only assert_stderr_contains "missing <controller>: prefix"
    ocirt delete -f "$CID"
}

@test "exec --cgroup on v2: the sub-cgroup, the container's own; runc's errors" {
    is_v2 || skip "needs a cgroup v2 host (runs in the QEMU guest)"
    local dir
    dir=$(cg_dir memory)
    mkdir "$dir/foobar"
    exec_in --cgroup foobar
    assert_equal "$(cat /proc/$PID/cgroup)" "0::$CGPATH/foobar" "the process' cgroup"
    run --separate-stderr ocirt exec --cgroup .. "$CID" true
    assert_failure
    ocirt_only assert_stderr_contains "bad sub cgroup path"  # runc 1.1: "is not a sub cgroup path"; 1.5 as here
    run --separate-stderr ocirt exec --cgroup nonexistent "$CID" true
    assert_failure
    assert_stderr_contains "o such file or directory"
    run --separate-stderr ocirt exec --cgroup memory:foobar "$CID" true
    assert_failure
    ocirt_only assert_stderr_contains "cgroup v2 has one hierarchy"
    ocirt delete -f "$CID"
}
