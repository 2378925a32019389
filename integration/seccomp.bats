#!/usr/bin/env bats
# linux.seccomp (config-linux.md "Seccomp"), seen from inside the container: the filter in
# /proc/self/status, every action (with busybox commands and the sysprobe helper as probes),
# errnoRet and defaultErrnoRet, argument conditions, the compat (32-bit) entry, podman's default
# profile, flags, unknown syscall names, bad profiles, the order of the filter relative to the
# other privilege changes, and SCMP_ACT_NOTIFY with a listener (listenerPath, listenerMetadata,
# the "container process state" of state.md).
#
# busybox applets make one plain system call each: `mkdir D` -> mkdir(2), `chmod M F` ->
# chmod(2), `kill -SIG PID` -> kill(2). /dev/shm is a writable tmpfs, so the shared read-only
# rootfs is never written to. An applet killed by SIGSYS has exit status 128+31 = 159 in sh,
# and `run` of a container whose process dies of SIGSYS exits 159 too.

load helpers
load helpers/security

setup_file() {
    build_probes
}

teardown() {
    if [[ -n ${LISTENER_PID:-} ]]; then
        kill "$LISTENER_PID" 2>/dev/null || true
        wait "$LISTENER_PID" 2>/dev/null || true
    fi
    common_teardown
}

SIGSYS_STATUS=159

# deny_mkdir ACTION [EXTRA_RULE_JSON_FIELDS]: default ALLOW, mkdir with ACTION.
deny_mkdir() {
    set_seccomp "$(jq -cn --arg a "$1" --argjson x "${2:-{\}}" \
        '{defaultAction: "SCMP_ACT_ALLOW", syscalls: [{names: ["mkdir", "mkdirat"], action: $a} + $x]}')"
}

# --- the filter in /proc/self/status -----------------------------------------------------------

@test "status: no linux.seccomp, no filter (Seccomp 0)" {
    run_sh 'grep -E "^(Seccomp|Seccomp_filters):" /proc/self/status'
    assert_success
    assert_equal "$(squeeze "${lines[0]}")" "Seccomp: 0"
    assert_equal "$(squeeze "${lines[1]}")" "Seccomp_filters: 0"
}

@test "status: a profile is one filter in filter mode (Seccomp 2, Seccomp_filters 1), with NoNewPrivs" {
    update_config '.process.noNewPrivileges = true'
    deny_mkdir SCMP_ACT_ERRNO
    run_sh 'grep -E "^(NoNewPrivs|Seccomp|Seccomp_filters):" /proc/self/status'
    assert_success
    assert_equal "$(squeeze "${lines[0]}")" "NoNewPrivs: 1"
    assert_equal "$(squeeze "${lines[1]}")" "Seccomp: 2"
    assert_equal "$(squeeze "${lines[2]}")" "Seccomp_filters: 1"
}

@test "status: the filter is also loaded without noNewPrivileges (the runtime has CAP_SYS_ADMIN)" {
    update_config '.process.noNewPrivileges = false'
    deny_mkdir SCMP_ACT_ERRNO
    run_sh 'grep -E "^(NoNewPrivs|Seccomp|Seccomp_filters):" /proc/self/status; mkdir /dev/shm/d'
    assert_equal "$(squeeze "${lines[0]}")" "NoNewPrivs: 0"
    assert_equal "$(squeeze "${lines[1]}")" "Seccomp: 2"
    assert_equal "$(squeeze "${lines[2]}")" "Seccomp_filters: 1"
    assert_failure
    assert_stderr_contains "Operation not permitted"
}

# --- actions -----------------------------------------------------------------------------------

@test "SCMP_ACT_ERRNO without errnoRet: EPERM; other system calls are untouched" {
    deny_mkdir SCMP_ACT_ERRNO
    run_sh 'mkdir /dev/shm/d; echo "mkdir=$?"; touch /dev/shm/f && echo touch=ok; ls /dev/shm'
    assert_success
    assert_stderr_contains "mkdir: can't create directory '/dev/shm/d': Operation not permitted"
    assert_equal "${lines[*]}" "mkdir=1 touch=ok f"
}

