#!/usr/bin/env bats
# mounts[] (config.md "Mounts", "Linux mount options"), seen from inside the container and
# from the host: the per-mount flags (ro, nosuid, nodev, noexec, the atime family,
# nosymfollow, the superblock flags), bind remounts keeping the flags they do not change,
# the recursive attributes (rro, rnosuid, ... through mount_setattr), propagation, tmpcopyup,
# idmapped bind mounts, overlay, file binds, destinations that do not exist, and bad input.
#
# Several mounts go under a tmpfs mounted first at /mnt (mnt_tmpfs): their destinations are
# created in that tmpfs, not in the shared read-only rootfs.

load helpers

setup() {
    common_setup
    HOST_MOUNTS=()
}

teardown() {
    # the host mounts this test made (under $BUNDLE), newest first, before the checks
    local i
    for ((i = ${#HOST_MOUNTS[@]} - 1; i >= 0; i--)); do
        umount -l "${HOST_MOUNTS[i]}" 2>/dev/null || true
    done
    common_teardown
}

# host_mount ARGS... TARGET: mount(8) on the host, undone by teardown.
host_mount() {
    mount "$@"
    HOST_MOUNTS+=("${!#}")
}

# add_mount DEST TYPE SOURCE OPTION...: append a mounts[] entry.
add_mount() {
    local dest=$1 type=$2 src=$3
    shift 3
    update_config '.mounts += [{destination: $d, type: $t, source: $s, options: $o}]' \
        --arg d "$dest" --arg t "$type" --arg s "$src" --argjson o "$(json_array "$@")"
}

# mnt_tmpfs: a tmpfs at /mnt, so that destinations under /mnt can be created.
mnt_tmpfs() {
    add_mount /mnt tmpfs tmpfs mode=755
}

# The index the next add_mount gets in mounts[] (keep it in a variable that bats' `run`
# does not overwrite: `idx`, not `i`).
next_index() {
    jq '.mounts | length' "$BUNDLE/config.json"
}

# mount_opts MOUNTPOINT: the per-mount options (mountinfo field 6) of the top mount at
# MOUNTPOINT in $output (a copy of /proc/self/mountinfo).
mount_opts() {
    awk -v mp="$1" '$5 == mp {print $6}' <<<"$output" | tail -n 1
}

# super_opts MOUNTPOINT: the superblock options (the last field) of the top mount there.
super_opts() {
    awk -v mp="$1" '$5 == mp {print $NF}' <<<"$output" | tail -n 1
}

# has_opt OPTS OPT: OPT is one of the comma-separated OPTS.
has_opt() {
    [[ ,$1, == *",$2,"* ]]
}

# assert_opts MOUNTPOINT OPT...: each OPT (or !OPT: not) in the per-mount options.
assert_opts() {
    local mp=$1 opts o
    shift
    opts=$(mount_opts "$mp")
    [[ -n $opts ]] || fail "no mount at $mp in: $output"
    for o in "$@"; do
        if [[ $o == !* ]]; then
            ! has_opt "$opts" "${o#!}" || fail "$mp has ${o#!}: $opts"
        else
            has_opt "$opts" "$o" || fail "$mp lacks $o: $opts"
        fi
    done
}

# A host directory with a file and an executable script.
make_data_dir() {
    mkdir -p "$1"
    echo from-host >"$1/file"
    printf '#!/bin/sh\necho ran\n' >"$1/script"
    chmod 755 "$1/script"
}

# A host directory $BUNDLE/tree with a tmpfs submount at tree/sub, mounted with the options
# MOUNT_OPTS, then bind-remounted with the per-mount flags REMOUNT_OPTS (if given).
make_tree_with_submount() {
    make_data_dir "$BUNDLE/tree"
    mkdir "$BUNDLE/tree/sub"
    host_mount -t tmpfs -o "${1:-rw}" tmpfs "$BUNDLE/tree/sub"
    if [[ -n ${2:-} ]]; then mount -o "remount,bind,$2" "$BUNDLE/tree/sub"; fi
}

skip_unless_idmap() {
    if is_runc && ! "$OCIRT" features 2>/dev/null | grep -q '"idmap"'; then
        skip "$RUNTIME_NAME has no idmapped mounts"
    fi
}

# --- per-mount flags -------------------------------------------------------------------------

@test "bind: ro nosuid nodev noexec, seen in mountinfo and in what fails" {
    make_data_dir "$BUNDLE/data"
    add_mount /mnt bind "$BUNDLE/data" rbind ro nosuid nodev noexec
    run_sh 'cat /proc/self/mountinfo; touch /mnt/new; echo "touch=$?"; /mnt/script; echo "exec=$?"'
    assert_success
    assert_opts /mnt ro nosuid nodev noexec
    assert_output_contains "touch=1"
    assert_output_contains "exec=126"
    [[ ! -e $BUNDLE/data/new ]]
}

@test "bind: rw suid dev exec: writable, executable" {
    make_data_dir "$BUNDLE/data"
    add_mount /mnt bind "$BUNDLE/data" rbind rw suid dev exec
    run_sh 'cat /proc/self/mountinfo; touch /mnt/new && echo touched; /mnt/script'
    assert_success
    assert_opts /mnt rw '!nosuid' '!nodev' '!noexec'
    assert_output_contains touched
    assert_output_contains ran
    [[ -e $BUNDLE/data/new ]]
}

@test "tmpfs: the atime family, one mount each" {
    mnt_tmpfs
    local o
    for o in noatime relatime strictatime atime nodiratime norelatime nostrictatime; do
        add_mount "/mnt/$o" tmpfs tmpfs "$o"
    done
    add_mount /mnt/diratime tmpfs tmpfs nodiratime diratime
    add_mount /mnt/noatime-strict tmpfs tmpfs noatime strictatime
    run_sh 'cat /proc/self/mountinfo'
    assert_success
    assert_opts /mnt/noatime noatime '!relatime'
    assert_opts /mnt/relatime relatime '!noatime'
    assert_opts /mnt/strictatime '!relatime' '!noatime'
    assert_opts /mnt/atime relatime '!noatime'
    assert_opts /mnt/nodiratime nodiratime relatime
    assert_opts /mnt/norelatime relatime
    assert_opts /mnt/nostrictatime relatime
    assert_opts /mnt/diratime '!nodiratime'
    assert_opts /mnt/noatime-strict '!relatime' '!noatime'
}

@test "bind: the atime options replace the source's atime mode" {
    skip_if_runc "runc 1.1 drops the source's flags (nodiratime) on a bind remount"
    make_data_dir "$BUNDLE/src"
    host_mount -t tmpfs -o noatime,nodiratime tmpfs "$BUNDLE/src"
    mnt_tmpfs
    add_mount /mnt/keep bind "$BUNDLE/src" bind ro
    add_mount /mnt/strict bind "$BUNDLE/src" bind strictatime
    add_mount /mnt/rel bind "$BUNDLE/src" bind relatime diratime
    add_mount /mnt/atime bind "$BUNDLE/src" bind atime
    run_sh 'cat /proc/self/mountinfo'
    assert_success
    assert_opts /mnt/keep ro noatime nodiratime
    assert_opts /mnt/strict '!noatime' '!relatime' nodiratime
    assert_opts /mnt/rel relatime '!noatime' '!nodiratime'
    assert_opts /mnt/atime relatime '!noatime'
}

@test "bind remount keeps the flags the options do not change (nosuid, nodev of the source)" {
    skip_if_runc "runc 1.1 drops the source's flags on a bind remount"
    make_data_dir "$BUNDLE/src"
    host_mount -t tmpfs -o nosuid,nodev,noexec tmpfs "$BUNDLE/src"
    echo x >"$BUNDLE/src/file"
    add_mount /mnt bind "$BUNDLE/src" bind ro
    run_sh 'cat /proc/self/mountinfo'
    assert_success
    assert_opts /mnt ro nosuid nodev noexec
}

# use_userns: a new user namespace, container root = host 100000.
use_userns() {
    update_config '.linux.namespaces += [{"type": "user"}]
        | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

@test "user namespace: a bind remount keeps the locked flags of the source" {
    skip_if_runc "runc 1.1.5 drops the locked flags in its remount, which fails"
    make_data_dir "$BUNDLE/src"
    host_mount -t tmpfs -o nosuid,nodev,noexec,noatime tmpfs "$BUNDLE/src"
    chmod 755 "$BUNDLE/src"
    echo x >"$BUNDLE/src/file"
    use_userns
    add_mount /mnt bind "$BUNDLE/src" bind ro
    run_sh 'cat /proc/self/mountinfo; cat /mnt/file'
    assert_success
    assert_opts /mnt ro nosuid nodev noexec noatime
    assert_equal "${lines[-1]}" x "content"
}

@test "user namespace: dropping a locked flag of the source fails, naming the mount" {
    skip_if_runc "runc 1.1 ignores suid on a bind of a nosuid mount"
    make_data_dir "$BUNDLE/src"
    host_mount -t tmpfs -o nosuid tmpfs "$BUNDLE/src"
    use_userns
    local idx
    idx=$(next_index)
    add_mount /mnt bind "$BUNDLE/src" bind suid
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
    assert_failure
    ocirt_only assert_stderr_contains "mounts[$idx]: remount: Operation not permitted"
}

@test "tmpfs: superblock flags sync, dirsync, lazytime; nosymfollow" {
    mnt_tmpfs
    add_mount /mnt/sb tmpfs tmpfs sync dirsync lazytime
    add_mount /mnt/nosym tmpfs tmpfs nosymfollow
    add_mount /mnt/sym tmpfs tmpfs nosymfollow symfollow
    run_sh 'cat /proc/self/mountinfo
            echo hello > /mnt/nosym/f; ln -s f /mnt/nosym/l; cat /mnt/nosym/l; echo "nosym=$?"
            echo hello > /mnt/sym/f; ln -s f /mnt/sym/l; cat /mnt/sym/l'
    assert_success
    local sb
    sb=$(super_opts /mnt/sb)
    has_opt "$sb" sync || fail "no sync in $sb"
    has_opt "$sb" dirsync || fail "no dirsync in $sb"
    has_opt "$sb" lazytime || fail "no lazytime in $sb"
    assert_opts /mnt/nosym nosymfollow
    assert_opts /mnt/sym '!nosymfollow'
    assert_output_contains "nosym=1"
    assert_equal "${lines[-1]}" hello "read through a symlink with symfollow"
}

@test "tmpfs: ro; a remount entry makes a mounted tmpfs read-only" {
    mnt_tmpfs
    add_mount /mnt/t tmpfs tmpfs ro mode=1777
    add_mount /mnt/u tmpfs tmpfs mode=1777
    add_mount /mnt/u tmpfs tmpfs remount ro
    run_sh 'cat /proc/self/mountinfo; touch /mnt/t/x; echo "t=$?"; touch /mnt/u/x; echo "u=$?"'
    assert_success
    assert_opts /mnt/t ro
    assert_opts /mnt/u ro
    assert_output_contains "t=1"
    assert_output_contains "u=1"
}

@test "devpts, mqueue, proc, sysfs with their own options" {
    mnt_tmpfs
    add_mount /mnt/pts devpts devpts newinstance ptmxmode=0600 mode=0600
    add_mount /mnt/mq mqueue mqueue nosuid nodev noexec
    add_mount /mnt/proc proc proc nosuid hidepid=2
    add_mount /mnt/sys sysfs sysfs ro nosuid
    run_sh 'cat /proc/self/mountinfo'
    assert_success
    has_opt "$(super_opts /mnt/pts)" ptmxmode=600 || fail "devpts: $(super_opts /mnt/pts)"
    assert_opts /mnt/mq nosuid nodev noexec
    has_opt "$(super_opts /mnt/proc)" hidepid=invisible || fail "proc: $(super_opts /mnt/proc)"
    assert_opts /mnt/sys ro nosuid
}

# --- recursive attributes --------------------------------------------------------------------

@test "rbind ro: only the top mount is read-only; rro: the submount too" {
    make_tree_with_submount
    mnt_tmpfs
    add_mount /mnt/plain bind "$BUNDLE/tree" rbind ro
    add_mount /mnt/rec bind "$BUNDLE/tree" rbind rro
    run_sh 'cat /proc/self/mountinfo
            touch /mnt/plain/sub/x; echo "plain=$?"; touch /mnt/rec/sub/x; echo "rec=$?"'
    assert_success
    assert_opts /mnt/plain ro
    assert_opts /mnt/plain/sub rw
    assert_opts /mnt/rec ro
    assert_opts /mnt/rec/sub ro
    assert_output_contains "plain=0"
    assert_output_contains "rec=1"
}

@test "recursive attributes: rnosuid rnodev rnoexec rnoatime rnodiratime reach the submount" {
    make_tree_with_submount
    cp "$BUNDLE/tree/script" "$BUNDLE/tree/sub/script"
    add_mount /mnt bind "$BUNDLE/tree" rbind rnosuid rnodev rnoexec rnoatime rnodiratime
    run_sh 'cat /proc/self/mountinfo; /mnt/sub/script; echo "exec=$?"'
    assert_success
    assert_opts /mnt nosuid nodev noexec noatime nodiratime
    assert_opts /mnt/sub nosuid nodev noexec noatime nodiratime
    assert_output_contains "exec=126"
}

@test "recursive attributes: rrw rsuid rexec rstrictatime undo what the submount has" {
    make_tree_with_submount rw ro,nosuid,noexec,noatime
    add_mount /mnt bind "$BUNDLE/tree" rbind rrw rsuid rexec rstrictatime
    run_sh 'cat /proc/self/mountinfo; touch /mnt/sub/x && echo wrote'
    assert_success
    assert_opts /mnt/sub rw '!nosuid' '!noexec' '!noatime' '!relatime'
    assert_output_contains wrote
}

@test "recursive attributes: rrelatime ratime rdiratime rdev rnosymfollow rsymfollow" {
    skip_if_runc "runc 1.1 fails ratime with EINVAL (it clears only part of the atime field)"
    make_tree_with_submount rw noatime,nodiratime,nodev
    mnt_tmpfs
    add_mount /mnt/a bind "$BUNDLE/tree" rbind rrelatime rdiratime rdev rnosymfollow
    add_mount /mnt/b bind "$BUNDLE/tree" rbind ratime rnosymfollow rsymfollow
    run_sh 'cat /proc/self/mountinfo'
    assert_success
    assert_opts /mnt/a/sub relatime '!noatime' '!nodiratime' '!nodev' nosymfollow
    assert_opts /mnt/b/sub relatime '!noatime' '!nosymfollow'
}

# --- propagation -----------------------------------------------------------------------------

# A shared host mount at $BUNDLE/shared; a container binds it with OPTS, then the host mounts
# a tmpfs at shared/late. Sets $pid and $output (the container's mountinfo, read from the host).
propagation_case() {
    mkdir -p "$BUNDLE/shared/late"
    host_mount --bind "$BUNDLE/shared" "$BUNDLE/shared"
    mount --make-shared "$BUNDLE/shared"
    add_mount /mnt bind "$BUNDLE/shared" "$@"
    update_config ".process.args = $LONG_ARGS"
    create_and_start "$CID"
    pid=$(state_field "$CID" .pid)
    host_mount -t tmpfs tmpfs "$BUNDLE/shared/late"
    sleep 0.1
    output=$(cat "/proc/$pid/mountinfo")
}

@test "propagation rslave: a host mount under the source appears inside; mountinfo shows master" {
    propagation_case rbind rslave
    [[ -n $(mount_opts /mnt/late) ]] || fail "the host's mount did not reach the container: $output"
    awk '$5 == "/mnt"' <<<"$output" | grep -q ' master:' || fail "/mnt is not a slave: $output"
}

@test "propagation rshared: a host mount under the source appears inside; mountinfo shows shared" {
    propagation_case rbind rshared
    [[ -n $(mount_opts /mnt/late) ]] || fail "the host's mount did not reach the container: $output"
    awk '$5 == "/mnt"' <<<"$output" | grep -q ' shared:' || fail "/mnt is not shared: $output"
}

@test "propagation rprivate: a host mount under the source does not appear inside" {
    propagation_case rbind rprivate
    [[ -z $(mount_opts /mnt/late) ]] || fail "the host's mount reached a private bind: $output"
    awk '$5 == "/mnt"' <<<"$output" | grep -qE ' (shared|master):' && fail "/mnt is not private: $output"
    true
}

@test "propagation runbindable: mountinfo shows unbindable" {
    make_data_dir "$BUNDLE/data"
    add_mount /mnt bind "$BUNDLE/data" rbind runbindable
    run_sh 'cat /proc/self/mountinfo'
    assert_success
    awk '$5 == "/mnt"' <<<"$output" | grep -q ' unbindable ' || fail "/mnt is not unbindable: $output"
}

# --- tmpcopyup -------------------------------------------------------------------------------

@test "tmpcopyup: the image's files are in the tmpfs, writes do not reach the image" {
    add_mount /etc tmpfs tmpfs tmpcopyup mode=755
    run_sh 'cat /proc/self/mountinfo; cat /etc/hostname; echo changed > /etc/hostname; echo new > /etc/new; cat /etc/hostname'
    assert_success
    [[ $(awk '$5 == "/etc" {print $9}' <<<"$output") == tmpfs ]] || fail "/etc is not a tmpfs"
    assert_equal "${lines[-2]}" "$(cat "$ROOTFS/etc/hostname")" "/etc/hostname from the image"
    assert_equal "${lines[-1]}" changed "/etc/hostname after the write"
    [[ ! -e $ROOTFS/etc/new ]]
}

@test "tmpcopyup: owners, modes, times, symlinks, hard links, subdirs, fifos are copied" {
    use_writable_rootfs
    local d=$BUNDLE/rootfs/data
    mkdir -p "$d/sub/deeper"
    echo content >"$d/sub/deeper/file"
    chown 1234:5678 "$d/sub/deeper/file"
    chmod 4751 "$d/sub/deeper/file"
    chown 42:43 "$d/sub"
    chmod 0711 "$d/sub"
    ln -s deeper/file "$d/sub/link"
    chown -h 7:8 "$d/sub/link"
    ln "$d/sub/deeper/file" "$d/hardlink"
    # runc 1.1's tmpcopyup fails on a fifo
    is_runc || mkfifo "$d/fifo"
    touch -d '2001-02-03 04:05:06' "$d/sub/deeper/file"
    chown 99:98 "$d"
    chmod 0755 "$d"
    add_mount /data tmpfs tmpfs tmpcopyup
    run_sh 'cd /data
            stat -c "%n %u %g %a %F" . sub sub/deeper/file sub/link
            if [ -e fifo ]; then stat -c "%n %u %g %a %F" fifo; else echo "fifo 0 0 644 fifo"; fi
            readlink sub/link; date -r sub/deeper/file +%Y-%m-%d
            stat -c %i sub/deeper/file hardlink | uniq | wc -l
            awk '"'"'$5 == "/data" {print $9}'"'"' /proc/self/mountinfo'
    assert_success
    # runc leaves the tmpfs root owned by root
    ocirt_only assert_equal "${lines[0]}" ". 99 98 755 directory" "the tmpfs root"
    assert_equal "${lines[1]}" "sub 42 43 711 directory" "sub"
    assert_equal "${lines[2]}" "sub/deeper/file 1234 5678 4751 regular file" "file"
    assert_equal "${lines[3]}" "sub/link 7 8 777 symbolic link" "symlink"
    assert_equal "${lines[4]}" "fifo 0 0 644 fifo" "fifo"
    assert_equal "${lines[5]}" deeper/file "symlink target"
    ocirt_only assert_equal "${lines[6]}" 2001-02-03 "mtime"  # runc 1.1 does not keep it
    ocirt_only assert_equal "${lines[7]}" 1 "hard links share an inode"  # nor this
    assert_equal "${lines[8]}" tmpfs "/data is a tmpfs"
}

@test "tmpcopyup with ro: the copy is read-only; mode= keeps the tmpfs root's mode" {
    add_mount /etc tmpfs tmpfs tmpcopyup ro mode=700
    run_sh 'cat /proc/self/mountinfo; cat /etc/hostname; stat -c %a /etc; touch /etc/x; echo "touch=$?"'
    assert_success
    assert_opts /etc ro
    assert_output_contains "$(cat "$ROOTFS/etc/hostname")"
    # runc gives the tmpfs root the mode of the image's /etc, whatever mode= says
    ocirt_only assert_equal "${lines[-2]}" 700 "mode of /etc"
    assert_output_contains "touch=1"
}

@test "tmpcopyup in a user namespace" {
    use_userns
    add_mount /etc tmpfs tmpfs tmpcopyup
    run_sh 'awk '"'"'$5 == "/etc" {print $9}'"'"' /proc/self/mountinfo; cat /etc/hostname; stat -c %u /etc /etc/passwd'
    assert_success
    assert_equal "${lines[0]}" tmpfs "/etc is a tmpfs"
    assert_equal "${lines[1]}" "$(cat "$ROOTFS/etc/hostname")" "/etc/hostname from the image"
    # the image's files belong to host root, unmapped: nobody inside, before and after the copy
    ocirt_only assert_equal "${lines[2]}" 65534 "owner of /etc"  # runc: the tmpfs root is root's
    assert_equal "${lines[3]}" 65534 "owner of /etc/passwd"
}

# --- idmapped mounts -------------------------------------------------------------------------

@test "idmap: a host dir owned by 1000 is seen owned by 0; files made inside are 1000 on the host" {
    skip_unless_idmap
    make_data_dir "$BUNDLE/data"
    chown -R 1000:1000 "$BUNDLE/data"
    add_mount /mnt bind "$BUNDLE/data" bind idmap
    update_config '.mounts[-1].uidMappings = [{containerID: 1000, hostID: 0, size: 1}]
        | .mounts[-1].gidMappings = [{containerID: 1000, hostID: 0, size: 1}]'
    run_sh 'cat /proc/self/mountinfo; stat -c "%u %g" /mnt /mnt/file; echo made > /mnt/made && echo wrote'
    assert_success
    assert_opts /mnt idmapped
    assert_output_contains "0 0"$'\n'"0 0"
    assert_output_contains wrote
    assert_equal "$(stat -c '%u %g' "$BUNDLE/data")" "1000 1000" "owner on the host"
    assert_equal "$(stat -c '%u %g' "$BUNDLE/data/made")" "1000 1000" "owner on the host of a file made inside"
}

@test "idmap: mappings without the option; ro still applies" {
    skip_unless_idmap
    make_data_dir "$BUNDLE/data"
    add_mount /mnt bind "$BUNDLE/data" bind ro
    update_config '.mounts[-1].uidMappings = [{containerID: 0, hostID: 2000, size: 10}]
        | .mounts[-1].gidMappings = [{containerID: 0, hostID: 3000, size: 10}]'
    run_sh 'cat /proc/self/mountinfo; stat -c "%u %g" /mnt/file'
    assert_success
    assert_opts /mnt idmapped ro
    assert_equal "${lines[-1]}" "2000 3000" "owner seen inside"
}

@test "ridmap maps the submounts too; idmap only the top mount" {
    skip_unless_idmap
    make_tree_with_submount
    chown 1000:1000 "$BUNDLE/tree" "$BUNDLE/tree/sub"
    mnt_tmpfs
    add_mount /mnt/top bind "$BUNDLE/tree" rbind idmap
    add_mount /mnt/rec bind "$BUNDLE/tree" rbind ridmap
    update_config '(.mounts[-1], .mounts[-2]) |= (.uidMappings = [{containerID: 1000, hostID: 0, size: 1}]
        | .gidMappings = [{containerID: 1000, hostID: 0, size: 1}])'
    run_sh 'cat /proc/self/mountinfo; stat -c %u /mnt/top /mnt/top/sub /mnt/rec /mnt/rec/sub'
    assert_success
    assert_opts /mnt/top idmapped
    assert_opts /mnt/top/sub '!idmapped'
    assert_opts /mnt/rec/sub idmapped
    assert_equal "$(tail -n 4 <<<"$output" | paste -sd' ')" "0 1000 0 0" "owners seen inside"
}

@test "idmap in a user namespace without mappings: the container's mappings" {
    skip_unless_idmap
    make_data_dir "$BUNDLE/data"
    update_config '.linux.namespaces += [{"type": "user"}]
        | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
    mnt_tmpfs
    add_mount /mnt/plain bind "$BUNDLE/data" bind
    add_mount /mnt/mapped bind "$BUNDLE/data" bind idmap
    run_sh 'stat -c %u /mnt/plain/file /mnt/mapped/file; echo x > /mnt/mapped/made && echo wrote'
    assert_success
    assert_equal "${lines[0]}" 65534 "a root-owned file through a plain bind (unmapped)"
    assert_equal "${lines[1]}" 0 "the same file through the idmapped bind"
    assert_output_contains wrote
    assert_equal "$(stat -c %u "$BUNDLE/data/made")" 0 "owner on the host of a file made inside"
}

@test "idmap in a user namespace with the mount's own mappings" {
    skip_unless_idmap
    make_data_dir "$BUNDLE/data"
    chown -R 1000:1000 "$BUNDLE/data"
    update_config '.linux.namespaces += [{"type": "user"}]
        | .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
        | .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
    add_mount /mnt bind "$BUNDLE/data" rbind ridmap
    # on-disk 1000 is seen as host 100005: uid 5 inside the container
    update_config '.mounts[-1].uidMappings = [{containerID: 1000, hostID: 100005, size: 1}]
        | .mounts[-1].gidMappings = [{containerID: 1000, hostID: 100005, size: 1}]'
    run_sh 'stat -c "%u %g" /mnt/file'
    assert_success
    assert_equal "$output" "5 5" "owner seen inside"
}

# --- filesystems, files, destinations --------------------------------------------------------

@test "overlay: lowerdir, upperdir, workdir; writes go to the upper dir" {
    mkdir -p "$BUNDLE/lower1" "$BUNDLE/lower2" "$BUNDLE/upper" "$BUNDLE/work"
    echo one >"$BUNDLE/lower1/a"
    echo two >"$BUNDLE/lower2/b"
    add_mount /mnt overlay overlay "lowerdir=$BUNDLE/lower1:$BUNDLE/lower2" \
        "upperdir=$BUNDLE/upper" "workdir=$BUNDLE/work"
    run_sh 'awk '"'"'$5 == "/mnt" {print $9}'"'"' /proc/self/mountinfo; cat /mnt/a /mnt/b; echo new > /mnt/c; echo changed > /mnt/a'
    assert_success
    assert_equal "${lines[0]}" overlay "type of /mnt"
    assert_equal "${lines[1]}" one "from lower1"
    assert_equal "${lines[2]}" two "from lower2"
    assert_equal "$(cat "$BUNDLE/upper/c")" new "new file in the upper dir"
    assert_equal "$(cat "$BUNDLE/upper/a")" changed "copied up"
    assert_equal "$(cat "$BUNDLE/lower1/a")" one "lower dir untouched"
}

@test "file bind mount onto an existing file; relative source is relative to the bundle" {
    echo bound >"$BUNDLE/hostname-file"
    add_mount /etc/hostname bind hostname-file bind ro
    run_sh 'cat /etc/hostname; if echo x > /etc/hostname; then echo write=ok; else echo write=failed; fi'
    assert_success
    assert_equal "${lines[0]}" bound "content of the bound file"
    assert_output_contains "write=failed"
}

@test "a destination that does not exist is created: a file for a file, a dir for a dir" {
    use_writable_rootfs
    echo bound >"$BUNDLE/file"
    make_data_dir "$BUNDLE/data"
    add_mount /new/deep/file bind "$BUNDLE/file" bind
    add_mount /new/deep/dir bind "$BUNDLE/data" rbind
    add_mount /new/tmp tmpfs tmpfs
    run_sh 'cat /new/deep/file /new/deep/dir/file; awk '"'"'$5 == "/new/tmp" {print $9}'"'"' /proc/self/mountinfo'
    assert_success
    assert_equal "${lines[0]}" bound "the bound file"
    assert_equal "${lines[1]}" from-host "a file in the bound dir"
    assert_equal "${lines[2]}" tmpfs "type of /new/tmp"
    [[ -f $BUNDLE/rootfs/new/deep/file ]] || fail "no file made for the file bind"
    [[ -d $BUNDLE/rootfs/new/deep/dir ]] || fail "no dir made for the dir bind"
    [[ -d $BUNDLE/rootfs/new/tmp ]] || fail "no dir made for the tmpfs"
}

# --- bad input -------------------------------------------------------------------------------

# create_fails: `create` fails with a non-zero status, the message on stderr; nothing is left
# (teardown checks the rest).
create_fails() {
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    [[ ! -e $ROOT/$CID ]] || fail "state dir left behind"
}

@test "bad input: an unknown option on a bind mount names the option" {
    make_data_dir "$BUNDLE/data"
    local idx
    idx=$(next_index)
    add_mount /mnt bind "$BUNDLE/data" rbind foo
    skip_if_runc "runc passes unknown options as data, which a bind ignores"
    create_fails
    assert_stderr_contains "mounts[$idx].options[1]: unknown mount option \"foo\""
}

@test "a filesystem option on a bind mount is ignored with a warning, as runc ignores it" {
    make_data_dir "$BUNDLE/data"
    local idx
    idx=$(next_index)
    add_mount /mnt bind "$BUNDLE/data" rbind ro size=1m
    set_sh 'grep " /mnt " /proc/self/mountinfo | grep -c " ro,"'
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
    assert_success
    assert_output_equals 1
    ocirt_only assert_stderr_contains "mounts[$idx].options[2]: \"size=1m\" is a filesystem option"
}

@test "bad input: an unknown option on a tmpfs, rejected by the filesystem, names the option" {
    local idx
    idx=$(next_index)
    add_mount /mnt tmpfs tmpfs nosuid bogus-option
    create_fails
    ocirt_only assert_stderr_contains "mounts[$idx].options[1]: \"bogus-option\": tmpfs: Unknown parameter 'bogus-option'"
}

@test "bad input: a bad value of a filesystem option names the option" {
    local idx
    idx=$(next_index)
    add_mount /mnt tmpfs tmpfs size=lots
    create_fails
    ocirt_only assert_stderr_contains "mounts[$idx].options[0]: \"size=lots\": tmpfs:"
}

@test "bad input: a missing bind source names mounts[i].source" {
    local idx
    idx=$(next_index)
    add_mount /mnt bind "$BUNDLE/does-not-exist" rbind
    create_fails
    ocirt_only assert_stderr_contains "mounts[$idx].source: $BUNDLE/does-not-exist: No such file or directory"
}

@test "bad input: an unknown filesystem type names mounts[i].type" {
    local idx
    idx=$(next_index)
    add_mount /mnt no-such-fs none
    create_fails
    ocirt_only assert_stderr_contains "mounts[$idx].type: \"no-such-fs\""
}

@test "bad input: tmpcopyup on a bind, idmap on a tmpfs" {
    skip_if_runc "runc ignores these"
    make_data_dir "$BUNDLE/data"
    local idx
    idx=$(next_index)
    add_mount /mnt bind "$BUNDLE/data" rbind tmpcopyup
    create_fails
    assert_stderr_contains "mounts[$idx].options[1]: tmpcopyup needs a tmpfs mount"
    update_config 'del(.mounts[-1])'
    add_mount /mnt tmpfs tmpfs idmap
    update_config '.mounts[-1].uidMappings = [{containerID: 0, hostID: 1000, size: 1}]
        | .mounts[-1].gidMappings = [{containerID: 0, hostID: 1000, size: 1}]'
    create_fails
    assert_stderr_contains "mounts[$idx].options[0]: \"idmap\" needs a bind mount"
}

@test "bad input: a failed mount in the middle leaves nothing behind (run)" {
    make_data_dir "$BUNDLE/data"
    mnt_tmpfs
    add_mount /mnt/a bind "$BUNDLE/data" rbind ro
    add_mount /mnt/b bind "$BUNDLE/nope" rbind
    set_sh 'echo should-not-run'
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
    assert_failure
    [[ $output != *should-not-run* ]] || fail "the process ran"
}
