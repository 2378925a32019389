#!/usr/bin/env bats
# Drop-in fidelity of the rootfs setup: a read-only /dev (devices and /dev/pts first, read-only
# last); --no-pivot leaves no host mount in the container's mount namespace; linux.devices adds
# no cgroup rule of its own; bind sources the user namespace cannot reach; a mount destination
# that is a dangling symlink (its target made inside the rootfs); a config without a mount
# namespace (chroot in the caller's, nothing mounted); the pty slave owned by process.user.

load helpers

# mount_opts MOUNTPOINT: the per-mount options of the top mount at MOUNTPOINT in $output.
mount_opts() {
    awk -v mp="$1" '$5 == mp {print $6}' <<<"$output" | tail -n 1
}

@test "/dev tmpfs with ro: the devices and /dev/pts are made, then /dev is read-only" {
    update_config '(.mounts[] | select(.destination == "/dev") | .options) += ["ro"]'
    run_sh 'cat /proc/self/mountinfo; touch /dev/x 2>/dev/null && echo dev-writable
            echo data >/dev/null && echo null-works; test -c /dev/pts/ptmx && echo has-pts'
    assert_success
    [[ $(mount_opts /dev) == ro,* ]] || fail "options of /dev: $(mount_opts /dev)"
    assert_output_contains null-works
    assert_output_contains has-pts
    [[ $output != *dev-writable* ]] || fail "/dev is writable"
}

@test "a read-only tmpfs with a mount below it: the mount is made, then it is read-only" {
    skip_if_runc "runc 1.1.5 defers the read-only remount for /dev only"
    update_config '.mounts += [{destination: "/mnt", type: "tmpfs", source: "tmpfs", options: ["ro"]},
                               {destination: "/mnt/sub/dir", type: "tmpfs", source: "tmpfs"}]'
    run_sh 'cat /proc/self/mountinfo; touch /mnt/x 2>/dev/null && echo mnt-writable
            touch /mnt/sub/dir/y && echo sub-writable'
    assert_success
    [[ $(mount_opts /mnt) == ro,* ]] || fail "options of /mnt: $(mount_opts /mnt)"
    assert_output_contains sub-writable
    [[ $output != *mnt-writable* ]] || fail "/mnt is writable"
}

# proc_sysfs_count PID: how many procfs and sysfs mounts PID's mount namespace holds.
proc_sysfs_count() {
    "$PYTHON3" "$INTEGRATION_DIR/helpers/mount_fstypes.py" "$1" | grep -cx -e proc -e sysfs
}

@test "--no-pivot: no procfs or sysfs of the host stays in the container's mount namespace" {
    # A full procfs anywhere in the namespace, even out of the chroot's reach, lets a nested
    # user namespace mount a fresh one; runc detaches them (msMoveRoot).
    "$PYTHON3" "$INTEGRATION_DIR/helpers/mount_fstypes.py" >/dev/null 2>&1 ||
        skip "no listmount(2)/statmount(2) on this kernel"
    update_config ".process.args = $LONG_ARGS"
    ocirt create --bundle "$BUNDLE" "$CID" >/dev/null
    local pivot no_pivot
    pivot=$(proc_sysfs_count "$(state_field "$CID" .pid)")
    ocirt delete --force "$CID"
    ocirt create --no-pivot --bundle "$BUNDLE" "$CID-b" >/dev/null
    track_id "$CID-b"
    no_pivot=$(proc_sysfs_count "$(state_field "$CID-b" .pid)")
    assert_equal "$no_pivot" "$pivot" "procfs and sysfs mounts with --no-pivot (vs pivot_root)"
}

@test "linux.devices adds no allow rule: a deny-all in linux.resources.devices applies to it" {
    # /dev/kmsg (c 1:11) is not in the default allow list; opening it write-only writes nothing.
    update_config '.linux.devices = [{path: "/dev/mykmsg", type: "c", major: 1, minor: 11, fileMode: 438}]
                   | .linux.resources.devices = [{allow: false, access: "rwm"}]'
    run_sh 'test -c /dev/mykmsg && echo made; (exec 3>/dev/mykmsg) 2>&1 || echo refused'
    assert_success
    assert_output_contains made
    assert_output_contains "Operation not permitted"
    assert_output_contains refused
}

@test "linux.devices with an allow rule in linux.resources.devices can be opened" {
    update_config '.linux.devices = [{path: "/dev/mykmsg", type: "c", major: 1, minor: 11, fileMode: 438}]
                   | .linux.resources.devices = [{allow: false, access: "rwm"},
                                                 {allow: true, type: "c", major: 1, minor: 11, access: "w"}]'
    run_sh '(exec 3>/dev/mykmsg) && echo opened'
    assert_success
    assert_output_equals opened
}

@test "user namespace: a bind source in a 0700 dir of the host's root is opened by the runtime" {
    skip_if_runc "runc 1.1.5 opens bind sources inside the user namespace"
    mkdir -p "$BUNDLE/private/data"
    echo secret >"$BUNDLE/private/data/file"
    chmod 0700 "$BUNDLE/private"
    chmod 0755 "$BUNDLE/private/data"
    chmod 0644 "$BUNDLE/private/data/file"
    update_config '.linux.namespaces += [{"type": "user"}]
        | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        | .mounts += [{destination: "/mnt", type: "bind", source: $s, options: ["rbind", "ro"]}]' \
        --arg s "$BUNDLE/private/data"
    run_sh 'cat /mnt/file'
    assert_success
    assert_output_equals secret
}

