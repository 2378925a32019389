#!/usr/bin/env bats
# The state dir when things go wrong: a create killed part way leaves a container that `list`
# shows and `delete --force` finishes (its init, its cgroup dirs in every hierarchy, the dir);
# a corrupt state.json does not stop `delete --force`; strings of config.json with a NUL byte
# are refused. The container's cgroup is under a parent of the test's own, so its dirs can be
# checked in every hierarchy (helpers/cgroups.bash).

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

# The container's cgroup dirs that exist, in any hierarchy.
cgroup_dirs_left() {
    local d
    for d in /sys/fs/cgroup$CGPATH /sys/fs/cgroup/*$CGPATH; do
        if [[ -d $d ]]; then echo "$d"; fi
    done
}

# Processes of the runtime under test for this state root (a half-made container's init is a
# clone of create and carries its command line), and the container's own (sleep $MARK).
runtime_pids() {
    pgrep -f -- "--root $ROOT" || true
    pgrep -f -- "$MARK" || true
}

# assert_all_gone: no state dir, no cgroup dir of $CGPATH, no process of the container.
assert_all_gone() {
    local left
    if [[ -e $ROOT/$CID ]]; then
        echo "left behind: $ROOT/$CID: $(ls -A "$ROOT/$CID" | tr '\n' ' ')" >&2
        return 1
    fi
    left=$(cgroup_dirs_left)
    if [[ -n $left ]]; then
        echo "left behind: cgroups: $left" >&2
        return 1
    fi
    wait_until 10 test -z "$(runtime_pids)" || {
        ps -o pid,ppid,stat,args -p "$(runtime_pids | paste -sd,)" >&2
        return 1
    }
}

# start_create: create $CID in the background with the runtime itself (no timeout wrapper, so
# that $CREATE_PID is the runtime's pid, the one an engine would kill).
start_create() {
    "$OCIRT" --root "$ROOT" create --bundle "$BUNDLE" "$CID" \
        >"$LOGDIR/create.out" 2>"$LOGDIR/create.err" </dev/null &
    CREATE_PID=$!
}

kill_create() {
    kill -KILL "$CREATE_PID" 2>/dev/null || true
    wait "$CREATE_PID" 2>/dev/null || true
}

# A createContainer hook (run by the init, after `go`, in the container's cgroup) that says it
# started and then blocks: create waits for the init, the init for the hook.
add_blocking_hook() {
    update_config '.process.args = $a | .hooks.createContainer = [{path: "/bin/sh",
        args: ["sh", "-c", ("touch " + $f + "; exec sleep " + $m)]}]' \
        --argjson a "$LONG_ARGS" --arg f "$BUNDLE/hooked" --arg m "$MARK"
}

@test "a create killed while its init is set up: list and state show it, delete -f kills the init and removes it" {
    skip_if_runc "runc 1.1.5 loses a container whose create was killed: its dir and cgroups stay, delete -f removes nothing"
    add_blocking_hook
    start_create
    wait_until 20 test -e "$BUNDLE/hooked"
    # Its create still runs (holds the state dir's lock).
    run ocirt state "$CID"
    assert_success
    assert_equal "$(jq -r .status <<<"$output")" creating "status while create runs"
    kill_create
    # The init (blocked in the hook) outlives create.
    [[ -n $(runtime_pids) ]] || fail "expected the init and its hook to be alive"

    run ocirt state "$CID"
    assert_success
    assert_equal "$(jq -r .status <<<"$output")" stopped "status once create is gone"
    run ocirt list -q
    assert_success
    assert_output_equals "$CID"
    run ocirt list --format json
    assert_success
    assert_equal "$(jq -r '.[0].status' <<<"$output")" stopped "list status"
    # The id is taken until it is deleted.
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    ocirt_only assert_output_contains "already exists"

    run ocirt delete --force "$CID"
    assert_success
    assert_all_gone
    # The id can be used again (without the blocking hook).
    update_config 'del(.hooks)'
    ocirt create --bundle "$BUNDLE" "$CID"
    ocirt delete --force "$CID"
    assert_all_gone
}

@test "a create killed right after taking the id (empty dir, or exec.fifo alone): listed, and delete -f removes it" {
    skip_if_runc "runc 1.1.5 ignores a state dir without state.json: list hides it, delete -f leaves it"
    for what in empty fifo; do
        mkdir -m 0711 "$ROOT/$CID"
        if [[ $what == fifo ]]; then mkfifo -m 0622 "$ROOT/$CID/exec.fifo"; fi
        run ocirt list -q
        assert_output_equals "$CID"
        run ocirt state "$CID"
        assert_success
        assert_equal "$(jq -r .status <<<"$output")" stopped "$what: status"
        run ocirt delete --force "$CID"
        assert_success
        [[ ! -e $ROOT/$CID ]] || fail "$what: state dir left"
    done
    ocirt create --bundle "$BUNDLE" "$CID"
    ocirt delete --force "$CID"
    assert_all_gone
}

@test "fault: create killed at 24 pseudo-random points, then delete -f leaves nothing and the id is reused" {
    skip_if_runc "runc 1.1.5 loses a container whose create was killed: its dir and cgroups stay, delete -f removes nothing"
    update_config '.process.args = $a' --argjson a "$LONG_ARGS"
    RANDOM=4242
    local i ms
    for i in $(seq 24); do
        ms=$((RANDOM % 31))
        start_create
        sleep "$(printf '0.%03d' "$ms")"
        kill_create
        run ocirt delete --force "$CID"
        if [[ $status -ne 0 ]]; then
            fail "round $i (killed after ${ms} ms): delete -f: $output"
        fi
        assert_all_gone || fail "round $i (killed after ${ms} ms)"
    done
    ocirt create --bundle "$BUNDLE" "$CID"
    assert_equal "$(state_field "$CID" .status)" created "status after the rounds"
    ocirt delete --force "$CID"
    assert_all_gone
}

# corrupt_state HOW: breaks state.json of the running $CID.
corrupt_state() {
    local f=$ROOT/$CID/state.json
    case $1 in
        empty) : >"$f" ;;
        truncated) head -c 20 "$f" >"$f.x" && mv "$f.x" "$f" ;;
        garbage) printf 'garbage \001\002' >"$f" ;;
    esac
}

@test "state.json empty, truncated or garbage: state says corrupt naming it; delete -f kills and removes all" {
    skip_if_runc "runc 1.1.5 fails with a corrupt state.json and leaves the container's processes running"
    update_config '.process.args = $a' --argjson a "$LONG_ARGS"
    for how in empty truncated garbage; do
        create_and_start "$CID"
        corrupt_state "$how"
        run --separate-stderr ocirt state "$CID"
        assert_failure
        assert_stderr_contains "$ROOT/$CID/state.json: corrupt state"
        # list shows it (stopped) and says why, so it can be found and removed
        run --separate-stderr ocirt list --format json
        assert_success
        assert_equal "$(jq -r --arg id "$CID" '.[] | select(.id == $id) | .status' <<<"$output")" stopped "list status"
        assert_stderr_contains "state.json: corrupt state"
        run --separate-stderr ocirt delete --force "$CID"
        assert_success
        assert_stderr_contains "state.json: corrupt state"
        assert_all_gone || fail "$how"
    done
}

@test "state.json and recovery.json both garbage: delete -f kills the processes, removes the dir, names the cgroup it left" {
    skip_if_runc "runc 1.1.5 fails with a corrupt state.json and leaves the container's processes running"
    update_config '.process.args = $a' --argjson a "$LONG_ARGS"
    create_and_start "$CID"
    echo garbage >"$ROOT/$CID/state.json"
    echo garbage >"$ROOT/$CID/recovery.json"
    run --separate-stderr ocirt delete --force "$CID"
    assert_failure
    assert_stderr_contains "cgroup $CGPATH: not removed"
    [[ ! -e $ROOT/$CID ]] || fail "state dir left"
    wait_until 10 test -z "$(runtime_pids)"
    # What it said it left: this test's own dirs, removed here.
    local d
    for d in $(cgroup_dirs_left); do rmdir "$d"; done
    assert_all_gone
}

@test "a string of config.json with a NUL byte is refused, naming the field; nothing left behind" {
    local -a cases=(
        '.mounts += [{destination: "/mnt/a\u0000/../../etc", type: "tmpfs", source: "tmpfs"}]|mounts[N].destination'
        '.mounts += [{destination: "/mnt", type: "tmp\u0000fs", source: "tmpfs"}]|mounts[N].type'
        '.mounts += [{destination: "/mnt", type: "bind", source: "/tmp\u0000/x", options: ["bind"]}]|mounts[N].source'
        '.mounts += [{destination: "/mnt", type: "tmpfs", source: "tmpfs", options: ["ro\u0000x"]}]|mounts[N].options[0]'
        '.linux.readonlyPaths += ["/proc/a\u0000b"]|linux.readonlyPaths[N]'
    )
    local c filter field n
    cp "$BUNDLE/config.json" "$BUNDLE/config.orig"
    for c in "${cases[@]}"; do
        filter=${c%|*}
        field=${c##*|}
        cp "$BUNDLE/config.orig" "$BUNDLE/config.json"
        case $field in
            mounts*) n=$(jq '.mounts | length' "$BUNDLE/config.json") ;;
            linux.readonlyPaths*) n=$(jq '.linux.readonlyPaths | length' "$BUNDLE/config.json") ;;
        esac
        field=${field/N/$n}
        update_config "$filter"
        run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
        assert_failure
        ocirt_only assert_stderr_contains "$field: contains a NUL byte"
        assert_all_gone || fail "$field"
    done
}

@test "a capability name with a NUL byte is refused, naming it, not cut to the name before the NUL" {
    skip_if_runc "runc 1.1.5 takes the whole name as an unknown capability: a warning, and the container runs"
    local n
    n=$(jq '.process.capabilities.bounding | length' "$BUNDLE/config.json")
    update_config '.process.capabilities.bounding += ["CAP_SYS_ADMIN\u0000x"]'
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "process.capabilities.bounding[$n]: contains a NUL byte"
    assert_all_gone
}
