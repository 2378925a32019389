# Shared by cgroups_resources.bats and update.bats (after `load helpers`): each test's
# container lives under a parent cgroup of its own, and its control files are read from the
# host, on cgroup v1 (and hybrid) as on v2.
#
#   cgroups_setup            (in setup) CGPARENT=/ocirt-test-res-<pid>-<n>, CGPATH=$CGPARENT/$CID,
#                            linux.cgroupsPath = $CGPATH
#   cgroups_teardown         (in teardown, after common_teardown) fails if $CGPARENT is left
#                            anywhere, and removes it (only dirs this test named)
#   is_v2                    the host's /sys/fs/cgroup is cgroup2
#   cg_dir CONTROLLER        the container's dir for that controller (v2: the one dir)
#   cg_read CONTROLLER FILE  a control file of the container's cgroup, trailing newline dropped
#   has_controller NAME      a v1 hierarchy has it, or (v2) the root's cgroup.controllers lists it
#   root_disk                MAJ:MIN of the disk holding / (for blkio/io throttles)
#   has_cg_files / require_cg_files CONTROLLER FILE...
#                            true / skips the test, naming the file, unless a new cgroup of CONTROLLER
#                            on this host has every FILE

is_v2() {
    [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]
}

cgroups_setup() {
    CGPARENT="/ocirt-test-res-$$-$BATS_TEST_NUMBER"
    CGPATH="$CGPARENT/$CID"
    update_config '.linux.cgroupsPath = $p' --arg p "$CGPATH"
}

cgroups_teardown() {
    [[ -n ${CGPARENT:-} ]] || return 0
    local d rc=0
    for d in /sys/fs/cgroup$CGPARENT /sys/fs/cgroup/*$CGPARENT; do
        [[ -d $d ]] || continue
        # ocirt removes the parent it made once its last container is gone (runc leaves it)
        if ! is_runc; then
            echo "left behind: cgroup $d" >&2
            rc=1
        fi
        find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    done
    return "$rc"
}

# The mount point of the v1 hierarchy with controller $1 (mountinfo: fstype and super options
# follow the "-" field).
_v1_mountpoint() {
    awk -v c="$1" '{
        for (i = 7; i <= NF; i++) if ($i == "-") break
        if ($(i + 1) != "cgroup") next
        n = split($(i + 3), o, ",")
        for (k = 1; k <= n; k++) if (o[k] == c) { print $5; exit }
    }' /proc/self/mountinfo
}

cg_dir() {
    if is_v2; then
        echo "/sys/fs/cgroup$CGPATH"
    else
        echo "$(_v1_mountpoint "$1")$CGPATH"
    fi
}

cg_read() {
    local f
    f=$(cg_dir "$1")/$2
    [[ -e $f ]] || return 1
    cat "$f"
}

has_controller() {
    if is_v2; then
        grep -qw "$1" /sys/fs/cgroup/cgroup.controllers
    else
        [[ -n $(_v1_mountpoint "$1") ]]
    fi
}

root_disk() {
    local src dev
    src=$(findmnt -no SOURCE /) || return 1
    dev=$(lsblk -ndo PKNAME "$src" 2>/dev/null)
    [[ -n $dev ]] || dev=$(basename "$src")
    [[ -r /sys/block/$dev/dev ]] || return 1
    cat "/sys/block/$dev/dev"
}

# Some control files depend on how the kernel was built and booted (blkio.weight needs CFQ or
# BFQ, memory.memsw.* swap accounting, cpu.cfs_burst_us 5.14+): a test that needs one skips,
# naming it, where a new cgroup does not have it. The probe is $CGPARENT itself (this test's
# own name), made and removed here before the container makes it.
# has_cg_files CONTROLLER FILE...: true if a new cgroup has every FILE; else CG_MISSING says why.
has_cg_files() {
    local controller=$1 dir f missing=()
    shift
    if is_v2; then
        dir=/sys/fs/cgroup$CGPARENT
    else
        dir=$(_v1_mountpoint "$controller") || true
        if [[ -z $dir ]]; then
            CG_MISSING="this host has no $controller cgroup hierarchy"
            return 1
        fi
        dir+=$CGPARENT
    fi
    mkdir "$dir" || fail "has_cg_files: cannot make the probe cgroup $dir"
    for f in "$@"; do
        [[ -e $dir/$f ]] || missing+=("$f")
    done
    rmdir "$dir"
    CG_MISSING="this host's $controller cgroups have no ${missing[*]}"
    ((${#missing[@]} == 0))
}

require_cg_files() {
    has_cg_files "$@" || skip "$CG_MISSING"
}
