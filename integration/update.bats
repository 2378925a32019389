#!/usr/bin/env bats
# ocirt update: runc's flags and -r FILE / -r - (stdin) change a running container's cgroup;
# the values read back, their effect, and that they are kept for the next update. Bad input:
# non-zero, a clear error, the cgroup unchanged.

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
    cgroups_teardown  # also after a failed teardown: the parent cgroup is this test's
    return "$rc"
}

# The memory limit file of this layout: v1 memory.limit_in_bytes, v2 memory.max.
mem_limit() {
    if is_v2; then cg_read memory memory.max; else cg_read memory memory.limit_in_bytes; fi
}

@test "update: memory, pids and cpu flags on a running container" {
    if is_v2; then require_cg_files memory memory.swap.max; else require_cg_files memory memory.memsw.limit_in_bytes; fi
    create_and_start "$CID"
    run --separate-stderr ocirt update --memory 64m --memory-swap 128M --memory-reservation 32m \
        --pids-limit 20 --cpu-share 256 --cpu-quota 30000 --cpu-period 100000 "$CID"
    assert_success
    assert_equal "$(mem_limit)" 67108864 "memory limit"
    assert_equal "$(cg_read pids pids.max)" 20 pids.max
    if is_v2; then
        assert_equal "$(cg_read memory memory.swap.max)" 67108864 memory.swap.max
        assert_equal "$(cg_read memory memory.low)" 33554432 memory.low
        assert_equal "$(cg_read cpu cpu.max)" "30000 100000" cpu.max
        assert_equal "$(cg_read cpu cpu.weight)" 10 "cpu.weight (shares 256)"
    else
        assert_equal "$(cg_read memory memory.memsw.limit_in_bytes)" 134217728 memory.memsw.limit_in_bytes
        assert_equal "$(cg_read memory memory.soft_limit_in_bytes)" 33554432 memory.soft_limit_in_bytes
        assert_equal "$(cg_read cpu cpu.cfs_quota_us)" 30000 cpu.cfs_quota_us
        assert_equal "$(cg_read cpu cpu.cfs_period_us)" 100000 cpu.cfs_period_us
        assert_equal "$(cg_read cpu cpu.shares)" 256 cpu.shares
    fi
}

@test "update: lowering the pids limit makes a fork in the container fail" {
    create_and_start "$CID"
    run --separate-stderr ocirt exec "$CID" sh -c 'sleep 1 & wait; echo forked'
    assert_success
    assert_output_contains forked
    ocirt update --pids-limit 2 "$CID"
    assert_equal "$(cg_read pids pids.max)" 2 pids.max
    # the init and this sh are the 2: the sh's fork is refused
    run --separate-stderr ocirt exec "$CID" sh -c 'sleep 1 & wait; echo after'
    assert_stderr_contains "can't fork"
}

@test "update --pids-limit: a positive limit, -1 (max), 0 (a limit of zero, spec 1.3); absent: unchanged" {
    create_and_start "$CID"
    ocirt update --pids-limit 12345 "$CID"
    assert_equal "$(cg_read pids pids.max)" 12345 "pids.max after 12345"
    ocirt update --pids-limit -1 "$CID"
    assert_equal "$(cg_read pids pids.max)" max "pids.max after -1"
    ocirt update --pids-limit 7 "$CID"
    run "$OCIRT" --root "$ROOT" update --resources - "$CID" <<<'{"pids": {}, "memory": {"limit": 50331648}}'
    assert_success
    assert_equal "$(cg_read pids pids.max)" 7 "pids.max after an update without pids.limit"
    ocirt update --memory 60m "$CID"
    assert_equal "$(cg_read pids pids.max)" 7 "pids.max after an update of memory alone"
    # runc 1.1 takes 0 for "not given" (1.4+: writes 1)
    is_runc && return
    ocirt update --pids-limit 0 "$CID"
    assert_equal "$(cg_read pids pids.max)" 0 "pids.max after 0"
}

@test "update: cpuset of a running container changes its processes' affinity" {
    create_and_start "$CID"
    ocirt update --cpuset-cpus 0 "$CID"
    run --separate-stderr ocirt exec "$CID" grep Cpus_allowed_list /proc/1/status
    assert_success
    assert_output_equals "Cpus_allowed_list:	0"
}

