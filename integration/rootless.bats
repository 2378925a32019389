#!/usr/bin/env bats
# Rootless: an unprivileged user made for this file (rootless.bash) runs containers with the
# runtime under test, its state in $XDG_RUNTIME_DIR/<runtime> (the default --root there): the
# lifecycle, exec, a terminal, kill, delete; one mapping of the user's own id (written without
# help) and several ranges through newuidmap/newgidmap; ranges not granted and limits on cgroup
# v1 refused with a clear error; nothing left behind (state, processes, mounts).

load helpers
load rootless

setup_file() {
    check_prereqs rootless || return 1
    rl_setup_file
    RT=$(basename "$OCIRT")
    export RT
}

teardown_file() {
    rl_teardown_file
}

setup() {
    common_setup
    RB=$RL_DIR/bundle-$BATS_TEST_NUMBER
    RL_CWD=$RB
    install -d -m 0755 -o "$RL_UID" -g "$RL_GID" "$RB"
    as_user "$OCIRT" spec --rootless --bundle "$RB"
    rl_config '.root = {path: $r, readonly: true} | .process.terminal = false' --arg r "$ROOTFS"
}

teardown() {
    local id
    for id in $(rt list -q 2>/dev/null); do
        rt delete --force "$id" >/dev/null 2>&1 || true
    done
    rl_assert_nothing_left
    common_teardown
}

# rl_config FILTER [jq options]: edit the user's bundle config.
rl_config() {
    local filter=$1
    shift
    jq "$filter" "$RB/config.json" "$@" >"$RB/config.json.new" && mv "$RB/config.json.new" "$RB/config.json"
    chown "$RL_UID:$RL_GID" "$RB/config.json"
}

rl_sh() { rl_config '.process.args = ["sh", "-c", $s]' --arg s "$1"; }

# rt ARGS: the runtime as the user, its default root. Its stdio go to files, as ocirt()'s in
# helpers.bash (a detached container would hold a pipe open), replayed once it exits.
rt() {
    local n=$((++OCIRT_CALLS)) rc=0
    local out=$LOGDIR/rl.$BASHPID.$n.out err=$LOGDIR/rl.$BASHPID.$n.err
    as_user "$OCIRT" "$@" >"$out" 2>"$err" </dev/null || rc=$?
    cat "$out"
    cat "$err" >&2
    return "$rc"
}

rl_status_is() { [[ $(rt state "$1" | jq -r .status) == "$2" ]]; }

rl_assert_nothing_left() {
    local left i
    for i in $(seq 30); do
        left=$(rl_user_pids)
        [[ -z $left ]] && break
        sleep 0.1
    done
    if [[ -n $left ]]; then
        ps -o pid,ppid,user,args -p "$(paste -sd, <<<"$left")" >&2 || true
        fail "the user still runs processes"
    fi
    left=$(ls -A "$RL_RUN/$RT" 2>/dev/null || true)
    [[ -z $left ]] || fail "state left in $RL_RUN/$RT: $left"
    left=$(grep -F -e "$RL_DIR" -e "$ROOTFS" /proc/self/mountinfo || true)
    [[ -z $left ]] || fail "mounts left: $left"
}

@test "rootless: spec --rootless maps root to the user's own ids" {
    run jq -c '[.linux.uidMappings, .linux.gidMappings, ([.linux.namespaces[].type] | sort)]' "$RB/config.json"
    assert_success
    assert_output_equals "[[{\"containerID\":0,\"hostID\":$RL_UID,\"size\":1}],[{\"containerID\":0,\"hostID\":$RL_GID,\"size\":1}],[\"ipc\",\"mount\",\"pid\",\"user\",\"uts\"]]"
}

