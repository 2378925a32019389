#!/usr/bin/env bats
# Kubernetes' path to ocirt: a CRI client (cri/cri.py, gRPC runtime.v1) drives a private
# containerd's CRI plugin whose runtime handler "ocirt" is the runc v2 shim with BinaryName =
# $OCIRT (cri/containerd-cri.sh: own root, state, socket, cgroupfs, CNI loopback + bridge in a
# network namespace of the test's own, a pause image built from the busybox rootfs). Pods as the
# kubelet makes them: RunPodSandbox, containers joining the sandbox's namespaces, ExecSync (exec
# probes), Exec (the streaming server, cri/exec_stream.py), ContainerStatus exit codes,
# LinuxContainerResources and UpdateContainerResources in the cgroup files, StopPodSandbox,
# RemovePodSandbox, and nothing left. Pods' cgroup parents are $CGROUP_PARENT/pod-N
# (/ocirt-test-cri-PID/pod-N). SystemdCgroup = true is not tested here (no systemd on this host).
# Skipped when containerd, the CNI plugins or python3-grpc-tools are missing.

load engines

BUSYBOX=localhost/ocirt-busybox:1
# What the kubelet asks for a pod without shareProcessNamespace: the pod's network and IPC, a
# PID namespace per container.
NS_OPTIONS='{"network": "POD", "pid": "CONTAINER", "ipc": "POD"}'

setup_file() {
    local missing=
    command -v containerd >/dev/null && command -v ctr >/dev/null &&
        command -v containerd-shim-runc-v2 >/dev/null || missing+=" containerd"
    [[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/loopback && -x /usr/lib/cni/host-local ]] ||
        missing+=" containernetworking-plugins"
    "$PYTHON3" -c 'import grpc, grpc_tools' 2>/dev/null || missing+=" python3-grpcio python3-grpc-tools"
    command -v nsenter >/dev/null && command -v ip >/dev/null || missing+=" util-linux iproute2"
    [[ -z $missing ]] || skip "not installed:$missing (make deps)"
    engine_setup_file cri
    export CTRD=$ENGINE_DIR/containerd
    "$BATS_TEST_DIRNAME/cri/containerd-cri.sh" start "$CTRD" "$OCIRT" "$CGROUP_PARENT" 3>&-
    # the runc v2 shim runs the runtime with --root <Root>/<containerd namespace>
    RUNTIME_STATE=$CTRD/runtime-root/k8s.io
    NETNS=$(cat "$CTRD/netns")
    export RUNTIME_STATE NETNS
}

teardown_file() {
    [[ -n ${CTRD:-} ]] || return 0
    "$BATS_TEST_DIRNAME/cri/containerd-cri.sh" stop "$CTRD"
    engine_teardown_file
    if [[ -n ${NETNS:-} ]] && ip netns list | grep -qw "$NETNS"; then
        echo "left behind: network namespace $NETNS" >&2
        return 1
    fi
}

setup() {
    engine_setup
    PODS=()
}

teardown() {
    local rc=0 id
    for id in "${PODS[@]}"; do
        remove_pod "$id" >/dev/null 2>&1 || true
    done
    assert_pods_gone || rc=1
    engine_assert_clean "$RUNTIME_STATE" || rc=1
    return "$rc"
}

# cri METHOD [JSON]: one CRI call; prints the JSON reply.
cri() {
    timeout --kill-after=10 "$ENGINE_TIMEOUT" \
        "$PYTHON3" "$BATS_TEST_DIRNAME/cri/cri.py" --stubs "$CTRD/stubs" "$CTRD/containerd.sock" call "$@"
}

# cri_exec [--stdin] ID CMD...: Exec and its stream. The streaming server listens on the
# loopback of containerd's network namespace, so the client runs there.
cri_exec() {
    timeout --kill-after=10 "$ENGINE_TIMEOUT" nsenter --net="/run/netns/$NETNS" \
        "$PYTHON3" "$BATS_TEST_DIRNAME/cri/cri.py" --stubs "$CTRD/stubs" "$CTRD/containerd.sock" exec "$@"
}

# sandbox_config NAME: the PodSandboxConfig of pod NAME (cgroup parent $CGROUP_PARENT/NAME).
sandbox_config() {
    jq -cn --arg name "$1" --arg uid "$MARK-$1" --arg logs "$CTRD/logs/$1" \
        --arg parent "$CGROUP_PARENT/$1" --argjson ns "$NS_OPTIONS" '{
        metadata: {name: $name, uid: $uid, namespace: "ocirt-test"}, hostname: $name,
        logDirectory: $logs, linux: {cgroupParent: $parent, securityContext: {namespaceOptions: $ns}}}'
}