@test "SCMP_ACT_ERRNO with errnoRet 28: ENOSPC" {
    deny_mkdir SCMP_ACT_ERRNO '{"errnoRet": 28}'
    run_sh 'mkdir /dev/shm/d; echo "mkdir=$?"'
    assert_success
    assert_stderr_contains "No space left on device"
    assert_output_equals "mkdir=1"
}

@test "SCMP_ACT_ERRNO with errnoRet 0: the call 'succeeds' without being made" {
    deny_mkdir SCMP_ACT_ERRNO '{"errnoRet": 0}'
    run_sh 'mkdir /dev/shm/d; echo "mkdir=$?"; test -d /dev/shm/d && echo exists || echo absent'
    assert_success
    assert_equal "${lines[*]}" "mkdir=0 absent"
}

@test "defaultAction SCMP_ACT_ERRNO with defaultErrnoRet: what the allow list lacks fails with it" {
    # podman's allow list without mkdir, and ENOSPC instead of podman's ENOSYS
    podman_profile "$BATS_TEST_TMPDIR/podman.json"
    set_seccomp "$(jq -c '.defaultErrnoRet = 28 | .syscalls |= map(.names -= ["mkdir", "mkdirat"])' \
        "$BATS_TEST_TMPDIR/podman.json")"
    set_caps "$PODMAN_CAPS"
    run_sh 'mkdir /dev/shm/d; echo "mkdir=$?"; touch /dev/shm/f && echo touch=ok'
    assert_success
    assert_stderr_contains "No space left on device"
    assert_equal "${lines[*]}" "mkdir=1 touch=ok"
}

@test "defaultAction SCMP_ACT_ERRNO without defaultErrnoRet: EPERM" {
    podman_profile "$BATS_TEST_TMPDIR/podman.json"
    set_seccomp "$(jq -c 'del(.defaultErrnoRet) | .syscalls |= map(.names -= ["mkdir", "mkdirat"])' \
        "$BATS_TEST_TMPDIR/podman.json")"
    set_caps "$PODMAN_CAPS"
    run_sh 'mkdir /dev/shm/d; echo "mkdir=$?"'
    assert_success
    assert_stderr_contains "Operation not permitted"
    assert_output_equals "mkdir=1"
}

# kill_action ACTION: the process making the call dies of SIGSYS, in a subshell and as the
# container's process (run exits 128+31).
kill_action() {
    deny_mkdir "$1"
    run_sh '(mkdir /dev/shm/d); echo "subshell=$?"; test -d /dev/shm/d && echo exists || echo absent'
    assert_success
    assert_equal "${lines[*]}" "subshell=$SIGSYS_STATUS absent"

    set_args mkdir /dev/shm/d
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
    assert_status "$SIGSYS_STATUS"
}

@test "SCMP_ACT_KILL: the process dies of SIGSYS" {
    kill_action SCMP_ACT_KILL
}

@test "SCMP_ACT_KILL_THREAD: the (single-threaded) process dies of SIGSYS" {
    kill_action SCMP_ACT_KILL_THREAD
}

@test "SCMP_ACT_KILL_PROCESS: the process dies of SIGSYS" {
    kill_action SCMP_ACT_KILL_PROCESS
}

@test "SCMP_ACT_TRAP: SIGSYS is delivered (default disposition: the process dies)" {
    kill_action SCMP_ACT_TRAP
}

@test "SCMP_ACT_TRACE without a tracer: ENOSYS" {
    deny_mkdir SCMP_ACT_TRACE
    run_sh 'mkdir /dev/shm/d; echo "mkdir=$?"'
    assert_success
    assert_stderr_contains "Function not implemented"
    assert_output_equals "mkdir=1"
}

@test "SCMP_ACT_LOG: the call is made (and logged by the kernel)" {
    deny_mkdir SCMP_ACT_LOG
    run_sh 'mkdir /dev/shm/d; echo "mkdir=$?"; test -d /dev/shm/d && echo exists'
    assert_success
    assert_equal "${lines[*]}" "mkdir=0 exists"
}

