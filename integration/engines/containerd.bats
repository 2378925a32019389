#!/usr/bin/env bats
# containerd with ocirt: `ctr run --runc-binary` (the runc v2 shim's BinaryName option, the
# same option the CRI plugin's runtime config sets), exit codes, task exec, kill --all,
# pause/resume, ps, delete; ocirt named in containerd's own config (the v1 linux runtime's
# `runtime`); several containers at once. Skipped when containerd or ctr is not installed.
#
# containerd runs in the background with its own config, root, state and socket under
# $ENGINE_DIR, and is stopped by its pid at the end. Its namespace is named after the cgroup
# parent, so containers get the cgroupsPath /ocirt-test-containerd-PID/<id>.

load engines
load containerd

IMAGE=localhost/ocirt-busybox:latest

setup_file() {
    if ! command -v containerd >/dev/null || ! command -v ctr >/dev/null ||
        ! command -v containerd-shim-runc-v2 >/dev/null; then
        skip "containerd, ctr and containerd-shim-runc-v2 are not installed (apt-get install containerd)"
    fi
    engine_setup_file containerd
    local e=$ENGINE_DIR
    export CTR_NS=${CGROUP_PARENT#/} CTR_SOCK=$e/containerd.sock OCIRT_ROOT=$e/ocirt-root
    containerd_start 30 "
# ocirt named in the config: the v1 linux runtime runs this binary for every container.
[plugins.\"io.containerd.runtime.v1.linux\"]
  runtime = \"$OCIRT\"
  runtime_root = \"$OCIRT_ROOT-v1\""
    # ctr sets linux.resources.cpu.shares (1024): ocirt applies it.
    CTR_RUN_FLAGS="--runc-binary $OCIRT --runc-root $OCIRT_ROOT"
    export CTR_RUN_FLAGS
}

teardown_file() {
    containerd_stop 20
    engine_teardown_file
}

setup() {
    engine_setup
    CID=t$BATS_TEST_NUMBER-$$  # not $MARK: the shim's command line names the container
    # The shim runs ocirt with --root <runc root>/<namespace>.
    STATE=$OCIRT_ROOT/$CTR_NS
}

teardown() {
    local rc=0
    remove_all_containers || rc=1
    engine_assert_clean "$STATE" || rc=1
    engine_assert_clean "$OCIRT_ROOT-v1/$CTR_NS" || rc=1
    return "$rc"
}

# crun_ctr ARGS...: `ctr run` with ocirt as the runc v2 shim's binary.
# shellcheck disable=SC2086
crun_ctr() {
    c run $CTR_RUN_FLAGS "$@"
}

@test "ctr: version talks to our containerd" {
    run c version
    assert_success
    assert_output_contains "Server:"
}

@test "ctr run: output and exit codes 0 and 3, through the runc v2 shim with BinaryName=ocirt" {
    run crun_ctr --rm "$IMAGE" "$CID" echo hello from ocirt
    assert_success
    assert_output_equals "hello from ocirt"
    run crun_ctr --rm "$IMAGE" "$CID" sh -c 'cat /proc/self/cgroup; exit 3'
    assert_status 3
    assert_output_contains "memory:$CGROUP_PARENT/$CID"
}

@test "ctr run: a command that does not exist fails with ocirt's message, nothing left" {
    run crun_ctr --rm "$IMAGE" "$CID" no-such-command
    assert_failure
    assert_output_contains 'executable file not found in $PATH'
}

@test "ctr run -d, task exec (exit code, user, cwd, tty), ps, kill, delete" {
    run crun_ctr -d "$IMAGE" "$CID" sleep "$MARK"
    assert_success
    wait_until 20 '[[ $(task_status "$CID") == RUNNING ]]' || fail "task is $(task_status "$CID")"
    [[ -d $STATE/$CID ]] || fail "no ocirt state dir in $STATE"
    assert_equal "$("$OCIRT" --root "$STATE" state "$CID" | jq -r .status)" running "ocirt state"

    run c task exec --exec-id e1 "$CID" sh -c 'echo exec in $(cat /proc/1/comm); exit 4'
    assert_status 4
    assert_output_equals "exec in sleep"
    run c task exec --exec-id e2 --user 1000 --cwd /tmp "$CID" sh -c 'echo $(id -u) $(pwd)'
    assert_success
    assert_output_equals "1000 /tmp"
    if command -v script >/dev/null; then
        run timeout 60 script -qec "ctr --address $CTR_SOCK --namespace $CTR_NS task exec -t --exec-id e3 $CID sh -c 'tty; exit 2'" /dev/null </dev/null
        assert_status 2
        assert_output_contains "/dev/pts/"
    fi

    run c task ps "$CID"
    assert_success
    local pid
    pid=$(c task ls | awk -v id="$CID" '$1 == id {print $2}')
    assert_output_contains "$pid"

    run c task kill --signal KILL "$CID"
    assert_success
    wait_until 20 '[[ $(task_status "$CID") == STOPPED ]]' || fail "task is $(task_status "$CID")"
    run c task delete "$CID"
    assert_success
    [[ ! -e $STATE/$CID ]] || fail "ocirt state dir left after task delete"
    run c container rm "$CID"
    assert_success
}

@test "ctr task pause and resume" {
    run crun_ctr -d "$IMAGE" "$CID" sleep "$MARK"
    assert_success
    wait_until 20 '[[ $(task_status "$CID") == RUNNING ]]'
    run c task pause "$CID"
    assert_success
    assert_equal "$(task_status "$CID")" PAUSED "after pause"
    assert_equal "$("$OCIRT" --root "$STATE" state "$CID" | jq -r .status)" paused "ocirt state"
    run c task resume "$CID"
    assert_success
    assert_equal "$(task_status "$CID")" RUNNING "after resume"
}

@test "ctr task kill --all: every process of the container dies" {
    run crun_ctr -d "$IMAGE" "$CID" sleep "$MARK"
    assert_success
    wait_until 20 '[[ $(task_status "$CID") == RUNNING ]]'
    # A second process, not a child of PID 1 (busybox sleep does not reap).
    c task exec -d --exec-id bg "$CID" sleep "$MARK" 2>&1 || true
    wait_until 20 '(( $(pgrep -f -- "$MARK" | wc -l) >= 2 ))' || fail "no second process"
    run c task kill --all --signal KILL "$CID"
    assert_success
    wait_until 20 '[[ $(task_status "$CID") == STOPPED ]]' || fail "task is $(task_status "$CID")"
    wait_until 20 '[[ -z $(pgrep -f -- "$MARK") ]]' || fail "processes left: $(pgrep -af -- "$MARK")"
}

@test "containerd config: ocirt as the v1 linux runtime's binary" {
    command -v containerd-shim >/dev/null || skip "containerd-shim (v1) is not installed"
    run c run --rm --runtime io.containerd.runtime.v1.linux "$IMAGE" "$CID" sh -c 'echo v1; exit 5'
    assert_status 5
    assert_output_equals "v1"
    # It was ocirt: the state root from the config was used (and is empty again).
    [[ -d $OCIRT_ROOT-v1/$CTR_NS ]] || fail "ocirt's root $OCIRT_ROOT-v1/$CTR_NS was not made"
}

@test "ctr run: several detached containers at once" {
    local i pids=()
    for i in 1 2 3 4; do
        crun_ctr -d "$IMAGE" "$CID-$i" sleep "$MARK" >/dev/null &
        pids+=($!)
    done
    for i in "${pids[@]}"; do
        wait "$i" || fail "a ctr run -d failed"
    done
    for i in 1 2 3 4; do
        wait_until 20 '[[ $(task_status "$CID-$i") == RUNNING ]]' || fail "$CID-$i is $(task_status "$CID-$i")"
    done
    assert_equal "$(pgrep -f -- "$MARK" | wc -l)" 4 "sleep processes"
}
