#!/usr/bin/env bats
# linux.netDevices (runtime-spec 1.3, config-linux.md "Network Devices"): a host interface is
# moved into the container's network namespace by name, renamed by `name`, keeps its permanent
# global addresses and is set up. On delete ocirt leaves it to the kernel, as the spec says (a
# virtual device such as the veth end used here dies with the namespace, its peer with it; a physical one returns to
# the host); a failed create moves it back under its host name with its address. Errors name
# linux.netDevices["<name>"]: no such interface, no network namespace of the container's own, a
# name already taken inside.
#
# runc 1.1.5 predates the field (it ignores it), so these tests are skipped against it.

load helpers

setup() {
    common_setup
    skip_if_runc "runc 1.1.5 ignores linux.netDevices (added in runc 1.3)"
    command -v ip >/dev/null || skip "no ip(8) (iproute2)"
    DUMMY=ocd$BATS_TEST_NUMBER-$$
    DUMMY2=oce$BATS_TEST_NUMBER-$$
    ADDR=10.253.$((BATS_TEST_NUMBER % 250)).1/24
    if ! ip link add "$DUMMY" type veth peer name "${DUMMY}p" 2>/dev/null; then
        skip "cannot make a veth pair (no veth module?)"
    fi
    ip address add "$ADDR" dev "$DUMMY"
    ip link set dev "$DUMMY" up
    LONG_CONFIG='.process.args = '"$LONG_ARGS"
}

teardown() {
    local rc=0
    common_teardown || rc=$?
    # The devices of a dead container's namespace go with it: wait for that, bounded.
    wait_until 10 no_link "$DUMMY" || true
    local d
    for d in "$DUMMY" "$DUMMY2" "${DUMMY}p" "${DUMMY2}p"; do
        if ip link show dev "$d" >/dev/null 2>&1; then
            [[ $d == "$DUMMY"* && ${KEEP_DUMMY:-} ]] || { echo "teardown: interface $d left on the host" >&2; rc=1; }
            ip link del dev "$d" 2>/dev/null || true  # a veth end takes its peer along
        fi
    done
    return "$rc"
}

no_link() { ! ip link show dev "$1" >/dev/null 2>&1; }

@test "netDevices: moved in by name, renamed, with its address, set up; gone with the container" {
    ip link set dev "$DUMMY" down  # set up inside, whatever it was on the host
    update_config "$LONG_CONFIG"' | .linux.netDevices = {($d): {name: "ctr0"}}' --arg d "$DUMMY"
    create_and_start "$CID"
    run ocirt exec "$CID" ip -o -4 address show dev ctr0
    assert_success
    assert_output_contains "inet $ADDR"
    run ocirt exec "$CID" cat /sys/class/net/ctr0/flags
    assert_success
    (( output & 1 )) || fail "ctr0 is not up inside (flags $output)"
    run ocirt exec "$CID" sh -c 'ls /sys/class/net'
    [[ $output != *"$DUMMY"* ]] || fail "the host name is still seen inside: $output"
    no_link "$DUMMY" || fail "$DUMMY is still on the host"
    run ocirt delete --force "$CID"
    assert_success
    # A virtual device dies with the namespace (the spec: no move out before delete).
    wait_until 10 no_link "$DUMMY"
}

@test "netDevices: without a name the host name is kept; a %d template is filled in by the kernel" {
    ip link add "$DUMMY2" type veth peer name "${DUMMY2}p"
    update_config '.process.args = ["ls", "/sys/class/net"] | .linux.netDevices = {($d): {}, ($e): {name: "ctr%d"}}' \
        --arg d "$DUMMY" --arg e "$DUMMY2"
    run ocirt run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_output_contains "$DUMMY"
    assert_output_contains "ctr0"
    wait_until 10 no_link "$DUMMY2"
}

@test "netDevices: a failed create moves the device back with its name, address and state" {
    # The init fails after the move: its executable does not exist.
    update_config '.process.args = ["/no/such/binary"] | .linux.netDevices = {($d): {name: "ctr0"}}' --arg d "$DUMMY"
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_output_contains "/no/such/binary"
    run ip -o -4 address show dev "$DUMMY"
    assert_success
    assert_output_contains "inet $ADDR"
    run cat "/sys/class/net/$DUMMY/flags"
    (( output & 1 )) || fail "$DUMMY is not up again (flags $output)"
    KEEP_DUMMY=1
}

@test "netDevices: a failing createRuntime hook sees the device inside, then it is back on the host" {
    # The hook prints what the container's namespace has (its state, with the pid, on stdin).
    cat >"$BUNDLE/hook.sh" <<'HOOK'
#!/bin/sh
pid=$(/bin/sed -n 's/.*"pid": *\([0-9][0-9]*\).*/\1/p')
/usr/bin/nsenter --net="/proc/$pid/ns/net" /usr/sbin/ip -o address show dev ctr0 >&2
exit 3
HOOK
    chmod +x "$BUNDLE/hook.sh"
    update_config '.linux.netDevices = {($d): {name: "ctr0"}} | .hooks.createRuntime = [{path: $h}]' \
        --arg d "$DUMMY" --arg h "$BUNDLE/hook.sh"
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "inet $ADDR"
    run ip -o -4 address show dev "$DUMMY"
    assert_success
    assert_output_contains "inet $ADDR"
    KEEP_DUMMY=1
}

@test "netDevices: no such interface on the host is an error naming it; nothing made" {
    update_config '.linux.netDevices = {"nosuch'$$'": {}}'
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "linux.netDevices[\"nosuch$$\"]: no such network interface on the host"
    KEEP_DUMMY=1
}

@test "netDevices: without a network namespace of the container's own it is an error" {
    update_config 'del(.linux.namespaces[] | select(.type == "network")) | .linux.netDevices = {($d): {}}' --arg d "$DUMMY"
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "linux.netDevices: needs a network namespace of the container's own"
    # Joining the runtime's own namespace by path is the same thing.
    update_config '.linux.namespaces += [{type: "network", path: "/proc/1/ns/net"}]'
    if [[ $(readlink /proc/1/ns/net) == "$(readlink /proc/$$/ns/net)" ]]; then
        run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
        assert_failure
        assert_stderr_contains "is the runtime's own network namespace"
    fi
    ip link show dev "$DUMMY" >/dev/null || fail "$DUMMY moved"
    KEEP_DUMMY=1
}

@test "netDevices: a name already taken inside is an error; devices already moved go back" {
    update_config '.linux.netDevices = {($d): {name: "lo"}}' --arg d "$DUMMY"
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "linux.netDevices[\"$DUMMY\"]: name \"lo\" is already taken in the container's network namespace"
    # Two devices asking for one name: the first is moved, the second fails, the first comes back.
    ip link add "$DUMMY2" type veth peer name "${DUMMY2}p"
    update_config '.linux.netDevices = {($d): {name: "ctr0"}, ($e): {name: "ctr0"}}' --arg d "$DUMMY" --arg e "$DUMMY2"
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "linux.netDevices[\"$DUMMY2\"]: name \"ctr0\" is already taken"
    run ip -o -4 address show dev "$DUMMY"
    assert_success
    assert_output_contains "inet $ADDR"
    ip link show dev "$DUMMY2" >/dev/null || fail "$DUMMY2 is not on the host"
    ip link del dev "$DUMMY2"
    KEEP_DUMMY=1
}
