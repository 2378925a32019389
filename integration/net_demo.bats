#!/usr/bin/env bats
# make demo-net (bundles/net/demo.sh): a veth pair between the host and a container, the
# container end moved in by linux.netDevices or by a createRuntime hook; ping works both ways,
# and afterwards nothing the demo made is left (container, veth ends, state dirs).
#
# The netDevices mode needs ocirt (runc 1.1.5 ignores the field); the hook mode runs on runc too.

load helpers

setup() {
    common_setup
    command -v ip >/dev/null || skip "no ip(8) (iproute2)"
    command -v busybox >/dev/null || skip "no busybox on the host (busybox-static)"
    if ! ip link add "ocirt-t$$" type veth peer name "ocirt-u$$" 2>/dev/null; then
        skip "cannot make a veth pair (no veth module?)"
    fi
    ip link del "ocirt-t$$"
    DEMO=$REPO_ROOT/bundles/net/demo.sh
}

# No veth of the demo and no state dir of its may be left.
nothing_left() {
    local left
    left=$(ip -o link show | grep -oE 'ocirt-[hc][0-9]+' || true)
    [[ -z $left ]] || fail "interfaces left: $left"
}

run_demo() {
    run timeout 120 env OCIRT="$OCIRT" DEMO_NET_MODE="$1" "$DEMO"
    echo "$output"
    assert_success
    assert_output_contains "container -> host: ping 10.254.254.1"
    assert_output_contains "1 packets transmitted, 1 packets received"
    assert_output_contains "ping works both ways"
    # Both pings: each prints its own summary.
    [[ $(grep -c "1 packets received" <<<"$output") -eq 2 ]] || fail "expected two answered pings"
    wait_until 10 nothing_left
}

@test "demo-net: netDevices moves the veth end in; ping both ways; nothing left" {
    skip_if_runc "runc 1.1.5 ignores linux.netDevices"
    run_demo netdevices
    assert_output_contains "eth0"
    assert_output_contains "10.254.254.2/30"
}

@test "demo-net: a createRuntime hook moves the veth end in; ping both ways; nothing left" {
    run_demo hook
    assert_output_contains "10.254.254.2/30"
}

@test "demo-net: an unknown mode is refused before anything is made" {
    run env OCIRT="$OCIRT" DEMO_NET_MODE=bridge "$DEMO"
    assert_status 2
    assert_output_contains "DEMO_NET_MODE must be netdevices or hook"
    nothing_left
}