@test "SCMP_ACT_ALLOW rules under an ERRNO default: allowed calls work, the rest fail" {
    # the smallest useful allow list would be long: podman's profile is one
    podman_profile "$BATS_TEST_TMPDIR/podman.json"
    set_seccomp "$(cat "$BATS_TEST_TMPDIR/podman.json")"
    set_caps "$PODMAN_CAPS"
    mount_probes
    run_sh 'mkdir /dev/shm/d && echo mkdir=ok; /mnt/sysprobe getpid; /mnt/sysprobe personality 0x40000'
    assert_success
    assert_equal "${lines[0]}" "mkdir=ok"
    assert_equal "${lines[1]%% *}" "ok" "getpid (allowed)"
    # personality(ADDR_NO_RANDOMIZE) is not on the list: defaultErrnoRet ENOSYS
    assert_equal "${lines[2]}" "err 38 Function not implemented" "personality(0x40000)"
}

# --- argument conditions -----------------------------------------------------------------------

@test "args: kill with signal 0 denied (SCMP_CMP_EQ on arg 1), other signals allowed" {
    set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"],
        "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]}]}'
    run_sh 'kill -0 $$; echo "kill0=$?"; kill -CONT $$; echo "killcont=$?"'
    assert_success
    assert_stderr_contains "Operation not permitted"
    assert_equal "${lines[*]}" "kill0=1 killcont=0"
}

@test "args: chmod to a world-writable mode denied (SCMP_CMP_MASKED_EQ on the mode)" {
    # mode & 0002 == 0002 (value = mask, valueTwo = datum)
    set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["chmod"], "action": "SCMP_ACT_ERRNO",
         "args": [{"index": 1, "value": 2, "valueTwo": 2, "op": "SCMP_CMP_MASKED_EQ"}]},
        {"names": ["fchmodat"], "action": "SCMP_ACT_ERRNO",
         "args": [{"index": 2, "value": 2, "valueTwo": 2, "op": "SCMP_CMP_MASKED_EQ"}]}]}'
    run_sh 'touch /dev/shm/f; chmod 0640 /dev/shm/f; echo "640=$?"; chmod 0666 /dev/shm/f;
            echo "666=$?"; stat -c %a /dev/shm/f'
    assert_success
    assert_stderr_contains "Operation not permitted"
    assert_equal "${lines[*]}" "640=0 666=1 640"
}

@test "args: two conditions on the same argument are ORed (runc's reading)" {
    set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["personality"],
        "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 262144, "op": "SCMP_CMP_EQ"},
                                           {"index": 0, "value": 131072, "op": "SCMP_CMP_EQ"}]}]}'
    mount_probes
    run_sh '/mnt/sysprobe personality 0x40000; /mnt/sysprobe personality 0x20000;
            /mnt/sysprobe personality 0xffffffff'
    assert_success
    assert_equal "${lines[0]}" "err 1 Operation not permitted" "personality(0x40000)"
    assert_equal "${lines[1]}" "err 1 Operation not permitted" "personality(0x20000)"
    assert_equal "${lines[2]%% *}" "ok" "personality(0xffffffff) (a query)"
}

@test "args: conditions on different arguments are ANDed" {
    # kill(pid, sig): denied only for sig 0 AND pid 1
    set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"],
        "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"},
                                           {"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]}]}'
    run_sh 'sleep 100 & p=$!; kill -0 1; echo "pid1=$?"; kill -0 $p; echo "child=$?"; kill $p'
    assert_success
    assert_equal "${lines[*]}" "pid1=1 child=0"
}

# --- architectures -----------------------------------------------------------------------------

@test "architectures: the 32-bit entry is filtered too when X86 is listed" {
    [[ $(uname -m) == x86_64 ]] || skip "x86_64 only"
    set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW",
        "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
        "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}'
    mount_probes
    run_sh '/mnt/sysprobe mkdir /dev/shm/a; /mnt/sysprobe mkdir32 /dev/shm/b; /mnt/sysprobe getpid32'
    assert_success
    assert_equal "${lines[0]}" "err 1 Operation not permitted" "native mkdir"
    assert_equal "${lines[1]}" "err 1 Operation not permitted" "i386 mkdir"
    assert_equal "${lines[2]%% *}" "ok" "i386 getpid"
}