@test "rootless: run as root of the user namespace, the user on the host" {
    rl_sh 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; cat /proc/self/setgroups; exit 3'
    run rt run "$CID"
    assert_status 3
    [[ $(squeeze "${lines[2]}") == "0 $RL_UID 1" ]] || fail "uid_map: ${lines[2]}"
    [[ $(squeeze "${lines[3]}") == "0 $RL_GID 1" ]] || fail "gid_map: ${lines[3]}"
    assert_equal "${lines[0]}" 0 "uid inside"
    assert_equal "${lines[1]}" 0 "gid inside"
    assert_equal "${lines[4]}" deny "setgroups (a gid map written without newgidmap)"
}

@test "rootless: create, start, state under XDG_RUNTIME_DIR, exec, kill, delete" {
    rl_config '.process.args = ["sleep", $m]' --arg m "$MARK"
    rt create "$CID"
    [[ -d $RL_RUN/$RT/$CID ]] || fail "no state dir in $RL_RUN/$RT"
    assert_equal "$(stat -c %u "$RL_RUN/$RT/$CID")" "$RL_UID" "owner of the state dir"
    rt start "$CID"
    run rt state "$CID"
    assert_success
    assert_equal "$(jq -r .status <<<"$output")" running status
    local pid
    pid=$(jq -r .pid <<<"$output")
    assert_equal "$(stat -c %u "/proc/$pid")" "$RL_UID" "the init's uid on the host"

    run rt exec "$CID" sh -c 'id -u; cat /proc/1/cmdline | tr "\0" " "; exit 7'
    assert_status 7
    assert_equal "${lines[0]}" 0 "uid of the exec'd process"
    assert_output_contains "sleep $MARK"

    run rt exec -d "$CID" sleep 1000$MARK
    assert_success

    rt kill "$CID" KILL
    wait_until 10 rl_status_is "$CID" stopped
    rt delete "$CID"
    [[ ! -e $RL_RUN/$RT/$CID ]] || fail "state dir left"
}

@test "rootless: a terminal through --console-socket" {
    rl_config '.process.terminal = true | .process.args = ["sh", "-c", "tty; echo cols $(stty size); sleep " + $m]' --arg m "$MARK"
    local sock=$RB/console.sock out=$RB/console.out
    as_user sh -c 'echo $$ >"$1"; exec "$2" "$3" "$4" "$5"' sh "$RB/receiver.pid" "$PYTHON3" \
        "$INTEGRATION_DIR/helpers/console_receiver.py" "$sock" "$out" </dev/null >/dev/null 2>&1 3>&- &
    wait_until 10 test -S "$sock"
    local rpid
    rpid=$(cat "$RB/receiver.pid")
    rt create --console-socket "$sock" "$CID"
    rt start "$CID"
    wait_until 10 grep -q "/dev/pts/0" "$out"
    rt exec -t -d --console-socket "$sock" "$CID" sh -c 'echo exec-tty $(tty); sleep 1000'"$MARK"
    wait_until 10 grep -q "exec-tty /dev/pts/1" "$out"
    rt delete --force "$CID"
    kill "$rpid"
    wait_until 10 bash -c "! kill -0 $rpid 2>/dev/null"
}

