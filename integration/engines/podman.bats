#!/usr/bin/env bats
# podman (through conmon) with ocirt as its OCI runtime: run and its exit codes (127 and 126
# from ocirt's JSON log messages), detached containers with exec, pause/unpause, stop, kill,
# rm; a terminal through a pty; stdin; limits; several containers at once; podman info;
# checkpoint and restore (where CRIU works; else its reason). Skipped when podman or conmon is
# not installed.
#
# podman gets a private containers.conf and storage.conf (see engines.bash); ocirt keeps its
# state in its default root, /run/ocirt (the cleanup process conmon starts does not pass
# podman's --runtime-flag on), so each test checks that no state dir it added is left there.

load engines

IMAGE=localhost/ocirt-busybox
OCIRT_STATE_ROOT=/run/ocirt

setup_file() {
    if ! command -v podman >/dev/null || ! command -v conmon >/dev/null; then
        skip "podman and conmon are not installed (apt-get install podman conmon)"
    fi
    engine_setup_file podman
    local e=$ENGINE_DIR
    mkdir -p "$e/storage" "$e/run" "$e/tmp"
    # What the README tells users to put in containers.conf, plus what this machine needs:
    # ulimits within the hard limits (root lacks CAP_SYS_RESOURCE), cgroupfs (no systemd),
    # no network (no CNI/netavark), no default pids limit (the limits test asks for one), and
    # everything of podman's under $ENGINE_DIR.
    cat >"$e/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=1024:4096", "nproc=1024:4096"]
netns = "none"
pids_limit = 0
log_driver = "k8s-file"

[engine]
runtime = "ocirt"
runtime_supports_json = ["crun", "runc", "kata", "runsc", "krun", "ocirt"]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$e/events.log"
tmp_dir = "$e/tmp"
static_dir = "$e/storage/libpod"
volume_path = "$e/storage/volumes"
lock_type = "file"

[engine.runtimes]
ocirt = ["$OCIRT"]
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
    ls -1 "$OCIRT_STATE_ROOT" 2>/dev/null | sort >"$e/ocirt-root-before" || true
}

teardown_file() {
    if [[ -n ${ENGINE_DIR:-} ]]; then
        podman rm --all --force --time 0 >/dev/null 2>&1 || true
        podman rmi --all --force >/dev/null 2>&1 || true
        # the seccomp cache these tests made in the default state root
        grep -qx @cache "$ENGINE_DIR/ocirt-root-before" 2>/dev/null || rm -rf "$OCIRT_STATE_ROOT/@cache"
    fi
    engine_teardown_file
}

setup() {
    engine_setup
    NAME=ocirt-$MARK
}

teardown() {
    local rc=0
    pm pod rm --all --force --time 0 >/dev/null 2>&1 || rc=1
    pm rm --all --force --time 0 >/dev/null 2>&1 || rc=1
    engine_assert_clean || rc=1
    local added
    # @cache (compiled seccomp programs) is the runtime's own, not a container's
    added=$(comm -13 "$ENGINE_DIR/ocirt-root-before" <(ls -1 "$OCIRT_STATE_ROOT" 2>/dev/null | grep -vx @cache | sort))
    if [[ -n $added ]]; then
        echo "left behind: ocirt state dirs in $OCIRT_STATE_ROOT: $added" >&2
        rc=1
    fi
    return "$rc"
}

# pm ARGS...: podman with this suite's configuration.
pm() {
    timeout --kill-after=10 "$ENGINE_TIMEOUT" podman "$@"
}

# prun ARGS...: `podman run` in our cgroup parent.
prun() {
    pm run --cgroup-parent "$CGROUP_PARENT" "$@"
}

status_of() {
    pm inspect --format '{{.State.Status}}' "$1"
}

@test "podman: info shows ocirt as the runtime, with its --version" {
    run pm info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}}'
    assert_success
    assert_equal "$output" "ocirt $OCIRT" "runtime"
    run pm info --format '{{.Host.OCIRuntime.Version}}'
    assert_success
    assert_output_contains "ocirt version "
    assert_output_contains "spec: 1."
}

@test "podman run: output, and exit codes 0, 1 and 42 propagated" {
    run prun --rm "$IMAGE" echo hello from ocirt
    assert_success
    assert_output_equals "hello from ocirt"
    run prun --rm "$IMAGE" sh -c 'exit 1'
    assert_status 1
    run prun --rm "$IMAGE" sh -c 'exit 42'
    assert_status 42
}

@test "podman run: 127 for a command that does not exist, 126 for one that is not executable" {
    run -127 prun --rm "$IMAGE" no-such-command
    assert_output_contains 'executable file not found in $PATH'
    run -127 prun --rm "$IMAGE" /no/such/file
    [[ ${output,,} == *"no such file or directory"* ]] || fail "output: $output"
    run -126 prun --rm "$IMAGE" /etc/passwd
    [[ ${output,,} == *"permission denied"* ]] || fail "output: $output"
}

