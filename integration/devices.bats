#!/usr/bin/env bats
# linux.devices: made with mknod (type, major, minor, fileMode, uid, gid), or bind-mounted from
# the host inside a user namespace (where mknod is not allowed); a fifo; and bad input of
# issue 3's list: a device with a bad type, overlapping id mappings, a relative mount
# destination; each fails naming the field and leaves nothing behind.

load helpers

@test "linux.devices: a char device with its mode, owner and numbers" {
    update_config '.linux.devices = [{path: "/dev/mynull", type: "c", major: 1, minor: 3,
                    fileMode: 438, uid: 1, gid: 2}]
                   | .linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 3, access: "rwm"}]'
    run_sh 'stat -c "%F %t:%T %a %u:%g" /dev/mynull; echo data > /dev/mynull && echo written'
    assert_success
    assert_equal "${lines[0]}" "character special file 1:3 666 1:2" "type, numbers, mode, owner"
    assert_equal "${lines[1]}" written "the device works"
}

@test "linux.devices: a fifo" {
    update_config '.linux.devices = [{path: "/dev/myfifo", type: "p", fileMode: 384}]'
    run_sh 'stat -c "%F %a" /dev/myfifo'
    assert_success
    assert_output_equals "fifo 600"
}

@test "linux.devices in a user namespace: bind-mounted from the host" {
    skip_if_runc  # runc 1.1 does the same, but the test's mapping needs its own rootfs perms
    update_config '.linux.namespaces += [{type: "user"}]
                   | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
                   | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
                   | .linux.devices = [{path: "/dev/full", type: "c", major: 1, minor: 7}]
                   | .mounts |= map(select(.type != "cgroup"))'
    run_sh 'grep -c " /dev/full " /proc/self/mountinfo; head -c 4 /dev/zero | od -An -tx1 | tr -d " "'
    assert_success
    assert_equal "${lines[0]}" 1 "/dev/full is a bind mount"
    assert_equal "${lines[1]}" 00000000 "/dev/zero (a default device) works"
}

# create_fails FIELD: create fails, stderr names FIELD, nothing is left behind.
create_fails() {
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    ocirt_only assert_stderr_contains "$1"
    assert_nothing_left "$CID"
}

@test "a device with a bad type fails naming it" {
    update_config '.linux.devices = [{path: "/dev/x", type: "x", major: 1, minor: 3}]'
    create_fails 'linux.devices[0].type'
}

@test "overlapping uid mappings fail naming them" {
    update_config '.linux.namespaces += [{type: "user"}]
                   | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 1000},
                                           {containerID: 500, hostID: 300000, size: 10}]
                   | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
    create_fails 'linux.uidMappings'
}

@test "a relative mount destination fails naming it" {
    skip_if_runc  # runc accepts it with a deprecation warning (docs/conformance.md)
    update_config '.mounts += [{destination: "relative/dir", type: "tmpfs", source: "tmpfs"}]'
    create_fails 'destination: must be an absolute path'
}

@test "a bind mount of a missing source fails naming it" {
    update_config '.mounts += [{destination: "/mnt", type: "bind", source: "/nonexistent-ocirt-src", options: ["bind"]}]'
    create_fails '/nonexistent-ocirt-src'
}
