#!/usr/bin/env bats
# The systemd cgroup driver (--systemd-cgroup) on a systemd host with cgroup v2 alone: the
# container's scope as systemd shows it (systemctl status/show) and as the cgroup files show
# it, from create to delete; limits set as unit properties and in the files, kept across
# `systemctl daemon-reload` (device rules included); update, pause/resume, kill --all; an
# OOM-killed container's failed scope does not block the same id again; bad input leaves
# nothing. Run by `make vm-systemd-test` in the systemd guest (see systemd.bash for the skips).
# The guest is emulated (TCG): waits are long hang guards, never timing assertions.

load systemd

setup() {
    systemd_setup
}

teardown() {
    systemd_teardown
}

@test "systemd: the scope appears with the init in its cgroup; delete stops it" {
    long_running
    sd create --bundle "$BUNDLE" "$CID"
    local unit cg pid
    unit=$(unit_of "$CID")
    cg=$(cgroup_of "$CID")
    pid=$(state_field "$CID" .pid)
    assert_equal "$(prop "$unit" ActiveState)" active "ActiveState of $unit after create"
    assert_equal "$(prop "$unit" ControlGroup)" "/system.slice/$unit" "ControlGroup of $unit"
    assert_equal "$(cat "/proc/$pid/cgroup")" "0::/system.slice/$unit" "/proc/$pid/cgroup"
    grep -qx "$pid" "$cg/cgroup.procs" || fail "init $pid not in $cg/cgroup.procs: $(cat "$cg/cgroup.procs")"
    run systemctl status --no-pager "$unit"
    assert_success
    assert_output_contains "$unit"
    assert_output_contains "$pid"
    # the scope is delegated: the runtime manages the cgroup's files below systemd
    assert_equal "$(prop "$unit" Delegate)" yes "Delegate of $unit"
    sd start "$CID"
    wait_for_status "$CID" running 60
    sd delete --force "$CID"
    wait_until 60 unit_gone "$CID"
}

@test "systemd: limits are unit properties and cgroup files" {
    long_running
    update_config '.linux.resources = {
        memory: {limit: 67108864},
        pids: {limit: 50},
        cpu: {quota: 50000, period: 100000}}'
    sd_create_and_start "$CID"
    local unit cg
    unit=$(unit_of "$CID")
    cg=$(cgroup_of "$CID")
    assert_equal "$(prop "$unit" MemoryMax)" 67108864 "MemoryMax"
    assert_equal "$(prop "$unit" TasksMax)" 50 "TasksMax"
    assert_equal "$(prop "$unit" CPUQuotaPerSecUSec)" 500ms "CPUQuotaPerSecUSec"
    assert_equal "$(cat "$cg/memory.max")" 67108864 "memory.max"
    assert_equal "$(cat "$cg/pids.max")" 50 "pids.max"
    assert_equal "$(cat "$cg/cpu.max")" "50000 100000" "cpu.max"
}

