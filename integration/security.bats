#!/usr/bin/env bats
# Security properties of the container, each shown by what a process can or cannot do:
# - capabilities: the five sets of a non-root user with ambient capabilities, root's sets after
#   execve, the bounding set as the ceiling of a setuid-root program, no_new_privs;
#   warnings for capabilities that cannot be granted
# - no fd of the caller or of the runtime reaches the container
# - process.cwd cannot lead outside the rootfs (CVE-2024-21626 class)
# - the runtime's binary cannot be reached through a created container's init
#   (CVE-2019-5736 class)
# - symlinks in the image cannot redirect /proc, /sys or any mount target outside the rootfs
#   (CVE-2019-19921 class)
# - a device node for a host device cannot be opened, even with CAP_MKNOD (device cgroup)
# - masked and read-only paths cannot be undone without CAP_SYS_ADMIN
# (process.bats has the basic capability, noNewPrivileges and fd tests; this file extends them.)

load helpers
load helpers/security

setup_file() {
    build_probes
}

# Capability numbers (linux/capability.h) by name, for the expected /proc/self/status masks.
CAP_CHOWN=0 CAP_KILL=5 CAP_SETUID=7 CAP_NET_BIND_SERVICE=10 CAP_AUDIT_WRITE=29
CAP_NAMES=(CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL
    CAP_SETGID CAP_SETUID CAP_SETPCAP CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE CAP_NET_BROADCAST
    CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK CAP_IPC_OWNER CAP_SYS_MODULE CAP_SYS_RAWIO
    CAP_SYS_CHROOT CAP_SYS_PTRACE CAP_SYS_PACCT CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_NICE
    CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE CAP_AUDIT_WRITE
    CAP_AUDIT_CONTROL CAP_SETFCAP CAP_MAC_OVERRIDE CAP_MAC_ADMIN CAP_SYSLOG CAP_WAKE_ALARM
    CAP_BLOCK_SUSPEND CAP_AUDIT_READ CAP_PERFMON CAP_BPF CAP_CHECKPOINT_RESTORE)

# mask BIT...: the 16-digit hex mask /proc/self/status shows for these capability bits
mask() {
    local m=0 b
    for b in "$@"; do m=$((m | (1 << b))); done
    printf '%016x' "$m"
}

# cap_line STATUS_TEXT FIELD: the value of FIELD (CapEff, ...) in /proc/PID/status text
cap_line() {
    awk -v f="$2:" '$1 == f { print $2 }' <<<"$1"
}

# --- capabilities ---------------------------------------------------------------------------

@test "capabilities: a non-root user gets each set as configured; ambient ones survive execve and work" {
    update_config '.process.user = {uid: 1000, gid: 1000}
        | .process.capabilities = {
            bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"],
            permitted: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
            inheritable: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
            effective: ["CAP_CHOWN", "CAP_NET_BIND_SERVICE"],
            ambient: ["CAP_CHOWN", "CAP_NET_BIND_SERVICE"]}'
    # grep is a second execve after the container's sh: what it shows survived both
    run_sh 'grep ^Cap /proc/self/status; touch /dev/shm/f && chown 0:0 /dev/shm/f && stat -c %u /dev/shm/f'
    assert_success
    # for a non-root user the kernel keeps, across execve, the ambient set (as permitted and
    # effective) and the inheritable set; the bounding set is the ceiling
    assert_equal "$(cap_line "$output" CapInh)" "$(mask $CAP_CHOWN $CAP_KILL $CAP_NET_BIND_SERVICE)" CapInh
    assert_equal "$(cap_line "$output" CapPrm)" "$(mask $CAP_CHOWN $CAP_NET_BIND_SERVICE)" CapPrm
    assert_equal "$(cap_line "$output" CapEff)" "$(mask $CAP_CHOWN $CAP_NET_BIND_SERVICE)" CapEff
    assert_equal "$(cap_line "$output" CapAmb)" "$(mask $CAP_CHOWN $CAP_NET_BIND_SERVICE)" CapAmb
    assert_equal "$(cap_line "$output" CapBnd)" \
        "$(mask $CAP_CHOWN $CAP_KILL $CAP_NET_BIND_SERVICE $CAP_SETUID)" CapBnd
    # CAP_CHOWN is usable by uid 1000: chown to root worked
    assert_equal "${lines[5]}" 0 "owner after chown"
}