@test "podman run: stdin with -i, env, user, workdir, read-only rootfs" {
    run pm run --cgroup-parent "$CGROUP_PARENT" --rm -i "$IMAGE" sh -c 'read line; echo "got $line"' <<<"ping"
    assert_success
    assert_output_equals "got ping"
    run prun --rm -e FOO=bar --user 1000:1000 --workdir /tmp --read-only "$IMAGE" \
        sh -c 'echo "$FOO $(id -u):$(id -g) $(pwd)"; touch /x 2>/dev/null && echo writable || echo read-only'
    assert_success
    assert_equal "${lines[0]}" "bar 1000:1000 /tmp" "env, user, cwd"
    assert_equal "${lines[1]}" "read-only" "rootfs"
}

@test "podman run -d, exec, pause/unpause, stop (SIGTERM), rm" {
    run prun -d --name "$NAME" "$IMAGE" sh -c "trap 'exit 7' TERM; sleep $MARK & wait"
    assert_success
    local id=$output
    assert_equal "$(status_of "$NAME")" running status
    [[ -d $OCIRT_STATE_ROOT/$id ]] || fail "no ocirt state dir for $id"
    assert_equal "$("$OCIRT" state "$id" | jq -r .status)" running "ocirt state"

    run pm exec "$NAME" sh -c 'echo in $(hostname); exit 3'
    assert_status 3
    assert_output_contains "in "
    run -127 pm exec "$NAME" no-such-command
    assert_output_contains 'executable file not found in $PATH'
    run pm exec -e X=1 -w /tmp "$NAME" sh -c 'echo $X $(pwd)'
    assert_success
    assert_output_equals "1 /tmp"

    run pm pause "$NAME"
    assert_success
    assert_equal "$(status_of "$NAME")" paused status
    assert_equal "$("$OCIRT" state "$id" | jq -r .status)" paused "ocirt state"
    run pm unpause "$NAME"
    assert_success
    assert_equal "$(status_of "$NAME")" running status

    run pm stop --time 30 "$NAME"
    assert_success
    assert_equal "$(status_of "$NAME")" exited status
    assert_equal "$(pm inspect --format '{{.State.ExitCode}}' "$NAME")" 7 "exit code after SIGTERM"
    run pm rm "$NAME"
    assert_success
    [[ ! -e $OCIRT_STATE_ROOT/$id ]] || fail "ocirt state dir left for $id"
}

@test "podman kill: SIGKILL, and a signal by name caught by the container" {
    run prun -d --name "$NAME" "$IMAGE" sh -c "trap 'echo got USR1; exit 9' USR1; sleep $MARK & wait"
    assert_success
    run pm kill --signal USR1 "$NAME"
    assert_success
    wait_until 20 '[[ $(status_of "$NAME") == exited ]]' || fail "still $(status_of "$NAME") after USR1"
    assert_equal "$(pm inspect --format '{{.State.ExitCode}}' "$NAME")" 9 "exit code after USR1"
    run pm logs "$NAME"
    assert_output_contains "got USR1"
    pm rm "$NAME" >/dev/null

    run prun -d --name "$NAME" "$IMAGE" sleep "$MARK"
    assert_success
    run pm kill "$NAME"
    assert_success
    wait_until 20 '[[ $(status_of "$NAME") == exited ]]' || fail "still $(status_of "$NAME") after kill"
    assert_equal "$(pm inspect --format '{{.State.ExitCode}}' "$NAME")" 137 "exit code after SIGKILL"
}

@test "podman run -it and exec -it: a terminal through a pty" {
    command -v script >/dev/null || skip "script (bsdutils) is not installed"
    # The window size of script's pty reaches the container's terminal.
    # (Typed into an interactive shell: with script's stdin at EOF, podman hangs the pty up.)
    run timeout 60 script -qec "stty rows 30 cols 100; podman run -it --rm --cgroup-parent $CGROUP_PARENT $IMAGE sh" \
        /dev/null <<<$'tty; stty size\nexit 5'
    assert_status 5
    assert_output_contains "/dev/pts/0"
    assert_output_contains "30 100"

    run prun -d --name "$NAME" "$IMAGE" sleep "$MARK"
    assert_success
    run timeout 60 script -qec "podman exec -it $NAME sh -c 'tty; exit 4'" /dev/null </dev/null
    assert_status 4
    assert_output_contains "/dev/pts/"
    # Input typed at the terminal reaches the shell.
    run timeout 60 script -qec "podman exec -it $NAME sh" /dev/null <<<$'echo typed$((6*7))\nexit 6'
    assert_status 6
    assert_output_contains "typed42"
}

@test "podman run: several detached containers at once" {
    local i pids=()
    for i in 1 2 3 4; do
        prun -d --name "$NAME-$i" "$IMAGE" sleep "$MARK" >/dev/null &
        pids+=($!)
    done
    for i in "${pids[@]}"; do
        wait "$i" || fail "a podman run -d failed"
    done
    for i in 1 2 3 4; do
        assert_equal "$(status_of "$NAME-$i")" running "$NAME-$i"
        run pm exec "$NAME-$i" cat /proc/1/comm
        assert_success
        assert_output_equals "sleep"
    done
    run pm rm --force --time 0 "$NAME-1" "$NAME-2" "$NAME-3" "$NAME-4"
    assert_success
}

