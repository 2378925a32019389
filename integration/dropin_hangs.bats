#!/usr/bin/env bats
# Drop-in fidelity: what made a caller (an engine, a shell) wait forever, and the seccomp
# details around it.
#
# - create/run -d/exec -d: the init holds nothing of the caller's but the container's stdio,
#   so $(runtime create ...) sees end-of-file when create returns
# - a frozen cgroupsPath is refused before anything joins it; a populated one is shared
#   with a warning
# - SCMP_ACT_NOTIFY on the syscalls the runtime itself makes after loading the filter
# - syscalls newer than the profile get ENOSYS, not the default action
# - startContainer hooks run under the seccomp filter
#
# Every call that could hang is bounded (timeout 10); a pipe that never sees end-of-file is
# read by `timeout 10 cat`, whose status 124 then fails the test.

load helpers
load helpers/security
load helpers/cgroups

setup_file() {
    build_probes
}

teardown() {
    local pid
    for pid in ${RECEIVER_PID:-} "${LISTENER_PIDS[@]}" ${SQUATTER_PID:-}; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    thaw_own_cgroups  # a frozen process would outlive delete --force
    common_teardown
    remove_own_cgroups
}

# --- helpers -----------------------------------------------------------------------------------

# start_receiver: a --console-socket peer on $CONSOLE_SOCK that keeps every pty master it
# gets (the container's output goes to $BUNDLE/console.out).
start_receiver() {
    CONSOLE_SOCK=$BUNDLE/console.sock
    "$PYTHON3" "$INTEGRATION_DIR/helpers/console_receiver.py" "$CONSOLE_SOCK" "$BUNDLE/console.out" \
        </dev/null >"$BUNDLE/receiver.log" 2>&1 3>&- &
    RECEIVER_PID=$!
    wait_until 10 test -S "$CONSOLE_SOCK"
}

# capture CMD...: CMD with stdout and stderr on one pipe, as $(CMD 2>&1) would read it.
# Sets CAPTURED (the output), CAPTURED_RC (CMD's status) and CAPTURED_EOF: 0 if the pipe saw
# end-of-file, 124 if something still held it open 10 s after CMD exited.
capture() {
    local f=$BUNDLE/capture
    { timeout --kill-after=5 10 "$@" </dev/null 2>&1; echo $? >"$f.rc"; } | timeout 10 cat >"$f.out"
    CAPTURED_EOF=${PIPESTATUS[1]}
    CAPTURED_RC=$(cat "$f.rc")
    CAPTURED=$(cat "$f.out")
}

assert_eof() {
    echo "output: $CAPTURED" >&2
    assert_equal "$CAPTURED_RC" 0 "the runtime's exit status"
    assert_equal "$CAPTURED_EOF" 0 "the reader's status (124: the pipe was still held open)"
}

# fds_leading_to FILE PID: the fd numbers of PID that are FILE, on one line.
fds_leading_to() {
    local fd out=()
    for fd in /proc/"$2"/fd/*; do
        [[ $(readlink "$fd") == "$1" ]] && out+=("${fd##*/}")
    done
    echo "${out[*]}"
}