@test "capabilities: a non-root user without ambient capabilities loses them at execve" {
    update_config '.process.user = {uid: 1000, gid: 1000}'
    set_caps '["CAP_CHOWN"]'
    update_config '.process.capabilities.ambient = []'
    run_sh 'grep ^Cap /proc/self/status; touch /dev/shm/f; chown 0:0 /dev/shm/f'
    assert_failure
    assert_stderr_contains "Operation not permitted"
    assert_equal "$(cap_line "$output" CapEff)" "$(mask)" CapEff
    assert_equal "$(cap_line "$output" CapPrm)" "$(mask)" CapPrm
    assert_equal "$(cap_line "$output" CapInh)" "$(mask $CAP_CHOWN)" CapInh
    assert_equal "$(cap_line "$output" CapBnd)" "$(mask $CAP_CHOWN)" CapBnd
}

@test "capabilities: for root without no_new_privs the bounding set is what counts after execve" {
    update_config '.process.noNewPrivileges = false | .process.capabilities = {
            bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
            permitted: ["CAP_KILL"], effective: ["CAP_KILL"], inheritable: [], ambient: []}'
    run_sh 'grep ^Cap /proc/self/status'
    assert_success
    # execve gives root permitted = inheritable | bounding, and effective = permitted
    local bnd
    bnd=$(mask $CAP_CHOWN $CAP_KILL $CAP_NET_BIND_SERVICE)
    assert_equal "$(cap_line "$output" CapBnd)" "$bnd" CapBnd
    assert_equal "$(cap_line "$output" CapPrm)" "$bnd" CapPrm
    assert_equal "$(cap_line "$output" CapEff)" "$bnd" CapEff
    assert_equal "$(cap_line "$output" CapInh)" "$(mask)" CapInh
    assert_equal "$(cap_line "$output" CapAmb)" "$(mask)" CapAmb
}

@test "capabilities: for root with no_new_privs execve adds nothing to the configured sets" {
    update_config '.process.noNewPrivileges = true | .process.capabilities = {
            bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
            permitted: ["CAP_KILL"], effective: ["CAP_KILL"], inheritable: [], ambient: []}'
    run_sh 'grep ^Cap /proc/self/status'
    assert_success
    assert_equal "$(cap_line "$output" CapBnd)" "$(mask $CAP_CHOWN $CAP_KILL $CAP_NET_BIND_SERVICE)" CapBnd
    assert_equal "$(cap_line "$output" CapPrm)" "$(mask $CAP_KILL)" CapPrm
    assert_equal "$(cap_line "$output" CapEff)" "$(mask $CAP_KILL)" CapEff
    assert_equal "$(cap_line "$output" CapInh)" "$(mask)" CapInh
    assert_equal "$(cap_line "$output" CapAmb)" "$(mask)" CapAmb
}

# A setuid-root copy of sysprobe, bind-mounted (without nosuid) on /mnt.
setuid_probe() {
    mkdir "$BUNDLE/suid"
    cp "$PROBES/sysprobe" "$BUNDLE/suid/sysprobe"
    chown 0:0 "$BUNDLE/suid/sysprobe"
    chmod 4755 "$BUNDLE/suid/sysprobe"
    mount_probes "$BUNDLE/suid"
}

@test "no_new_privs: a setuid-root program in the image does not make a user root" {
    setuid_probe
    update_config '.process.user = {uid: 65534, gid: 65534} | .process.noNewPrivileges = true'
    run_sh '/mnt/sysprobe ids'
    assert_success
    assert_equal "${lines[0]}" "uid=65534 euid=65534"
    assert_equal "$(squeeze "${lines[1]}")" "CapEff: $(mask)"
}

@test "bounding set: without no_new_privs a setuid-root program gets root, but only the bounding set" {
    setuid_probe
    update_config '.process.user = {uid: 65534, gid: 65534} | .process.noNewPrivileges = false'
    set_caps '["CAP_KILL"]'
    run_sh '/mnt/sysprobe ids'
    assert_success
    assert_equal "${lines[0]}" "uid=65534 euid=0"
    assert_equal "$(squeeze "${lines[1]}")" "CapEff: $(mask $CAP_KILL)"
}

