#!/usr/bin/env bats
# The harness of `make vm-test` (integration/vm/): run.sh brings a command's output and exit
# status back from the cgroup-v2 guest, a guest that does not boot is a failure (status 125,
# its console shown), and summarize.sh counts the guest's TAP in the final line, a log
# without a plan as a failure. The guest tests need qemu-system-x86_64 (make deps) and the
# guest's kernel (integration/vm/prepare.sh downloads it once into build/vm).

load helpers

VM_DIR_DEFAULT=$REPO_ROOT/build/vm

setup() {
    LOGS=$(mktemp -d "${BATS_TMPDIR:-/tmp}/ocirt-vm-harness.XXXXXX")
}

teardown() {
    rm -rf "$LOGS"
}

need_guest() {
    command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 is not installed (make deps)"
    "$INTEGRATION_DIR/vm/prepare.sh" "$VM_DIR_DEFAULT" >/dev/null
}

@test "summarize.sh --vm: the guest's TAP counts in the last line" {
    printf '1..2\nok 1 a\nok 2 b\n' >"$LOGS/host.tap"
    printf '1..3\nok 1 a\nnot ok 2 b\nok 3 c # skip no\n' >"$LOGS/vm.tap"
    run "$INTEGRATION_DIR/summarize.sh" --integration "$LOGS/host.tap" --vm "$LOGS/vm.tap"
    assert_failure
    assert_output_contains "summary: vm: 1 passed, 1 failed, 1 skipped"
    assert_equal "${lines[-1]}" "3 passed, 1 failed" "last line"
}

@test "summarize.sh --vm: a guest that reported nothing, or stopped half-way, is a failure" {
    : >"$LOGS/empty.tap"
    run "$INTEGRATION_DIR/summarize.sh" --vm "$LOGS/empty.tap"
    assert_failure
    assert_output_contains "summary: vm: no output"
    assert_equal "${lines[-1]}" "0 passed, 1 failed" "last line"
    printf '1..3\nok 1 a\n' >"$LOGS/cut.tap"
    run "$INTEGRATION_DIR/summarize.sh" --vm "$LOGS/cut.tap"
    assert_failure
    assert_equal "${lines[-1]}" "1 passed, 2 failed" "last line"
}

@test "run.sh: the command runs on cgroup v2 alone; its output and exit status come back" {
    need_guest
    run --separate-stderr "$INTEGRATION_DIR/vm/run.sh" sh -c \
        'stat -fc %T /sys/fs/cgroup; cat /proc/self/cgroup; pwd; echo to-stderr >&2; exit 7'
    assert_status 7
    assert_equal "${lines[0]}" cgroup2fs "/sys/fs/cgroup in the guest"
    assert_equal "${lines[1]}" "0::/" "/proc/self/cgroup in the guest"
    assert_equal "${lines[2]}" "$PWD" "working directory in the guest"
    assert_equal "${lines[3]}" to-stderr "stderr, after stdout"
    assert_stderr_contains "guest exit status 7"
}

@test "run.sh: a guest that does not boot is status 125 with its console, not a skip" {
    need_guest
    # no init in the initramfs: the kernel panics, panic=-1 reboots, qemu exits (-no-reboot)
    VM_APPEND="rdinit=/nonexistent" run --separate-stderr "$INTEGRATION_DIR/vm/run.sh" true
    assert_status 125
    assert_stderr_contains "the guest reported no exit status"
    assert_stderr_contains "Kernel panic"
}
