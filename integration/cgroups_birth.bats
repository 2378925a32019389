#!/usr/bin/env bats
# The init and exec'd processes are born in the container's cgroup instead of joining it after
# their clone (linux/spawn.hpp, CgroupBirth): on cgroup v1 a short-lived intermediate moves
# itself in ("0" to `tasks`) and clones the process there, on cgroup2 clone3 CLONE_INTO_CGROUP.
# A write of another pid to cgroup.procs takes the kernel's global threadgroup lock, whose
# first use after a pause waits an RCU grace period (bench/ANALYSIS.md). Checked here by what
# the process ends up in (/proc/PID/cgroup in every hierarchy) and, under strace, by the
# absence of any cgroup.procs write; and the fallback when a pids limit leaves no room for the
# intermediate beside the init.

load helpers
load helpers/cgroups

setup() {
    common_setup
    cgroups_setup
}

teardown() {
    local rc=0
    common_teardown || rc=$?
    cgroups_teardown
    return "$rc"
}

# in_container_cgroups PID: every line of /proc/PID/cgroup of a hierarchy the container has a
# dir in names $CGPATH (hybrid's cgroup2 line included).
in_container_cgroups() {
    local line ok=0 n=0 ctrl path
    while IFS=: read -r _ ctrl path; do
        case $ctrl in
        "" ) [[ -d /sys/fs/cgroup/unified$CGPATH || -d /sys/fs/cgroup$CGPATH ]] || continue ;;
        *) [[ -n $(_v1_mountpoint "${ctrl%%,*}") && -d $(_v1_mountpoint "${ctrl%%,*}")$CGPATH ]] || continue ;;
        esac
        n=$((n + 1))
        if [[ $path != "$CGPATH" ]]; then
            echo "pid $1 in $path, not $CGPATH ($ctrl)" >&2
            ok=1
        fi
    done <"/proc/$1/cgroup"
    ((n > 0)) || { echo "pid $1: no hierarchy of the container found in /proc/$1/cgroup" >&2; return 1; }
    return "$ok"
}

require_strace() {
    command -v strace >/dev/null || skip "strace is not installed (make deps installs it)"
}

@test "cgroup birth: the init is in the container's cgroup of every hierarchy, with no cgroup.procs write" {
    ocirt_only
    require_strace
    update_config '.process.args = $a' --argjson a "$LONG_ARGS"
    # strace -f follows the init too and ends with it: trace in the background, check the
    # init, delete the container, then read the trace.
    local log="$BATS_TEST_TMPDIR/create.strace"
    timeout 60 strace -f -qq -o "$log" -e trace=openat "$OCIRT" --root "$ROOT" create --bundle "$BUNDLE" "$CID" \
        </dev/null >/dev/null 2>&1 &
    local tracer=$!
    wait_for_status "$CID" created 30
    local pid
    pid=$(state_field "$CID" .pid)
    in_container_cgroups "$pid"
    ocirt delete --force "$CID"
    wait "$tracer" || true
    if grep -E 'openat\([^)]*cgroup\.procs", O_WRONLY' "$log"; then
        fail "create wrote cgroup.procs (above): the init joined after its clone"
    fi
    if ! is_v2; then
        grep -qE 'openat\([^)]*/tasks", O_WRONLY' "$log" || fail "no v1 tasks file was written: $(grep -c . "$log") lines traced"
    fi
}

@test "cgroup birth: pids.limit 1 leaves no room for the intermediate: the init joins after its clone" {
    has_controller pids || skip "no pids controller on this host"
    update_config '.process.args = $a | .linux.resources.pids = {limit: 1}' --argjson a "$LONG_ARGS"
    create_and_start "$CID"
    in_container_cgroups "$(state_field "$CID" .pid)"
    assert_equal "$(cg_read pids pids.max)" 1 pids.max
    # exec into the full cgroup: the exec'd process joins after its clone, as before
    run ocirt exec "$CID" /bin/true
    assert_success
}

@test "cgroup birth: an exec'd process is born in the container's cgroup" {
    update_config '.process.args = $a' --argjson a "$LONG_ARGS"
    create_and_start "$CID"
    if [[ $RUNTIME_NAME == ocirt* ]] && command -v strace >/dev/null; then
        local log="$BATS_TEST_TMPDIR/exec.strace"
        timeout 60 strace -f -qq -o "$log" -e trace=openat "$OCIRT" --root "$ROOT" exec "$CID" /bin/true </dev/null
        if grep -E 'openat\([^)]*cgroup\.procs", O_WRONLY' "$log"; then
            fail "exec wrote cgroup.procs (above): the process joined after its clone"
        fi
    fi
    local pidfile="$BATS_TEST_TMPDIR/exec.pid"
    ocirt exec --detach --pid-file "$pidfile" "$CID" sleep 1000
    in_container_cgroups "$(cat "$pidfile")"
}