# run_pod NAME: RunPodSandbox with the handler "ocirt"; prints the sandbox id.
run_pod() {
    local id
    id=$(cri RunPodSandbox "$(jq -cn --argjson c "$(sandbox_config "$1")" \
        '{config: $c, runtimeHandler: "ocirt"}')" | jq -r .podSandboxId) || return 1
    [[ -n $id && $id != null ]] && echo "$id"
}

# start_container POD NAME POD_ID CMD_JSON [RESOURCES_JSON]: CreateContainer (busybox image,
# CMD_JSON as command, LinuxContainerResources) + StartContainer; prints the container id.
start_container() {
    local pod=$1 name=$2 pod_id=$3 cmd=$4 res=${5:-null} id
    id=$(cri CreateContainer "$(jq -cn --arg pod "$pod_id" --argjson sb "$(sandbox_config "$pod")" \
        --arg name "$name" --arg image "$BUSYBOX" --argjson cmd "$cmd" --argjson res "$res" \
        --argjson ns "$NS_OPTIONS" '{
        podSandboxId: $pod, sandboxConfig: $sb,
        config: {metadata: {name: $name}, image: {image: $image}, command: $cmd,
                 logPath: ($name + ".log"),
                 linux: {resources: $res, securityContext: {namespaceOptions: $ns}}}}')" | jq -r .containerId) ||
        return 1
    cri StartContainer "{\"containerId\": \"$id\"}" >/dev/null || return 1
    echo "$id"
}

# remove_pod ID: what the kubelet does when a pod goes: StopPodSandbox, RemovePodSandbox.
remove_pod() {
    cri StopPodSandbox "{\"podSandboxId\": \"$1\"}" >/dev/null &&
        cri RemovePodSandbox "{\"podSandboxId\": \"$1\"}" >/dev/null
}

# status ID: the ContainerStatus reply (verbose: .info.info holds the pid).
status() {
    cri ContainerStatus "{\"containerId\": \"$1\", \"verbose\": true}"
}

# pid_of ID: the host pid of a container's init (a sandbox's too: its pause container).
pid_of() {
    status "$1" | jq -r '.info.info | fromjson | .pid'
}
sandbox_pid() {
    cri PodSandboxStatus "{\"podSandboxId\": \"$1\", \"verbose\": true}" | jq -r '.info.info | fromjson | .pid'
}

# exec_sync ID TIMEOUT CMD...: ExecSync; prints the exit code on a line, then stdout, stderr.
exec_sync() {
    local id=$1 t=$2
    shift 2
    cri ExecSync "$(jq -cn --arg id "$id" --argjson t "$t" '{containerId: $id, cmd: $ARGS.positional, timeout: $t}' \
        --args -- "$@")" | jq -j '"\(.exitCode)\n", (.stdout | @base64d), (.stderr | @base64d)'
}

# cg_file ID_PATH V1_CONTROLLER V1_FILE V2_FILE: a container cgroup file (path below the root).
cg_file() {
    if cgroup_v2; then
        echo "/sys/fs/cgroup$1/$4"
    else
        echo "/sys/fs/cgroup/$2$1/$3"
    fi
}