@test "a mount destination that is a dangling symlink: its target is made inside the rootfs" {
    use_writable_rootfs
    ln -s /data/x "$BUNDLE/rootfs/link-abs"
    ln -s ../../../../escape-$MARK "$BUNDLE/rootfs/link-rel"
    ln -s /tmp/ocirt-escape-$MARK "$BUNDLE/rootfs/link-tmp"
    update_config '.mounts += [{destination: "/link-abs", type: "tmpfs", source: "tmpfs"},
                               {destination: "/link-rel/sub", type: "tmpfs", source: "tmpfs"},
                               {destination: "/link-tmp", type: "bind", source: $s, options: ["bind"]}]' \
        --arg s "$BUNDLE/config.json"
    run_sh 'awk "{print \$5}" /proc/self/mountinfo'
    assert_success
    assert_output_contains /data/x
    assert_output_contains "/escape-$MARK/sub"
    assert_output_contains "/tmp/ocirt-escape-$MARK"
    [[ -d $BUNDLE/rootfs/data/x ]] || fail "/data/x was not made in the rootfs"
    [[ -d $BUNDLE/rootfs/escape-$MARK/sub ]] || fail "/escape-$MARK/sub was not made in the rootfs"
    [[ -f $BUNDLE/rootfs/tmp/ocirt-escape-$MARK ]] || fail "/tmp/ocirt-escape-$MARK is not a file in the rootfs"
    [[ ! -e /data/x && ! -e /tmp/ocirt-escape-$MARK ]] || fail "a target was made on the host"
    local up
    for up in "$BUNDLE" "$(dirname "$BUNDLE")" "$(dirname "$(dirname "$BUNDLE")")" /; do
        [[ ! -e $up/escape-$MARK ]] || fail "the relative target was made outside: $up/escape-$MARK"
    done
}

# no_mount_ns_config: no namespaces at all, no mounts, nothing that needs a mount namespace;
# a private writable rootfs with a procfs the test mounts itself (in the caller's namespace).
no_mount_ns_config() {
    use_writable_rootfs
    update_config 'del(.hostname) | .linux.namespaces = [] | .mounts = []
                   | .linux.maskedPaths = [] | .linux.readonlyPaths = []
                   | .process.cwd = "/tmp"'
}

@test "no mount namespace: the process is chrooted into the rootfs in the caller's namespace" {
    no_mount_ns_config
    set_sh 'pwd; test -e /.ocirt-rootfs && echo has-stamp; readlink /proc/self/ns/mnt'
    # A private mount namespace stands for the caller's: it holds the test's /proc for the
    # rootfs, and whatever the runtime mounts in it goes away with it.
    run timeout 30 unshare -m --propagation private sh -c '
        mount -t proc proc "$1/rootfs/proc" || exit 9
        readlink /proc/self/ns/mnt
        awk "{print \$5}" /proc/self/mountinfo | sort >"$1/before"
        "$2" --root "$3" run --bundle "$1" "$4" </dev/null || exit
        awk "{print \$5}" /proc/self/mountinfo | sort >"$1/after"' \
        sh "$BUNDLE" "$OCIRT" "$ROOT" "$CID"
    assert_success
    assert_equal "${lines[1]}" /tmp "cwd"
    assert_equal "${lines[2]}" has-stamp "the rootfs is /"
    assert_equal "${lines[3]}" "${lines[0]}" "the caller's mount namespace"
    # runc binds the rootfs onto itself (and would mount mounts[]) in the caller's namespace.
    ocirt_only assert_equal "$(diff "$BUNDLE/before" "$BUNDLE/after")" "" "mounts added to the caller's namespace"
}

@test "no mount namespace: mounts[] is refused by name, nothing is mounted" {
    skip_if_runc "runc makes the mounts in the caller's mount namespace"
    no_mount_ns_config
    update_config '.mounts = [{destination: "/proc", type: "proc", source: "proc"}]'
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "mounts: needs a mount namespace"
    assert_nothing_left "$CID"
    ! grep -q "$BUNDLE" /proc/self/mountinfo || fail "a mount of the bundle was made"
}

# run_tty ARGS...: `ocirt ARGS` with a terminal of its own (script), its output in $output.
run_tty() {
    run timeout 30 script -qec "$OCIRT --root $ROOT $*" /dev/null
}

@test "run with a terminal: the pty slave belongs to process.user.uid, group tty" {
    update_config '.process.terminal = true | .process.user = {uid: 1000, gid: 1000}'
    set_sh 'stat -c "%u %g" $(tty)'
    run_tty run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_equal "$(grep -o '[0-9]* [0-9]*' <<<"$output")" "1000 5" "owner of the pty slave"
}

@test "exec -t: the pty slave belongs to the exec'd process's user, group tty" {
    update_config ".process.args = $LONG_ARGS"
    create_and_start "$CID"
    run_tty exec -t --user 1000:1000 "$CID" sh -c "'stat -c \"%u %g\" \$(tty)'"
    assert_success
    assert_equal "$(grep -o '[0-9]* [0-9]*' <<<"$output")" "1000 5" "owner of the pty slave"
}