@test "update: raising then lowering memory with swap (v1 write order)" {
    update_config '.linux.resources.memory = {limit: 33554432, swap: 67108864}'
    if is_v2; then require_cg_files memory memory.swap.max; else require_cg_files memory memory.memsw.limit_in_bytes; fi
    create_and_start "$CID"
    ocirt update --memory 100m --memory-swap 200m "$CID"
    assert_equal "$(mem_limit)" 104857600 "memory limit after raising"
    ocirt update --memory 20m --memory-swap 40m "$CID"
    assert_equal "$(mem_limit)" 20971520 "memory limit after lowering"
    ocirt update --memory -1 "$CID"
    [[ $(mem_limit) == max || $(mem_limit) -gt 1000000000000 ]] || fail "memory not unlimited: $(mem_limit)"
}

@test "update -r FILE and -r - (stdin): a linux.resources object" {
    create_and_start "$CID"
    echo '{"memory": {"limit": 50331648}, "pids": {"limit": 11}}' >"$BUNDLE/r.json"
    ocirt update -r "$BUNDLE/r.json" "$CID"
    assert_equal "$(mem_limit)" 50331648 "memory limit from the file"
    assert_equal "$(cg_read pids pids.max)" 11 "pids.max from the file"
    run "$OCIRT" --root "$ROOT" update --resources - "$CID" <<<'{"pids": {"limit": 12}}'
    assert_success
    assert_equal "$(cg_read pids pids.max)" 12 "pids.max from stdin"
    # flags are ignored with -r, as in runc
    ocirt update -r "$BUNDLE/r.json" --pids-limit 99 "$CID"
    assert_equal "$(cg_read pids pids.max)" 11 "pids.max with -r and a flag"
}

@test "update keeps what earlier updates set (merged into the container's config)" {
    create_and_start "$CID"
    ocirt update --pids-limit 9 "$CID"
    ocirt update --memory 48m "$CID"
    assert_equal "$(cg_read pids pids.max)" 9 "pids.max after a later update"
    assert_equal "$(mem_limit)" 50331648 "memory limit"
    skip_if_runc "ocirt's state dir layout"
    assert_equal "$(jq -c '.linux.resources | {pids, memory}' "$ROOT/$CID/config.json")" \
        '{"pids":{"limit":9},"memory":{"limit":50331648}}' "stored resources"
}

@test "update of a paused container" {
    create_and_start "$CID"
    ocirt pause "$CID"
    ocirt update --pids-limit 7 "$CID"
    assert_equal "$(cg_read pids pids.max)" 7 pids.max
    ocirt resume "$CID"
}

@test "update: bad input fails with a clear error and changes nothing" {
    update_config '.linux.resources.pids = {limit: 30}'
    create_and_start "$CID"
    echo '{"pids": {"limit": 5}' >"$BUNDLE/bad.json"
    echo '{"memory": {"limit": "64m"}}' >"$BUNDLE/type.json"
    local args want
    while IFS='|' read -r args want; do
        # shellcheck disable=SC2086
        run --separate-stderr ocirt update $args "$CID"
        assert_failure
        ocirt_only assert_stderr_contains "$want"
        assert_equal "$(cg_read pids pids.max)" 30 "pids.max after: update $args"
    done <<EOF
-r $BUNDLE/bad.json|$BUNDLE/bad.json: invalid JSON
-r $BUNDLE/type.json|memory.limit: expected integer, got string
-r $BUNDLE/missing.json|$BUNDLE/missing.json
--pids-limit 5 --memory 12q|invalid value for memory: "12q"
--pids-limit 5 --cpu-share -3|invalid value for cpu-share
--pids-limit 5 --memory 64m --memory-swap 32m|linux.resources.memory.swap: memory+swap 33554432 is below limit 67108864
--l3-cache-schema L3:0=f|not supported
EOF
}

@test "update of an unknown or stopped container fails" {
    run --separate-stderr ocirt update --pids-limit 5 nonexistent-$CID
    assert_failure
    ocirt_only assert_stderr_contains "does not exist"

    set_sh 'exit 0'
    ocirt create --bundle "$BUNDLE" "$CID"
    ocirt start "$CID"
    wait_for_status "$CID" stopped
    run --separate-stderr ocirt update --pids-limit 5 "$CID"
    assert_failure
    assert_stderr_contains "not running"
}
