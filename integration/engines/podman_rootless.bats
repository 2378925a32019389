#!/usr/bin/env bats
# Rootless podman with ocirt as its runtime: an unprivileged user made for this file
# (../rootless.bash) runs podman with --runtime ocirt and cgroup_manager cgroupfs, its
# configuration and storage under a temporary HOME. podman runs the runtime as root of its own
# user namespace (ranges from /etc/subuid via newuidmap), which ocirt detects as rootless.
# run with output and exit codes, exec, -it (through `script` for a terminal), stop, rm.
# Skipped with the reason when podman, conmon, newuidmap or script is missing.

load engines
load ../rootless

IMAGE=localhost/ocirt-busybox-rootless

setup_file() {
    local t
    for t in podman conmon newuidmap newgidmap script; do
        command -v "$t" >/dev/null || skip "$t is not installed (apt-get install podman conmon uidmap bsdutils)"
    done
    check_prereqs podman_rootless || return 1
    rl_setup_file
    local c=$RL_HOME/.config/containers
    mkdir -p "$c"
    cat >"$c/containers.conf" <<EOF
[containers]
netns = "none"
pids_limit = 0
log_driver = "k8s-file"
default_ulimits = []

[engine]
runtime = "ocirt"
runtime_supports_json = ["crun", "runc", "ocirt"]
cgroup_manager = "cgroupfs"
events_logger = "file"
lock_type = "file"

[engine.runtimes]
ocirt = ["$OCIRT"]
EOF
    cat >"$c/storage.conf" <<EOF
[storage]
driver = "vfs"
runroot = "$RL_RUN/containers"
graphroot = "$RL_HOME/storage"
EOF
    make_rootfs_tar "$RL_DIR/rootfs.tar"
    chown -R "$RL_UID:$RL_GID" "$RL_HOME" "$RL_DIR/rootfs.tar"
    as_user podman import "$RL_DIR/rootfs.tar" "$IMAGE" >/dev/null
}

teardown_file() {
    if [[ -n ${RL_USER:-} ]]; then
        as_user podman rm --all --force --time 0 >/dev/null 2>&1 || true
        # podman's storage holds files of the subuids, which only its namespace may remove
        as_user podman system reset --force >/dev/null 2>&1 || true
    fi
    rl_teardown_file
}

setup() {
    MARK="999${BATS_TEST_NUMBER}0$$"
    NAME=ocirt-rl-$MARK
}

teardown() {
    as_user podman rm --all --force --time 0 >/dev/null 2>&1 || true
    local left i
    for i in $(seq 30); do
        left=$(pgrep -f -- "$MARK" || true)
        [[ -z $left ]] && break
        sleep 0.1
    done
    [[ -z $left ]] || fail "processes left: $left"
    # @cache (compiled seccomp programs) is the runtime's own, not a container's
    left=$(ls -A "$RL_RUN/ocirt" 2>/dev/null | grep -vx @cache || true)
    [[ -z $left ]] || fail "ocirt state left in $RL_RUN/ocirt: $left"
}

pm() { OCIRT_TIMEOUT=$ENGINE_TIMEOUT as_user podman "$@"; }

@test "podman rootless: info names ocirt, and rootless" {
    run pm info --format '{{.Host.OCIRuntime.Name}} {{.Host.Security.Rootless}}'
    assert_success
    assert_output_equals "ocirt true"
}

@test "podman rootless: run with output and exit codes" {
    run pm run --rm "$IMAGE" sh -c 'echo hello from $(id -u)'
    assert_success
    assert_output_equals "hello from 0"
    run pm run --rm "$IMAGE" sh -c 'exit 42'
    assert_status 42
    run pm run --rm --user 1000:1000 "$IMAGE" id -u
    assert_success
    assert_output_equals 1000
}

@test "podman rootless: exec, stop, rm" {
    run pm run -d --name "$NAME" "$IMAGE" sleep "$MARK"
    assert_success
    run pm exec "$NAME" sh -c 'cat /proc/1/cmdline | tr "\0" " "; exit 5'
    assert_status 5
    assert_output_contains "sleep $MARK"
    run pm exec --user 1000 "$NAME" id -u
    assert_success
    assert_output_equals 1000
    run pm stop --time 1 "$NAME"
    assert_success
    run pm inspect --format '{{.State.Status}}' "$NAME"
    assert_output_equals exited
    run pm rm "$NAME"
    assert_success
    run pm ps -a --format '{{.Names}}'
    [[ $output != *"$NAME"* ]] || fail "still listed: $output"
}

@test "podman rootless: -it gives a terminal" {
    # script(1) gives podman a terminal of its own; what it prints is the terminal's output.
    # The sleeps: podman attaches to the terminal after the start and may drop what a process
    # that exits at once wrote (seen 1 in 5 with runc as with ocirt).
    run as_user script -qec "podman run --rm -it $IMAGE sh -c 'sleep 1; tty; echo done-$MARK; sleep 1'" /dev/null </dev/null
    assert_success
    assert_output_contains "/dev/pts/0"
    assert_output_contains "done-$MARK"
}
