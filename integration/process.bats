#!/usr/bin/env bats
# The process object of config.json (config.md "Process"), seen from inside the container:
# args, env (and HOME filled in from /etc/passwd), cwd, user uid/gid/additionalGids/umask,
# rlimits, oomScoreAdj, noNewPrivileges, capabilities (all five sets), open file
# descriptors (only 0 1 2, --preserve-fds).

load helpers

# cap_sets CAPS_JSON_ARRAY: all five capability sets = the given list
cap_sets() {
    update_config '.process.capabilities = {bounding: $c, effective: $c, permitted: $c,
                   inheritable: $c, ambient: $c}' --argjson c "$1"
}

@test "args: passed verbatim (spaces, quotes, empty words)" {
    set_args sh -c 'printf "[%s]" "$@"' argv0 "a b" 'c"d' "" "\$HOME"
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_output_equals '[a b][c"d][][$HOME]'
}

@test "args: argv[0] is looked up in PATH of process.env" {
    update_config '.process.env = ["PATH=/usr/bin:/bin"]'
    set_args echo hello
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_output_equals hello
}

@test "env: variables are set exactly, values may contain '=' and spaces" {
    update_config '.process.env += ["FOO=bar baz", "EQ=a=b", "EMPTY="]'
    run_sh 'echo "$FOO|$EQ|${EMPTY-unset}|$TERM"; env | grep -c ^FOO='
    assert_success
    assert_equal "${lines[0]}" "bar baz|a=b||xterm" "variables"
    assert_equal "${lines[1]}" 1 "FOO appears once"
}

@test "env: HOME is set from the rootfs' /etc/passwd when config.json does not set it" {
    run_sh 'echo "$HOME"'
    assert_success
    assert_output_equals /root
}

@test "env: HOME from config.json wins" {
    update_config '.process.env += ["HOME=/tmp"]'
    run_sh 'echo "$HOME"'
    assert_success
    assert_output_equals /tmp
}

@test "cwd: the process starts in process.cwd" {
    update_config '.process.cwd = "/tmp"'
    run_sh 'pwd'
    assert_success
    assert_output_equals /tmp
}

@test "user: uid and gid" {
    update_config '.process.user = {uid: 65534, gid: 65534}'
    run_sh 'id -u; id -g; id -G'
    assert_success
    assert_equal "${lines[0]}" 65534 uid
    assert_equal "${lines[1]}" 65534 gid
    assert_equal "${lines[2]}" 65534 "groups (no supplementary groups)"
}

@test "user: root without additionalGids has no supplementary groups" {
    run_sh 'id -G; grep ^Groups: /proc/self/status'
    assert_success
    assert_equal "${lines[0]}" 0 "id -G"
    assert_equal "$(squeeze "${lines[1]}")" "Groups:" "Groups in /proc/self/status"
}

@test "user: additionalGids" {
    update_config '.process.user = {uid: 1000, gid: 1000, additionalGids: [10, 20, 65534]}'
    run_sh 'id -u; id -g; grep ^Groups: /proc/self/status'
    assert_success
    assert_equal "${lines[0]}" 1000 uid
    assert_equal "${lines[1]}" 1000 gid
    assert_equal "$(squeeze "${lines[2]}")" "Groups: 10 20 65534" "supplementary groups"
}

@test "user: umask 0027" {
    update_config '.process.user.umask = 23' # 0027
    run_sh 'umask; touch /tmp/f 2>/dev/null || true; umask'
    assert_success
    assert_equal "${lines[0]}" 0027 umask
}

@test "user: default umask is 0022" {
    run_sh 'umask'
    assert_success
    assert_output_equals 0022
}

@test "rlimits: RLIMIT_NOFILE soft/hard and RLIMIT_NPROC" {
    update_config '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 512, hard: 1024},
                                       {type: "RLIMIT_NPROC", soft: 100, hard: 200}]'
    run_sh 'ulimit -n; ulimit -Hn; grep -E "^Max (open files|processes)" /proc/self/limits'
    assert_success
    assert_equal "${lines[0]}" 512 "soft nofile"
    assert_equal "${lines[1]}" 1024 "hard nofile"
    assert_equal "$(squeeze "${lines[2]}")" "Max processes 100 200 processes" "nproc"
    assert_equal "$(squeeze "${lines[3]}")" "Max open files 512 1024 files" "nofile"
}

@test "oomScoreAdj" {
    update_config '.process.oomScoreAdj = 123'
    run_sh 'cat /proc/self/oom_score_adj'
    assert_success
    assert_output_equals 123
}

@test "noNewPrivileges true" {
    update_config '.process.noNewPrivileges = true'
    run_sh 'grep ^NoNewPrivs: /proc/self/status'
    assert_success
    assert_equal "$(squeeze "$output")" "NoNewPrivs: 1"
}

