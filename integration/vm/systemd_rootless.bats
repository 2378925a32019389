#!/usr/bin/env bats
# Rootless with the systemd driver: an unprivileged user's container gets its scope from the
# user's own systemd instance (user@UID.service, which systemd delegates the memory, pids and
# cpu controllers to), reached over the user's session bus, and its memory limit takes effect
# there. Run by `make vm-systemd-test` in the systemd guest, where a user is added for it (the
# guest's /etc is a tmpfs overlay: nothing reaches the host); skipped elsewhere and when the
# binary's `features` has no linux.cgroup.systemdUser.

load systemd

RL_UID=1500
RL_USER=ocirtrl

setup_file() {
    local reason ctl
    reason=$(systemd_skip_reason)
    if [[ -z $reason && $("$OCIRT" features 2>/dev/null | jq -r '.linux.cgroup.systemdUser // false') != true ]]; then
        reason="$RUNTIME_NAME has no rootless systemd driver ('features' lists no linux.cgroup.systemdUser)"
    fi
    if [[ -z $reason ]] && getent passwd "$RL_UID" >/dev/null &&
        [[ $(getent passwd "$RL_UID" | cut -d: -f1) != "$RL_USER" ]]; then
        reason="uid $RL_UID is taken by another user"
    fi
    if [[ -n $reason ]]; then
        setup_file_skip "$reason"
        return 0
    fi
    getent passwd "$RL_UID" >/dev/null || useradd -M -d / -u "$RL_UID" -s /bin/sh "$RL_USER"
    export RL_ADDED=1
    # the user's manager, as a login would start it (Delegate= in user@.service)
    timeout 300 systemctl start "user@$RL_UID.service"
    ctl=/sys/fs/cgroup/user.slice/user-$RL_UID.slice/user@$RL_UID.service/cgroup.controllers
    grep -qw memory "$ctl" ||
        setup_file_skip "systemd delegates no memory controller to user@$RL_UID.service ($ctl: $(cat "$ctl"))"
}

teardown_file() {
    [[ -n ${RL_ADDED:-} ]] || return 0
    systemctl stop "user@$RL_UID.service" "user-runtime-dir@$RL_UID.service" 2>/dev/null || true
    getent passwd "$RL_UID" >/dev/null && userdel "$RL_USER" 2>/dev/null
    return 0
}

setup() {
    skip_if_file_skipped
    common_setup
    chmod 0755 "$ROOT" "$BUNDLE"
    # the user's own state root, as rootless runtimes default to under XDG_RUNTIME_DIR
    RL_ROOT=/run/user/$RL_UID/ocirt-test-$$-$BATS_TEST_NUMBER
    RL_SCOPE=$SCOPE_PREFIX-$CID.scope
    RL_CG=/sys/fs/cgroup/user.slice/user-$RL_UID.slice/user@$RL_UID.service/user.slice/$RL_SCOPE
    # a user namespace mapping root to the user; no devpts gid (group 5 is not mapped)
    update_config '.linux.namespaces += [{type: "user"}]
        | .linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}]
        | .linux.gidMappings = [{containerID: 0, hostID: $u, size: 1}]
        | .mounts |= map(if .type == "devpts" then .options -= ["gid=5"] else . end)
        | .linux.cgroupsPath = $p
        | .linux.resources = {memory: {limit: 33554432}}' \
        --argjson u "$RL_UID" --arg p "user.slice:$SCOPE_PREFIX:$CID"
}

teardown() {
    [[ -n ${ROOT:-} && -n ${RL_ROOT:-} ]] || return 0
    local rc=0
    as_user delete --force "$CID" >/dev/null 2>&1 || true
    if [[ -d $RL_CG ]]; then
        echo "left behind: $RL_CG" >&2
        rc=1
    fi
    [[ -z $(ls -A "$RL_ROOT" 2>/dev/null | grep -vx @cache) ]] || {
        echo "left behind in $RL_ROOT: $(ls -A "$RL_ROOT")" >&2
        rc=1
    }
    rm -rf "$RL_ROOT"
    common_teardown || rc=1
    return "$rc"
}

# as_user VERB ARGS...: the binary under test as the user (config.json made readable first:
# update_config writes it 0600), with the systemd driver, the
# user's runtime dir and session bus, and the user's state root.
as_user() {
    chmod 0644 "$BUNDLE/config.json"
    timeout --kill-after=5 "$OCIRT_TIMEOUT" setpriv --reuid "$RL_UID" --regid "$RL_UID" --clear-groups \
        env -i PATH="$PATH" HOME=/ XDG_RUNTIME_DIR="/run/user/$RL_UID" \
        DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$RL_UID/bus" \
        "$OCIRT" --root "$RL_ROOT" --systemd-cgroup "$@" </dev/null
}

# user_systemctl ARGS...: systemctl on the user's manager.
user_systemctl() {
    setpriv --reuid "$RL_UID" --regid "$RL_UID" --clear-groups \
        env -i PATH="$PATH" XDG_RUNTIME_DIR="/run/user/$RL_UID" \
        DBUS_SESSION_BUS_ADDRESS="unix:path=/run/user/$RL_UID/bus" systemctl --user "$@"
}

@test "systemd rootless: the scope is the user manager's, in its delegated cgroup, with the memory limit" {
    long_running
    as_user create --bundle "$BUNDLE" "$CID" >"$LOGDIR/create.out" 2>&1 || {
        cat "$LOGDIR/create.out" >&2
        fail "create as $RL_USER failed"
    }
    local pid
    pid=$(as_user state "$CID" | jq -r .pid)
    assert_equal "$(sed -n 's/^0:://p' "/proc/$pid/cgroup")" "${RL_CG#/sys/fs/cgroup}" "the init's cgroup"
    assert_equal "$(cat "$RL_CG/memory.max")" 33554432 "memory.max of the user's scope"
    assert_equal "$(user_systemctl show -p MemoryMax --value "$RL_SCOPE")" 33554432 "MemoryMax of $RL_SCOPE (user manager)"
    assert_equal "$(user_systemctl show -p ActiveState --value "$RL_SCOPE")" active "ActiveState of $RL_SCOPE"
    # the system manager does not know it: it is the user's
    assert_equal "$(systemctl show -p ActiveState --value "$RL_SCOPE")" inactive "$RL_SCOPE in the system manager"
    as_user start "$CID"
    as_user delete --force "$CID"
    wait_until 60 eval "[[ ! -d '$RL_CG' ]]"
}

@test "systemd rootless: the memory limit takes effect (the container is OOM-killed)" {
    set_sh 'x=0123456789abcdef; while :; do x=$x$x; done'
    run as_user run --bundle "$BUNDLE" "$CID"
    assert_status 137
    as_user delete --force "$CID" 2>/dev/null || true
}