# A device the container may use and one it may not, checked before and after systemd
# rebuilds the scope's cgroup settings from its properties. Allowed: /dev/kmsg (c 1:11, not
# among the runtimes' default devices) as a linux.devices node with an allow rule; writing
# to it needs no capability. Denied: tty1 (c 4:1), a node made in the bundle and
# bind-mounted in (runtimes allow what linux.devices lists); the device cgroup is checked
# before the driver's open, so it fails with EPERM whether or not the guest has a tty1.
@test "systemd: daemon-reload keeps the limits and the device rules" {
    long_running
    mknod "$BUNDLE/denied" c 4 1
    update_config '.linux.resources.memory = {limit: 67108864}
        | .linux.resources.pids = {limit: 40}
        | .linux.devices += [
            {path: "/dev/allowed", type: "c", major: 1, minor: 11, fileMode: 438, uid: 0, gid: 0}]
        | .linux.resources.devices += [{allow: true, type: "c", major: 1, minor: 11, access: "rwm"}]
        | .mounts += [{destination: "/dev/denied", type: "bind", source: $n, options: ["bind"]}]' \
        --arg n "$BUNDLE/denied"
    sd_create_and_start "$CID"
    local unit cg i
    unit=$(unit_of "$CID")
    cg=$(cgroup_of "$CID")
    for i in before after; do
        if [[ $i == after ]]; then
            systemctl daemon-reload
            # a second time: what the reload wrote is what stays
            systemctl daemon-reload
        fi
        run ocirt exec "$CID" sh -c "echo ocirt-test-$MARK >/dev/allowed && echo ok"
        [[ $status == 0 && $output == ok ]] ||
            fail "$i daemon-reload: writing to the allowed /dev/allowed (c 1:11): status $status, output '$output'"
        run ocirt exec "$CID" sh -c 'echo >/dev/denied'
        [[ $status != 0 && $output == *"not permitted"* ]] ||
            fail "$i daemon-reload: the denied /dev/denied (c 4:1) was writable or failed otherwise: status $status, output '$output'"
        run ocirt exec "$CID" sh -c 'echo x >/dev/null && echo ok'
        assert_output_equals ok
        assert_equal "$(cat "$cg/memory.max")" 67108864 "memory.max $i daemon-reload"
        assert_equal "$(cat "$cg/pids.max")" 40 "pids.max $i daemon-reload"
        assert_equal "$(prop "$unit" MemoryMax)" 67108864 "MemoryMax $i daemon-reload"
    done
}

@test "systemd: update changes the unit's properties and the files" {
    long_running
    update_config '.linux.resources.memory = {limit: 67108864} | .linux.resources.pids = {limit: 50}'
    sd_create_and_start "$CID"
    local unit cg
    unit=$(unit_of "$CID")
    cg=$(cgroup_of "$CID")
    sd update --memory 134217728 --pids-limit 20 --cpu-quota 25000 --cpu-period 100000 "$CID"
    assert_equal "$(prop "$unit" MemoryMax)" 134217728 "MemoryMax after update"
    assert_equal "$(prop "$unit" TasksMax)" 20 "TasksMax after update"
    assert_equal "$(prop "$unit" CPUQuotaPerSecUSec)" 250ms "CPUQuotaPerSecUSec after update"
    assert_equal "$(cat "$cg/memory.max")" 134217728 "memory.max after update"
    assert_equal "$(cat "$cg/pids.max")" 20 "pids.max after update"
    assert_equal "$(cat "$cg/cpu.max")" "25000 100000" "cpu.max after update"
    # and a reload does not bring the old values back
    systemctl daemon-reload
    assert_equal "$(cat "$cg/memory.max")" 134217728 "memory.max after update and daemon-reload"
    assert_equal "$(cat "$cg/pids.max")" 20 "pids.max after update and daemon-reload"
}

@test "systemd: pause and resume freeze the scope's cgroup; kill --all empties it" {
    set_sh "sleep $MARK & sleep $MARK & wait"
    sd_create_and_start "$CID"
    local cg
    cg=$(cgroup_of "$CID")
    wait_until 60 eval "[[ \$(pgrep -c -f -- '^sleep $MARK\$') == 2 ]]"
    sd pause "$CID"
    assert_equal "$(state_field "$CID" .status)" paused "status after pause"
    assert_equal "$(cat "$cg/cgroup.freeze")" 1 "cgroup.freeze after pause"
    wait_until 60 grep -qx 'frozen 1' "$cg/cgroup.events"
    sd resume "$CID"
    assert_equal "$(state_field "$CID" .status)" running "status after resume"
    wait_until 60 grep -qx 'frozen 0' "$cg/cgroup.events"
    run sd ps "$CID"
    assert_success
    [[ $(grep -c "sleep $MARK\$" <<<"$output") == 2 ]] || fail "ps does not list both sleeps: $output"
    sd kill --all "$CID" KILL
    wait_for_status "$CID" stopped 60
    wait_until 60 eval "[[ ! -s '$cg/cgroup.procs' ]]"
    sd delete "$CID"
    wait_until 60 unit_gone "$CID"
}

