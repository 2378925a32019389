#!/usr/bin/env bats
# checkpoint and restore with CRIU, in the v2 guest (Debian's 6.1 kernel: Debian's criu 3.17
# cannot dump on newer kernels; integration/checkpoint.bats covers the host's errors).
# Each container counts, appending 1, 2, 3, ... to /state/log (a bind mount of a host dir) once
# a second: the number after a restore shows where the process came back from (a fresh start
# would append 1). The rootfs and the bind source are on a tmpfs of the test: CRIU dumps what
# it finds on the guest's 9p/overlay root less readily. The counters share the guest's network
# namespace unless a test says otherwise (one of its own, one joined by path).
# prepare.sh loads what criu needs in the guest (sock_diag, nf_tables, conntrack netlink) and
# init brings the loopback up (criu check connects to 127.0.0.1).
# Skips without criu or where `criu check` fails. Waits are hang guards, never timing assertions.

load ../helpers

setup() {
    command -v criu >/dev/null || skip "criu is not installed (make deps)"
    criu check >/dev/null 2>&1 || skip "criu check fails on this kernel ($(uname -r)): $(criu check 2>&1 | tail -n 1)"
    common_setup
    T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/ocirt-criu.XXXXXX")
    mount -t tmpfs tmpfs "$T"
    cp -a "$ROOTFS" "$T/rootfs"
    mkdir "$T/state" "$T/img"
    update_config '.root = {path: $r, readonly: true}
        | .linux.namespaces |= map(select(.type != "network"))
        | .mounts += [{destination: "/state", type: "bind", source: $s, options: ["rbind", "rw"]}]
        | .process.args = ["sh", "-c", $script]' \
        --arg r "$T/rootfs" --arg s "$T/state" \
        --arg script ": $MARK; "'exec </dev/null >/dev/null 2>&1; i=0; while :; do i=$((i+1)); echo $i >>/state/log; sleep 1; done'
}

teardown() {
    local rc=0
    common_teardown || rc=1
    [[ -n ${T:-} ]] && { umount -l "$T" 2>/dev/null; rm -rf "$T"; }
    return "$rc"
}

lines() { [[ -s $T/state/log ]] && wc -l <"$T/state/log" || echo 0; }
last() { tail -n 1 "$T/state/log"; }
# the line after line N of the log
line_after() { sed -n "$(($1 + 1))p" "$T/state/log"; }
more_than() { (($(lines) > $1)); }

start_counter() {
    create_and_start "$CID"
    wait_until 120 more_than 1
}

# restore_counts_on ARGS...: `restore ARGS... $CID` of the image in $T/img (after the
# checkpoint), then the counter's next number is the one after the last it wrote before.
restore_counts_on() {
    local n=$(lines) at
    at=$(last)
    ocirt restore --image-path "$T/img" --bundle "$BUNDLE" "$@" "$CID"
    wait_until 120 more_than "$n"
    assert_equal "$(line_after "$n")" "$((at + 1))" "the first number after the restore"
}

@test "criu: checkpoint stops and removes the container; restore counts on from where it stopped" {
    start_counter
    ocirt checkpoint --image-path "$T/img" "$CID"
    [[ -s $T/img/inventory.img ]] || fail "no inventory.img in the image dir"
    run ocirt state "$CID"
    assert_failure
    local n=$(lines) at
    at=$(last)
    ocirt restore --image-path "$T/img" --bundle "$BUNDLE" --detach --pid-file "$BUNDLE/pid" "$CID"
    assert_equal "$(state_field "$CID" .status)" running "status after restore"
    assert_equal "$(state_field "$CID" .pid)" "$(cat "$BUNDLE/pid")" "pid file"
    wait_until 120 more_than "$n"
    assert_equal "$(line_after "$n")" "$((at + 1))" "the first number after the restore"
    # every verb works on it
    run ocirt ps "$CID"
    assert_success
    ocirt kill "$CID" KILL
    wait_for_status "$CID" stopped 60
    ocirt delete "$CID"
}

@test "criu: --leave-running keeps it running; a restore of that image counts on from the dump" {
    start_counter
    local before
    before=$(last)
    ocirt checkpoint --image-path "$T/img" --leave-running "$CID"
    assert_equal "$(state_field "$CID" .status)" running "status after checkpoint --leave-running"
    local n=$(lines)
    wait_until 120 more_than "$n"
    ocirt delete --force "$CID"
    n=$(lines)
    local after
    after=$(last)
    ocirt restore --image-path "$T/img" --bundle "$BUNDLE" --detach "$CID"
    wait_until 120 more_than "$n"
    local v
    v=$(line_after "$n")
    ((v > before && v <= after + 1)) || fail "restored counter appended $v: not between $((before + 1)) and $((after + 1))"
    ocirt delete --force "$CID"
}

@test "criu: pre-dump, then a dump on top of it (--parent-path), restores" {
    start_counter
    mkdir "$T/pre"
    ocirt checkpoint --pre-dump --image-path "$T/pre" "$CID"
    assert_equal "$(state_field "$CID" .status)" running "status after pre-dump"
    ocirt checkpoint --image-path "$T/img" --parent-path ../pre "$CID"
    [[ -L $T/img/parent ]] || fail "the dump has no parent link to the pre-dump"
    restore_counts_on --detach
    ocirt delete --force "$CID"
}