@test "architectures: a call through an entry not in the filter kills the process" {
    [[ $(uname -m) == x86_64 ]] || skip "x86_64 only"
    # without X86 a 32-bit call could slip past every rule; the filter kills instead
    set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
        "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}'
    mount_probes
    run_sh '/mnt/sysprobe getppid; /mnt/sysprobe mkdir32 /dev/shm/b; echo "mkdir32=$?";
            test -d /dev/shm/b && echo exists || echo absent'
    assert_success
    assert_equal "${lines[*]}" "ok 1 mkdir32=$SIGSYS_STATUS absent"
}

# --- podman's default profile --------------------------------------------------------------------

@test "podman's default profile: a container runs with it, unshare and mount are denied" {
    podman_profile "$BATS_TEST_TMPDIR/podman.json"
    set_seccomp "$(cat "$BATS_TEST_TMPDIR/podman.json")"
    set_caps "$PODMAN_CAPS"
    mount_probes
    run_sh 'grep -E "^Seccomp:" /proc/self/status; ps >/dev/null && echo ps=ok; mkdir /dev/shm/d && echo mkdir=ok
            unshare -m true; echo "unshare=$?"; mount -t tmpfs none /dev/shm/d; echo "mount=$?"
            /mnt/sysprobe userfaultfd 0; /mnt/sysprobe setns -1 0'
    assert_success
    assert_equal "$(squeeze "${lines[0]}")" "Seccomp: 2"
    assert_equal "${lines[1]}" ps=ok
    assert_equal "${lines[2]}" "mkdir=ok"
    assert_equal "${lines[3]}" "unshare=1"
    assert_equal "${lines[4]}" "mount=1"
    assert_stderr_contains "unshare: unshare(0x20000): Operation not permitted"
    assert_stderr_contains "mount: permission denied"
    # on podman's errno list: EPERM from the filter, not EBADF/EINVAL from the kernel
    assert_equal "${lines[5]}" "err 1 Operation not permitted" "userfaultfd"
    # setns is both allowed and denied (without CAP_SYS_ADMIN) in the profile: the first
    # rule wins, and the kernel answers EBADF for fd -1
    assert_equal "${lines[6]}" "err 9 Bad file descriptor" "setns(-1)"
}

