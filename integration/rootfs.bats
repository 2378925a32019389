#!/usr/bin/env bats
# The root filesystem and mounts (config.md "Root", "Mounts"; config-linux.md "Default
# Filesystems", "Default Devices", maskedPaths, readonlyPaths), seen from inside: pivot_root
# (and --no-pivot) makes the rootfs "/" with the host's root gone, root.readonly, the default
# mounts of `runc spec`, the default devices with the right major:minor, /dev symlinks,
# maskedPaths, readonlyPaths, bind and tmpfs mounts from config.json.

load helpers

# The root field (4th) that mountinfo must show for "/" inside: ROOTFS relative to the root
# of the host filesystem that holds it.
expected_root_field() {
    local target fsroot rel
    read -r target fsroot < <(findmnt -n -o TARGET,FSROOT -T "$ROOTFS")
    rel=${ROOTFS#"$target"}
    rel=${rel#/}
    if [[ $fsroot == / ]]; then echo "/$rel"; else echo "$fsroot/$rel"; fi
}

# check_pivoted: $output holds the container's /proc/self/mountinfo
check_pivoted() {
    local roots
    roots=$(awk '$5 == "/" {print $4}' <<<"$output")
    # exactly one mount at "/", and it is the rootfs, not the host's root
    assert_equal "$roots" "$(expected_root_field)" 'root field of the mount at "/"'
}

@test "pivot_root: / is the bundle's rootfs, the host's root is gone" {
    run_sh 'cat /proc/self/mountinfo; test -e /.ocirt-rootfs && echo has-stamp; test -e /work || echo no-work'
    assert_success
    check_pivoted
    assert_output_contains has-stamp
    assert_output_contains no-work
}

@test "--no-pivot: / is still the bundle's rootfs" {
    set_sh 'cat /proc/self/mountinfo; test -e /.ocirt-rootfs && echo has-stamp'
    run --separate-stderr ocirt run --no-pivot --bundle "$BUNDLE" "$CID"
    assert_success
    local roots
    roots=$(awk '$5 == "/" {print $4}' <<<"$output" | tail -n 1)
    assert_equal "$roots" "$(expected_root_field)" 'root field of the top mount at "/"'
    assert_output_contains has-stamp
}

@test "root.readonly true: / is read-only" {
    run_sh 'touch /x; echo "touch=$?"; awk '"'"'$5 == "/" {print $6}'"'"' /proc/self/mountinfo'
    assert_success
    assert_output_contains "touch=1"
    [[ ${lines[-1]} == ro* ]] || fail "mount options of /: ${lines[-1]}"
    [[ ! -e $ROOTFS/x ]]
}

@test "root.readonly false: / is writable (a private copy of the rootfs)" {
    use_writable_rootfs
    run_sh 'touch /x && echo touched; awk '"'"'$5 == "/" {print $6}'"'"' /proc/self/mountinfo'
    assert_success
    assert_output_contains touched
    [[ ${lines[-1]} == rw* ]] || fail "mount options of /: ${lines[-1]}"
    [[ -e $BUNDLE/rootfs/x ]] || fail "/x did not appear in the rootfs on the host"
}

@test "default mounts: /proc /dev /dev/pts /dev/shm /dev/mqueue /sys /sys/fs/cgroup" {
    run_sh 'cat /proc/self/mounts'
    assert_success
    local want mp type got
    for want in /proc:proc /dev:tmpfs /dev/pts:devpts /dev/shm:tmpfs /dev/mqueue:mqueue /sys:sysfs; do
        mp=${want%%:*}
        type=${want#*:}
        got=$(awk -v mp="$mp" '$2 == mp {print $3}' <<<"$output" | tail -n 1)
        assert_equal "$got" "$type" "type of the mount at $mp"
    done
    got=$(awk '$2 == "/sys/fs/cgroup" {print $3}' <<<"$output" | tail -n 1)
    [[ $got == cgroup2 || $got == cgroup || $got == tmpfs ]] || fail "/sys/fs/cgroup is '$got'"
    # mount options from config.json
    [[ $(awk '$2 == "/sys" {print $4}' <<<"$output") == ro,* ]] || fail "/sys is not read-only"
    [[ $(awk '$2 == "/dev/shm" {print $4}' <<<"$output") == *nodev* ]] || fail "/dev/shm is not nodev"
}

@test "default devices: char devices with the right major:minor" {
    run_sh 'for d in null zero full random urandom tty; do stat -c "%n %F %t:%T" /dev/$d; done'
    assert_success
    # stat prints major:minor in hex; these are all < 10
    assert_equal "${lines[0]}" "/dev/null character special file 1:3"
    assert_equal "${lines[1]}" "/dev/zero character special file 1:5"
    assert_equal "${lines[2]}" "/dev/full character special file 1:7"
    assert_equal "${lines[3]}" "/dev/random character special file 1:8"
    assert_equal "${lines[4]}" "/dev/urandom character special file 1:9"
    assert_equal "${lines[5]}" "/dev/tty character special file 5:0"
}

@test "default devices work: /dev/null, /dev/zero, /dev/full, /dev/urandom" {
    run_sh 'echo x > /dev/null && echo null-ok
            head -c 4 /dev/zero | od -An -tx1
            echo x > /dev/full || echo full-enospc
            test "$(head -c 16 /dev/urandom | wc -c)" = 16 && echo urandom-ok'
    assert_success
    assert_output_contains null-ok
    assert_output_contains "00 00 00 00"
    assert_output_contains full-enospc
    assert_output_contains urandom-ok
}

@test "/dev/ptmx, /dev/pts is a new devpts instance" {
    run_sh 'if [ -L /dev/ptmx ]; then echo "link $(readlink /dev/ptmx)"; else stat -c "dev %t:%T" /dev/ptmx; fi; ls /dev/pts'
    assert_success
    [[ ${lines[0]} == "link pts/ptmx" || ${lines[0]} == "link /dev/pts/ptmx" || ${lines[0]} == "dev 5:2" ]] ||
        fail "/dev/ptmx: ${lines[0]}"
    # a new instance has no ptys of the host in it
    assert_equal "${lines[*]:1}" ptmx "content of /dev/pts"
}

@test "/dev/fd, /dev/stdin, /dev/stdout, /dev/stderr symlinks" {
    run_sh 'for l in fd stdin stdout stderr; do echo "$l -> $(readlink /dev/$l)"; done'
    assert_success
    assert_equal "${lines[0]}" "fd -> /proc/self/fd"
    assert_equal "${lines[1]}" "stdin -> /proc/self/fd/0"
    assert_equal "${lines[2]}" "stdout -> /proc/self/fd/1"
    assert_equal "${lines[3]}" "stderr -> /proc/self/fd/2"
}

@test "/dev/shm is writable with a read-only root" {
    run_sh 'touch /dev/shm/x && echo ok'
    assert_success
    assert_output_equals ok
}

@test "maskedPaths: a masked file reads empty, a masked directory is empty" {
    local f file="" dir=""
    for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do
        if [[ -e $f ]]; then file=$f; break; fi
    done
    [[ -n $file ]] || skip "none of the usual masked /proc files exists on this kernel"
    # a directory that surely exists and has content: /sys/kernel/mm (sysfs)
    dir=/sys/kernel/mm
    [[ -n $(ls -A "$dir") ]] || skip "$dir is empty on the host"
    update_config '.linux.maskedPaths += [$d, "/nonexistent/masked"]' --arg d "$dir"
    run_sh "wc -c < $file; ls -A $dir | wc -l"
    assert_success
    assert_equal "$(squeeze "${lines[0]}")" 0 "bytes read from masked $file"
    assert_equal "$(squeeze "${lines[1]}")" 0 "entries in masked $dir"
}

@test "maskedPaths: every masked directory is the same read-only tmpfs (one superblock, not one each)" {
    local d dirs=()
    for d in /sys/kernel/mm /sys/kernel/debug /sys/firmware /sys/fs/cgroup /proc/acpi /proc/scsi /proc/bus; do
        [[ -d $d ]] && dirs+=("$d")
    done
    ((${#dirs[@]} >= 3)) || skip "fewer than 3 of the usual dirs to mask exist here"
    update_config '.linux.maskedPaths = $d' --argjson d "$(json_array "${dirs[@]}")"
    # mountinfo: ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ... - FSTYPE SOURCE SUPER
    run_sh 'cat /proc/self/mountinfo'
    assert_success
    local line got=() fstypes=() opts=() i
    for d in "${dirs[@]}"; do
        line=$(awk -v m="$d" '$5 == m' <<<"$output" | tail -n1)
        [[ -n $line ]] || fail "no mount at the masked $d: $output"
        got+=("$(awk '{print $3}' <<<"$line")")
        fstypes+=("$(awk '{for (i = 7; $i != "-"; i++); print $(i + 1)}' <<<"$line")")
        opts+=("$(awk '{print $6}' <<<"$line")")
    done
    for i in "${!dirs[@]}"; do
        assert_equal "${fstypes[$i]}" tmpfs "filesystem on ${dirs[$i]}"
        [[ ${opts[$i]} == ro* ]] || fail "${dirs[$i]} is not read-only: ${opts[$i]}"
    done
    # one superblock (device number) for all of them (runc 1.1: one each)
    ocirt_only assert_equal "$(printf '%s\n' "${got[@]}" | sort -u | wc -l)" 1 \
        "distinct tmpfs superblocks over ${dirs[*]} (${got[*]})"
}

@test "readonlyPaths: /proc/sys is read-only (writing the hostname fails)" {
    # writes back the current value: harmless even if /proc/sys were writable (uts namespace)
    run_sh 'h=$(cat /proc/sys/kernel/hostname); echo "$h" > /proc/sys/kernel/hostname; echo "write=$?"
            awk '"'"'$5 == "/proc/sys" {print $6}'"'"' /proc/self/mountinfo'
    assert_success
    assert_output_contains "write=1"
    [[ ${lines[-1]} == ro* ]] || fail "mount options of /proc/sys: ${lines[-1]}"
    assert_stderr_contains "Read-only file system"
}

@test "readonlyPaths: a path added in config.json is read-only" {
    update_config '.linux.readonlyPaths += ["/dev/shm"]'
    run_sh 'touch /dev/shm/x; echo "touch=$?"'
    assert_success
    assert_output_contains "touch=1"
}

@test "mounts: a read-only bind mount of a host directory" {
    mkdir "$BUNDLE/data"
    echo from-host >"$BUNDLE/data/file"
    update_config '.mounts += [{destination: "/mnt", type: "bind", source: $s, options: ["rbind", "ro"]}]' \
        --arg s "$BUNDLE/data"
    run_sh 'cat /mnt/file; touch /mnt/new; echo "touch=$?"'
    assert_success
    assert_equal "${lines[0]}" from-host "content of the bind mount"
    assert_output_contains "touch=1"
    [[ ! -e $BUNDLE/data/new ]]
}

@test "mounts: a read-write bind mount; writes are visible on the host" {
    mkdir "$BUNDLE/data"
    update_config '.mounts += [{destination: "/mnt", type: "bind", source: $s, options: ["rbind", "rw"]}]' \
        --arg s "$BUNDLE/data"
    run_sh 'echo from-container > /mnt/new && echo ok'
    assert_success
    assert_output_equals ok
    assert_equal "$(cat "$BUNDLE/data/new")" from-container "file written by the container"
}

@test "mounts: a tmpfs with options" {
    update_config '.mounts += [{destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "size=1m", "mode=1777"]}]'
    run_sh 'awk '"'"'$2 == "/tmp" {print $3, $4}'"'"' /proc/self/mounts; stat -c %a /tmp; touch /tmp/x && echo ok'
    assert_success
    [[ ${lines[0]} == "tmpfs rw,nosuid,nodev,"*"size=1024k"* ]] || fail "tmpfs mount: ${lines[0]}"
    assert_equal "${lines[1]}" 1777 "mode of /tmp"
    assert_equal "${lines[2]}" ok "write to /tmp"
}

@test "mounts: a destination that does not exist is created (private rootfs copy)" {
    use_writable_rootfs
    update_config '.mounts += [{destination: "/new/dir", type: "tmpfs", source: "tmpfs"}]'
    run_sh 'awk '"'"'$2 == "/new/dir" {print $3}'"'"' /proc/self/mounts'
    assert_success
    assert_output_equals tmpfs
}
