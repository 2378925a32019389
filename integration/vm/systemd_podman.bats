#!/usr/bin/env bats
# podman at its default cgroup_manager ("systemd") with `--runtime <binary under test>` on a
# systemd host: run and its exit codes, --memory and --pids-limit as the scope's properties
# and cgroup files, exec, stop, rm (the scope goes away). Run by `make vm-systemd-test` in the
# systemd guest; skipped elsewhere, without podman, or when the binary has no systemd driver.
# podman's configuration is private (engines.bash's ENGINE_DIR) except cgroup_manager, left
# to its default; the image is the busybox rootfs imported locally (no network).

# (systemd first: engines.bash's wait_until, which evaluates code, must be the one defined)
load systemd
load ../engines/engines

IMAGE=localhost/ocirt-busybox

setup_file() {
    local reason
    reason=$(systemd_skip_reason)
    if [[ -z $reason ]] && { ! command -v podman >/dev/null || ! command -v conmon >/dev/null; }; then
        reason="podman and conmon are not installed (apt-get install podman conmon)"
    fi
    if [[ -n $reason ]]; then
        setup_file_skip "$reason"
        return 0
    fi
    engine_setup_file podman-systemd
    local e=$ENGINE_DIR
    mkdir -p "$e/storage" "$e/run" "$e/tmp"
    # no cgroup_manager: podman's default on a systemd host is "systemd"
    cat >"$e/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:4096"]
netns = "none"
pids_limit = 0
log_driver = "k8s-file"

[engine]
runtime_supports_json = ["crun", "runc", "kata", "runsc", "krun", "ocirt"]
events_logger = "file"
events_logfile_path = "$e/events.log"
tmp_dir = "$e/tmp"
static_dir = "$e/storage/libpod"
volume_path = "$e/storage/volumes"
lock_type = "file"
EOF
    cat >"$e/storage.conf" <<EOF
[storage]
driver = "vfs"
runroot = "$e/run"
graphroot = "$e/storage"
EOF
    export CONTAINERS_CONF=$e/containers.conf CONTAINERS_STORAGE_CONF=$e/storage.conf
    make_rootfs_tar "$e/rootfs.tar"
    podman import "$e/rootfs.tar" "$IMAGE" >/dev/null
}

teardown_file() {
    if [[ -n ${ENGINE_DIR:-} ]]; then
        podman rm --all --force --time 0 >/dev/null 2>&1 || true
        podman rmi --all --force >/dev/null 2>&1 || true
    fi
    engine_teardown_file
}

setup() {
    skip_if_file_skipped
    engine_setup
    NAME=ocirt-$MARK
}

teardown() {
    [[ -n ${ENGINE_DIR:-} ]] || return 0
    local rc=0
    pm rm --all --force --time 0 >/dev/null 2>&1 || rc=1
    engine_assert_clean || rc=1
    if [[ -n ${SCOPE:-} && $(prop "$SCOPE" ActiveState) != inactive ]]; then
        echo "left behind: $SCOPE ($(prop "$SCOPE" ActiveState))" >&2
        rc=1
    fi
    return "$rc"
}

# pm ARGS...: podman with this suite's configuration and the binary under test.
pm() {
    timeout --kill-after=10 "$ENGINE_TIMEOUT" podman --runtime "$OCIRT" "$@"
}

@test "podman (systemd cgroups): the configured cgroup manager is systemd" {
    run pm info --format '{{.Host.CgroupManager}} {{.Host.CgroupsVersion}}'
    assert_success
    assert_output_equals "systemd v2"
}

@test "podman (systemd cgroups): run, exit codes 0, 3 and 127" {
    run pm run --rm "$IMAGE" echo hello
    assert_success
    assert_output_equals hello
    run pm run --rm "$IMAGE" sh -c 'exit 3'
    assert_status 3
    run -127 pm run --rm "$IMAGE" no-such-command
}

@test "podman (systemd cgroups): --memory and --pids-limit on the libpod scope; exec; stop; rm" {
    pm run -d --name "$NAME" --memory 64m --pids-limit 30 "$IMAGE" sleep "$MARK"
    local id pid cg
    id=$(pm inspect --format '{{.Id}}' "$NAME")
    pid=$(pm inspect --format '{{.State.Pid}}' "$NAME")
    SCOPE=libpod-$id.scope
    assert_equal "$(prop "$SCOPE" ActiveState)" active "ActiveState of $SCOPE"
    assert_equal "$(prop "$SCOPE" MemoryMax)" 67108864 "MemoryMax of $SCOPE"
    assert_equal "$(prop "$SCOPE" TasksMax)" 30 "TasksMax of $SCOPE"
    # the container's cgroup is the scope's (or a child of it, as some runtimes make)
    cg=/sys/fs/cgroup$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
    [[ $cg == "/sys/fs/cgroup/machine.slice/$SCOPE"* ]] || fail "init $pid is in $cg, not in $SCOPE"
    assert_equal "$(cat "$cg/memory.max")" 67108864 "memory.max of $cg"
    assert_equal "$(cat "$cg/pids.max")" 30 "pids.max of $cg"
    run pm exec "$NAME" sh -c 'echo in; exit 4'
    assert_status 4
    assert_output_equals in
    pm stop --time 2 "$NAME"
    assert_equal "$(pm inspect --format '{{.State.Status}}' "$NAME")" exited "status after stop"
    pm rm "$NAME"
    wait_until 60 "[[ \$(prop '$SCOPE' ActiveState) == inactive ]]"
    [[ ! -d /sys/fs/cgroup/machine.slice/$SCOPE ]] || fail "cgroup of $SCOPE left"
}
