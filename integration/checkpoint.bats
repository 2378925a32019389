#!/usr/bin/env bats
# checkpoint and restore on the host: what `features` says agrees with `criu check`; where
# CRIU cannot work on this kernel, checkpoint fails with CRIU's own reason (its log's error
# lines) and the container runs on; bad input (no image dir, a dir that is no checkpoint, an
# id in use, a bad flag value) fails naming the thing and leaves nothing. The working dump and
# restore are shown in the v2 guest (integration/vm/criu.bats, Debian's 6.1 kernel).

load helpers

setup() {
    common_setup
    skip_if_runc "ocirt's messages and features annotations"
    command -v criu >/dev/null || skip "criu is not installed (make deps)"
}

criu_works() { criu check >/dev/null 2>&1; }

@test "checkpoint: features agrees with criu check, with the reason when false" {
    run --separate-stderr ocirt features
    assert_success
    local enabled reason
    enabled=$(jq -r '.annotations["io.github.ocirt.checkpoint.enabled"]' <<<"$output")
    reason=$(jq -r '.annotations["io.github.ocirt.checkpoint.reason"] // ""' <<<"$output")
    if criu_works; then
        assert_equal "$enabled" true checkpoint.enabled
    else
        assert_equal "$enabled" false checkpoint.enabled
        [[ $reason == "criu check failed"* ]] || fail "no reason with checkpoint.enabled false: '$reason'"
    fi
}

@test "checkpoint: where criu cannot dump, the error is criu's own and the container runs on" {
    criu_works && skip "criu check passes on this kernel ($(uname -r)): the guest shows a working dump"
    update_config ".process.args = $LONG_ARGS"
    create_and_start "$CID"
    run --separate-stderr ocirt checkpoint --image-path "$BUNDLE/img" --work-path "$BUNDLE/work" "$CID"
    assert_status 1
    assert_stderr_contains "criu dump failed"
    assert_stderr_contains "$BUNDLE/work/dump.log"
    assert_stderr_contains "Error"
    assert_equal "$(state_field "$CID" .status)" running "status after the failed checkpoint"
    [[ ! -e $BUNDLE/img/inventory.img ]] || fail "a failed dump left an image"
}

@test "restore: a missing image dir, a dir without a checkpoint: errors naming it, nothing left" {
    run --separate-stderr ocirt restore --image-path "$BUNDLE/no-such" --bundle "$BUNDLE" -d \
        --pid-file "$BUNDLE/pid" "$CID"
    assert_status 1
    assert_stderr_contains "checkpoint image dir $BUNDLE/no-such: No such file or directory"
    mkdir "$BUNDLE/empty"
    run --separate-stderr ocirt restore --image-path "$BUNDLE/empty" --bundle "$BUNDLE" -d "$CID"
    assert_status 1
    assert_stderr_contains "$BUNDLE/empty: no inventory.img"
    [[ ! -e $BUNDLE/pid ]] || fail "a failed restore wrote the pid file"
    assert_nothing_left "$CID"
}

@test "restore: an id in use is refused and the container it names is untouched" {
    update_config ".process.args = $LONG_ARGS"
    create_and_start "$CID"
    local pid
    pid=$(state_field "$CID" .pid)
    mkdir "$BUNDLE/img"
    : >"$BUNDLE/img/inventory.img"  # past the image check: the id is what fails
    run --separate-stderr ocirt restore --image-path "$BUNDLE/img" --bundle "$BUNDLE" -d "$CID"
    assert_status 1
    assert_stderr_contains "container \"$CID\" already exists"
    assert_equal "$(state_field "$CID" .status)/$(state_field "$CID" .pid)" "running/$pid" "the container in place"
}

@test "checkpoint: bad flag values and unknown containers name what is wrong" {
    run --separate-stderr ocirt checkpoint --manage-cgroups-mode bogus "$CID"
    assert_status 1
    assert_stderr_contains "--manage-cgroups-mode: \"bogus\""
    run --separate-stderr ocirt checkpoint --image-path "$BUNDLE/img" "$CID"
    assert_status 1
    assert_stderr_contains "container \"$CID\" does not exist"
    [[ ! -e $BUNDLE/img ]] || fail "checkpoint of nothing made the image dir"
    run --separate-stderr ocirt checkpoint --page-server 1.2.3.4:5 "$CID"
    assert_status 1
    assert_stderr_contains "--page-server is not supported"
    run --separate-stderr ocirt checkpoint --no-such-flag "$CID"
    assert_failure
    assert_stderr_contains "no-such-flag"
}

@test "delete: a restore killed during criu restore: its rootfs bind is unmounted, never emptied" {
    # what `restore` leaves when killed while criu runs: a half-made state dir with the rootfs
    # bound at criu-root (here a dir on the same filesystem, so only the unmount protects it)
    mkdir -p "$ROOT/$CID/criu-root" "$BUNDLE/fakeroot"
    echo keep >"$BUNDLE/fakeroot/file"
    mount --bind "$BUNDLE/fakeroot" "$ROOT/$CID/criu-root"
    ocirt delete "$CID"
    [[ -e $BUNDLE/fakeroot/file ]] || fail "delete removed a file of the bound rootfs"
    [[ ! -e $ROOT/$CID ]] || fail "the state dir is left"
    if grep -qF "$ROOT/$CID" /proc/self/mountinfo; then
        umount -l "$ROOT/$CID/criu-root"
        fail "the criu-root bind is left mounted"
    fi
}