@test "criu: a tmpfs's contents come back; exec works in the restored container" {
    update_config '.mounts += [{destination: "/scratch", type: "tmpfs", source: "tmpfs"}]
        | .process.args[2] = "echo mark-" + $m + " >/scratch/mark; " + .process.args[2]' --arg m "$MARK"
    start_counter
    ocirt checkpoint --image-path "$T/img" "$CID"
    ocirt restore --image-path "$T/img" --bundle "$BUNDLE" --detach "$CID"
    run ocirt exec "$CID" cat /scratch/mark
    assert_success
    assert_output_equals "mark-$MARK"
    ocirt delete --force "$CID"
}

@test "criu: a network namespace joined by path stays the restored container's" {
    command -v ip >/dev/null || skip "no ip (iproute2)"
    local ns=ocirt-criu-$$-$BATS_TEST_NUMBER
    ip netns add "$ns"
    update_config '.linux.namespaces += [{type: "network", path: $p}]' --arg p "/run/netns/$ns"
    start_counter
    ocirt checkpoint --image-path "$T/img" "$CID"
    restore_counts_on --detach
    local pid
    pid=$(state_field "$CID" .pid)
    assert_equal "$(stat -L -c %i "/proc/$pid/ns/net")" "$(stat -L -c %i "/run/netns/$ns")" "the init's network namespace"
    ocirt delete --force "$CID"
    ip netns delete "$ns"
}

@test "criu: a container with a network namespace of its own" {
    update_config '.linux.namespaces += [{type: "network"}]'
    start_counter
    ocirt checkpoint --image-path "$T/img" "$CID"
    restore_counts_on --detach
    ocirt delete --force "$CID"
}

@test "criu: a failed restore (a bind source gone) leaves nothing, with criu's reason" {
    start_counter
    ocirt checkpoint --image-path "$T/img" "$CID"
    mv "$T/state" "$T/moved"
    run --separate-stderr ocirt restore --image-path "$T/img" --bundle "$BUNDLE" --detach \
        --pid-file "$BUNDLE/pid" "$CID"
    assert_status 1
    assert_stderr_contains "criu restore failed"
    assert_stderr_contains "$T/img/restore.log"
    [[ ! -e $BUNDLE/pid ]] || fail "a failed restore wrote the pid file"
    assert_nothing_left "$CID"
}

@test "criu: restore without -d stays with the init and deletes the container when it exits" {
    start_counter
    ocirt checkpoint --image-path "$T/img" "$CID"
    ocirt restore --image-path "$T/img" --bundle "$BUNDLE" "$CID" &
    local job=$!
    wait_for_status "$CID" running 120
    ocirt kill "$CID" KILL
    local rc=0
    wait "$job" || rc=$?
    assert_equal "$rc" 137 "restore's exit code (the init killed by SIGKILL)"
    run ocirt state "$CID"
    assert_failure
}

@test "criu: stdio opened outside the container (files, /dev/null) are the restoring caller's" {
    # no redirection in the container: its stdio stay the helper's files and /dev/null
    update_config '.process.args[2] |= sub("exec </dev/null >/dev/null 2>&1; "; "")'
    start_counter
    local pid
    pid=$(state_field "$CID" .pid)
    [[ $(readlink "/proc/$pid/fd/1") == /* ]] || fail "the init's stdout is no file: $(readlink "/proc/$pid/fd/1")"
    ocirt checkpoint --image-path "$T/img" "$CID"
    grep -q 'file\[' "$T/img/descriptors.json" || fail "descriptors.json: $(cat "$T/img/descriptors.json")"
    local n=$(lines) at
    at=$(last)
    timeout 120 "$OCIRT" --root "$ROOT" restore --image-path "$T/img" --bundle "$BUNDLE" --detach "$CID" \
        </dev/null >"$T/restored.out" 2>&1
    wait_until 120 more_than "$n"
    assert_equal "$(line_after "$n")" "$((at + 1))" "the first number after the restore"
    pid=$(state_field "$CID" .pid)
    assert_equal "$(readlink "/proc/$pid/fd/1")" "$T/restored.out" "the restored init's stdout"
    ocirt delete --force "$CID"
}

@test "criu: a paused container is checkpointed; the restored one runs" {
    start_counter
    ocirt pause "$CID"
    local at
    at=$(last)
    ocirt checkpoint --image-path "$T/img" "$CID"
    local n=$(lines)
    assert_equal "$(last)" "$at" "nothing counted while paused"
    ocirt restore --image-path "$T/img" --bundle "$BUNDLE" --detach "$CID"
    assert_equal "$(state_field "$CID" .status)" running "status after restore"
    wait_until 120 more_than "$n"
    assert_equal "$(line_after "$n")" "$((at + 1))" "the first number after the restore"
    ocirt delete --force "$CID"
}

@test "criu: a container with a terminal: the restored one's pty master goes to --console-socket" {
    update_config '.process.terminal = true
        | .process.args[2] |= sub("exec </dev/null >/dev/null 2>&1; "; "") | .process.args[2] |= sub("echo \\$i >>/state/log"; "echo $i >>/state/log; echo tty-$i")'
    local sock=$T/console.sock out=$T/console.out
    "$PYTHON3" "$INTEGRATION_DIR/helpers/console_receiver.py" "$sock" "$out" </dev/null >/dev/null 2>&1 &
    local receiver=$!
    wait_until 60 test -S "$sock"
    ocirt create --bundle "$BUNDLE" --console-socket "$sock" "$CID"
    ocirt start "$CID"
    wait_until 120 more_than 1
    ocirt checkpoint --image-path "$T/img" "$CID"
    local at
    at=$(last)
    restore_counts_on --detach --console-socket "$sock"
    # what the restored process writes on its terminal reaches the receiver, through the new master
    wait_until 120 grep -q "tty-$((at + 1))" "$out"
    ocirt delete --force "$CID"
    kill "$receiver"
    wait "$receiver" || true
}