# assert_pods_gone: containerd knows no pod or container, and nothing of theirs is left: shims,
# the runtime's state, mounts and network namespaces under containerd's state, veths in the
# test's network namespace, container cgroups below the pods' parents (which the kubelet, not
# the runtime, removes: done here as it would).
assert_pods_gone() {
    local bad=0 left d rest
    left=$(cri ListPodSandbox | jq -r '.items[].id')
    [[ -z $left ]] || { echo "left behind: pods $left" >&2; bad=1; }
    left=$(cri ListContainers | jq -r '.containers[].id')
    [[ -z $left ]] || { echo "left behind: containers $left" >&2; bad=1; }
    wait_until 10 '[[ -z $(pgrep -f "containerd-shim-runc-v2 .*$CTRD/") ]]' ||
        { echo "left behind: shims: $(pgrep -af "containerd-shim-runc-v2 .*$CTRD/")" >&2; bad=1; }
    left=$(awk -v d="$CTRD/state/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo)
    [[ -z $left ]] || { echo "left behind: mounts $left" >&2; bad=1; }
    left=$(ls -A "$CTRD/state/io.containerd.grpc.v1.cri/netns" 2>/dev/null)
    [[ -z $left ]] || { echo "left behind: pod network namespaces $left" >&2; bad=1; }
    left=$(ip -n "$NETNS" -o link show type veth)
    [[ -z $left ]] || { echo "left behind: veths $left" >&2; bad=1; }
    for d in $(cgroup_parent_dirs); do
        rest=${d#*"${CGROUP_PARENT#/}"}
        # deeper than the pods' parents: a container's
        [[ ${rest#/} != */* ]] || { echo "left behind: cgroup $d" >&2; bad=1; }
    done
    for d in $(cgroup_parent_dirs); do
        [[ ${d#*"${CGROUP_PARENT#/}"} == /pod-* ]] && rmdir "$d" 2>/dev/null
    done
    return "$bad"
}

@test "cri: the CRI plugin answers; a pod runs with the runtime handler 'ocirt' = \$OCIRT" {
    run cri Version '{"version": "v1"}'
    assert_success
    assert_equal "$(jq -r .runtimeName <<<"$output")" containerd
    local pod
    pod=$(run_pod pod-1)
    PODS+=("$pod")
    run cri PodSandboxStatus "{\"podSandboxId\": \"$pod\"}"
    assert_success
    assert_equal "$(jq -r .status.state <<<"$output")" SANDBOX_READY
    assert_equal "$(jq -r .status.runtimeHandler <<<"$output")" ocirt
    # The pause container is the runtime's: its state is in the handler's Root, and the
    # runtime's state names the pod's cgroup parent.
    [[ -d $RUNTIME_STATE/$pod ]] || fail "no state of $pod in $RUNTIME_STATE"
    run "$OCIRT" --root "$RUNTIME_STATE" state "$pod"
    assert_success
    assert_equal "$(jq -r .status <<<"$output")" running
    [[ -d $(cgroup_dir "$CGROUP_PARENT/pod-1/$pod") ]] || fail "no cgroup $CGROUP_PARENT/pod-1/$pod"
    remove_pod "$pod"
}

@test "pod: two containers join the sandbox's network, IPC and UTS namespaces; CNI gave the pod its address" {
    local pod a b ip p pa pb ns
    pod=$(run_pod pod-2)
    PODS+=("$pod")
    ip=$(cri PodSandboxStatus "{\"podSandboxId\": \"$pod\"}" | jq -r .status.network.ip)
    [[ $ip == 10.199.0.* ]] || fail "pod address $ip is not from the test range 10.199.0.0/24"
    a=$(start_container pod-2 a "$pod" '["sleep", "'$MARK'"]')
    b=$(start_container pod-2 b "$pod" '["sleep", "'$MARK'"]')
    p=$(sandbox_pid "$pod")
    pa=$(pid_of "$a")
    pb=$(pid_of "$b")
    for ns in net ipc uts; do
        assert_equal "$(readlink /proc/$pa/ns/$ns)" "$(readlink /proc/$p/ns/$ns)" "a's $ns namespace"
        assert_equal "$(readlink /proc/$pb/ns/$ns)" "$(readlink /proc/$p/ns/$ns)" "b's $ns namespace"
    done
    # the pod's network is not the host's nor containerd's
    [[ $(readlink /proc/$p/ns/net) != "$(readlink /proc/self/ns/net)" ]] || fail "pod in the host's netns"
    # each container has its own mount and PID namespaces (PID mode CONTAINER)
    for ns in mnt pid; do
        [[ $(readlink /proc/$pa/ns/$ns) != "$(readlink /proc/$pb/ns/$ns)" ]] || fail "a and b share a $ns ns"
        [[ $(readlink /proc/$pa/ns/$ns) != "$(readlink /proc/$p/ns/$ns)" ]] || fail "a shares the pod's $ns ns"
    done
    run exec_sync "$a" 10 ip -4 -o addr show eth0
    assert_success
    assert_output_contains "inet $ip/24"
    run exec_sync "$b" 10 hostname
    assert_equal "$(sed -n 2p <<<"$output")" pod-2
    # a's loopback is b's: a listens, b connects through 127.0.0.1
    cri ExecSync "{\"containerId\": \"$a\", \"cmd\": [\"sh\", \"-c\", \"nc -l -p 7777 -e echo pong-$MARK >/dev/null 2>&1 &\"], \"timeout\": 10}" >/dev/null
    wait_until 10 '[[ $(exec_sync "$b" 10 sh -c "nc 127.0.0.1 7777 </dev/null" | sed -n 2p) == pong-$MARK ]]' ||
        fail "b did not reach a's listener through the shared loopback"
    remove_pod "$pod"
}

@test "ExecSync (an exec probe): stdout, stderr, exit code, timeout; Exec: the streamed command" {
    local pod c
    pod=$(run_pod pod-3)
    PODS+=("$pod")
    c=$(start_container pod-3 probe "$pod" '["sleep", "'$MARK'"]')
    run exec_sync "$c" 10 sh -c 'echo ready; echo warn >&2; exit 3'
    assert_success
    assert_output_equals $'3\nready\nwarn'
    run exec_sync "$c" 10 cat /proc/self/cgroup
    assert_output_contains "$CGROUP_PARENT/pod-3/$c"
    # a probe that outlives its timeout fails (containerd kills it and reports the deadline)
    run cri ExecSync "{\"containerId\": \"$c\", \"cmd\": [\"sleep\", \"30\"], \"timeout\": 1}"
    assert_failure
    assert_output_contains "DEADLINE_EXCEEDED"
    # a missing command: the runtime's error comes back to the client
    run cri ExecSync "{\"containerId\": \"$c\", \"cmd\": [\"/no/such/probe\"], \"timeout\": 10}"
    if [[ $status -eq 0 ]]; then
        [[ $(jq -r .exitCode <<<"$output") != 0 ]] || fail "a missing probe command succeeded"
    else
        assert_output_contains "/no/such/probe"
    fi
    run --separate-stderr cri_exec "$c" sh -c 'echo out; echo err >&2; exit 4'
    assert_status 4
    assert_output_equals out
    assert_equal "$stderr" err "Exec's stderr"
    run cri_exec --stdin "$c" sh -c 'read line; echo "got $line"' <<<"hello-$MARK"
    assert_success
    assert_output_equals "got hello-$MARK"
    # ExecSync and Exec left no process behind in the container: its init alone in its cgroup
    wait_until 10 '[[ $(wc -l <"$(cgroup_dir "$CGROUP_PARENT/pod-3/$c")/cgroup.procs") == 1 ]]' ||
        fail "processes left in $c: $(cat "$(cgroup_dir "$CGROUP_PARENT/pod-3/$c")/cgroup.procs")"
    remove_pod "$pod"
}

@test "ContainerStatus: exit codes of a container that exits and of one stopped by StopContainer" {
    local pod c d
    pod=$(run_pod pod-4)
    PODS+=("$pod")
    c=$(start_container pod-4 exits "$pod" '["sh", "-c", "exit 7"]')
    wait_until 30 '[[ $(status "$c" | jq -r .status.state) == CONTAINER_EXITED ]]'
    run status "$c"
    assert_equal "$(jq -r .status.exitCode <<<"$output")" 7 "exit code"
    assert_equal "$(jq -r .status.reason <<<"$output")" Error reason
    d=$(start_container pod-4 runs "$pod" '["sleep", "'$MARK'"]')
    assert_equal "$(status "$d" | jq -r .status.state)" CONTAINER_RUNNING state
    # pid 1 ignores SIGTERM (no handler): after the 1 s grace period containerd kills it
    cri StopContainer "{\"containerId\": \"$d\", \"timeout\": 1}" >/dev/null
    run status "$d"
    assert_equal "$(jq -r .status.state <<<"$output")" CONTAINER_EXITED state
    assert_equal "$(jq -r .status.exitCode <<<"$output")" 137 "exit code (SIGKILL)"
    cri RemoveContainer "{\"containerId\": \"$c\"}" >/dev/null
    cri RemoveContainer "{\"containerId\": \"$d\"}" >/dev/null
    [[ ! -d $RUNTIME_STATE/$c && ! -d $RUNTIME_STATE/$d ]] || fail "runtime state left after RemoveContainer"
    remove_pod "$pod"
}

@test "resources: LinuxContainerResources in the cgroup files; UpdateContainerResources changes them" {
    local pod c cg
    pod=$(run_pod pod-5)
    PODS+=("$pod")
    c=$(start_container pod-5 limited "$pod" '["sleep", "'$MARK'"]' \
        '{"cpuPeriod": 100000, "cpuQuota": 50000, "cpuShares": 512, "memoryLimitInBytes": 67108864,
          "cpusetCpus": "0", "oomScoreAdj": 500}')
    cg=$CGROUP_PARENT/pod-5/$c
    if cgroup_v2; then
        assert_equal "$(cat "$(cg_file "$cg" - - cpu.max)")" "50000 100000" cpu.max
        assert_equal "$(cat "$(cg_file "$cg" - - memory.max)")" 67108864 memory.max
    else
        assert_equal "$(cat "$(cg_file "$cg" cpu cpu.cfs_quota_us -)")" 50000 cpu.cfs_quota_us
        assert_equal "$(cat "$(cg_file "$cg" cpu cpu.cfs_period_us -)")" 100000 cpu.cfs_period_us
        assert_equal "$(cat "$(cg_file "$cg" cpu cpu.shares -)")" 512 cpu.shares
        assert_equal "$(cat "$(cg_file "$cg" memory memory.limit_in_bytes -)")" 67108864 memory.limit_in_bytes
    fi
    assert_equal "$(cat "$(cg_file "$cg" cpuset cpuset.cpus cpuset.cpus)")" 0 cpuset.cpus
    assert_equal "$(cat /proc/"$(pid_of "$c")"/oom_score_adj)" 500 oom_score_adj
    # inside, the container sees the same files (its cgroup)
    run exec_sync "$c" 10 cat /proc/self/cgroup
    assert_output_contains "memory:$cg"
    run cri UpdateContainerResources "{\"containerId\": \"$c\", \"linux\": {\"cpuPeriod\": 100000,
        \"cpuQuota\": 20000, \"cpuShares\": 256, \"memoryLimitInBytes\": 134217728, \"cpusetCpus\": \"0\"}}"
    assert_success
    if cgroup_v2; then
        assert_equal "$(cat "$(cg_file "$cg" - - cpu.max)")" "20000 100000" cpu.max
        assert_equal "$(cat "$(cg_file "$cg" - - memory.max)")" 134217728 memory.max
    else
        assert_equal "$(cat "$(cg_file "$cg" cpu cpu.cfs_quota_us -)")" 20000 cpu.cfs_quota_us
        assert_equal "$(cat "$(cg_file "$cg" cpu cpu.shares -)")" 256 cpu.shares
        assert_equal "$(cat "$(cg_file "$cg" memory memory.limit_in_bytes -)")" 134217728 memory.limit_in_bytes
    fi
    # the lowered limit holds: a shell that holds 32 MiB in a variable is killed
    run cri UpdateContainerResources "{\"containerId\": \"$c\", \"linux\": {\"memoryLimitInBytes\": 16777216,
        \"memorySwapLimitInBytes\": 16777216}}"
    assert_success
    run exec_sync "$c" 30 sh -c 'x=$(head -c 33554432 /dev/zero | tr "\\0" a); echo ${#x}'
    [[ $(sed -n 1p <<<"$output") != 0 ]] || fail "32 MiB held in a 16 MiB container: $output"
    remove_pod "$pod"
}

@test "StopPodSandbox + RemovePodSandbox: nothing of two pods is left" {
    local p1 p2
    p1=$(run_pod pod-6)
    PODS+=("$p1")
    p2=$(run_pod pod-7)
    PODS+=("$p2")
    start_container pod-6 a "$p1" '["sleep", "'$MARK'"]' >/dev/null
    start_container pod-6 b "$p1" '["sleep", "'$MARK'"]' >/dev/null
    start_container pod-7 a "$p2" '["sleep", "'$MARK'"]' >/dev/null
    [[ $(ls -A "$CTRD/state/io.containerd.grpc.v1.cri/netns" | wc -l) == 2 ]] || fail "not 2 pod netns"
    [[ $(ip -n "$NETNS" -o link show type veth | wc -l) == 2 ]] || fail "not 2 veths"
    cri StopPodSandbox "{\"podSandboxId\": \"$p1\"}" >/dev/null
    run cri PodSandboxStatus "{\"podSandboxId\": \"$p1\"}"
    assert_equal "$(jq -r .status.state <<<"$output")" SANDBOX_NOTREADY
    # stopping released the network: p1's netns and veth are gone, p2's remain
    [[ $(ls -A "$CTRD/state/io.containerd.grpc.v1.cri/netns" | wc -l) == 1 ]] || fail "p1's netns left"
    [[ $(ip -n "$NETNS" -o link show type veth | wc -l) == 1 ]] || fail "p1's veth left"
    [[ -z $(busy_cgroups | grep pod-6) ]] || fail "processes left in pod-6's cgroups: $(busy_cgroups)"
    cri RemovePodSandbox "{\"podSandboxId\": \"$p1\"}" >/dev/null
    remove_pod "$p2"
    run cri ListPodSandbox
    assert_equal "$(jq '.items | length' <<<"$output")" 0 pods
    PODS=()
    assert_pods_gone
}
