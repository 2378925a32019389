#!/usr/bin/env bats
# Drop-in fidelity of the command line and of a few create-time details, against runc 1.1.5:
# kill with signal 0, exec's exit status 255 for its own failures, a verb's flags after the
# container id, device rule access strings, the hooks' environment and the createContainer
# hook's cwd, and the --debug log of create/start/exec.

load helpers
load helpers/cgroups

setup() {
    common_setup
    cgroups_setup
    HOOKDIR=$(mktemp -d "${BATS_TMPDIR:-/tmp}/ocirt-it-dropin.XXXXXX")
    chmod 0755 "$HOOKDIR"
}

teardown() {
    local rc=0
    common_teardown || rc=$?
    cgroups_teardown || rc=$?
    rm -rf "$HOOKDIR"
    return "$rc"
}

# --- kill 0 ---------------------------------------------------------------------------------

@test "kill ID 0 checks the container is alive: 0 while it runs, non-zero once stopped" {
    update_config ".process.args = $LONG_ARGS"
    create_and_start "$CID"
    run ocirt kill "$CID" 0
    assert_success
    # signal 0 delivers nothing: the container still runs
    assert_equal "$(state_field "$CID" .status)" running status
    run ocirt kill --all "$CID" 0
    assert_success
    run ocirt kill "$CID" KILL
    assert_success
    wait_for_status "$CID" stopped
    run ocirt kill "$CID" 0
    assert_failure
}

# --- exec exit status -----------------------------------------------------------------------

@test "exec's own failures exit 255, usage errors 1, the process's status is its own" {
    update_config ".process.args = $LONG_ARGS"
    create_and_start "$CID"
    run ocirt exec "$CID" sh -c 'exit 7'
    assert_status 7
    run ocirt exec "$CID" no-such-command
    assert_status 255
    run ocirt exec "$CID-nope" true
    assert_status 255
    run ocirt exec "$CID"
    assert_status 255
    run ocirt exec --cwd /no/such/dir "$CID" true
    assert_status 255
    run ocirt exec --process /no/such/process.json "$CID"
    assert_status 255
    run ocirt pause "$CID"
    assert_success
    run ocirt exec "$CID" true
    assert_status 255
    run ocirt resume "$CID"
    assert_success
    # the command line itself is wrong: 1, as runc
    run ocirt exec
    assert_status 1
    run ocirt exec --no-such-flag "$CID" true
    assert_status 1
}

# --- flags after the id ---------------------------------------------------------------------

@test "update ID --memory X: flags after the id, as runc" {
    has_controller memory || skip "no memory controller"
    has_controller pids || skip "no pids controller"
    update_config ".process.args = $LONG_ARGS"
    create_and_start "$CID"
    run ocirt update "$CID" --memory 48m --pids-limit=50
    assert_success
    if is_v2; then
        assert_equal "$(cg_read memory memory.max)" 50331648 memory.max
        assert_equal "$(cg_read pids pids.max)" 50 pids.max
    else
        assert_equal "$(cg_read memory memory.limit_in_bytes)" 50331648 memory.limit_in_bytes
        assert_equal "$(cg_read pids pids.max)" 50 pids.max
    fi
    # flags before and after mix; a word that is no flag of update stays an argument
    run ocirt update --memory 40m "$CID" --pids-limit 60
    assert_success
    assert_equal "$(cg_read pids pids.max)" 60 pids.max
    run ocirt update "$CID" --no-such-flag 1
    assert_failure
    # "--" ends the flags: what follows is an argument
    run ocirt update "$CID" -- --memory 30m
    assert_failure
}

