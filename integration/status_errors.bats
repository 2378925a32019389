#!/usr/bin/env bats
# Failures that used to be swallowed: a freezer file that cannot be read made `state` say
# "running"; a failed write-back of the old limits after a failed `update` went unsaid.
# The faults are made with a bind mount over one of the container's cgroup files, in a mount
# namespace of the runtime's own (with_bind): the bind goes with that namespace, never
# outliving the cgroup dir on the host (the kernel keeps a bind on a file of a removed cgroup
# dir in the mount table, where nobody can unmount it).

load helpers
load helpers/cgroups

setup() {
    common_setup
    cgroups_setup
    update_config '.process.args = $a' --argjson a "$LONG_ARGS"
}

teardown() {
    local rc=0
    common_teardown || rc=$?
    cgroups_teardown
    return "$rc"
}

# with_bind SRC TARGET ARGS...: the runtime with ARGS, in a private mount namespace where a
# read-only bind of SRC covers TARGET.
with_bind() {
    local src=$1 target=$2
    shift 2
    timeout --kill-after=5 "$OCIRT_TIMEOUT" unshare -m --propagation private sh -c '
        mount --bind "$1" "$2" && mount -o remount,bind,ro "$2" || exit 99
        shift 2
        exec "$@"' sh "$src" "$target" "$OCIRT" --root "$ROOT" "$@" </dev/null
}

# The file the runtime reads to tell paused from running.
freezer_file() {
    if is_v2; then echo "$(cg_dir freezer)/cgroup.events"; else echo "$(cg_dir freezer)/freezer.state"; fi
}

@test "status: an unreadable freezer is an error naming the file, not \"running\"; delete --force still works" {
    is_v2 || has_controller freezer || skip "no freezer cgroup on this host"
    # mode 0200: root's read is refused (EACCES); a write of "THAWED" is not a number (EINVAL)
    [[ -e /proc/sys/vm/drop_caches ]] || skip "no /proc/sys/vm/drop_caches"
    create_and_start "$CID"
    local f
    f=$(freezer_file)
    [[ -f $f ]] || skip "no $f"

    run --separate-stderr with_bind /proc/sys/vm/drop_caches "$f" state "$CID"
    assert_failure
    ocirt_only assert_stderr_contains "$f"
    ocirt_only assert_stderr_contains "cannot tell running from paused"

    # one such container does not hide the others, nor fail the listing
    run --separate-stderr with_bind /proc/sys/vm/drop_caches "$f" list
    ocirt_only assert_success
    ocirt_only assert_output_contains "$CID"
    ocirt_only assert_stderr_contains "$f"

    run --separate-stderr with_bind /proc/sys/vm/drop_caches "$f" delete --force "$CID"
    ocirt_only assert_success
    run ocirt state "$CID"
    ocirt_only assert_failure
}

@test "update: a failed write-back of the old limits is reported with the failed update" {
    update_config '.linux.resources.pids.limit = 100'
    create_and_start "$CID"
    local f ro=$BATS_TEST_TMPDIR/pids.max
    f=$(cg_dir pids)/pids.max
    echo 100 >"$ro"
    # a read-only bind over pids.max: the update's write fails (EROFS), and so does the
    # write-back of the stored 100
    run --separate-stderr with_bind "$ro" "$f" update --pids-limit 50 "$CID"
    assert_failure
    ocirt_only assert_stderr_contains "linux.resources.pids.limit"
    ocirt_only assert_stderr_contains "restoring the previous limits failed too"
    ocirt_only assert_stderr_contains "cgroup $CGPATH now holds values"
    # the config copy still has the old value, and the next update works
    assert_equal "$(cg_read pids pids.max)" 100 pids.max
    ocirt update --pids-limit 50 "$CID"
    assert_equal "$(cg_read pids pids.max)" 50 pids.max
}
