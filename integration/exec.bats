#!/usr/bin/env bats
# exec: a new process in a running container joins every namespace and the cgroup of the
# container's init; args or --process JSON; --env, --cwd, --user, --cap, --no-new-privs;
# exit code in the foreground; -d with --pid-file; errors for a missing executable and a
# stopped container.

load helpers

setup() {
    common_setup
    update_config '.process.args = $a' --argjson a "$LONG_ARGS"
    create_and_start "$CID"
    INIT=$(state_field "$CID" .pid)
}

@test "exec: the process joins every namespace and the cgroup of the init" {
    run --separate-stderr ocirt exec "$CID" sh -c 'for n in mnt pid net ipc uts cgroup; do readlink /proc/self/ns/$n; done; cat /proc/self/cgroup'
    assert_success
    local n i=0
    for n in mnt pid net ipc uts cgroup; do
        assert_equal "${lines[$i]}" "$(readlink /proc/$INIT/ns/$n)" "$n namespace"
        i=$((i + 1))
    done
    local want
    want=$(grep memory /proc/$INIT/cgroup)
    assert_output_contains "${want#*:}"
}

@test "exec: exit code, stdout and stderr of the process" {
    run --separate-stderr ocirt exec "$CID" sh -c 'echo out; echo err >&2; exit 7'
    assert_status 7
    assert_output_equals out
    [[ $stderr == err ]] || fail "stderr: $stderr"
}

@test "exec: --env, --cwd, --user, --additional-gids" {
    run --separate-stderr ocirt exec --env FOO=bar --cwd /tmp --user 1000:1001 --additional-gids 5 "$CID" sh -c 'echo $FOO; pwd; id -u; id -g; id -G'
    assert_success
    assert_equal "${lines[*]}" "bar /tmp 1000 1001 1001 5" "env, cwd, uid, gid, groups"
}

@test "exec: the config's process settings apply (no_new_privs, capabilities)" {
    run --separate-stderr ocirt exec "$CID" sh -c 'grep -E "^(NoNewPrivs|CapBnd)" /proc/self/status'
    assert_success
    assert_equal "$(squeeze "${lines[0]}")" "$(squeeze "$(grep ^CapBnd /proc/$INIT/status)")" "bounding set"
    assert_output_contains "NoNewPrivs:	1"
}

@test "exec --cap adds a capability" {
    run --separate-stderr ocirt exec --cap CAP_SYS_ADMIN "$CID" grep CapEff /proc/self/status
    assert_success
    local eff=$((16#$(awk '{print $2}' <<<"$output")))
    (( (eff >> 21) & 1 )) || fail "CAP_SYS_ADMIN not effective: $output"
}

@test "exec --process: the process from a JSON file" {
    jq -n '{args: ["sh", "-c", "echo $X; pwd; id -u"], env: ["X=from-json", "PATH=/bin"], cwd: "/etc",
            user: {uid: 2, gid: 2}}' >"$BUNDLE/process.json"
    run --separate-stderr ocirt exec --process "$BUNDLE/process.json" "$CID"
    assert_success
    assert_equal "${lines[*]}" "from-json /etc 2" "env, cwd, uid"
}

@test "exec -d --pid-file: returns at once, the pid file names the process" {
    run ocirt exec -d --pid-file "$BUNDLE/exec.pid" "$CID" sleep "$MARK"
    assert_success
    local pid
    pid=$(cat "$BUNDLE/exec.pid")
    [[ $(tr '\0' ' ' </proc/$pid/cmdline) == "sleep $MARK " ]] || fail "pid file: $pid"
    run ocirt ps --format json "$CID"
    echo "$output" | jq -e --argjson p "$pid" 'index($p) != null' >/dev/null || fail "not in the cgroup: $output"
}

@test "exec: a missing executable fails with runc's message; the container goes on" {
    run --separate-stderr ocirt exec "$CID" no-such-command
    assert_failure
    ocirt_only assert_stderr_contains 'exec: "no-such-command": executable file not found in $PATH'
    assert_equal "$(state_field "$CID" .status)" running "status"
}

@test "exec in a stopped container fails" {
    ocirt kill "$CID" KILL
    wait_for_status "$CID" stopped
    run --separate-stderr ocirt exec "$CID" true
    assert_failure
}

@test "exec -t: the process gets a terminal" {
    run script -qec "$OCIRT --root $ROOT exec -t $CID sh -c 'tty'" /dev/null
    assert_success
    assert_output_contains /dev/pts/
}

@test "exec --preserve-fds 1: fd 3 of the caller reaches the process, fd 4 does not" {
    echo preserved >"$BUNDLE/fd3"
    run --separate-stderr ocirt exec --preserve-fds 1 "$CID" sh -c 'ls /proc/$$/fd; cat <&3' \
        3<"$BUNDLE/fd3" 4</etc/hostname
    assert_success
    assert_equal "${lines[*]}" "0 1 2 3 preserved" "open fds of the process, then fd 3's content"
}
