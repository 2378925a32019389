#!/usr/bin/env bats
# Hooks (config.md "POSIX-platform Hooks", runtime.md "Lifecycle"): each kind runs at its point
# (prestart, createRuntime, createContainer during create, in this order; startContainer during
# start, in the container; poststart after the process started, before start returns; poststop
# during delete), with the state JSON on stdin (id, status, pid as seen from where the hook
# runs, bundle, annotations), argv from args and exactly the env given. A failing or timing-out
# create-time hook fails create and leaves nothing behind (poststop hooks still run); a failing
# startContainer hook stops the container before its process runs; a failing poststart hook
# (runtime-spec 1.3) fails start and stops the container; a failing poststop hook is a warning.
#
# Hooks record into $HOOKDIR (a host dir): `record KIND` saves its stdin as KIND.json, its mount
# and pid namespaces, whether / is the container's rootfs, and appends KIND to $HOOKDIR/log.
# Hooks run with an empty environment (ocirt) or the runtime's (runc): scripts use absolute paths.

load helpers

setup() {
    common_setup
    HOOKDIR=$(mktemp -d "${BATS_TMPDIR:-/tmp}/ocirt-it-hooks.XXXXXX")
    chmod 0755 "$HOOKDIR"
    write_recorder "$HOOKDIR/record" "$HOOKDIR"
}

teardown() {
    local rc=0
    common_teardown || rc=$?
    rm -rf "$HOOKDIR"
    return "$rc"
}

# write_recorder FILE DIR: the recorder script, writing into DIR (as seen where it runs).
write_recorder() {
    cat >"$1" <<EOF
#!/bin/sh
kind=\$1
/bin/cat > "$2/\$kind.json"
/bin/readlink /proc/self/ns/mnt > "$2/\$kind.mnt"
/bin/readlink /proc/self/ns/pid > "$2/\$kind.pidns"
if [ -e /.ocirt-rootfs ]; then echo yes; else echo no; fi > "$2/\$kind.inroot"
echo "\$kind" >> "$2/log"
EOF
    chmod 0755 "$1"
}

# write_script FILE BODY: an executable /bin/sh script.
write_script() {
    printf '#!/bin/sh\n%s\n' "$2" >"$1"
    chmod 0755 "$1"
}