@test "rootless: several ranges through newuidmap and newgidmap" {
    command -v newuidmap >/dev/null && command -v newgidmap >/dev/null ||
        skip "newuidmap/newgidmap are not installed (apt-get install uidmap)"
    rl_config '.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}, {containerID: 1, hostID: $su, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: $g, size: 1}, {containerID: 1, hostID: $sg, size: 65536}]
        | .process.user = {uid: 1000, gid: 1000}
        | .process.args = ["sh", "-c", "id -u; id -G; cat /proc/self/uid_map; sleep " + $m]' \
        --argjson u "$RL_UID" --argjson g "$RL_GID" --argjson su "$RL_SUBUID" --argjson sg "$RL_SUBGID" --arg m "$MARK"
    rt run -d "$CID"
    wait_until 10 rl_status_is "$CID" running
    local pid
    pid=$(rt state "$CID" | jq -r .pid)
    assert_equal "$(stat -c %u "/proc/$pid")" "$((RL_SUBUID + 999))" "uid 1000 inside is this subuid outside"
    run rt exec --user 1000:1000 "$CID" sh -c 'id -u; id -G; wc -l < /proc/self/uid_map; cat /proc/self/setgroups'
    assert_success
    assert_equal "${lines[0]}" 1000 uid
    assert_equal "${lines[1]%% *}" 1000 gid
    # runc 1.1's exec keeps the groups it had (the user's own, 0 inside); none were asked for
    ocirt_only assert_equal "${lines[1]}" 1000 groups
    assert_equal "$(squeeze "${lines[2]}")" 2 "uid_map lines"
    assert_equal "${lines[3]}" allow "setgroups after newgidmap"
    # runc 1.1 refuses any additional group rootless; with newgidmap's map the kernel allows them
    if ! is_runc; then
        run rt exec --user 1000:1000 --additional-gids 2000 "$CID" id -G
        assert_success
        assert_output_equals "1000 2000"
    fi
    rt delete --force "$CID"
}

@test "rootless: a range not granted in /etc/subuid is refused, nothing left" {
    command -v newuidmap >/dev/null || skip "newuidmap is not installed (apt-get install uidmap)"
    rl_config '.linux.uidMappings = [{containerID: 0, hostID: $u, size: 1}, {containerID: 1, hostID: 1, size: 1000}]' \
        --argjson u "$RL_UID"
    run rt run "$CID"
    assert_failure
    ocirt_only assert_output_contains "linux.uidMappings: hostID 1 size 1000 is not granted to $RL_USER"
    ocirt_only assert_output_contains "/etc/subuid"
}

@test "rootless: one own gid cannot give additional groups (setgroups denied)" {
    rl_config '.process.user.additionalGids = [0]'
    rl_sh 'id -G'
    run rt run "$CID"
    assert_failure
    ocirt_only assert_output_contains "process.user.additionalGids: setgroups is denied"
}

@test "rootless: a limit on cgroup v1 is refused naming the field, no limit runs" {
    cgroup_v2 && skip "a cgroup v1 host's behaviour (this one is v2)"
    rl_config '.linux.resources = {memory: {limit: 67108864}}'
    rl_sh 'echo ran'
    run rt run "$CID"
    assert_failure
    [[ $output != *ran* ]] || fail "the container ran"
    ocirt_only assert_output_contains "linux.resources.memory.limit: cannot apply a cgroup limit: rootless on cgroup v1"
    rl_config '.linux.resources = {pids: {limit: 10}}'
    run rt run "$CID"
    assert_failure
    ocirt_only assert_output_contains "linux.resources.pids.limit"
    rl_config 'del(.linux.resources)'
    run rt run "$CID"
    assert_success
    assert_output_equals ran
}

@test "rootless: devices are bind-mounted from the host, /sys read-only, /proc of the pid namespace" {
    rl_sh 'echo hi >/dev/null && head -c 4 /dev/zero | wc -c; stat -c %t,%T /dev/null; grep -c " /sys " /proc/self/mountinfo; touch /sys/x 2>&1 >/dev/null | grep -c "Read-only"; echo $$; ls -d /proc/[0-9]* | wc -l'
    run rt run "$CID"
    assert_success
    assert_equal "${lines[0]}" 4 "bytes from /dev/zero"
    assert_equal "${lines[1]}" "1,3" "/dev/null is the host's char 1:3"
    assert_equal "${lines[3]}" 1 "/sys is read-only"
    assert_equal "${lines[4]}" 1 "pid of sh"
}

@test "rootless: a mount needing host privileges is refused with a clear error" {
    rl_config '.mounts += [{destination: "/mnt", type: "ext4", source: "/dev/loop0", options: []}]'
    rl_sh 'true'
    run rt run "$CID"
    assert_failure
    ocirt_only assert_output_contains "mounts[7]: create the ext4 filesystem: Operation not permitted"
}
