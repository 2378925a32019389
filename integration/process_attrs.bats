#!/usr/bin/env bats
# Per-process kernel attributes and sysctl, seen from inside the container:
# linux.personality, process.scheduler, process.ioPriority, process.execCPUAffinity,
# linux.memoryPolicy, linux.sysctl (and which keys a config may set: only those of a
# namespace the container has). Bad values fail create, naming the field, leaving nothing.

load helpers

@test "personality LINUX32: uname -m reports a 32-bit machine" {
    skip_if_runc  # runc 1.1 ignores linux.personality
    update_config '.linux.personality = {domain: "LINUX32"}'
    run_sh 'uname -m'
    assert_success
    [[ $output == i686 || $output == i386 ]] || fail "uname -m: $output"
}

@test "scheduler: SCHED_BATCH with nice 5" {
    skip_if_runc  # runc 1.1 has no process.scheduler
    update_config '.process.scheduler = {policy: "SCHED_BATCH", nice: 5}'
    run_sh 'awk "/^policy/ {print \$3} /^prio/ {print \$3}" /proc/self/sched; cut -d" " -f19 /proc/self/stat'
    assert_success
    assert_equal "${lines[0]}" 3 "policy (SCHED_BATCH)"
    assert_equal "${lines[2]}" 5 "nice"
}

@test "ioPriority: the idle class" {
    skip_if_runc  # runc 1.1 has no process.ioPriority
    update_config '.process.ioPriority = {class: "IOPRIO_CLASS_IDLE", priority: 0}'
    run_sh 'ionice'
    assert_success
    assert_output_equals idle
}

@test "execCPUAffinity: the process runs on the final CPUs" {
    skip_if_runc
    (($(nproc) >= 2)) || skip "needs 2 CPUs"
    update_config '.process.execCPUAffinity = {initial: "0", final: "1"}'
    run_sh 'grep Cpus_allowed_list /proc/self/status'
    assert_success
    assert_output_contains "Cpus_allowed_list:	1"
}

@test "CPU affinity: the runtime's (taskset -c 0) is not inherited; the process gets the cpuset's CPUs" {
    skip_if_runc "runc 1.1 passes its own affinity on (runc#4814, fixed in 1.3)"
    (($(nproc --all) >= 2)) || skip "needs 2 CPUs"
    command -v taskset >/dev/null || skip "no taskset"
    local want
    want=$(grep Cpus_allowed_list /proc/self/status | cut -f2)
    [[ $want != 0 ]] || skip "this shell itself runs on CPU 0 only"
    set_sh 'grep Cpus_allowed_list /proc/self/status'
    run --separate-stderr taskset -c 0 "$OCIRT" --root "$ROOT" run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_output_equals "Cpus_allowed_list:	$want"
    # exec too
    update_config '.process.args = $a' --argjson a "$LONG_ARGS"
    create_and_start "$CID-e"
    track_id "$CID-e"
    run --separate-stderr taskset -c 0 "$OCIRT" --root "$ROOT" exec "$CID-e" grep Cpus_allowed_list /proc/self/status
    assert_success
    assert_output_equals "Cpus_allowed_list:	$want"
    ocirt delete -f "$CID-e"
}

@test "CPU affinity: execCPUAffinity.initial alone stays the process' affinity" {
    skip_if_runc "runc 1.1 has no execCPUAffinity"
    (($(nproc) >= 2)) || skip "needs 2 CPUs"
    update_config '.process.execCPUAffinity = {initial: "1"}'
    run_sh 'grep Cpus_allowed_list /proc/self/status'
    assert_success
    assert_output_equals "Cpus_allowed_list:	1"
}

@test "memoryPolicy: MPOL_BIND to node 0" {
    skip_if_runc
    update_config '.linux.memoryPolicy = {mode: "MPOL_BIND", nodes: "0"}'
    # numa_maps names the policy of each mapping: the process's own are bound to node 0.
    run_sh 'grep -c " bind:0 " /proc/self/numa_maps'
    assert_success
    ((output > 0)) || fail "no mapping bound to node 0: $output"
}

@test "sysctl: an ipc and a net key are set in the container's namespaces only" {
    local host_shmmni host_fwd
    host_shmmni=$(cat /proc/sys/kernel/shmmni)
    host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
    update_config '.linux.sysctl = {"kernel.shmmni": "1234", "net.ipv4.ip_forward": "1"}'
    run_sh 'cat /proc/sys/kernel/shmmni /proc/sys/net/ipv4/ip_forward'
    assert_success
    assert_equal "${lines[0]}" 1234 "kernel.shmmni inside"
    assert_equal "${lines[1]}" 1 "net.ipv4.ip_forward inside"
    assert_equal "$(cat /proc/sys/kernel/shmmni)" "$host_shmmni" "host kernel.shmmni"
    assert_equal "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_fwd" "host ip_forward"
}

# create_fails FIELD: create fails, stderr names FIELD, nothing is left behind.
create_fails() {
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    ocirt_only assert_stderr_contains "$1"
    assert_nothing_left "$CID"
}

@test "sysctl: a net key without a network namespace is refused" {
    update_config '.linux.namespaces |= map(select(.type != "network")) | .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
    create_fails 'linux.sysctl["net.ipv4.ip_forward"]: requires a network namespace'
}

@test "sysctl: a key of no namespace is refused" {
    update_config '.linux.sysctl = {"vm.overcommit_memory": "1"}'
    create_fails 'linux.sysctl["vm.overcommit_memory"]: is not namespaced'
}

@test "bad values name their field: scheduler policy, ioPriority class, personality, cpu list" {
    skip_if_runc  # runc 1.1 ignores these fields
    update_config '.process.scheduler = {policy: "SCHED_NOPE"}'
    create_fails 'process.scheduler.policy: unknown value "SCHED_NOPE"'
    update_config 'del(.process.scheduler) | .process.ioPriority = {class: "IOPRIO_CLASS_X", priority: 1}'
    create_fails 'process.ioPriority.class'
    update_config 'del(.process.ioPriority) | .linux.personality = {domain: "PDP11"}'
    create_fails 'linux.personality.domain'
    update_config 'del(.linux.personality) | .process.execCPUAffinity = {final: "1-x"}'
    create_fails 'process.execCPUAffinity.final: invalid list'
}
