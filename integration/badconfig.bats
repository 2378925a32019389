#!/usr/bin/env bats
# Bad config.json: invalid JSON, wrong types, unknown enum values, empty or missing required
# fields, paths that do not exist, settings the kernel would refuse. Each case: `create`
# exits non-zero, leaves nothing behind (assert_nothing_left), and the message on stderr
# names the offending JSON field (ocirt's messages name the JSON path, e.g. "process.args";
# under runc only the assertions that hold for runc's own wording are checked).

load helpers

# create_fails [--any-runtime] SUBSTRING...: `create` must fail, leave nothing behind, and its
# stderr must contain every SUBSTRING. Without --any-runtime the message is only checked
# against ocirt (runc words it differently).
create_fails() {
    local check=ocirt_only
    if [[ $1 == --any-runtime ]]; then
        check=""
        shift
    fi
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    [[ -n $stderr ]] || fail "no error message on stderr"
    local s
    for s in "$@"; do
        $check assert_stderr_contains "$s"
    done
    assert_nothing_left
}

@test "invalid JSON: the message names config.json" {
    printf '{"ociVersion": "1.0.2", "process": {bad' >"$BUNDLE/config.json"
    create_fails config.json
}

@test "empty config.json fails" {
    : >"$BUNDLE/config.json"
    create_fails config.json
}

@test "config.json is not an object" {
    echo '[1, 2, 3]' >"$BUNDLE/config.json"
    create_fails config.json
}

@test "process.args is a number" {
    update_config '.process.args = 5'
    create_fails --any-runtime process.args
}

@test "process.args holds a number" {
    update_config '.process.args = ["true", 5]'
    create_fails --any-runtime process.args
}

@test "process.args is an empty array" {
    update_config '.process.args = []'
    create_fails process.args
}

@test "process.user.uid is a string" {
    update_config '.process.user.uid = "root"'
    create_fails --any-runtime process.user.uid
}

@test "process.cwd is relative" {
    update_config '.process.cwd = "tmp"'
    create_fails process.cwd
}

@test "process.env entry without '='" {
    update_config '.process.env += ["NOEQUALS"]'
    create_fails process.env NOEQUALS
}

@test "process.rlimits[0].type is unknown" {
    update_config '.process.rlimits[0].type = "RLIMIT_FOO"'
    create_fails --any-runtime RLIMIT_FOO
    ocirt_only assert_stderr_contains "process.rlimits[0].type"
}

@test "process.oomScoreAdj out of range (5000)" {
    update_config '.process.oomScoreAdj = 5000'
    create_fails process.oomScoreAdj
}

@test "linux.namespaces[0].type is unknown" {
    update_config '.linux.namespaces[0].type = "foo"'
    create_fails "linux.namespaces[0].type"
}

@test "linux.namespaces has the same type twice" {
    update_config '.linux.namespaces += [{"type": "pid"}]'
    create_fails linux.namespaces
}

@test "linux.namespaces[].path does not exist: the message names the path" {
    update_config '.linux.namespaces |= map(if .type == "network" then .path = "/nonexistent/ns/net" else . end)'
    create_fails --any-runtime /nonexistent/ns/net
}

@test "hostname without a uts namespace" {
    update_config '.hostname = "h" | .linux.namespaces -= [{"type": "uts"}]'
    create_fails hostname
}

@test "linux.sysctl key that is not namespaced" {
    # the host's current value: a runtime that wrongly applied it would change nothing
    update_config '.linux.sysctl = {"vm.overcommit_memory": $v}' --arg v "$(cat /proc/sys/vm/overcommit_memory)"
    create_fails vm.overcommit_memory
}

@test "root missing" {
    update_config 'del(.root)'
    create_fails root
}

@test "root.path points to a missing directory: the message names the path" {
    update_config '.root.path = $p' --arg p "$BUNDLE/no-such-rootfs"
    create_fails --any-runtime "$BUNDLE/no-such-rootfs"
}

@test "root.path relative and missing: the message names the path" {
    update_config '.root.path = "no-such-rootfs"'
    create_fails --any-runtime no-such-rootfs
}

@test "container id with a slash" {
    update_config ".process.args = $LONG_ARGS"
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID/x"
    assert_failure
    [[ -n $stderr ]]
    assert_nothing_left "$CID" "$CID/x"
    [[ -z $(ls -A "$ROOT") ]]
}
