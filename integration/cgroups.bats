#!/usr/bin/env bats
# The container's cgroup: made under linux.cgroupsPath, removed on delete; a parent dir made
# by one container and shared with another does not stop the first one's delete.
# Runs on v1/hybrid hosts and in the cgroup-v2 guest (integration/vm/suites).

load helpers

@test "two containers under a parent the first one made: each delete succeeds and removes its own cgroup" {
    local parent="/ocirt-test-$$-$BATS_TEST_NUMBER"
    local b="${CID}-b"
    track_id "$b"
    update_config '.process.args = $a | .linux.cgroupsPath = $p' --argjson a "$LONG_ARGS" --arg p "$parent/a"
    local cg
    cg=$(cgroup_dir "$parent")
    ocirt create --bundle "$BUNDLE" "$CID"
    [[ -d $cg/a ]] || fail "no cgroup for A"
    update_config '.linux.cgroupsPath = $p' --arg p "$parent/b"
    ocirt create --bundle "$BUNDLE" "$b"
    run --separate-stderr ocirt delete --force "$CID"
    assert_success
    [[ -d $cg/b ]] || fail "B's cgroup went with A"
    [[ ! -d $cg/a ]] || fail "A's cgroup is left"
    run --separate-stderr ocirt delete --force "$b"
    assert_success
    [[ ! -d $cg/b ]] || fail "B's cgroup is left"
    # The parent was busy when A went and is not B's: left empty, as runc leaves it. It is ours.
    local d
    for d in /sys/fs/cgroup$parent /sys/fs/cgroup/*$parent; do [[ -d $d ]] && rmdir "$d"; done
    return 0
}
