# Shared setup of the engine suites (podman.bats, containerd.bats, cri.bats): ocirt driven by a real
# engine, with everything the engine keeps in one private directory, $ENGINE_DIR, made by
# engine_setup_file and removed by engine_teardown_file:
#   - podman: containers.conf and storage.conf (CONTAINERS_CONF, CONTAINERS_STORAGE_CONF): vfs
#     storage, tmp_dir, events log and file locks under $ENGINE_DIR; ocirt as runtime "ocirt"
#     with JSON logs; cgroupfs; no network; ulimits within this machine's hard limits.
#   - containerd: its own config, root, state and socket; started in the background and stopped
#     by its pid.
# Containers are put under a cgroup parent of our own, $CGROUP_PARENT (/ocirt-test-engines-PID),
# removed at the end with every dir below it. Each test must leave no container, ocirt state
# dir, process carrying $MARK, or mount under $ENGINE_DIR (engine_assert_clean).
# The suites are skipped, with a message, when the engine is not installed.

load ../helpers

ENGINE_TIMEOUT=${ENGINE_TIMEOUT:-60}

# engine_setup_file NAME: $ENGINE_DIR, $CGROUP_PARENT (exported for the tests).
engine_setup_file() {
    check_prereqs engines || return 1
    ENGINE_DIR=$(mktemp -d "${BATS_TMPDIR:-/tmp}/ocirt-$1.XXXXXX")
    chmod 0755 "$ENGINE_DIR"
    CGROUP_PARENT=/ocirt-test-$1-$$
    export ENGINE_DIR CGROUP_PARENT
}

# engine_teardown_file: kills what is left of ours (processes naming $ENGINE_DIR), unmounts
# what is under it, removes the cgroup parent in every hierarchy and the directory.
engine_teardown_file() {
    [[ -n ${ENGINE_DIR:-} && -d $ENGINE_DIR ]] || return 0
    local pid mnt
    for pid in $(pgrep -f -- "$ENGINE_DIR"); do
        kill -KILL "$pid" 2>/dev/null || true
    done
    grep -F -- "$ENGINE_DIR" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r mnt; do
        umount -l "$mnt" 2>/dev/null || true
    done
    remove_cgroup_parent
    rm -rf "$ENGINE_DIR"
}

# The cgroup dirs of $CGROUP_PARENT (itself included) in every hierarchy, deepest first.
cgroup_parent_dirs() {
    local h
    for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
        [[ -d $h${CGROUP_PARENT#/} ]] && find "$h${CGROUP_PARENT#/}" -depth -type d
    done
    return 0
}

remove_cgroup_parent() {
    local d i
    # A frozen (paused) process left behind cannot die until thawed.
    for d in $(cgroup_parent_dirs); do
        [[ -f $d/freezer.state ]] && echo THAWED >"$d/freezer.state" 2>/dev/null
        [[ -f $d/cgroup.freeze ]] && echo 0 >"$d/cgroup.freeze" 2>/dev/null
        for i in $(cat "$d/cgroup.procs" 2>/dev/null); do
            kill -KILL "$i" 2>/dev/null
        done
    done
    for i in $(seq 20); do
        for d in $(cgroup_parent_dirs); do
            rmdir "$d" 2>/dev/null || true
        done
        [[ -z $(cgroup_parent_dirs) ]] && return 0
        sleep 0.1
    done
    echo "engines: cgroup dirs left: $(cgroup_parent_dirs | paste -sd' ')" >&2
}

# The cgroups below $CGROUP_PARENT that hold processes (a container still there).
busy_cgroups() {
    local d
    for d in $(cgroup_parent_dirs); do
        [[ -s $d/cgroup.procs ]] && echo "$d"
    done
    return 0
}

engine_setup() {
    MARK="999${BATS_TEST_NUMBER}1$$"
}

# engine_assert_clean [OCIRT_ROOT]: after a test removed its containers: no ocirt state dir
# in OCIRT_ROOT, no process carrying $MARK, no process in a cgroup below $CGROUP_PARENT.
engine_assert_clean() {
    local root=${1:-} bad=0 left i
    if [[ -n $root ]]; then
        left=$(find "$root" -mindepth 1 -maxdepth 1 -type d ! -name @cache 2>/dev/null)
        if [[ -n $left ]]; then
            echo "left behind: ocirt state dirs: $left" >&2
            bad=1
        fi
    fi
    for i in $(seq 50); do
        left=$(pgrep -f -- "$MARK" || true)
        [[ -z $left ]] && break
        sleep 0.1
    done
    if [[ -n $left ]]; then
        echo "left behind: processes" >&2
        ps -o pid,ppid,stat,args -p "$(paste -sd, <<<"$left")" >&2 || true
        bad=1
    fi
    left=$(busy_cgroups)
    if [[ -n $left ]]; then
        echo "left behind: cgroups with processes: $left" >&2
        bad=1
    fi
    return "$bad"
}

# make_rootfs_tar OUT: the busybox rootfs as a tar (numeric owners, sorted).
make_rootfs_tar() {
    tar --numeric-owner --sort=name --exclude=./.ocirt-rootfs -C "$ROOTFS" -cf "$1" .
}

# make_oci_archive OUT REF [CMD_JSON]: the busybox rootfs as an OCI image layout archive named
# REF, for `ctr images import` (make-oci-archive.sh).
make_oci_archive() {
    # this file's dir, not the test's: the systemd guest's suites load it from integration/vm
    "$(dirname "${BASH_SOURCE[0]}")/make-oci-archive.sh" "$ROOTFS" "$@"
}

# wait_until SECONDS CODE: evaluates the shell CODE until it succeeds (not an assertion on
# time: the deadline only stops a hung test).
wait_until() {
    local secs=$1 code=$2 deadline
    deadline=$((SECONDS + secs))
    until eval "$code"; do
        ((SECONDS > deadline)) && return 1
        sleep 0.1
    done
}