@test "the compiled profile is cached in the state root and the cached filter is the one loaded" {
    skip_if_runc "runc compiles the profile every time"
    set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 28}]}'
    run_sh 'mkdir /tmp/d; echo "mkdir=$?"'
    assert_success
    assert_output_contains "mkdir=1"
    assert_stderr_contains "No space left on device"
    local entries
    entries=("$ROOT"/@cache/seccomp/*.bpf)
    assert_equal "${#entries[@]}" 1
    assert_equal "$(stat -c %a "$ROOT/@cache/seccomp")" 700
    assert_equal "$(stat -c %a "${entries[0]}")" 600
    local before
    before=$(stat -c %Y.%i "${entries[0]}")
    # the second container is served from the entry (not rewritten) and still filtered
    run_sh 'mkdir /tmp/d; echo "mkdir=$?"'
    assert_success
    assert_output_contains "mkdir=1"
    assert_stderr_contains "No space left on device"
    assert_equal "$(stat -c %Y.%i "${entries[0]}")" "$before"
    assert_equal "$(ls "$ROOT"/@cache/seccomp | wc -l)" 1
    # a corrupted entry is not trusted: compiled again, still filtered, entry rewritten
    printf 'garbage' >"${entries[0]}"
    run_sh 'mkdir /tmp/d; echo "mkdir=$?"'
    assert_success
    assert_output_contains "mkdir=1"
    assert_stderr_contains "No space left on device"
    [[ $(stat -c %s "${entries[0]}") -gt 100 ]]
}

# --- flags -------------------------------------------------------------------------------------

@test "flags: SECCOMP_FILTER_FLAG_LOG, _SPEC_ALLOW and _TSYNC are accepted, one at a time and together" {
    skip_if_runc "runc 1.1.5: seccomp flags are not yet supported"
    local flags
    for flags in '["SECCOMP_FILTER_FLAG_LOG"]' '["SECCOMP_FILTER_FLAG_SPEC_ALLOW"]' \
        '["SECCOMP_FILTER_FLAG_TSYNC"]' \
        '["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_TSYNC"]'; do
        set_seccomp "$(jq -cn --argjson f "$flags" '{defaultAction: "SCMP_ACT_ALLOW", flags: $f,
            syscalls: [{names: ["mkdir"], action: "SCMP_ACT_ERRNO", errnoRet: 28}]}')"
        run_sh 'grep -E "^Seccomp_filters:" /proc/self/status; mkdir /dev/shm/d; echo "mkdir=$?"'
        assert_success
        assert_equal "$(squeeze "${lines[0]}")" "Seccomp_filters: 1" "filters with $flags"
        assert_equal "${lines[1]}" "mkdir=1" "mkdir with $flags"
        assert_stderr_contains "No space left on device"
    done
}

@test "flags: SECCOMP_FILTER_FLAG_SPEC_ALLOW leaves speculative store bypass as the host has it" {
    local host
    skip_if_runc "runc 1.1.5: seccomp flags are not yet supported"
    host=$(grep ^Speculation_Store_Bypass: /proc/self/status) || skip "no Speculation_Store_Bypass"
    set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_SPEC_ALLOW"],
                  "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_ERRNO"}]}'
    run_sh 'grep ^Speculation_Store_Bypass: /proc/self/status'
    assert_success
    # (without the flag the kernel may force the mitigation on where the CPU has one)
    assert_equal "$(squeeze "$output")" "$(squeeze "$host")"
}

# --- unknown names and bad profiles --------------------------------------------------------------

@test "an unknown syscall name is skipped, the rest of the rule applies" {
    set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
        {"names": ["no_such_syscall_ocirt", "mkdir"], "action": "SCMP_ACT_ERRNO"},
        {"names": ["another_unknown_one"], "action": "SCMP_ACT_KILL"}]}'
    run_sh 'mkdir /dev/shm/d; echo "mkdir=$?"'
    assert_success
    assert_stderr_contains "Operation not permitted"
    assert_output_equals "mkdir=1"
}

@test "bad profile: an unknown action is refused, naming the field; nothing is left" {
    set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_FOO"}]}'
    set_sh 'echo should-not-run'
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
    assert_failure
    [[ $output != *should-not-run* ]] || fail "the process ran"
    ocirt_only assert_stderr_contains 'linux.seccomp.syscalls[0].action'
    assert_stderr_contains SCMP_ACT_FOO
    assert_nothing_left
}

@test "bad profile: an unknown defaultAction is refused; nothing is left" {
    set_seccomp '{"defaultAction": "SCMP_ACT_NOPE"}'
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
    assert_failure
    ocirt_only assert_stderr_contains 'linux.seccomp.defaultAction'
    assert_nothing_left
}

@test "bad profile: an unknown architecture is refused" {
    set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_NOPE"]}'
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
    assert_failure
    ocirt_only assert_stderr_contains 'linux.seccomp.architectures[0]'
    assert_nothing_left
}

@test "bad profile: an unknown operator is refused" {
    set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["kill"],
        "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 0, "op": "SCMP_CMP_ALMOST"}]}]}'
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
    assert_failure
    ocirt_only assert_stderr_contains 'linux.seccomp.syscalls[0].args[0].op'
    assert_nothing_left
}

@test "bad profile: an unknown flag is refused" {
    set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_NOPE"]}'
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
    assert_failure
    ocirt_only assert_stderr_contains 'linux.seccomp.flags[0]'
    assert_nothing_left
}

@test "bad profile: errnoRet with an action other than ERRNO or TRACE is refused" {
    skip_if_runc "runc 1.1.5 ignores errnoRet on other actions"
    deny_mkdir SCMP_ACT_KILL '{"errnoRet": 28}'
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains 'linux.seccomp.syscalls[0]'
    assert_stderr_contains errnoRet
    assert_nothing_left
}

@test "bad profile: SCMP_ACT_NOTIFY as defaultAction is refused" {
    set_seccomp "$(jq -cn --arg l "$BUNDLE/listener.sock" \
        '{defaultAction: "SCMP_ACT_NOTIFY", listenerPath: $l}')"
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
    assert_failure
    ocirt_only assert_stderr_contains 'linux.seccomp.defaultAction'
    assert_nothing_left
}

# SCMP_ACT_NOTIFY for write(2) is accepted (runc refuses it): see dropin_hangs.bats.

@test "bad profile: SCMP_ACT_NOTIFY without listenerPath is refused" {
    deny_mkdir SCMP_ACT_NOTIFY
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
    assert_failure
    ocirt_only assert_stderr_contains 'listenerPath'
    assert_nothing_left
}

# --- where the filter is loaded -----------------------------------------------------------------

@test "the filter is loaded after the privilege changes (a profile denying them still starts, with noNewPrivileges)" {
    update_config '.process.noNewPrivileges = true | .process.user = {uid: 65534, gid: 65534, additionalGids: [10]}'
    set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["capset", "setuid",
        "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setgroups", "setfsuid", "setfsgid"],
        "action": "SCMP_ACT_ERRNO"}]}'
    run_sh 'id -u; id -G; grep -E "^CapBnd" /proc/self/status'
    assert_success
    assert_equal "${lines[0]}" 65534
    assert_equal "${lines[1]}" "65534 10"
    # the default config's bounding set was applied before the filter
    assert_equal "$(squeeze "${lines[2]}")" "CapBnd: $(printf '%016x' $(((1 << 29) | (1 << 5) | (1 << 10))))"
}

@test "the filter is in place before execve: a profile denying execve stops the process from starting" {
    set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["execve", "execveat"],
        "action": "SCMP_ACT_ERRNO"}]}'
    set_sh 'echo should-not-run'
    # (not bats' run: ocirt exits 127 here, which bats would warn about)
    local rc=0 out err
    ocirt run --bundle "$BUNDLE" "$CID" >"$BUNDLE/out" 2>"$BUNDLE/err" || rc=$?
    out=$(cat "$BUNDLE/out")
    err=$(cat "$BUNDLE/err")
    ((rc != 0)) || fail "run succeeded"
    [[ $out != *should-not-run* ]] || fail "the process ran"
    [[ ${err,,} == *"operation not permitted"* ]] || fail "stderr: $err"
    assert_nothing_left
}

# --- SCMP_ACT_NOTIFY and the listener -------------------------------------------------------------

# start_listener ANSWER: the listener in the background on $BUNDLE/l.sock; its state JSON goes
# to $BUNDLE/state.json, its log of notifications to $BUNDLE/notify.log.
start_listener() {
    LISTENER_SOCK=$BUNDLE/l.sock
    "$PROBES/seccomp_listener" "$LISTENER_SOCK" "$BUNDLE/state.json" "$BUNDLE/notify.log" "$1" \
        >"$BUNDLE/listener.out" 2>&1 </dev/null 3>&- &
    LISTENER_PID=$!
    local _
    for _ in $(seq 100); do
        [[ -S $LISTENER_SOCK ]] && return 0
        sleep 0.05
    done
    cat "$BUNDLE/listener.out" >&2
    fail "the listener did not come up"
}

# wait_listener: the listener exits once the container's processes are gone.
wait_listener() {
    local _
    for _ in $(seq 100); do
        kill -0 "$LISTENER_PID" 2>/dev/null || break
        sleep 0.05
    done
    if kill -0 "$LISTENER_PID" 2>/dev/null; then
        kill "$LISTENER_PID"
        echo "the listener was still waiting for notifications 5 s after the container" >&2
    fi
    local rc=0
    wait "$LISTENER_PID" || rc=$?
    LISTENER_PID=
    cat "$BUNDLE/listener.out" >&2
    return "$rc"
}

notify_mkdir() {
    set_seccomp "$(jq -cn --arg l "$LISTENER_SOCK" '{defaultAction: "SCMP_ACT_ALLOW",
        listenerPath: $l, listenerMetadata: "it works: {\"x\": 1}",
        syscalls: [{names: ["mkdir", "mkdirat"], action: "SCMP_ACT_NOTIFY"}]}')"
}

@test "notify: the listener gets the container process state and the fd, and fakes mkdir's success" {
    start_listener success
    notify_mkdir
    run_sh 'mkdir /dev/shm/x; echo "mkdir=$?"; test -d /dev/shm/x && echo exists || echo absent'
    assert_success
    # mkdir "succeeded" without making the directory: the listener's answer
    assert_equal "${lines[*]}" "mkdir=0 absent"
    wait_listener
    grep -q "^nr=[0-9]* pid=[0-9]* path=/dev/shm/x$" "$BUNDLE/notify.log" || {
        cat "$BUNDLE/notify.log" >&2
        fail "the listener did not see mkdir /dev/shm/x"
    }
    # state.md "Container process state"
    local s=$BUNDLE/state.json
    jq . "$s" >&2
    assert_equal "$(jq -r '.ociVersion | type' "$s")" string "ociVersion"
    [[ -n $(jq -r .ociVersion "$s") ]] || fail "empty ociVersion"
    assert_equal "$(jq -c .fds "$s")" '["seccompFd"]' "fds"
    assert_equal "$(jq -r .metadata "$s")" 'it works: {"x": 1}' "metadata (= listenerMetadata)"
    assert_equal "$(jq -r '.pid | type' "$s")" number "pid"
    assert_equal "$(jq -r .state.id "$s")" "$CID" "state.id"
    assert_equal "$(jq -r .state.bundle "$s")" "$BUNDLE" "state.bundle"
    assert_equal "$(jq -r .state.pid "$s")" "$(jq -r .pid "$s")" "state.pid"
    [[ -n $(jq -r .state.ociVersion "$s") ]] || fail "empty state.ociVersion"
    [[ $(jq -r .state.status "$s") == @(creating|created) ]] || fail "state.status: $(jq -r .state.status "$s")"
}

@test "notify: the pid in the state is the container's init (create/start)" {
    start_listener success
    notify_mkdir
    update_config '.process.args = ["sh", "-c", "mkdir /dev/shm/x && exec sleep '"$MARK"'"]'
    ocirt create --bundle "$BUNDLE" "$CID"
    local pid
    pid=$(state_field "$CID" .pid)
    # the state arrives during create
    for _ in $(seq 100); do [[ -s $BUNDLE/state.json ]] && break; sleep 0.05; done
    assert_equal "$(jq -r .pid "$BUNDLE/state.json")" "$pid" "pid in the listener's state"
    assert_equal "$(jq -r .state.pid "$BUNDLE/state.json")" "$pid" "state.pid"
    ocirt start "$CID"
    wait_for_status "$CID" running
    ocirt kill "$CID" KILL
    wait_for_status "$CID" stopped
    ocirt delete "$CID"
    wait_listener
    grep -q "path=/dev/shm/x$" "$BUNDLE/notify.log"
}

@test "notify: the listener answers with an errno of its own" {
    start_listener errno:28
    notify_mkdir
    run_sh 'mkdir /dev/shm/x; echo "mkdir=$?"'
    assert_success
    assert_stderr_contains "No space left on device"
    assert_output_equals "mkdir=1"
    wait_listener
}

@test "notify: the listener lets the call through (SECCOMP_USER_NOTIF_FLAG_CONTINUE)" {
    start_listener continue
    notify_mkdir
    run_sh 'mkdir /dev/shm/x; echo "mkdir=$?"; test -d /dev/shm/x && echo exists'
    assert_success
    assert_equal "${lines[*]}" "mkdir=0 exists"
    wait_listener
}

@test "notify: no listener on listenerPath makes the start fail; nothing is left" {
    LISTENER_SOCK=$BUNDLE/nobody.sock
    notify_mkdir
    set_sh 'echo should-not-run'
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
    assert_failure
    [[ $output != *should-not-run* ]] || fail "the process ran"
    ocirt_only assert_stderr_contains "$LISTENER_SOCK"
    assert_nothing_left
}
