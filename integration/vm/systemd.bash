# Shared setup of the systemd-driver tests (integration/vm/systemd_*.bats), run by
# `make vm-systemd-test` in the guest booted with systemd as init (systemd-test.sh). Every
# test skips, with the reason, where systemd is not PID 1 on a cgroup v2 host or where the
# binary under test does not list the systemd driver in `features` (linux.cgroup.systemd).
#
# Containers get the cgroupsPath "system.slice:$SCOPE_PREFIX:<id>", so their unit is
# $SCOPE_PREFIX-<id>.scope and their cgroup /sys/fs/cgroup/system.slice/<that unit>.
# teardown deletes (--force, with --systemd-cgroup) what the test left, then fails the test
# if a unit or a cgroup of one of its ids is left, besides what helpers.bash checks.

load ../helpers

SCOPE_PREFIX=ocirttest

# systemd_skip_reason: why the tests cannot run here (empty when they can): systemd must run
# the host on cgroup v2 alone and $OCIRT must have the systemd driver.
systemd_skip_reason() {
    if ! cgroup_v2; then
        echo "needs cgroup v2 alone (make vm-systemd-test runs this in a systemd guest)"
    elif [[ $(cat /proc/1/comm 2>/dev/null) != systemd ]]; then
        echo "needs systemd as PID 1 (make vm-systemd-test runs this in a systemd guest)"
    elif [[ $("$OCIRT" features 2>/dev/null | jq -r '.linux.cgroup.systemd // false' 2>/dev/null) != true ]]; then
        echo "$RUNTIME_NAME does not support --systemd-cgroup ('features' lists no linux.cgroup.systemd)"
    fi
}

systemd_guest_or_skip() {
    local reason
    reason=$(systemd_skip_reason)
    [[ -z $reason ]] || skip "$reason"
}

# setup_file_skip REASON: bats 1.8 fails a setup_file that skips; a suite's setup_file records
# the reason instead (exported for the tests) and returns, and each setup skips with it.
setup_file_skip() {
    export FILE_SKIP_REASON=$1
}

skip_if_file_skipped() {
    [[ -z ${FILE_SKIP_REASON:-} ]] || skip "$FILE_SKIP_REASON"
}

# sd VERB ARGS...: the runtime under test with the systemd cgroup driver.
sd() {
    ocirt --systemd-cgroup "$@"
}

unit_of() { # ID: the scope of container ID
    echo "$SCOPE_PREFIX-$1.scope"
}

cgroup_of() { # ID: the container's cgroup dir
    echo "/sys/fs/cgroup/system.slice/$(unit_of "$1")"
}

# prop UNIT NAME: one property of a unit (systemctl show -p NAME --value).
prop() {
    systemctl show -p "$2" --value "$1"
}

# use_systemd_path: linux.cgroupsPath in the systemd driver's form for $CID.
use_systemd_path() {
    update_config '.linux.cgroupsPath = $p' --arg p "system.slice:$SCOPE_PREFIX:$CID"
}

# unit_gone ID: systemd no longer knows the container's scope (stopped and not failed).
unit_gone() {
    local state
    state=$(prop "$(unit_of "$1")" ActiveState)
    [[ $state == inactive ]] && [[ ! -d $(cgroup_of "$1") ]]
}

systemd_setup() {
    systemd_guest_or_skip
    common_setup
    use_systemd_path
}

# What ocirt/runc may leave of an id: a loaded (active or failed) scope, its cgroup.
assert_no_unit_left() {
    local id bad=0 state
    for id in "$@"; do
        [[ -n $id ]] || continue
        state=$(prop "$(unit_of "$id")" ActiveState)
        if [[ $state != inactive ]]; then
            echo "left behind: unit $(unit_of "$id") ($state)" >&2
            systemctl reset-failed "$(unit_of "$id")" 2>/dev/null
            systemctl stop "$(unit_of "$id")" 2>/dev/null
            bad=1
        fi
        if [[ -d $(cgroup_of "$id") ]]; then
            echo "left behind: cgroup $(cgroup_of "$id")" >&2
            bad=1
        fi
    done
    return "$bad"
}

systemd_teardown() {
    [[ -n ${ROOT:-} && -d $ROOT ]] || return 0
    local id rc=0
    for id in $(ocirt list -q 2>/dev/null) "$CID" "${EXTRA_IDS[@]}"; do
        sd delete --force "$id" >/dev/null 2>&1 || true
    done
    assert_no_unit_left "$CID" "${EXTRA_IDS[@]}" || rc=1
    common_teardown || rc=1
    return "$rc"
}

# long_running: the container runs `sleep $MARK` (found again by helpers' leftover check).
long_running() {
    update_config '.process.args = $a' --argjson a "$LONG_ARGS"
}

# sd_create_and_start ID: create + start with the systemd driver, wait until running.
sd_create_and_start() {
    sd create --bundle "$BUNDLE" "$1" >/dev/null || return 1
    sd start "$1" || return 1
    wait_for_status "$1" running 60
}