# --- capability warnings ----------------------------------------------------------------------

@test "capabilities: an unknown name (CAP_FOO) is ignored with a warning naming it" {
    update_config '.process.capabilities.bounding += ["CAP_FOO"]
                 | .process.capabilities.effective += ["CAP_FOO"]'
    run_sh 'grep ^CapBnd /proc/self/status'
    assert_success
    assert_stderr_contains CAP_FOO
    assert_equal "$(squeeze "$output")" "CapBnd: $(mask $CAP_AUDIT_WRITE $CAP_KILL $CAP_NET_BIND_SERVICE)"

    # the same warning in the --log file
    local log=$LOGDIR/runtime.log
    run --separate-stderr ocirt --log "$log" run --bundle "$BUNDLE" "$CID"
    assert_success
    grep -q CAP_FOO "$log" || {
        cat "$log" >&2
        fail "no warning naming CAP_FOO in the --log file"
    }
}

@test "capabilities: one the runtime itself lacks is ignored with a warning naming it" {
    skip_if_runc "runc 1.1.5 fails with 'unable to apply caps: operation not permitted'"
    # a capability this test's own process (root) does not have in its bounding set
    local hex i last missing=""
    hex=$(awk '$1 == "CapBnd:" { print $2 }' /proc/self/status)
    last=$(cat /proc/sys/kernel/cap_last_cap)
    for ((i = 0; i <= last && i < ${#CAP_NAMES[@]}; i++)); do
        if (((16#$hex >> i & 1) == 0)); then
            missing=${CAP_NAMES[i]}
            break
        fi
    done
    [[ -n $missing ]] || skip "this machine's root has every capability in its bounding set"
    update_config '.process.capabilities.bounding += [$c] | .process.capabilities.permitted += [$c]
                 | .process.capabilities.effective += [$c]' --arg c "$missing"
    run_sh 'grep ^CapBnd /proc/self/status'
    assert_success
    assert_stderr_contains "$missing"
    assert_equal "$(squeeze "$output")" "CapBnd: $(mask $CAP_AUDIT_WRITE $CAP_KILL $CAP_NET_BIND_SERVICE)"
}

# --- file descriptors -------------------------------------------------------------------------

@test "file descriptors: files, directories and pipes of the caller, and the runtime's log, do not leak" {
    # ls (a child) lists the fds of sh (PID 1) with their targets; no pipe or glob in sh,
    # which would open fds of its own
    set_sh 'ls -l /proc/$$/fd'
    mkdir "$BUNDLE/dir"
    # fds 5 (a file), 7 (a file for writing), 9 (a directory), a pipe, and the runtime's log
    local pipe
    exec {pipe}< <(sleep 0)
    run --separate-stderr ocirt --log "$LOGDIR/runtime.log" run --bundle "$BUNDLE" "$CID" \
        5</etc/hostname 7>"$BUNDLE/x" 9<"$BUNDLE/dir"
    exec {pipe}<&-
    assert_success
    local fds
    fds=$(awk '$(NF-1) == "->" { print $(NF-2) }' <<<"$output" | tr '\n' ' ')
    assert_equal "$fds" "0 1 2 " "open fds of the container's init"
    [[ $output != *"$BUNDLE"* && $output != *hostname* && $output != *runtime.log* ]] ||
        fail "an fd of the caller or of the runtime reached the container: $output"
}

@test "file descriptors: --preserve-fds 2 passes exactly fds 3 and 4" {
    echo three >"$BUNDLE/fd3"
    echo four >"$BUNDLE/fd4"
    echo five >"$BUNDLE/fd5"
    set_sh 'ls /proc/$$/fd; cat <&3; cat <&4'
    run --separate-stderr ocirt run --preserve-fds 2 --bundle "$BUNDLE" "$CID" \
        3<"$BUNDLE/fd3" 4<"$BUNDLE/fd4" 5<"$BUNDLE/fd5"
    assert_success
    assert_equal "${lines[*]}" "0 1 2 3 4 three four" "open fds of the container's init, contents of 3 and 4"
}

@test "file descriptors: a running container's process has only 0 1 2 open, seen from the host" {
    update_config ".process.args = $LONG_ARGS"
    ocirt create --bundle "$BUNDLE" "$CID" 5</etc/hostname 7>"$BUNDLE/x"
    ocirt start "$CID"
    wait_for_status "$CID" running
    local pid fds
    pid=$(state_field "$CID" .pid)
    fds=$(ls "/proc/$pid/fd" | sort -n | tr '\n' ' ')
    assert_equal "$fds" "0 1 2 " "fds of the container's process"
}

# --- process.cwd and the rootfs (CVE-2024-21626 class) ------------------------------------------

# cwd_probe: the container prints where `..` repeated from its cwd ends up and where / is
# (device:inode): from anywhere inside the container's root tree `..` ends at its /.
CWD_PROBE='cd ../../../../../../../../../..; stat -c %d:%i .; stat -c %d:%i /'

# check_cwd_inside ID: run the container ID; it must fail to start, or end up inside.
check_cwd_inside() {
    set_sh "$CWD_PROBE"
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$1"
    if ((status != 0)); then
        assert_nothing_left "$1"
        return 0
    fi
    [[ ${#lines[@]} -eq 2 && ${lines[0]} == "${lines[1]}" ]] || {
        echo "cwd $(jq -r .process.cwd "$BUNDLE/config.json"): '..' leads to ${lines[0]:-?}, / is ${lines[1]:-?}" >&2
        return 1
    }
}

@test "process.cwd /proc/self/fd/N (a runtime fd) cannot put the process outside the rootfs" {
    use_writable_rootfs # the runtime creates process.cwd in the rootfs
    local n bad=0
    for n in $(seq 3 15); do
        track_id "$CID-$n"
        update_config '.process.cwd = $c' --arg c "/proc/self/fd/$n"
        check_cwd_inside "$CID-$n" || bad=1
    done
    ((bad == 0)) || fail "a cwd through a runtime fd led outside the container"
}

@test "process.cwd through a symlink in the image to /proc/self/fd/N cannot put the process outside" {
    use_writable_rootfs
    local n bad=0
    for n in $(seq 3 15); do
        # the image ships the path under its (later covered) /proc, so creating cwd succeeds
        mkdir -p "$BUNDLE/rootfs/proc/self/fd/$n"
        ln -s "/proc/self/fd/$n" "$BUNDLE/rootfs/workdir$n"
        track_id "$CID-$n"
        update_config '.process.cwd = $c' --arg c "/workdir$n"
        check_cwd_inside "$CID-$n" || bad=1
    done
    ((bad == 0)) || fail "a cwd through a symlink to a runtime fd led outside the container"
}

@test "process.cwd with .. components stays inside the rootfs, and is created there" {
    use_writable_rootfs
    local name=ocirt-cwd-$MARK
    update_config '.process.cwd = $c' --arg c "/../../../$name/../../$name"
    run_sh 'pwd; ls / | tr "\n" " "'
    assert_success
    assert_equal "${lines[0]}" "/$name" "pwd"
    assert_equal "${lines[1]}" "$(ls "$BUNDLE/rootfs" | tr '\n' ' ')" "ls / inside vs the rootfs"
    [[ -d $BUNDLE/rootfs/$name ]] || fail "cwd was not created in the rootfs"
    [[ ! -e /$name && ! -e $(dirname "$BUNDLE")/$name ]] || fail "cwd was created outside the rootfs"
}

@test "process.cwd through a symlink in the image to a host path is refused or resolved inside the rootfs" {
    use_writable_rootfs
    local host_dir=$BUNDLE/host-dir
    mkdir "$host_dir"
    touch "$host_dir/host-secret"
    ln -s "$host_dir" "$BUNDLE/rootfs/workdir"
    ln -s ../../../../../../../../.. "$BUNDLE/rootfs/updir"
    update_config '.process.cwd = "/workdir"'
    run_sh 'pwd -P; ls -a . | tr "\n" " "'
    if ((status != 0)); then
        # runc: "mkdir /workdir: file exists"
        assert_nothing_left
    else
        assert_equal "${lines[0]}" "$host_dir" "pwd -P (the host path, but inside the rootfs)"
        assert_equal "${lines[1]}" ". .. " "the directory is the rootfs' (empty), not the host's"
        [[ -d $BUNDLE/rootfs/$host_dir ]] || fail "cwd was not created inside the rootfs"
    fi
    assert_equal "$(ls -A "$host_dir")" host-secret "the host directory"

    update_config '.process.cwd = "/updir"'
    run_sh 'pwd -P'
    assert_success
    assert_output_equals /
}

# --- the runtime's binary (CVE-2019-5736 class) -------------------------------------------------

# join_pid_ns_of PID: this bundle's config joins the pid namespace of PID
join_pid_ns_of() {
    update_config '.linux.namespaces |= map(if .type == "pid" then .path = $p else . end)' \
        --arg p "/proc/$1/ns/pid"
}

@test "a created container's init (the runtime's code) cannot be read or written through /proc/PID/exe" {
    track_id "$CID-b"
    local before after
    before=$(sha256sum <"$OCIRT")
    update_config ".process.args = $LONG_ARGS"
    ocirt create --bundle "$BUNDLE" "$CID"
    local pid
    pid=$(state_field "$CID" .pid)
    # B: root with podman's default capabilities (CAP_DAC_OVERRIDE among them), in A's pid
    # namespace, where A's init is PID 1 and still runs the runtime's code
    join_pid_ns_of "$pid"
    set_caps "$PODMAN_CAPS"
    set_sh 'cat /proc/1/cmdline | tr "\0" " "; echo
            for what in "readlink /proc/1/exe" "cat /proc/1/exe" "readlink /proc/1/cwd" "cat /proc/1/environ" \
                        "ls /proc/1/root/"; do
                $what >/dev/null 2>&1 && echo "$what: allowed" || echo "$what: denied"
            done
            (echo x >>/proc/1/exe) 2>/dev/null && echo "write exe: allowed" || echo "write exe: denied"'
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID-b"
    assert_success
    echo "$output" >&2
    [[ ${lines[0]} != "" ]] || fail "B does not see A's init as PID 1"
    assert_equal "${lines[1]}" "readlink /proc/1/exe: denied"
    assert_equal "${lines[2]}" "cat /proc/1/exe: denied"
    assert_equal "${lines[3]}" "readlink /proc/1/cwd: denied"
    assert_equal "${lines[4]}" "cat /proc/1/environ: denied"
    assert_equal "${lines[5]}" "ls /proc/1/root/: denied"
    assert_equal "${lines[6]}" "write exe: denied"
    after=$(sha256sum <"$OCIRT")
    assert_equal "$after" "$before" "sha256 of the runtime's binary"
}

@test "with CAP_SYS_PTRACE, a container sharing a created container's pid namespace cannot overwrite the runtime" {
    # Kubernetes pods share a pid namespace: a container of the pod with CAP_SYS_PTRACE sees
    # the init of a container being created. It opens /proc/1/exe while that init runs the
    # runtime, and writes through the fd once nothing executes the file any more.
    # A copy of the binary runs A, so a successful attack does not break the suite.
    track_id "$CID-b"
    local runtime_copy=$BUNDLE/runtime-copy before after
    cp "$OCIRT" "$runtime_copy"
    before=$(sha256sum <"$runtime_copy")
    mkdir "$BUNDLE/shared"
    update_config ".process.args = $LONG_ARGS"
    OCIRT=$runtime_copy ocirt create --bundle "$BUNDLE" "$CID"
    local pid
    pid=$(state_field "$CID" .pid)

    join_pid_ns_of "$pid"
    set_caps "$(jq -c '. + ["CAP_SYS_PTRACE"]' <<<"$PODMAN_CAPS")"
    update_config '.mounts += [{destination: "/mnt", type: "bind", source: $d, options: ["rbind"]}]' \
        --arg d "$BUNDLE/shared"
    set_sh 'if exec 3</proc/1/exe; then echo opened >/mnt/opened; else echo denied >/mnt/opened; fi
            while [ ! -e /mnt/go ]; do sleep 0.05; done
            (echo EVIL >>/proc/self/fd/3) 2>/dev/null; echo "write=$?" >/mnt/result'
    ocirt run -d --bundle "$BUNDLE" "$CID-b"
    local i
    for i in $(seq 100); do [[ -s $BUNDLE/shared/opened ]] && break; sleep 0.05; done
    echo "B opening A's /proc/1/exe: $(cat "$BUNDLE/shared/opened" 2>/dev/null)" >&2
    # A starts: its init execs the container's process, the runtime's image is left
    ocirt start "$CID"
    wait_for_status "$CID" running
    touch "$BUNDLE/shared/go"
    for i in $(seq 100); do [[ -s $BUNDLE/shared/result ]] && break; sleep 0.05; done
    echo "B writing through the fd: $(cat "$BUNDLE/shared/result" 2>/dev/null)" >&2
    after=$(sha256sum <"$runtime_copy")
    assert_equal "$after" "$before" "sha256 of the runtime's binary (copy)"
}

@test "with CAP_SYS_PTRACE, a created container's init holds no directory fd leading outside its root" {
    # Same setting: B, with CAP_SYS_PTRACE, shares the pid namespace of A, which is created.
    # B may reach what A's init holds (ptrace access), so none of it may lead outside A's root:
    # a directory fd of the host's /proc would give B the host's /proc/sys.
    track_id "$CID-b"
    update_config ".process.args = $LONG_ARGS"
    ocirt create --bundle "$BUNDLE" "$CID"
    local pid
    pid=$(state_field "$CID" .pid)
    join_pid_ns_of "$pid"
    set_caps "$(jq -c '. + ["CAP_SYS_PTRACE"]' <<<"$PODMAN_CAPS")"
    # for each directory fd of PID 1: where `..` repeated from it ends, and A's root
    set_sh 'root=$(stat -L -c %d:%i /proc/1/root/ 2>/dev/null)
            for f in /proc/1/fd/*; do
                [ -d "$f" ] || continue
                top=$(cd -P "$f" 2>/dev/null && cd -P ../../../../../../../../../.. && stat -c %d:%i .) || continue
                [ "$top" = "$root" ] || echo "${f##*/} -> $(readlink "$f") leads to $top, outside $root"
            done
            echo end'
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID-b"
    assert_success
    assert_output_equals end
}

@test "exec: a container process with CAP_SYS_PTRACE cannot overwrite the runtime that enters the container" {
    # The original CVE-2019-5736: `exec` runs the runtime's code inside the container's
    # namespaces; a process of the container watches for it, opens /proc/PID/exe, and writes
    # through that fd once the runtime's binary is no longer executed.
    "$OCIRT" exec --help >/dev/null 2>&1 || skip "no exec verb"
    local runtime_copy=$BUNDLE/runtime-copy before after
    cp "$OCIRT" "$runtime_copy"
    before=$(sha256sum <"$runtime_copy")
    mkdir "$BUNDLE/shared"
    set_caps "$(jq -c '. + ["CAP_SYS_PTRACE"]' <<<"$PODMAN_CAPS")"
    update_config '.mounts += [{destination: "/mnt", type: "bind", source: $d, options: ["rbind"]}]' \
        --arg d "$BUNDLE/shared"
    # the watcher: open the exe of any new process not running busybox (the runtime entering),
    # then keep trying to write through the fd (ETXTBSY while some process still executes it)
    set_sh 'echo watching >/mnt/watching
            while [ ! -e /mnt/stop ] && [ ! -s /mnt/opened ]; do
                for d in /proc/[0-9]*; do
                    l=$(readlink $d/exe 2>/dev/null) || continue
                    case $l in /bin/busybox | "") continue ;; esac
                    exec 3<$d/exe && echo "$l" >/mnt/opened && break
                done
            done
            while [ ! -e /mnt/stop ]; do
                if (echo EVIL >>/proc/self/fd/3) 2>/dev/null; then echo write=0 >/mnt/result; break; fi
                sleep 0.05
            done
            sleep '"$MARK"
    ocirt run -d --bundle "$BUNDLE" "$CID"
    local i
    for i in $(seq 100); do [[ -s $BUNDLE/shared/watching ]] && break; sleep 0.05; done
    for i in $(seq 20); do
        OCIRT=$runtime_copy ocirt exec "$CID" true || true
        [[ -s $BUNDLE/shared/opened ]] && break
    done
    echo "the watcher opened: $(cat "$BUNDLE/shared/opened" 2>/dev/null || echo nothing)" >&2
    # give it time to write once the runtime is gone
    for i in $(seq 20); do [[ -s $BUNDLE/shared/result ]] && break; sleep 0.1; done
    touch "$BUNDLE/shared/stop"
    after=$(sha256sum <"$runtime_copy")
    assert_equal "$after" "$before" "sha256 of the runtime's binary (copy)"
}

# --- symlinks in the image (CVE-2019-19921 class) ------------------------------------------------

# The image's /proc or /sys is a symlink to an absolute path that exists on the host. The
# runtime must refuse, or mount inside the rootfs (where the symlink leads when resolved in
# the container's root); the host directory must never be used; masking must still hold.
#
# symlinked_kernel_fs DIR FSTYPE PROBE EXPECTED INSIDE: rootfs/DIR -> $BUNDLE/evil-DIR (a
# host directory holding a marker file); with INSIDE=yes the same path also exists inside
# the rootfs, so the symlink resolves there. The container runs PROBE, which must print
# EXPECTED (if the runtime does not refuse).
symlinked_kernel_fs() {
    local dir=$1 fstype=$2 probe=$3 expected=$4 inside=$5
    local evil=$BUNDLE/evil-$dir
    mkdir "$evil"
    touch "$evil/host-marker"
    rm -rf "${BUNDLE:?}/rootfs/$dir"
    ln -s "$evil" "$BUNDLE/rootfs/$dir"
    [[ $inside == yes ]] && mkdir -p "$BUNDLE/rootfs/$evil"
    set_sh "$probe"
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
    if ((status != 0)); then
        echo "refused: $stderr" >&2
        assert_nothing_left
    else
        assert_equal "${lines[*]}" "$expected" "/$dir inside"
        [[ -d $BUNDLE/rootfs/$evil ]] || fail "$fstype was not mounted inside the rootfs"
    fi
    assert_equal "$(ls -A "$evil")" host-marker "the host directory"
    ! grep -qF " $evil " /proc/self/mountinfo || fail "mounted on the host path"
}

PROC_PROBE='ls /proc/host-marker 2>/dev/null && echo marker-visible
            stat -f -c %T /proc/; wc -c </proc/timer_list
            touch /proc/sys/kernel/domainname 2>/dev/null && echo sys-writable; echo done'
SYS_PROBE='ls /sys/host-marker 2>/dev/null && echo marker-visible
           stat -f -c %T /sys/; ls /sys/firmware | wc -l; echo done'

@test "image with /proc as a symlink to a host path: proc is not mounted there" {
    use_writable_rootfs
    symlinked_kernel_fs proc proc "$PROC_PROBE" "proc 0 done" no
}

@test "image with /proc as a symlink to a path that exists inside too: refused or mounted inside, masking holds" {
    use_writable_rootfs
    symlinked_kernel_fs proc proc "$PROC_PROBE" "proc 0 done" yes
}

@test "image with /sys as a symlink to a host path: sysfs is not mounted there" {
    use_writable_rootfs
    symlinked_kernel_fs sys sysfs "$SYS_PROBE" "sysfs 0 done" no
}

@test "image with /sys as a symlink to a path that exists inside too: refused or mounted inside, masking holds" {
    use_writable_rootfs
    symlinked_kernel_fs sys sysfs "$SYS_PROBE" "sysfs 0 done" yes
}

@test "a mount destination under a symlink to a host path is refused or mounted inside the rootfs" {
    use_writable_rootfs
    local host_dir=$BUNDLE/host-dir
    mkdir "$host_dir"
    ln -s "$host_dir" "$BUNDLE/rootfs/mnt/abs"
    update_config '.mounts += [{destination: "/mnt/abs/sub", type: "tmpfs", source: "tmpfs"}]'
    run_sh 'stat -f -c %T /mnt/abs/sub; touch /mnt/abs/sub/f && echo ok'
    if ((status != 0)); then
        # ocirt: the symlink leads nowhere inside the rootfs, and it does not create its target
        assert_nothing_left
    else
        assert_equal "${lines[*]}" "tmpfs ok"
        [[ -d $BUNDLE/rootfs/$host_dir/sub ]] || fail "the mount point was not created inside the rootfs"
    fi
    assert_equal "$(ls -A "$host_dir")" "" "the host directory"
}

@test "a mount destination under a symlink to ../../.. is mounted inside the rootfs" {
    use_writable_rootfs
    ln -s ../../../../../../../../../.. "$BUNDLE/rootfs/mnt/rel"
    update_config '.mounts += [{destination: "/mnt/rel/ocirt-escape", type: "tmpfs", source: "tmpfs"}]'
    run_sh 'stat -f -c %T /ocirt-escape; touch /ocirt-escape/f && echo ok'
    assert_success
    assert_equal "${lines[*]}" "tmpfs ok"
    [[ -d $BUNDLE/rootfs/ocirt-escape ]] || fail "the mount point was not created inside the rootfs"
    [[ ! -e /ocirt-escape && ! -e $(dirname "$BUNDLE")/ocirt-escape ]] ||
        fail "a mount point was created outside the rootfs"
}

@test "a bind mount's destination through a symlink to /proc/self/fd/N stays inside" {
    use_writable_rootfs
    mkdir "$BUNDLE/src"
    touch "$BUNDLE/src/content"
    local n
    for n in 3 4 5 6 7 8; do
        ln -s "/proc/self/fd/$n" "$BUNDLE/rootfs/mnt/fd$n"
    done
    update_config '.mounts += [range(3; 9) as $n | {destination: "/mnt/fd\($n)/x", type: "bind",
                               source: $s, options: ["rbind"]}]' --arg s "$BUNDLE/src"
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
    # the mount targets are resolved without magic links: the runtime refuses
    # (or, for a runtime that resolves them in the rootfs' own /proc, mounts inside)
    if ((status == 0)); then
        assert_equal "$(ls -A "$BUNDLE/src")" content "bind source"
    fi
    assert_nothing_left
}

# --- devices ----------------------------------------------------------------------------------

@test "devices: with CAP_MKNOD, a node for a host block device cannot be opened (device cgroup)" {
    # /dev/loop0 (block 7:0): the host's root can open it, and it is not on the default list
    (exec 3</dev/loop0) 2>/dev/null || skip "the host cannot open /dev/loop0"
    update_config '.process.capabilities |= with_entries(.value += ["CAP_MKNOD"])'
    # /dev is a tmpfs without nodev: a node made there is usable but for the device cgroup
    run_sh 'mknod /dev/hostloop b 7 0 2>/dev/null && echo mknod=ok
            (exec 3</dev/hostloop) 2>/dev/null && echo open=ok
            echo end'
    assert_success
    [[ $output != *open=ok* ]] || fail "a host device could be opened: $output"
    [[ $output == *end ]] || fail "output: $output"
}

# --- masked and read-only paths -----------------------------------------------------------------

@test "masked and read-only paths cannot be undone without CAP_SYS_ADMIN" {
    run_sh 'umount /proc/timer_list 2>/dev/null && echo umount-timer_list
            umount -l /proc/sys 2>/dev/null && echo umount-sys
            mount -o remount,rw /proc/sys 2>/dev/null && echo remount-sys
            mount -o remount,rw / 2>/dev/null && echo remount-root
            mount -o remount,rw,bind /proc/sys 2>/dev/null && echo rebind-sys
            mount -t proc proc /mnt 2>/dev/null && echo new-proc
            echo x >/proc/sys/kernel/domainname 2>/dev/null && echo write-sys
            touch /x 2>/dev/null && echo write-root
            wc -c </proc/timer_list; ls /proc/acpi /sys/firmware 2>/dev/null | grep -v : | grep -c .; echo end'
    assert_success
    assert_equal "${lines[*]}" "0 0 end" "what got through, timer_list size, entries under masked directories"
}