@test "noNewPrivileges false" {
    update_config '.process.noNewPrivileges = false'
    run_sh 'grep ^NoNewPrivs: /proc/self/status'
    assert_success
    assert_equal "$(squeeze "$output")" "NoNewPrivs: 0"
}

@test "capabilities: CAP_CHOWN + CAP_NET_BIND_SERVICE in all five sets" {
    cap_sets '["CAP_CHOWN", "CAP_NET_BIND_SERVICE"]'
    run_sh 'grep ^Cap /proc/self/status'
    assert_success
    # CAP_CHOWN = bit 0, CAP_NET_BIND_SERVICE = bit 10
    local set
    for set in CapInh CapPrm CapEff CapBnd CapAmb; do
        assert_output_contains "$(printf '%s:\t%016x' "$set" $(((1 << 0) | (1 << 10))))"
    done
}

@test "capabilities: the runc spec default set (no inheritable, so no ambient)" {
    run_sh 'grep ^Cap /proc/self/status'
    assert_success
    # CAP_AUDIT_WRITE (29), CAP_KILL (5), CAP_NET_BIND_SERVICE (10)
    local want
    want=$(printf '%016x' $(((1 << 29) | (1 << 5) | (1 << 10))))
    assert_output_contains "$(printf 'CapPrm:\t%s' "$want")"
    assert_output_contains "$(printf 'CapEff:\t%s' "$want")"
    assert_output_contains "$(printf 'CapBnd:\t%s' "$want")"
    assert_output_contains "$(printf 'CapInh:\t%016x' 0)"
    assert_output_contains "$(printf 'CapAmb:\t%016x' 0)"
}

@test "capabilities: none at all" {
    update_config '.process.capabilities = {}'
    run_sh 'grep ^Cap /proc/self/status'
    assert_success
    local set
    for set in CapInh CapPrm CapEff CapBnd CapAmb; do
        assert_output_contains "$(printf '%s:\t%016x' "$set" 0)"
    done
}

@test "capabilities: a non-root user keeps ambient capabilities" {
    update_config '.process.user = {uid: 65534, gid: 65534}'
    cap_sets '["CAP_NET_BIND_SERVICE"]'
    run_sh 'id -u; grep -E "^Cap(Eff|Amb)" /proc/self/status'
    assert_success
    assert_equal "${lines[0]}" 65534 uid
    assert_output_contains "$(printf 'CapEff:\t%016x' $((1 << 10)))"
    assert_output_contains "$(printf 'CapAmb:\t%016x' $((1 << 10)))"
}

@test "file descriptors: only 0, 1, 2 are open in the container (fds of the caller do not leak)" {
    # ls (a child) lists the fds of sh, PID 1; no pipe or glob that would open more in sh
    set_sh 'ls /proc/$$/fd; echo end'
    # the caller has fd 5 (and bats' own fds) open; none may reach the container
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID" 5</etc/hostname
    assert_success
    assert_equal "${lines[*]}" "0 1 2 end" "open fds of the container's init"
}

@test "file descriptors: --preserve-fds 1 passes fd 3" {
    echo preserved >"$BUNDLE/fd3"
    set_sh 'ls /proc/$$/fd; cat <&3'
    run --separate-stderr ocirt run --preserve-fds 1 --bundle "$BUNDLE" "$CID" 3<"$BUNDLE/fd3"
    assert_success
    assert_equal "${lines[*]}" "0 1 2 3 preserved" "open fds of the container's init, then fd 3's content"
}

@test "file descriptors: socket activation (LISTEN_FDS) fds come first, --preserve-fds after them" {
    echo listen >"$BUNDLE/fd3"
    echo preserved >"$BUNDLE/fd4"
    set_sh 'echo "$LISTEN_FDS $LISTEN_PID"; ls /proc/$$/fd; cat <&3; cat <&4'
    # LISTEN_PID must be the runtime's own pid: exec keeps the shell's.
    run --separate-stderr bash -c 'export LISTEN_FDS=1 LISTEN_PID=$$; exec "$@"' _ \
        "$OCIRT" --root "$ROOT" run --preserve-fds 1 --bundle "$BUNDLE" "$CID" 3<"$BUNDLE/fd3" 4<"$BUNDLE/fd4"
    assert_success
    assert_equal "${lines[*]}" "1 1 0 1 2 3 4 listen preserved" "env, open fds, fd 3 then fd 4"
}

@test "signals: the process starts with none ignored or blocked, whatever ocirt's caller ignored" {
    set_sh 'exec grep -E "^Sig(Ign|Blk)" /proc/self/status'
    # bash leaves INT and QUIT ignored for a background job; make leaves 32 and 33 ignored.
    run --separate-stderr bash -c 'trap "" INT QUIT TERM PIPE; exec "$@"' _ \
        "$OCIRT" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_equal "$(squeeze "${lines[0]}")" "SigBlk: 0000000000000000" "blocked"
    assert_equal "$(squeeze "${lines[1]}")" "SigIgn: 0000000000000000" "ignored"
}
