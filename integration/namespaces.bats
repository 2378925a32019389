#!/usr/bin/env bats
# Namespaces (config-linux.md "Namespaces"), seen from inside the container: pid (sh is PID 1,
# few processes), uts (hostname, domainname), ipc, network (only lo), mount, cgroup, user
# (uid/gid mappings), time (and timeOffsets); namespaces not listed are the host's; joining
# an existing namespace by path. Namespace identity is compared as `readlink /proc/self/ns/X`
# inside vs the same link of this (host) shell.

load helpers

host_ns() {
    readlink "/proc/$$/ns/$1"
}

@test "pid namespace: the container's init is PID 1 and sees only its own processes" {
    # (the trailing echo keeps sh from exec'ing ps in its place)
    run_sh 'echo "pid=$$"; ps -o pid,comm; echo end'
    assert_success
    assert_equal "${lines[0]}" "pid=1" "pid of sh"
    # pid=1, header, sh (PID 1), ps itself, end
    [[ ${#lines[@]} -le 5 ]] || fail "too many processes visible: $output"
    [[ ${lines[2]} =~ ^\ *1\ +sh$ ]] || fail "PID 1 is not sh: $output"
}

@test "pid namespace: inode differs from the host's" {
    run_sh 'readlink /proc/self/ns/pid'
    assert_success
    [[ $output == pid:* && $output != "$(host_ns pid)" ]] || fail "pid ns: $output"
}

@test "uts namespace: hostname from config, host's hostname unchanged" {
    local host_hostname
    host_hostname=$(hostname)
    update_config '.hostname = "it-host"'
    run_sh 'hostname; readlink /proc/self/ns/uts'
    assert_success
    assert_equal "${lines[0]}" it-host hostname
    [[ ${lines[1]} != "$(host_ns uts)" ]] || fail "same uts ns as the host"
    assert_equal "$(hostname)" "$host_hostname" "host's hostname"
}

@test "uts namespace: domainname from config" {
    skip_if_runc "runc 1.1 ignores domainname"
    update_config '.domainname = "it-domain"'
    run_sh 'cat /proc/sys/kernel/domainname'
    assert_success
    assert_output_equals it-domain
}

@test "ipc namespace: differs from the host's" {
    run_sh 'readlink /proc/self/ns/ipc'
    assert_success
    [[ $output == ipc:* && $output != "$(host_ns ipc)" ]] || fail "ipc ns: $output"
}

@test "network namespace: only lo, inode differs from the host's" {
    run_sh 'readlink /proc/self/ns/net; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
    assert_success
    [[ ${lines[0]} == net:* && ${lines[0]} != "$(host_ns net)" ]] || fail "net ns: ${lines[0]}"
    assert_equal "${lines[*]:1}" lo "interfaces"
}

@test "mount namespace: differs from the host's" {
    run_sh 'readlink /proc/self/ns/mnt'
    assert_success
    [[ $output == mnt:* && $output != "$(host_ns mnt)" ]] || fail "mnt ns: $output"
}

@test "cgroup namespace: differs from the host's, own cgroups are the root" {
    update_config '.linux.namespaces += [{"type": "cgroup"}]'
    run_sh 'readlink /proc/self/ns/cgroup; cat /proc/self/cgroup'
    assert_success
    [[ ${lines[0]} == cgroup:* && ${lines[0]} != "$(host_ns cgroup)" ]] || fail "cgroup ns: ${lines[0]}"
    local line
    for line in "${lines[@]:1}"; do
        [[ $line == *:/ ]] || fail "cgroup path inside a cgroup namespace is not /: $line"
    done
}

@test "namespaces that are not listed are shared with the host (network, cgroup, time)" {
    update_config '.linux.namespaces -= [{"type": "network"}]'
    run_sh 'readlink /proc/self/ns/net; readlink /proc/self/ns/cgroup; readlink /proc/self/ns/time'
    assert_success
    assert_equal "${lines[0]}" "$(host_ns net)" "net ns"
    assert_equal "${lines[1]}" "$(host_ns cgroup)" "cgroup ns"
    assert_equal "${lines[2]}" "$(host_ns time)" "time ns"
}

@test "user namespace: uid/gid mappings, root inside is 100000 outside" {
    update_config '.linux.namespaces += [{"type": "user"}]
        | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
    run_sh 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; readlink /proc/self/ns/user'
    assert_success
    assert_equal "${lines[0]}" 0 "uid inside"
    assert_equal "${lines[1]}" 0 "gid inside"
    assert_equal "$(squeeze "${lines[2]}")" "0 100000 65536" uid_map
    assert_equal "$(squeeze "${lines[3]}")" "0 100000 65536" gid_map
    [[ ${lines[4]} != "$(host_ns user)" ]] || fail "same user ns as the host"
}

@test "user namespace: seen from the host, the container's init runs as the mapped uid" {
    update_config ".process.args = $LONG_ARGS"
    update_config '.linux.namespaces += [{"type": "user"}]
        | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
    create_and_start "$CID"
    local pid
    pid=$(state_field "$CID" .pid)
    assert_equal "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" 100000 "host uid of init"
    assert_equal "$(awk '/^Gid:/ {print $2}' "/proc/$pid/status")" 100000 "host gid of init"
    assert_equal "$(squeeze "$(cat "/proc/$pid/uid_map")")" "0 100000 65536" "uid_map seen from the host"
}

@test "time namespace: differs from the host's" {
    skip_if_runc "runc 1.1 has no time namespace"
    update_config '.linux.namespaces += [{"type": "time"}]'
    run_sh 'readlink /proc/self/ns/time'
    assert_success
    [[ $output == time:* && $output != "$(host_ns time)" ]] || fail "time ns: $output"
}

@test "time namespace: timeOffsets move the monotonic and boottime clocks" {
    skip_if_runc "runc 1.1 has no time namespace"
    update_config '.linux.namespaces += [{"type": "time"}]
        | .linux.timeOffsets = {"monotonic": {"secs": 86400, "nanosecs": 0},
                                "boottime": {"secs": 172800, "nanosecs": 0}}'
    run_sh 'cat /proc/self/timens_offsets; cut -d" " -f1 /proc/uptime'
    assert_success
    assert_equal "$(squeeze "${lines[0]}")" "monotonic 86400 0" "timens_offsets line 1"
    assert_equal "$(squeeze "${lines[1]}")" "boottime 172800 0" "timens_offsets line 2"
    local uptime=${lines[2]%%.*}
    ((uptime >= 172800)) || fail "uptime inside is $uptime, expected >= 172800"
}

@test "joining a namespace by path: B joins A's network namespace" {
    track_id "$CID-b"
    update_config ".process.args = $LONG_ARGS"
    create_and_start "$CID"
    local pid_a ns_a
    pid_a=$(state_field "$CID" .pid)
    ns_a=$(readlink "/proc/$pid_a/ns/net")
    [[ $ns_a != "$(host_ns net)" ]] || fail "A is in the host network namespace"

    update_config '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' \
        --arg p "/proc/$pid_a/ns/net"
    set_sh 'readlink /proc/self/ns/net; readlink /proc/self/ns/uts'
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID-b"
    assert_success
    assert_equal "${lines[0]}" "$ns_a" "B's network namespace"
    # B still gets its own new namespaces for the other types
    [[ ${lines[1]} != "$(host_ns uts)" ]] || fail "B shares the host's uts namespace"
    [[ ${lines[1]} != "$(readlink "/proc/$pid_a/ns/uts")" ]] || fail "B joined A's uts namespace"
}

@test "user namespace without a network namespace: /sys is the host's, bound read-only" {
    skip_if_runc  # runc 1.1 fails to mount sysfs here
    update_config '.linux.namespaces |= map(select(.type != "network")) + [{type: "user"}]
                   | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
                   | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
                   | .mounts |= map(select(.type != "cgroup"))'
    run_sh 'ls /sys/class >/dev/null && echo listed; grep " /sys " /proc/self/mountinfo | cut -d" " -f6'
    assert_success
    assert_equal "${lines[0]}" listed "/sys readable"
    [[ ${lines[1]} == ro,* ]] || fail "/sys not read-only: ${lines[1]}"
}