@test "flags after the id: kill, delete, events, create; exec and ps pass them on" {
    update_config ".process.args = $LONG_ARGS"
    run ocirt create "$CID" --bundle "$BUNDLE" --pid-file "$HOOKDIR/pid"
    assert_success
    assert_equal "$(cat "$HOOKDIR/pid")" "$(state_field "$CID" .pid)" pid-file
    run ocirt start "$CID"
    assert_success
    run ocirt events "$CID" --stats
    assert_success
    assert_output_contains '"type":"stats"'
    # exec: what follows the id is the command, flags included
    run ocirt exec "$CID" echo --cwd /x -e A=1
    assert_success
    assert_output_equals "--cwd /x -e A=1"
    # ps: what follows the id is for ps(1), so -f is not ocirt's --format
    run ocirt ps "$CID" -o pid
    assert_success
    assert_output_contains "$(state_field "$CID" .pid)"
    run ocirt kill "$CID" KILL --all
    assert_success
    wait_for_status "$CID" stopped
    run ocirt delete "$CID" -f
    assert_success
    run ocirt state "$CID"
    assert_failure
}

# --- device rule access ---------------------------------------------------------------------

# create_with_access ACCESS: create with a deny-all, then an allow of c 1:1 (/dev/mem, in no
# default rule) with that access.
create_with_access() {
    update_config ".process.args = $LONG_ARGS
        | .linux.resources.devices = [{allow: false, access: \"rwm\"},
                                      {allow: true, type: \"c\", major: 1, minor: 1, access: \$a}]" \
        --arg a "$1"
    run ocirt create --bundle "$BUNDLE" "$CID"
}

# The v1 devices.list line of c 1:1, or "" on v2 (an eBPF program there).
mem_rule() {
    is_v2 && return 0
    has_controller devices || return 0
    grep '^c 1:1 ' "$(cg_dir devices)/devices.list" || true
}

@test "device access: r, w, m in any order and repeated; other letters dropped (\"rwa\" is rw)" {
    local access want
    for access in rwa:rw wr:rw mrw:rwm rrw:rw m:m rwmx:rwm; do
        want=${access#*:}
        access=${access%%:*}
        create_with_access "$access"
        assert_success
        local line
        line=$(mem_rule)
        if [[ -n $line ]]; then
            assert_equal "$line" "c 1:1 $want" "devices.list for access \"$access\""
        fi
        run ocirt delete --force "$CID"
        assert_success
    done
}

@test "device access without r, w or m is refused, naming the field" {
    local access
    for access in a x A; do
        create_with_access "$access"
        assert_failure
        ocirt_only assert_output_contains "linux.resources.devices[1].access: no access in \"$access\""
        assert_nothing_left
    done
}

@test "device access empty means rwm" {
    skip_if_runc "runc refuses an empty access (\"device access at 1 field cannot be empty\")"
    create_with_access ""
    assert_success
    local line
    line=$(mem_rule)
    [[ -z $line ]] || assert_equal "$line" "c 1:1 rwm" devices.list
}

# --- hooks ----------------------------------------------------------------------------------

# add_hook_json KIND JSON: appends a hook object to hooks.KIND.
add_hook_json() {
    update_config '.hooks[$k] += [$h]' --arg k "$1" --argjson h "$2"
}

@test "hooks without env run with an empty environment, in the runtime and in the container" {
    skip_if_runc "runc hands its own environment to a hook without env (see conformance.md)"
    update_config ".process.args = $LONG_ARGS"
    # /bin/sh (dash) exports PWD itself: everything else would have come from the runtime
    local kind kinds="prestart createRuntime createContainer poststart poststop"
    for kind in $kinds; do
        add_hook_json "$kind" "$(jq -cn --arg s "/usr/bin/env | /bin/grep -v '^PWD=' > '$HOOKDIR/$kind.env'; echo x > '$HOOKDIR/$kind.ran'" \
            '{path: "/bin/sh", args: ["sh", "-c", $s]}')"
    done
    # with env, exactly that env
    add_hook_json createContainer "$(jq -cn --arg s "/usr/bin/env | /bin/grep -v '^PWD=' > '$HOOKDIR/withenv.env'" \
        '{path: "/bin/sh", args: ["sh", "-c", $s], env: ["HOOK_ONLY=1"]}')"
    # a marker in the runtime's environment that must reach no hook
    export OCIRT_IT_LEAK_MARK=leak-$MARK
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    run ocirt start "$CID"
    assert_success
    run ocirt delete --force "$CID"
    assert_success
    unset OCIRT_IT_LEAK_MARK
    for kind in $kinds; do
        [[ -e $HOOKDIR/$kind.ran ]] || fail "$kind did not run"
        [[ ! -s $HOOKDIR/$kind.env ]] || fail "$kind environment: $(tr '\n' ' ' <"$HOOKDIR/$kind.env")"
    done
    assert_equal "$(cat "$HOOKDIR/withenv.env")" "HOOK_ONLY=1" "env given"
}

@test "createContainer hooks run with the container's root as their cwd" {
    update_config ".process.args = $LONG_ARGS"
    # the rootfs is shared and read-only: a file of the rootfs names it; pwd -P is the path
    # as seen in the container's mount namespace before pivot_root (the rootfs bind)
    add_hook_json createContainer "$(jq -cn --arg s "/bin/pwd -P > '$HOOKDIR/pwd'; /bin/ls -a . > '$HOOKDIR/ls'" \
        '{path: "/bin/sh", args: ["sh", "-c", $s]}')"
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    assert_equal "$(cat "$HOOKDIR/pwd")" "$(cd "$(jq -r .root.path "$BUNDLE/config.json")" && pwd -P)" cwd
    assert_equal "$(cat "$HOOKDIR/ls")" "$(ls -a "$(jq -r .root.path "$BUNDLE/config.json")")" listing
}

# --- --debug --------------------------------------------------------------------------------

# check_json_lines FILE: every line is a JSON object with level, msg and time.
check_json_lines() {
    local n=0 line
    while IFS= read -r line; do
        n=$((n + 1))
        jq -e 'type == "object" and (.level | type) == "string" and (.msg | type) == "string"
               and (.time | type) == "string"' <<<"$line" >/dev/null ||
            fail "$1 line $n is not a JSON log line: $line"
    done <"$1"
}

@test "--debug --log-format json: one valid JSON line per step of create, start and exec" {
    update_config ".process.args = $LONG_ARGS"
    local log=$HOOKDIR/debug.log
    run ocirt --debug --log "$log" --log-format json create --bundle "$BUNDLE" "$CID"
    assert_success
    check_json_lines "$log"
    local create_lines
    create_lines=$(jq -r 'select(.level == "debug") | .msg' "$log")
    [[ -n $create_lines ]] || fail "no debug line from create"
    ocirt_only assert_equal "$(grep -c 'config.json' <<<"$create_lines")" 1 "config loaded"
    ocirt_only grep -q 'namespaces: new .*mount' <<<"$create_lines"
    ocirt_only grep -q "init pid $(state_field "$CID" .pid)\$" <<<"$create_lines"
    ocirt_only grep -q '^init: .*ready' <<<"$create_lines"

    : >"$log"
    run ocirt --debug --log "$log" --log-format json start "$CID"
    assert_success
    check_json_lines "$log"
    # runc 1.1.5's start logs nothing at debug
    ocirt_only grep -q 'exec the process' <(jq -r 'select(.level == "debug") | .msg' "$log")

    : >"$log"
    run ocirt --debug --log "$log" --log-format json exec "$CID" true
    assert_success
    check_json_lines "$log"
    [[ -n $(jq -r 'select(.level == "debug") | .msg' "$log") ]] || fail "no debug line from exec"
    ocirt_only grep -q 'executed true' <(jq -r .msg "$log")
}

@test "without --debug the log has no debug lines" {
    update_config ".process.args = $LONG_ARGS"
    local log=$HOOKDIR/plain.log
    run ocirt --log "$log" --log-format json create --bundle "$BUNDLE" "$CID"
    assert_success
    run ocirt --log "$log" --log-format json start "$CID"
    assert_success
    run ocirt --log "$log" --log-format json exec "$CID" true
    assert_success
    check_json_lines "$log"
    run jq -r 'select(.level == "debug") | .msg' "$log"
    assert_output_equals ""
}
