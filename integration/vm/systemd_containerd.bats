#!/usr/bin/env bats
# containerd with the runc v2 shim, BinaryName = the binary under test and SystemdCgroup =
# true (ctr's --runc-binary and --runc-systemd-cgroup set the same shim options as the CRI
# plugin's runtime config) on a systemd host: ctr run and its exit code, run -d with a memory
# limit on the scope, task exec, kill, delete (the scope goes away). Run by
# `make vm-systemd-test` in the systemd guest; skipped elsewhere, without containerd, or when
# the binary has no systemd driver. containerd runs with a private config, root, state and
# socket (engines.bash's ENGINE_DIR) and is stopped by its pid.

# (systemd first: engines.bash's wait_until, which evaluates code, must be the one defined)
load systemd
load ../engines/engines
load ../engines/containerd

IMAGE=localhost/ocirt-busybox:latest
CTR_PREFIX=ctrtest

setup_file() {
    local reason
    reason=$(systemd_skip_reason)
    if [[ -z $reason ]] && { ! command -v containerd >/dev/null || ! command -v ctr >/dev/null ||
        ! command -v containerd-shim-runc-v2 >/dev/null; }; then
        reason="containerd, ctr and containerd-shim-runc-v2 are not installed (apt-get install containerd)"
    fi
    if [[ -n $reason ]]; then
        setup_file_skip "$reason"
        return 0
    fi
    engine_setup_file containerd-systemd
    local e=$ENGINE_DIR
    export CTR_NS=ocirt-systemd CTR_SOCK=$e/containerd.sock OCIRT_ROOT=$e/ocirt-root
    # the guest's /tmp is on its root's overlay, which cannot be an overlay's upper layer
    export CONTAINERD_SNAPSHOTTER=native
    containerd_start 120
}

teardown_file() {
    containerd_stop 30
    engine_teardown_file
}

setup() {
    skip_if_file_skipped
    engine_setup
    CID=t$BATS_TEST_NUMBER-$$
    SCOPE=$CTR_PREFIX-$CID.scope
}

teardown() {
    [[ -n ${ENGINE_DIR:-} ]] || return 0
    local rc=0
    remove_all_containers || rc=1
    engine_assert_clean "$OCIRT_ROOT/$CTR_NS" || rc=1
    if [[ $(prop "$SCOPE" ActiveState) != inactive ]]; then
        echo "left behind: $SCOPE ($(prop "$SCOPE" ActiveState))" >&2
        rc=1
    fi
    return "$rc"
}

# sd_ctr ARGS...: `ctr run` through the runc v2 shim with BinaryName = the binary under test
# and SystemdCgroup = true, in the scope $SCOPE under system.slice.
sd_ctr() {
    c run --runc-binary "$OCIRT" --runc-root "$OCIRT_ROOT" --runc-systemd-cgroup \
        --cgroup "system.slice:$CTR_PREFIX:$CID" "$@"
}

@test "ctr (systemd cgroups): run in the scope, exit code 3" {
    run sd_ctr --rm "$IMAGE" "$CID" sh -c 'cat /proc/self/cgroup; exit 3'
    assert_status 3
    assert_output_contains "0::/system.slice/$SCOPE"
    wait_until 60 "[[ \$(prop '$SCOPE' ActiveState) == inactive ]]"
}

@test "ctr (systemd cgroups): run -d with a memory limit, task exec, kill, delete" {
    sd_ctr -d --memory-limit 67108864 "$IMAGE" "$CID" sleep "$MARK"
    wait_until 60 "[[ \$(task_status '$CID') == RUNNING ]]"
    local pid cg
    pid=$(c task ls | awk -v id="$CID" '$1 == id {print $2}')
    cg=/sys/fs/cgroup/system.slice/$SCOPE
    assert_equal "$(prop "$SCOPE" ActiveState)" active "ActiveState of $SCOPE"
    assert_equal "$(prop "$SCOPE" MemoryMax)" 67108864 "MemoryMax of $SCOPE"
    assert_equal "$(cat "$cg/memory.max")" 67108864 "memory.max of $cg"
    grep -qx "$pid" "$cg/cgroup.procs" || fail "task $pid not in $cg/cgroup.procs"
    run c task exec --exec-id e1 "$CID" sh -c 'echo in; exit 5'
    assert_status 5
    assert_output_equals in
    c task kill --signal KILL "$CID"
    wait_until 60 "[[ \$(task_status '$CID') == STOPPED ]]"
    c task delete "$CID"
    c container rm "$CID"
    wait_until 60 "[[ \$(prop '$SCOPE' ActiveState) == inactive ]]"
    [[ ! -d $cg ]] || fail "cgroup $cg left"
}
