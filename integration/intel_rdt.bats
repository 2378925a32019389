#!/usr/bin/env bats
# linux.intelRdt (config-linux.md "IntelRdt"): applied through the resctrl filesystem. Where
# resctrl is not mounted the spec asks for an error: create fails naming the field and leaves
# nothing behind. The writes themselves are tested against a fake resctrl tree in the unit tests
# (tests/intel_rdt_test.cpp); on a host with resctrl mounted these tests are skipped.

load helpers

setup() {
    common_setup
    if grep -q ' - resctrl ' /proc/self/mountinfo; then
        skip "resctrl is mounted here: the not-mounted error cannot be shown"
    fi
}

@test "intelRdt: resctrl not mounted is an error naming linux.intelRdt; nothing left" {
    update_config '.linux.intelRdt = {closID: "ocirt-test", l3CacheSchema: "L3:0=f"}'
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    # runc 1.1.5: "intelRdt is specified in config, but Intel RDT is not supported or enabled"
    [[ ${stderr,,} == *intelrdt* ]] || fail "the error does not name intelRdt: $stderr"
    ocirt_only assert_stderr_contains "linux.intelRdt: resctrl is not mounted"
    [[ ! -e $ROOT/$CID ]] || fail "state dir left"
}

@test "intelRdt: every form of the field gets the same error (schemata, enableMonitoring, no closID)" {
    skip_if_runc "runc 1.1.5 does not know schemata or enableMonitoring"
    local v
    for v in '{schemata: ["L3:0=f"]}' '{enableMonitoring: true}' '{}' '{closID: "/"}'; do
        update_config ".linux.intelRdt = $v"
        run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
        assert_failure
        assert_stderr_contains "linux.intelRdt: resctrl is not mounted"
    done
}

@test "intelRdt: a bad value is refused naming its field" {
    update_config '.linux.intelRdt = {memBwSchema: "L3:0=f"}'
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    ocirt_only assert_stderr_contains 'linux.intelRdt.memBwSchema: must start with "MB:"'
}
