#!/usr/bin/env bats
# --systemd-cgroup on a host where systemd may not answer: what fails before systemd is asked
# (a malformed linux.cgroupsPath, a bad org.systemd.property.* annotation) and the error when no
# systemd is on the bus. Each fails, names the field or the bus address, and leaves nothing.
# The driver's real work (units, limits, daemon-reload, engines) is tested in the systemd guest
# (integration/vm/systemd_driver.bats).

load helpers

# create_fails_systemd SUBSTRING...: create with --systemd-cgroup fails, leaves nothing, and
# its stderr has every SUBSTRING (checked against ocirt only: runc words it differently).
create_fails_systemd() {
    run --separate-stderr ocirt --systemd-cgroup create --bundle "$BUNDLE" "$CID"
    assert_failure
    [[ -n $stderr ]] || fail "no error message on stderr"
    local s
    for s in "$@"; do
        ocirt_only assert_stderr_contains "$s"
    done
    assert_nothing_left
}

@test "systemd: no systemd on the bus: create fails naming the bus address, nothing left" {
    export DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/ocirt-test-$MARK
    create_fails_systemd "no systemd on the system bus at unix:path=/nonexistent/ocirt-test-$MARK: is systemd PID 1?"
    # The default cgroupsPath (":ocirt:<id>") too, and run as well as create.
    update_config 'del(.linux.cgroupsPath)'
    run --separate-stderr ocirt --systemd-cgroup run -d --bundle "$BUNDLE" "$CID"
    assert_failure
    ocirt_only assert_stderr_contains "no systemd on the system bus"
    assert_nothing_left
}

@test "systemd: a cgroupsPath not in slice:prefix:name form is refused before systemd is asked" {
    export DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/ocirt-test-$MARK
    local p
    for p in /ocirt-test/a a:b a:b:c:d system.slice:p: nosuffix:p:n; do
        update_config '.linux.cgroupsPath = $p' --arg p "$p"
        run --separate-stderr ocirt --systemd-cgroup create --bundle "$BUNDLE" "$CID"
        assert_failure
        [[ $p == *:*:* ]] || ocirt_only assert_stderr_contains "slice:prefix:name"
        ocirt_only assert_stderr_contains "linux.cgroupsPath: \"$p\""
        if ! is_runc && [[ $stderr == *"no systemd"* ]]; then fail "systemd was asked before the path was checked"; fi
        assert_nothing_left
    done
}

@test "systemd: a slice name systemd would refuse names linux.cgroupsPath" {
    skip_if_runc "runc 1.1 leaves the slice's validity to systemd"
    export DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/ocirt-test-$MARK
    update_config '.linux.cgroupsPath = "a--b.slice:ocirt:x"'
    create_fails_systemd 'linux.cgroupsPath: "a--b.slice:ocirt:x"' "double dash"
    update_config '.linux.cgroupsPath = "system.slice:ocirt:x/y"'
    create_fails_systemd 'linux.cgroupsPath' "which systemd does not allow"
    update_config '.linux.cgroupsPath = "system.slice:ocirt:other-x.slice"'
    create_fails_systemd 'is not a child of "system.slice"'
}

@test "systemd: a bad org.systemd.property annotation names it, before systemd is asked" {
    skip_if_runc "runc 1.1 asks systemd first"
    export DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent/ocirt-test-$MARK
    update_config '.annotations["org.systemd.property.TimeoutStopUSec"] = "uint64 -5"'
    create_fails_systemd 'annotations["org.systemd.property.TimeoutStopUSec"]' "out of range"
    update_config '.annotations = {"org.systemd.property.bad-name": "1"}'
    create_fails_systemd 'annotations["org.systemd.property.bad-name"]' "not a systemd property name"
}