# The cgroups these tests make themselves (a cgroupsPath that exists before create).
own_cgroup_dirs() {
    local d
    for d in /sys/fs/cgroup$CGPARENT /sys/fs/cgroup/*$CGPARENT; do
        [[ -d $d ]] && echo "$d"
    done
}

# precreate_cgroup CONTROLLER...: $CGPARENT/pre in the hierarchies holding the controllers
# (v2: the one dir), as linux.cgroupsPath. Sets PRE_DIRS.
precreate_cgroup() {
    CGPARENT="/ocirt-test-hang-$$-$BATS_TEST_NUMBER"
    CGPATH="$CGPARENT/pre"
    update_config '.linux.cgroupsPath = $p' --arg p "$CGPATH"
    PRE_DIRS=()
    if is_v2; then
        PRE_DIRS=("/sys/fs/cgroup$CGPATH")
    else
        local c mp
        for c in "$@"; do
            mp=$(_v1_mountpoint "$c")
            [[ -n $mp ]] || skip "no v1 $c hierarchy on this host"
            PRE_DIRS+=("$mp$CGPATH")
        done
    fi
    mkdir -p "${PRE_DIRS[@]}"
}

thaw_own_cgroups() {
    [[ -n ${CGPARENT:-} ]] || return 0
    local d
    for d in $(own_cgroup_dirs); do
        find "$d" -name freezer.state -exec sh -c 'echo THAWED >"$1"' _ {} \; 2>/dev/null || true
        find "$d" -name cgroup.freeze -exec sh -c 'echo 0 >"$1"' _ {} \; 2>/dev/null || true
    done
}

remove_own_cgroups() {
    [[ -n ${CGPARENT:-} ]] || return 0
    local d
    for d in $(own_cgroup_dirs); do
        find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    done
}

# --- 1. the init holds none of the caller's fds -----------------------------------------------

@test "create with a terminal: \$(create) returns; the init holds none of the caller's fds" {
    start_receiver
    update_config '.process.terminal = true | .process.args = $a' --argjson a "$LONG_ARGS"
    capture "$OCIRT" --root "$ROOT" create --console-socket "$CONSOLE_SOCK" --bundle "$BUNDLE" "$CID"
    assert_eof

    # The same create with its stdio on files: none of them is in the init.
    ocirt delete --force "$CID"
    "$OCIRT" --root "$ROOT" create --console-socket "$CONSOLE_SOCK" --bundle "$BUNDLE" "$CID" \
        <"$BUNDLE/config.json" >"$BUNDLE/create.out" 2>"$BUNDLE/create.err"
    local pid
    pid=$(state_field "$CID" .pid)
    ls -l /proc/"$pid"/fd >&2
    assert_equal "$(fds_leading_to "$BUNDLE/create.out" "$pid")" "" "fds on create's stdout"
    assert_equal "$(fds_leading_to "$BUNDLE/create.err" "$pid")" "" "fds on create's stderr"
    assert_equal "$(fds_leading_to "$BUNDLE/config.json" "$pid")" "" "fds on create's stdin"
}

@test "run -d with a terminal: \$(run -d) returns" {
    start_receiver
    update_config '.process.terminal = true | .process.args = $a' --argjson a "$LONG_ARGS"
    capture "$OCIRT" --root "$ROOT" run -d --console-socket "$CONSOLE_SOCK" --bundle "$BUNDLE" "$CID"
    assert_eof
    wait_for_status "$CID" running
}

@test "exec -d -t: \$(exec -d -t) returns" {
    start_receiver
    update_config '.process.args = $a' --argjson a "$LONG_ARGS"
    create_and_start "$CID"
    capture "$OCIRT" --root "$ROOT" exec -d -t --console-socket "$CONSOLE_SOCK" "$CID" sleep "$MARK"
    assert_eof
}

@test "create without a terminal: the init's only fds of the caller's are its stdio 0-2" {
    update_config '.process.args = $a' --argjson a "$LONG_ARGS"
    "$OCIRT" --root "$ROOT" create --bundle "$BUNDLE" "$CID" \
        <"$BUNDLE/config.json" >"$BUNDLE/create.out" 2>"$BUNDLE/create.err"
    local pid
    pid=$(state_field "$CID" .pid)
    ls -l /proc/"$pid"/fd >&2
    assert_equal "$(fds_leading_to "$BUNDLE/config.json" "$pid")" "0" "fds on create's stdin"
    assert_equal "$(fds_leading_to "$BUNDLE/create.out" "$pid")" "1" "fds on create's stdout"
    assert_equal "$(fds_leading_to "$BUNDLE/create.err" "$pid")" "2" "fds on create's stderr"
}

@test "create without a terminal, stdio elsewhere: a pipe given as --log sees end-of-file" {
    update_config '.process.args = $a' --argjson a "$LONG_ARGS"
    # fd 5 is the reader's pipe; the runtime opens it as its log file, its stdio are files.
    local rc=0
    { timeout --kill-after=5 10 "$OCIRT" --root "$ROOT" --log /proc/self/fd/5 create --bundle "$BUNDLE" "$CID" \
        5>&1 >"$BUNDLE/create.out" 2>"$BUNDLE/create.err" </dev/null || rc=$?; } | timeout 10 cat
    local eof=${PIPESTATUS[1]}
    cat "$BUNDLE/create.err" >&2
    assert_equal "$rc" 0 "create's exit status"
    assert_equal "$eof" 0 "the reader's status (124: the pipe was still held open)"
}

# --- 2. a cgroupsPath that exists already ----------------------------------------------------------

@test "a frozen cgroupsPath is refused before anything joins it; nothing is left" {
    precreate_cgroup freezer
    if is_v2; then
        echo 1 >"${PRE_DIRS[0]}/cgroup.freeze"
    else
        echo FROZEN >"${PRE_DIRS[0]}/freezer.state"
    fi
    set_sh 'echo should-not-run'
    local rc=0
    timeout --kill-after=5 10 "$OCIRT" --root "$ROOT" run --bundle "$BUNDLE" "$CID" \
        </dev/null >"$BUNDLE/out" 2>"$BUNDLE/err" || rc=$?
    cat "$BUNDLE/out" "$BUNDLE/err" >&2
    ((rc != 0)) || fail "run succeeded in a frozen cgroup"
    ((rc != 124 && rc != 137)) || fail "run waited in the frozen cgroup (killed by timeout)"
    ocirt_only grep -q "${PRE_DIRS[0]} is frozen" "$BUNDLE/err"
    grep -q should-not-run "$BUNDLE/out" && fail "the process ran"
    # nothing joined it
    assert_equal "$(cat "${PRE_DIRS[0]}/cgroup.procs")" "" "processes in the frozen cgroup"
    assert_nothing_left
}

@test "a cgroupsPath that already holds processes: create warns, naming it, and goes on" {
    # freezer (ocirt reads it) and devices (runc 1.1 reads it)
    precreate_cgroup freezer devices
    # shellcheck disable=SC2016
    sh -c 'for d; do echo $$ >"$d/cgroup.procs"; done; exec sleep '"$MARK" _ "${PRE_DIRS[@]}" \
        </dev/null >/dev/null 2>&1 3>&- &
    SQUATTER_PID=$!
    wait_until 10 grep -qx "$SQUATTER_PID" "${PRE_DIRS[0]}/cgroup.procs"
    set_sh 'echo ran'
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_output_equals "ran"
    [[ ${stderr,,} == *"not empty"* || ${stderr} == *"already holds"* ]] || fail "no warning: $stderr"
    ocirt_only assert_stderr_contains "$CGPATH"
    # the other process is still there
    kill -0 "$SQUATTER_PID"
}

# --- 3. seccomp notify on the runtime's own syscalls ---------------------------------------------

# start_listener ANSWER: seccomp_listener.c on $LISTENER_SOCK; it takes one connection (one
# filter), so each create or exec needs one. Notifications are logged to $BUNDLE/notify.log.
LISTENER_PIDS=()
start_listener() {
    LISTENER_SOCK=$BUNDLE/l.sock
    "$PROBES/seccomp_listener" "$LISTENER_SOCK" "$BUNDLE/state.json" "$BUNDLE/notify.log" "$1" \
        >>"$BUNDLE/listener.out" 2>&1 </dev/null 3>&- &
    LISTENER_PIDS+=($!)
    wait_until 10 test -S "$LISTENER_SOCK"
}

# notify_on NAME...: default ALLOW, the names with SCMP_ACT_NOTIFY to the listener.
notify_on() {
    set_seccomp "$(jq -cn --arg l "$LISTENER_SOCK" --argjson n "$(json_array "$@")" \
        '{defaultAction: "SCMP_ACT_ALLOW", listenerPath: $l,
          syscalls: [{names: $n, action: "SCMP_ACT_NOTIFY"}]}')"
}

# notify_run NNP NAME...: `run` (bounded) with those notified and the listener letting each
# call through; the container prints "hello" and exits 0.
notify_run() {
    update_config '.process.noNewPrivileges = $v' --argjson v "$1"
    shift
    start_listener continue
    notify_on "$@"
    set_sh 'echo hello'
    OCIRT_TIMEOUT=10 run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_output_equals "hello"
    grep -q '^nr=' "$BUNDLE/notify.log" || fail "the listener saw no notification"
}

@test "notify on close, read, sendmsg, recvmsg, exit_group: run does not hang (noNewPrivileges)" {
    notify_run true close read sendmsg recvmsg exit_group
}

@test "notify on close, read, sendmsg, recvmsg, exit_group: run does not hang (without noNewPrivileges)" {
    notify_run false close read sendmsg recvmsg exit_group
}

@test "notify on write too (the runtime's own handover syscalls), both filter positions" {
    skip_if_runc "runc refuses SCMP_ACT_NOTIFY for write(2)"
    notify_run true close read write sendmsg recvmsg exit_group
    notify_run false close read write sendmsg recvmsg exit_group
}

@test "notify on close, read, write, sendmsg, recvmsg, exit_group: exec does not hang" {
    skip_if_runc "runc refuses SCMP_ACT_NOTIFY for write(2)"
    start_listener continue
    notify_on close read write sendmsg recvmsg exit_group
    update_config '.process.args = $a' --argjson a "$LONG_ARGS"
    OCIRT_TIMEOUT=10 create_and_start "$CID"
    start_listener continue  # the exec's own filter
    OCIRT_TIMEOUT=10 run --separate-stderr ocirt exec "$CID" echo from-exec
    assert_success
    assert_output_equals "from-exec"
}

# --- 4. syscalls newer than the profile -------------------------------------------------------------

# A deny-by-default profile that allows every x86_64 syscall of the kernel headers but
# getpriority (140), so the runtime and busybox work and one known syscall stays denied.
deny_by_default_profile() {
    local h=/usr/include/x86_64-linux-gnu/asm/unistd_64.h
    [[ $(uname -m) == x86_64 && -r $h ]] || skip "needs x86_64 and $h"
    local names
    names=$(awk '$1 == "#define" && $2 ~ /^__NR_/ { sub(/^__NR_/, "", $2); print $2 }' "$h" |
        grep -vx getpriority | jq -R . | jq -cs .)
    set_seccomp "$(jq -cn --argjson n "$names" '{defaultAction: "SCMP_ACT_ERRNO",
        architectures: ["SCMP_ARCH_X86_64"], syscalls: [{names: $n, action: "SCMP_ACT_ALLOW"}]}')"
}

@test "a syscall number above the profile's largest gets ENOSYS, a known unnamed one EPERM" {
    deny_by_default_profile
    mount_probes
    run_sh '/mnt/sysprobe nr 1000; /mnt/sysprobe getpriority 0 0'
    assert_success
    assert_equal "${lines[0]}" "err 38 Function not implemented" "syscall 1000"
    assert_equal "${lines[1]}" "err 1 Operation not permitted" "getpriority (known, not named)"
}

@test "with defaultErrnoRet the same: above the largest ENOSYS, below it the profile's errno" {
    deny_by_default_profile
    update_config '.linux.seccomp.defaultErrnoRet = 13'
    mount_probes
    run_sh '/mnt/sysprobe nr 1000; /mnt/sysprobe getpriority 0 0'
    assert_success
    assert_equal "${lines[0]}" "err 38 Function not implemented" "syscall 1000"
    assert_equal "${lines[1]}" "err 13 Permission denied" "getpriority (known, not named)"
}

# --- 5. startContainer hooks and the filter -----------------------------------------------------------

# The hook writes its own Seccomp line where the container's process reads it.
start_hook_sees_filter() {
    update_config '.process.noNewPrivileges = $v' --argjson v "$1"
    deny_mkdir_profile='{"defaultAction": "SCMP_ACT_ALLOW",
        "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}'
    set_seccomp "$deny_mkdir_profile"
    update_config '.hooks.startContainer = [{path: "/bin/sh",
        args: ["sh", "-c", "grep ^Seccomp: /proc/self/status >/dev/shm/hook"]}]'
    set_sh 'cat /dev/shm/hook'
    OCIRT_TIMEOUT=10 run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_equal "$(squeeze "$output")" "Seccomp: 2" "the hook's seccomp mode"
}

@test "startContainer hooks run under the seccomp filter (noNewPrivileges)" {
    start_hook_sees_filter true
}

@test "startContainer hooks run under the seccomp filter (without noNewPrivileges)" {
    start_hook_sees_filter false
}