# add_hook KIND PATH [ARG...]: appends {path, args} to hooks.KIND.
add_hook() {
    local kind=$1 path=$2
    shift 2
    local args=null
    (($#)) && args=$(json_array "$@")
    update_config '.hooks[$k] += [{path: $p} + (if $a == null then {} else {args: $a} end)]' \
        --arg k "$kind" --arg p "$path" --argjson a "$args"
}

# add_hook_json KIND JSON: appends a whole hook object to hooks.KIND.
add_hook_json() {
    update_config '.hooks[$k] += [$h]' --arg k "$1" --argjson h "$2"
}

# record_hook KIND: the host recorder as a KIND hook.
record_hook() {
    add_hook "$1" "$HOOKDIR/record" record "$1"
}

# in_container_recorder: a writable rootfs copy with the recorder at /record, writing into
# /hostout, a bind mount of $HOOKDIR. Use `add_hook startContainer /record record startContainer`.
in_container_recorder() {
    use_writable_rootfs
    mkdir "$BUNDLE/rootfs/hostout"
    write_recorder "$BUNDLE/rootfs/record" /hostout
    update_config '.mounts += [{destination: "/hostout", type: "bind", source: $d, options: ["rbind", "rw"]}]' \
        --arg d "$HOOKDIR"
}

hook_log() {
    cat "$HOOKDIR/log" 2>/dev/null || true
}

# hook_state KIND JQ_PATH: a field of the state KIND's hook received.
hook_state() {
    jq -r "$2" "$HOOKDIR/$1.json"
}

host_ns() {
    readlink "/proc/$$/ns/$1"
}

# gone PID: the process has exited (waits up to 5 s)
gone() {
    local i
    for i in $(seq 50); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.1
    done
    return 1
}

# status_or_gone ID: the container's status, or "gone" if it no longer exists
status_or_gone() {
    local s
    s=$(ocirt state "$1" 2>/dev/null | jq -r .status 2>/dev/null) || s=""
    echo "${s:-gone}"
}

# --- when and with which state each kind runs ---------------------------------------------

@test "prestart, createRuntime, createContainer run during create, in order, with the state" {
    update_config ".process.args = $LONG_ARGS | .annotations = {\"org.example.hook\": \"yes\"}"
    # listed out of order: the runtime orders by kind, not by position in config.json
    record_hook createContainer
    record_hook createRuntime
    record_hook prestart
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    assert_equal "$(hook_log)" "$(printf '%s\n' prestart createRuntime createContainer)" "hooks run"
    # process.args have not run
    run pgrep -f -- "$MARK"
    assert_failure

    local pid kind
    pid=$(state_field "$CID" .pid)
    for kind in prestart createRuntime createContainer; do
        assert_equal "$(hook_state $kind .id)" "$CID" "$kind: id"
        assert_equal "$(hook_state $kind .status)" creating "$kind: status"
        assert_equal "$(hook_state $kind .bundle)" "$BUNDLE" "$kind: bundle"
        assert_equal "$(hook_state $kind '.annotations["org.example.hook"]')" yes "$kind: annotations"
        [[ $(hook_state $kind .ociVersion) =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]] || fail "$kind: ociVersion"
        # before pivot_root: / is still the host's
        assert_equal "$(cat "$HOOKDIR/$kind.inroot")" no "$kind: / is the rootfs"
    done
    # prestart and createRuntime: the runtime namespace, the pid as the runtime sees it
    for kind in prestart createRuntime; do
        assert_equal "$(hook_state $kind .pid)" "$pid" "$kind: pid"
        assert_equal "$(cat "$HOOKDIR/$kind.mnt")" "$(host_ns mnt)" "$kind: mount namespace"
        assert_equal "$(cat "$HOOKDIR/$kind.pidns")" "$(host_ns pid)" "$kind: pid namespace"
    done
    # createContainer: the container's namespaces (path still resolved in the runtime's),
    # the pid as the container sees it
    assert_equal "$(hook_state createContainer .pid)" 1 "createContainer: pid"
    assert_equal "$(cat "$HOOKDIR/createContainer.mnt")" "$(readlink /proc/"$pid"/ns/mnt)" \
        "createContainer: mount namespace"
    assert_equal "$(cat "$HOOKDIR/createContainer.pidns")" "$(readlink /proc/"$pid"/ns/pid)" \
        "createContainer: pid namespace"
}

@test "startContainer runs during start, in the container: path in the rootfs, status created, pid 1" {
    in_container_recorder
    update_config ".process.args = $LONG_ARGS"
    record_hook createRuntime
    add_hook startContainer /record record startContainer
    [[ ! -e /record ]] || skip "the host has a /record"

    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    assert_equal "$(hook_log)" createRuntime "hooks run by create"
    run ocirt start "$CID"
    assert_success
    wait_for_status "$CID" running
    assert_equal "$(hook_log)" "$(printf '%s\n' createRuntime startContainer)" "hooks run by start"

    local pid
    pid=$(state_field "$CID" .pid)
    assert_equal "$(hook_state startContainer .id)" "$CID" id
    assert_equal "$(hook_state startContainer .status)" created status
    assert_equal "$(hook_state startContainer .pid)" 1 "pid (as the container sees it)"
    assert_equal "$(hook_state startContainer .bundle)" "$BUNDLE" bundle
    assert_equal "$(cat "$HOOKDIR/startContainer.inroot")" yes "/ is the rootfs"
    assert_equal "$(cat "$HOOKDIR/startContainer.mnt")" "$(readlink /proc/"$pid"/ns/mnt)" "mount namespace"
    assert_equal "$(cat "$HOOKDIR/startContainer.pidns")" "$(readlink /proc/"$pid"/ns/pid)" "pid namespace"
}

@test "poststart runs after the process started and before start returns, status running" {
    skip_if_runc "runc 1.1 runs poststart hooks during create, with status created (fixed in 1.2)"
    update_config ".process.args = $LONG_ARGS"
    record_hook poststart
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    assert_equal "$(hook_log)" "" "hooks run by create"
    run ocirt start "$CID"
    assert_success
    # no waiting: start has returned, so the hook has run
    assert_equal "$(hook_log)" poststart "hooks run by start"

    local pid
    pid=$(state_field "$CID" .pid)
    assert_equal "$(hook_state poststart .id)" "$CID" id
    assert_equal "$(hook_state poststart .status)" running status
    assert_equal "$(hook_state poststart .pid)" "$pid" pid
    assert_equal "$(hook_state poststart .bundle)" "$BUNDLE" bundle
    assert_equal "$(cat "$HOOKDIR/poststart.mnt")" "$(host_ns mnt)" "mount namespace"
}

@test "poststop runs during delete, after the container is gone, status stopped" {
    update_config ".process.args = $LONG_ARGS"
    record_hook poststop
    # what is left of the container when poststop runs
    write_script "$HOOKDIR/leftovers" "if [ -e '$ROOT/$CID' ]; then echo present; else echo gone; fi > '$HOOKDIR/statedir'"
    add_hook poststop "$HOOKDIR/leftovers"
    create_and_start "$CID"
    run ocirt kill "$CID" KILL
    assert_success
    wait_for_status "$CID" stopped
    assert_equal "$(hook_log)" "" "hooks run before delete"

    run ocirt delete "$CID"
    assert_success
    assert_equal "$(hook_log)" poststop "hooks run by delete"
    assert_equal "$(hook_state poststop .id)" "$CID" id
    assert_equal "$(hook_state poststop .status)" stopped status
    assert_equal "$(hook_state poststop '.pid // 0')" 0 "pid (absent or 0)"
    assert_equal "$(hook_state poststop .bundle)" "$BUNDLE" bundle
    assert_equal "$(cat "$HOOKDIR/poststop.mnt")" "$(host_ns mnt)" "mount namespace"
    assert_equal "$(cat "$HOOKDIR/statedir")" gone "state dir when poststop ran"
    run ocirt state "$CID"
    assert_failure
}

@test "delete --force of a running container runs poststop" {
    update_config ".process.args = $LONG_ARGS"
    record_hook poststop
    create_and_start "$CID"
    run ocirt delete --force "$CID"
    assert_success
    assert_equal "$(hook_log)" poststop "hooks run by delete --force"
    assert_equal "$(hook_state poststop .status)" stopped status
}

@test "all six kinds run in order across create, start and delete" {
    skip_if_runc "runc 1.1 runs poststart hooks during create"
    in_container_recorder
    update_config ".process.args = $LONG_ARGS"
    local kind
    for kind in poststop poststart createContainer createRuntime prestart; do
        record_hook $kind
    done
    add_hook startContainer /record record startContainer

    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    assert_equal "$(hook_log)" "$(printf '%s\n' prestart createRuntime createContainer)" "after create"
    run ocirt start "$CID"
    assert_success
    assert_equal "$(hook_log)" "$(printf '%s\n' prestart createRuntime createContainer startContainer poststart)" \
        "after start"
    run ocirt kill "$CID" KILL
    assert_success
    wait_for_status "$CID" stopped
    run ocirt delete "$CID"
    assert_success
    assert_equal "$(hook_log)" \
        "$(printf '%s\n' prestart createRuntime createContainer startContainer poststart poststop)" "after delete"
}

@test "run (foreground) runs the hooks of create, start and delete, in order" {
    local kind
    for kind in poststop poststart createContainer createRuntime prestart; do
        record_hook $kind
    done
    run_sh 'echo in-container'
    assert_success
    assert_output_contains in-container
    assert_equal "$(hook_log)" "$(printf '%s\n' prestart createRuntime createContainer poststart poststop)" \
        "hooks run"
    assert_equal "$(hook_state poststop .status)" stopped "poststop: status"
}

@test "several hooks of one kind run in the order listed" {
    update_config ".process.args = $LONG_ARGS"
    local i
    for i in 1 2 3; do
        write_script "$HOOKDIR/h$i" "/bin/sleep 0.0$((4 - i)); echo h$i >> '$HOOKDIR/log'"
        add_hook createRuntime "$HOOKDIR/h$i"
    done
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    assert_equal "$(hook_log)" "$(printf '%s\n' h1 h2 h3)" "hooks run"
}

# --- args, env, output ----------------------------------------------------------------------

@test "args are the hook's argv (args[0] is argv[0]) and env is exactly the env given" {
    update_config ".process.args = $LONG_ARGS"
    local script="/bin/cat /proc/\$\$/cmdline > '$HOOKDIR/cmdline'; /bin/cat /proc/\$\$/environ > '$HOOKDIR/environ'"
    add_hook_json createRuntime "$(jq -cn --arg s "$script" \
        '{path: "/bin/sh", args: ["custom-argv0", "-c", $s, "one", "two words"], env: ["HOOK_A=1", "HOOK_B=two words"]}')"
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    assert_equal "$(tr '\0' '\n' <"$HOOKDIR/cmdline")" "$(printf '%s\n' custom-argv0 -c "$script" one 'two words')" argv
    assert_equal "$(tr '\0' '\n' <"$HOOKDIR/environ")" "$(printf '%s\n' HOOK_A=1 'HOOK_B=two words')" environment
}

@test "a hook without env gets an empty environment" {
    skip_if_runc "runc hands its own environment to a hook without env"
    update_config ".process.args = $LONG_ARGS"
    add_hook createRuntime /bin/sh sh -c "/bin/cat /proc/\$\$/environ > '$HOOKDIR/environ'"
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    [[ -e $HOOKDIR/environ && ! -s $HOOKDIR/environ ]] ||
        fail "environment: $(tr '\0' ' ' <"$HOOKDIR/environ")"
}

@test "the output of a successful hook is not printed" {
    update_config ".process.args = $LONG_ARGS"
    write_script "$HOOKDIR/noisy" 'echo hook-noise-out; echo hook-noise-err >&2'
    add_hook createRuntime "$HOOKDIR/noisy"
    add_hook poststop "$HOOKDIR/noisy"
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    [[ $output != *hook-noise* ]] || fail "create printed the hook's output: $output"
    run ocirt delete --force "$CID"
    assert_success
    [[ $output != *hook-noise* ]] || fail "delete printed the hook's output: $output"
}

# --- failures -------------------------------------------------------------------------------

# failing_create_hook KIND: a KIND hook that saves its state and exits 3 fails create; the
# init is gone, poststop hooks run, nothing is left.
failing_create_hook() {
    local kind=$1
    update_config ".process.args = $LONG_ARGS"
    write_script "$HOOKDIR/fail" "/bin/cat > '$HOOKDIR/state.json'; echo failing hook output; echo on stderr >&2; exit 3"
    add_hook "$kind" "$HOOKDIR/fail"
    # a hook of a later kind does not run
    [[ $kind == createContainer ]] || record_hook createContainer
    record_hook poststop

    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "failing hook output"
    ocirt_only assert_stderr_contains "hooks.$kind[0] $HOOKDIR/fail: exited with status 3: failing hook output"
    assert_equal "$(hook_log)" poststop "hooks run"
    assert_equal "$(hook_state poststop .status)" stopped "poststop: status"

    local pid
    pid=$(jq -r .pid "$HOOKDIR/state.json")
    if [[ $kind == createContainer ]]; then
        assert_equal "$pid" 1 "pid seen by the createContainer hook"
    else
        [[ $pid =~ ^[0-9]+$ ]] && ((pid > 1)) || fail "pid in the state: $pid"
        gone "$pid" || fail "the container's init $pid is still there"
    fi
    run ocirt state "$CID"
    assert_failure
    run ocirt list -q
    assert_output_equals ""
    assert_nothing_left
}

@test "a failing prestart hook: create fails, poststop runs, nothing left" {
    failing_create_hook prestart
}

@test "a failing createRuntime hook: create fails, poststop runs, nothing left" {
    failing_create_hook createRuntime
}

@test "a failing createContainer hook: create fails, poststop runs, nothing left" {
    failing_create_hook createContainer
}

@test "a prestart hook past its timeout is killed: create fails naming the timeout, nothing left" {
    update_config ".process.args = $LONG_ARGS"
    # the hook process itself becomes `sleep $MARK`: assert_nothing_left checks it was killed
    write_script "$HOOKDIR/slow" "echo \$\$ > '$HOOKDIR/slow.pid'; exec /bin/sleep $MARK"
    add_hook_json prestart "$(jq -cn --arg p "$HOOKDIR/slow" '{path: $p, timeout: 1}')"
    record_hook createRuntime
    local start=$SECONDS
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    ((SECONDS - start < 20)) || fail "create took $((SECONDS - start))s with a 1s hook timeout"
    [[ $stderr =~ (timed out|timeout) ]] || fail "no timeout in: $stderr"
    ocirt_only assert_stderr_contains "hooks.prestart[0] $HOOKDIR/slow: timed out after 1s"
    assert_equal "$(hook_log)" "" "hooks run after the timed-out one"
    gone "$(cat "$HOOKDIR/slow.pid")" || fail "the hook is still running"
    run ocirt state "$CID"
    assert_failure
    assert_nothing_left
}

@test "a failing startContainer hook: start fails, the process never runs, the container stops" {
    in_container_recorder
    update_config ".process.args = $LONG_ARGS"
    write_script "$BUNDLE/rootfs/fail" 'echo startContainer failing; exit 3'
    add_hook startContainer /fail
    add_hook startContainer /record record startContainer
    is_runc || record_hook poststart  # runc 1.1 runs it during create
    record_hook poststop
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success

    run --separate-stderr ocirt start "$CID"
    # runc 1.1 prints the init's error and exits 0
    ocirt_only assert_failure
    ocirt_only assert_stderr_contains "hooks.startContainer[0] /fail: exited with status 3: startContainer failing"
    sleep 0.2
    run pgrep -f -- "$MARK"
    assert_failure
    local st i
    for i in $(seq 50); do
        st=$(status_or_gone "$CID")
        [[ $st == stopped || $st == gone ]] && break
        sleep 0.1
    done
    [[ $st == stopped || $st == gone ]] || fail "container is $st after a failed startContainer hook"
    if [[ $st == stopped ]]; then
        run ocirt delete "$CID"
        assert_success
    fi
    # neither the next startContainer hook nor poststart ran; poststop did
    assert_equal "$(hook_log)" poststop "hooks run"
    assert_nothing_left
}

@test "a failing poststart hook (spec 1.3): start fails, the container is stopped, later hooks do not run" {
    skip_if_runc "runc 1.1 runs poststart hooks during create and fails create (1.4+: as here)"
    update_config ".process.args = $LONG_ARGS"
    write_script "$HOOKDIR/fail" 'echo failing hook output; exit 3'
    add_hook poststart "$HOOKDIR/fail"
    record_hook poststart
    record_hook poststop
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    local pid
    pid=$(state_field "$CID" .pid)
    run --separate-stderr ocirt start "$CID"
    assert_failure
    assert_stderr_contains "hooks.poststart[0] $HOOKDIR/fail: exited with status 3: failing hook output"
    assert_stderr_contains "the container was stopped"
    # stopped, not deleted: the state stays until delete (runtime.md step 12)
    assert_equal "$(state_field "$CID" .status)" stopped status
    gone "$pid" || fail "the container's process $pid still runs"
    assert_equal "$(hook_log)" "" "hooks run after the failing one"
    run ocirt delete "$CID"
    assert_success
    assert_equal "$(hook_log)" poststop "hooks run by delete"
    assert_nothing_left
}

@test "a failing poststart hook in run: run fails, nothing left (with --keep: the stopped container stays)" {
    skip_if_runc "runc 1.1 runs poststart hooks during create"
    update_config '.hooks = {poststart: [{path: "/bin/false"}]}'
    update_config ".process.args = $LONG_ARGS"
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "hooks.poststart[0] /bin/false"
    run pgrep -f -- "$MARK"
    assert_failure
    assert_nothing_left "$CID"

    run --separate-stderr ocirt run --keep --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "hooks.poststart[0] /bin/false"
    assert_equal "$(state_field "$CID" .status)" stopped status
    run ocirt delete "$CID"
    assert_success
    assert_nothing_left
}

@test "a failing poststop hook is a warning: delete succeeds, the next hook runs, nothing left" {
    update_config ".process.args = $LONG_ARGS"
    write_script "$HOOKDIR/fail" 'echo failing hook output; exit 3'
    add_hook poststop "$HOOKDIR/fail"
    record_hook poststop
    create_and_start "$CID"
    run ocirt kill "$CID" KILL
    assert_success
    wait_for_status "$CID" stopped
    run --separate-stderr ocirt delete "$CID"
    assert_success
    assert_stderr_contains "failing hook output"
    ocirt_only assert_stderr_contains "hooks.poststop[0] $HOOKDIR/fail: exited with status 3: failing hook output"
    # runc 1.1 stops at the first failing poststop hook
    ocirt_only assert_equal "$(hook_log)" poststop "hooks run after the failing one"
    run ocirt state "$CID"
    assert_failure
    assert_nothing_left
}

@test "a hook that does not exist: create fails naming it, nothing left" {
    update_config ".process.args = $LONG_ARGS"
    add_hook createRuntime "$HOOKDIR/does-not-exist"
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    ocirt_only assert_stderr_contains "hooks.createRuntime[0] $HOOKDIR/does-not-exist: exec: No such file or directory"
    run ocirt state "$CID"
    assert_failure
    assert_nothing_left
}

@test "run in the foreground: a start that fails (startContainer hook) leaves nothing behind" {
    update_config '.hooks = {startContainer: [{path: "/bin/false"}]}'
    set_args true
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
    assert_failure
    ocirt_only assert_stderr_contains "hooks.startContainer[0] /bin/false"
    assert_nothing_left "$CID"
}
