#!/usr/bin/env bats
# spec: writes a starter config.json (like `runc spec`) into the current directory or
# --bundle/-b DIR, refuses to overwrite an existing config.json, --rootless adds a user
# namespace with mappings for the calling user; the written configs run (with root.path
# pointed at the busybox rootfs and a non-interactive process).

load helpers

setup() {
    common_setup
    SPECDIR=$(mktemp -d "${BATS_TMPDIR:-/tmp}/ocirt-it-spec.XXXXXX")
}

teardown() {
    rm -rf "$SPECDIR"
    common_teardown
}

# run_written_config DIR: run DIR/config.json with root.path=ROOTFS, args=$2, no terminal
run_written_config() {
    local dir=$1 script=$2
    jq --arg rootfs "$ROOTFS" --arg s "$script" \
        '.root.path = $rootfs | .process.terminal = false | .process.args = ["sh", "-c", $s]' \
        "$dir/config.json" >"$BUNDLE/config.json"
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
}

@test "spec: writes config.json in the current directory" {
    cd "$SPECDIR"
    run --separate-stderr ocirt_noroot spec
    assert_success
    [[ -f $SPECDIR/config.json ]]
    local c=$SPECDIR/config.json
    jq empty "$c"
    [[ $(jq -r .ociVersion "$c") =~ ^[0-9]+\.[0-9]+\.[0-9]+ ]]
    assert_equal "$(jq -c .process.args "$c")" '["sh"]' process.args
    assert_equal "$(jq -r .process.terminal "$c")" true process.terminal
    assert_equal "$(jq -r .process.cwd "$c")" / process.cwd
    assert_equal "$(jq -cS .process.user "$c")" '{"gid":0,"uid":0}' process.user
    assert_equal "$(jq -cS .root "$c")" '{"path":"rootfs","readonly":true}' root
    assert_equal "$(jq -c '[.linux.namespaces[].type] | sort' "$c")" \
        '["ipc","mount","network","pid","uts"]' "namespaces"
    assert_equal "$(jq -c '[.mounts[].destination]' "$c")" \
        '["/proc","/dev","/dev/pts","/dev/shm","/dev/mqueue","/sys","/sys/fs/cgroup"]' "mount destinations"
    [[ $(jq '.linux.maskedPaths | length' "$c") -gt 0 ]]
    [[ $(jq '.linux.readonlyPaths | length' "$c") -gt 0 ]]
    assert_equal "$(jq -r .process.noNewPrivileges "$c")" true noNewPrivileges
}

@test "spec: fails if config.json exists, and leaves it alone" {
    cd "$SPECDIR"
    echo '{"mine": true}' >config.json
    run --separate-stderr ocirt_noroot spec
    assert_failure
    assert_stderr_contains config.json
    assert_equal "$(cat config.json)" '{"mine": true}' "config.json"
}

@test "spec --bundle DIR and -b DIR write DIR/config.json" {
    mkdir "$SPECDIR/a" "$SPECDIR/b" "$SPECDIR/cwd"
    cd "$SPECDIR/cwd"
    run --separate-stderr ocirt_noroot spec --bundle "$SPECDIR/a"
    assert_success
    jq empty "$SPECDIR/a/config.json"
    run --separate-stderr ocirt_noroot spec -b "$SPECDIR/b"
    assert_success
    jq empty "$SPECDIR/b/config.json"
    [[ ! -e $SPECDIR/cwd/config.json ]] || fail "config.json written to the current directory"
}

@test "spec --bundle of a missing directory fails" {
    run --separate-stderr ocirt_noroot spec --bundle "$SPECDIR/missing"
    assert_failure
    [[ ! -e $SPECDIR/missing/config.json ]]
}

@test "spec --rootless: a user namespace with mappings for the calling user, no network namespace" {
    cd "$SPECDIR"
    run --separate-stderr ocirt_noroot spec --rootless
    assert_success
    local c=$SPECDIR/config.json
    jq -e '.linux.namespaces | map(.type) | index("user")' "$c" >/dev/null || fail "no user namespace"
    jq -e '.linux.namespaces | map(.type) | index("network") | not' "$c" >/dev/null ||
        fail "rootless spec has a network namespace"
    assert_equal "$(jq -cS '.linux.uidMappings' "$c")" "[{\"containerID\":0,\"hostID\":$(id -u),\"size\":1}]" uidMappings
    assert_equal "$(jq -cS '.linux.gidMappings' "$c")" "[{\"containerID\":0,\"hostID\":$(id -g),\"size\":1}]" gidMappings
}

@test "spec: the written config runs" {
    run --separate-stderr ocirt_noroot spec --bundle "$SPECDIR"
    assert_success
    run_written_config "$SPECDIR" 'echo "pid=$$ uid=$(id -u)"'
    assert_success
    assert_output_equals "pid=1 uid=0"
}

@test "spec --rootless: the written config runs (as root too)" {
    run --separate-stderr ocirt_noroot spec --rootless --bundle "$SPECDIR"
    assert_success
    run_written_config "$SPECDIR" 'id -u; cat /proc/self/uid_map'
    assert_success
    assert_equal "${lines[0]}" 0 "uid inside"
    assert_equal "$(squeeze "${lines[1]}")" "0 $(id -u) 1" uid_map
}