@test "podman run: --pids-limit and --memory reach the container's cgroup" {
    run prun --rm --pids-limit 42 "$IMAGE" cat /sys/fs/cgroup/pids/pids.max
    assert_success
    assert_output_equals 42
    run prun --rm --memory 64m "$IMAGE" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
    assert_success
    assert_output_equals 67108864
}

@test "podman update --memory: the new limit reaches the running container (ocirt update)" {
    run prun -d --name "$NAME" --memory 64m "$IMAGE" sleep "$MARK"
    assert_success
    run pm update --memory 96m "$NAME"
    assert_success
    run pm exec "$NAME" cat /sys/fs/cgroup/memory/memory.limit_in_bytes
    assert_success
    assert_output_equals 100663296
}

@test "podman container checkpoint and restore: through ocirt and CRIU, or CRIU's reason where it cannot work" {
    # podman checks for CRIU itself and stops before it asks the runtime
    command -v criu >/dev/null || skip "criu is not installed: podman refuses checkpoint before it calls the runtime"
    run prun -d --name "$NAME" "$IMAGE" sh -c "i=0; while :; do i=\$((i+1)); echo \$i; sleep 1; done; : $MARK"
    assert_success
    wait_until 60 '[[ $(pm logs "$NAME" 2>/dev/null | wc -l) -ge 2 ]]'
    if ! criu check >/dev/null 2>&1; then
        # this kernel: ocirt passes on CRIU's own error lines (integration/checkpoint.bats)
        run pm container checkpoint "$NAME"
        assert_failure
        assert_output_contains "criu dump failed"
        assert_equal "$(status_of "$NAME")" running status
        return 0
    fi
    run pm container checkpoint "$NAME"
    assert_success
    assert_equal "$(status_of "$NAME")" exited "status after checkpoint"
    local n
    n=$(pm logs "$NAME" | wc -l)
    run pm container restore "$NAME"
    assert_success
    assert_equal "$(status_of "$NAME")" running "status after restore"
    # the counter goes on from where it was: the next line is n+1, not 1
    wait_until 60 '[[ $(pm logs "$NAME" 2>/dev/null | wc -l) -gt '"$n"' ]]'
    assert_equal "$(pm logs "$NAME" | sed -n "$((n + 1))p")" "$((n + 1))" "the first line after the restore"
}

@test "podman pod: create, two containers in the pod share its namespaces, pod rm removes all" {
    local pod=$NAME-pod infra pi pa pb ns
    # the infra (pause) container: a busybox image that sleeps, so no pause image is pulled
    run pm import --change "CMD [\"sleep\", \"$MARK\"]" "$ENGINE_DIR/rootfs.tar" "$IMAGE-infra"
    assert_success
    run pm pod create --name "$pod" --cgroup-parent "$CGROUP_PARENT" --share net,ipc,uts \
        --infra-image "$IMAGE-infra"
    assert_success
    run pm run -d --pod "$pod" --name "$NAME-a" "$IMAGE" sleep "$MARK"
    assert_success
    run pm run -d --pod "$pod" --name "$NAME-b" "$IMAGE" sleep "$MARK"
    assert_success
    assert_equal "$(pm pod inspect --format '{{.State}}' "$pod")" Running "pod state"
    infra=$(pm pod inspect --format '{{.InfraContainerID}}' "$pod")
    pi=$(pm inspect --format '{{.State.Pid}}' "$infra")
    pa=$(pm inspect --format '{{.State.Pid}}' "$NAME-a")
    pb=$(pm inspect --format '{{.State.Pid}}' "$NAME-b")
    for ns in net ipc uts; do
        assert_equal "$(readlink /proc/$pa/ns/$ns)" "$(readlink /proc/$pi/ns/$ns)" "a's $ns namespace"
        assert_equal "$(readlink /proc/$pb/ns/$ns)" "$(readlink /proc/$pi/ns/$ns)" "b's $ns namespace"
    done
    [[ $(readlink /proc/$pa/ns/net) != "$(readlink /proc/self/ns/net)" ]] || fail "the pod is in the host's netns"
    [[ $(readlink /proc/$pa/ns/mnt) != "$(readlink /proc/$pb/ns/mnt)" ]] || fail "a and b share a mount namespace"
    # the shared UTS namespace, as the containers see it
    run pm exec "$NAME-b" hostname
    assert_success
    assert_equal "$output" "$(pm exec "$NAME-a" hostname)" "hostname"
    # the containers are the runtime's: in its default state root
    local root=$OCIRT_STATE_ROOT
    is_runc && root=/run/runc
    run "$OCIRT" --root "$root" state "$(pm inspect --format '{{.Id}}' "$NAME-a")"
    assert_success
    run pm pod rm --force --time 0 "$pod"
    assert_success
    assert_equal "$(pm pod ls -q)" "" pods
    assert_equal "$(pm ps -aq)" "" containers
    pm rmi "$IMAGE-infra" >/dev/null
}