# systemd leaves the scope of an OOM-killed container "failed", and a failed unit keeps its
# name until reset. First the runtime's own container is OOM-killed and deleted; then, as
# when a runtime died before its delete, a failed scope of that name is left in place (made
# with systemd-run, OOM-killed the same way) and the same id is created again.
@test "systemd: an OOM-killed container's failed scope does not block the same id" {
    local unit pid
    unit=$(unit_of "$CID")
    update_config '.linux.resources.memory = {limit: 16777216}'
    set_sh 'x=0123456789abcdef; while :; do x=$x$x; done'
    run ocirt --systemd-cgroup run --bundle "$BUNDLE" "$CID"
    assert_status 137
    sd delete --force "$CID" 2>/dev/null || true
    # Debian's runc 1.1.5 takes "unit exists" as success and runs the container outside any
    # unit; crun resets the failed unit and retries (crun PR 1139), as the issue asks of ocirt.
    skip_if_runc "1.1.5 does not reset a failed scope of the same name"
    run timeout 120 systemd-run --quiet --scope --unit "$unit" --slice system.slice -p MemoryMax=16M \
        sh -c 'x=0123456789abcdef; while :; do x=$x$x; done'
    assert_failure
    wait_until 60 eval "[[ \$(prop '$unit' ActiveState) == failed ]]"
    echo "before the second create: $unit is $(prop "$unit" ActiveState) ($(prop "$unit" Result))" >&2
    long_running
    update_config '.linux.resources.memory = {limit: 67108864}'
    sd_create_and_start "$CID"
    assert_equal "$(prop "$unit" ActiveState)" active "ActiveState of $unit after the second create"
    assert_equal "$(prop "$unit" MemoryMax)" 67108864 "MemoryMax of $unit after the second create"
    pid=$(state_field "$CID" .pid)
    grep -qx "$pid" "$(cgroup_of "$CID")/cgroup.procs" || fail "the new init $pid is not in the scope's cgroup"
    sd delete --force "$CID"
    wait_until 60 unit_gone "$CID"
}

@test "systemd: a malformed cgroupsPath is an error naming it; nothing is left" {
    long_running
    local bad
    for bad in "system.slice:$SCOPE_PREFIX" "/not/a/slice/path" "a:b:c:d"; do
        update_config '.linux.cgroupsPath = $p' --arg p "$bad"
        run --separate-stderr ocirt --systemd-cgroup create --bundle "$BUNDLE" "$CID"
        assert_failure
        assert_stderr_contains "cgroupsPath"
        ocirt_only assert_stderr_contains "slice:prefix:name"
        [[ ! -e $ROOT/$CID ]] || fail "state dir $ROOT/$CID left after a failed create ($bad)"
        assert_nothing_left "$CID"
    done
    [[ -z $(systemctl list-units --all --plain --no-legend "*$CID*") ]] ||
        fail "units left: $(systemctl list-units --all --plain --no-legend "*$CID*")"
}

@test "systemd: a property systemd rejects is an error naming it; nothing is left" {
    long_running
    update_config '.annotations["org.systemd.property.Bogus"] = "yes"'
    run --separate-stderr ocirt --systemd-cgroup create --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "Bogus"
    ocirt_only assert_stderr_contains "org.systemd.property.Bogus"
    [[ ! -e $ROOT/$CID ]] || fail "state dir $ROOT/$CID left after a failed create"
    assert_equal "$(prop "$(unit_of "$CID")" ActiveState)" inactive "ActiveState of the rejected scope"
    [[ ! -d $(cgroup_of "$CID") ]] || fail "cgroup $(cgroup_of "$CID") left"
    assert_nothing_left "$CID"
}
