# Helpers for the ocirt integration tests (bats). Every *.bats file does `load helpers`.
#
# The binary under test is $OCIRT (default: <repo>/build/ocirt). The suite also runs against
# the reference runtime, to check the tests themselves:  OCIRT=/usr/sbin/runc bats integration/
# Tests that deliberately differ from runc call `skip_if_runc`, assertions on ocirt's own
# messages are wrapped in `ocirt_only`.
#
# Each test gets (see common_setup):
#   ROOT     a private state root, passed as --root on every call (`ocirt VERB ...`)
#   BUNDLE   a private bundle dir whose config.json is bundles/busybox/config.json with
#            root.path = the absolute path of bundles/busybox/rootfs (read-only, shared);
#            edit it with `update_config '<jq filter>'`
#   CID      a container id unique to this test (more ids: "$CID-b", ...)
#   MARK     a number unique to this test; long-running containers run `sleep $MARK`
#            (LONG_ARGS) so a leftover process can be found by its command line
# teardown deletes (--force) every container of ROOT, then fails the test if anything is
# left: a state dir, a host mount of the rootfs/bundle/root, a process, a cgroup.

bats_require_minimum_version 1.5.0

INTEGRATION_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(dirname "$INTEGRATION_DIR")
OCIRT=${OCIRT:-$REPO_ROOT/build/ocirt}
RUNTIME_NAME=$(basename "$OCIRT")
BUSYBOX_BUNDLE=$REPO_ROOT/bundles/busybox
ROOTFS=$BUSYBOX_BUNDLE/rootfs
SCHEMA_DIR=$REPO_ROOT/schema
# Debian's python3 (with python3-jsonschema), not whatever python3 comes first in PATH.
PYTHON3=${PYTHON3:-/usr/bin/python3}
# Seconds any single runtime call may take before it is considered hung.
OCIRT_TIMEOUT=${OCIRT_TIMEOUT:-30}

is_runc() { [[ $RUNTIME_NAME == runc* ]]; }

# skip_if_runc REASON: for tests where ocirt deliberately differs from runc.
skip_if_runc() {
    if is_runc; then skip "runc differs: $*"; fi
}

# ocirt_only CMD...: run an assertion only against ocirt (e.g. on ocirt's own message wording).
ocirt_only() {
    if is_runc; then return 0; fi
    "$@"
}

# ocirt VERB ARGS...: the runtime under test with this test's state root.
# Its stdio go to files (never a pipe): a container started by create/run -d inherits them and
# would otherwise keep bats' `run` waiting for EOF. The runtime's stdout/stderr are replayed
# on our stdout/stderr once it exits (use `run --separate-stderr` to look at stderr alone).
ocirt() {
    local n=$((++OCIRT_CALLS))
    # $BASHPID: a call in a background subshell must not share files with the parent's calls
    local out=$LOGDIR/$BASHPID.$n.out err=$LOGDIR/$BASHPID.$n.err rc=0
    timeout --kill-after=5 "$OCIRT_TIMEOUT" "$OCIRT" --root "$ROOT" "$@" \
        >"$out" 2>"$err" </dev/null || rc=$?
    cat "$out"
    cat "$err" >&2
    if ((rc == 124)); then
        echo "helpers: '$RUNTIME_NAME $*' timed out after ${OCIRT_TIMEOUT}s" >&2
    fi
    return "$rc"
}

# The same without --root (for spec, --version, --help).
ocirt_noroot() {
    timeout --kill-after=5 "$OCIRT_TIMEOUT" "$OCIRT" "$@" </dev/null
}

# check_prereqs WHO: the binary under test and the busybox rootfs exist.
check_prereqs() {
    if [[ ! -x $OCIRT ]]; then
        echo "$1: $OCIRT is not executable: build it (make) or set OCIRT=" >&2
        return 1
    fi
    if [[ ! -x $ROOTFS/bin/busybox ]]; then
        echo "$1: no rootfs in $ROOTFS: run 'make bundles'" >&2
        return 1
    fi
}

common_setup() {
    check_prereqs helpers || return 1
    CID="it${BATS_TEST_NUMBER}-$$"
    MARK="999${BATS_TEST_NUMBER}0$$"
    LONG_ARGS='["sleep", "'$MARK'"]'
    EXTRA_IDS=()
    OCIRT_CALLS=0
    ROOT=$(mktemp -d "${BATS_TMPDIR:-/tmp}/ocirt-it-root.XXXXXX")
    BUNDLE=$(mktemp -d "${BATS_TMPDIR:-/tmp}/ocirt-it-bundle.XXXXXX")
    LOGDIR=$(mktemp -d "${BATS_TMPDIR:-/tmp}/ocirt-it-log.XXXXXX")
    chmod 0755 "$BUNDLE"
    jq --arg rootfs "$ROOTFS" '.root = {path: $rootfs, readonly: true}' \
        "$BUSYBOX_BUNDLE/config.json" >"$BUNDLE/config.json"
    _note_missing_default_parents
}

# The default cgroupsPath is /ocirt/<id>. ocirt removes the /ocirt parent it made only if it is
# empty at that delete (as runc leaves parents), so a test whose containers overlap leaves it.
# Note where it is missing at setup; teardown removes those that are empty again.
_note_missing_default_parents() {
    MISSING_PARENTS=()
    local m
    for m in /sys/fs/cgroup /sys/fs/cgroup/*; do
        [[ -d $m && ! -L $m && -e $m/cgroup.procs && ! -e $m/ocirt ]] && MISSING_PARENTS+=("$m/ocirt")
    done
    return 0
}

_remove_default_parents() {
    local d
    for d in ${MISSING_PARENTS[@]+"${MISSING_PARENTS[@]}"}; do
        [[ -d $d ]] && rmdir "$d" 2>/dev/null
    done
    return 0
}

setup() {
    common_setup
}

teardown() {
    common_teardown
}

# track_id ID...: more ids for teardown to delete (list -q is used too, but not trusted alone).
track_id() {
    EXTRA_IDS+=("$@")
}

# update_config FILTER [jq options...]: edit $BUNDLE/config.json in place with jq
# (e.g. update_config '.hostname = $h' --arg h foo).
update_config() {
    local tmp filter=$1
    shift
    tmp=$(mktemp "$BUNDLE/config.json.XXXXXX")
    if jq "$filter" "$BUNDLE/config.json" "$@" >"$tmp"; then
        mv "$tmp" "$BUNDLE/config.json"
    else
        rm -f "$tmp"
        echo "update_config: jq failed: $filter" >&2
        return 1
    fi
}

# set_args ARG...: process.args = the given words.
set_args() {
    update_config ".process.args = $(json_array "$@")"
}

# json_array WORD...: a JSON array of strings (safe for any content).
json_array() {
    local i=0 arg filter=""
    local -a opts=()
    for arg in "$@"; do
        opts+=(--arg "a$i" "$arg")
        filter+="${filter:+,}\$a$i"
        i=$((i + 1))
    done
    jq -cn "${opts[@]}" "[$filter]"
}

# set_sh SCRIPT: process.args = ["sh", "-c", SCRIPT].
set_sh() {
    set_args sh -c "$1"
}

# use_writable_rootfs: a private, writable copy of the rootfs (root.readonly false).
use_writable_rootfs() {
    cp -a "$ROOTFS" "$BUNDLE/rootfs"
    update_config '.root = {path: "rootfs", readonly: false}'
}

# --- state ----------------------------------------------------------------------------------

# state_field ID JQ_PATH: one field of `state ID` (e.g. state_field "$CID" .pid).
state_field() {
    ocirt state "$1" | jq -r "$2"
}

# wait_for_status ID STATUS [SECONDS]: poll `state` until status is STATUS (default 5 s).
wait_for_status() {
    local id=$1 want=$2 secs=${3:-5} got=""
    local deadline=$((SECONDS + secs))
    while :; do
        got=$(ocirt state "$id" 2>/dev/null | jq -r .status 2>/dev/null) || got=""
        [[ $got == "$want" ]] && return 0
        ((SECONDS > deadline)) && break
        sleep 0.05
    done
    echo "wait_for_status: $id is '${got:-<no state>}', expected '$want' after ${secs}s" >&2
    return 1
}

# wait_until SECONDS CMD...: run CMD until it succeeds; fail after SECONDS. A guard against a
# hang, not a timing assertion: give it a generous limit (the v2 guest is emulated and slow).
wait_until() {
    local secs=$1 deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        if ((SECONDS > deadline)); then
            echo "wait_until: '$*' still false after ${secs}s" >&2
            return 1
        fi
        sleep 0.1
    done
}

# create_and_start ID: create + start a container from $BUNDLE, wait until running.
create_and_start() {
    ocirt create --bundle "$BUNDLE" "$1" >/dev/null || return 1
    ocirt start "$1" || return 1
    wait_for_status "$1" running
}

# run_sh SCRIPT: run SCRIPT in a foreground container (`run`); sets $status/$output/$stderr.
# Use as `run_sh 'id -u'` (not under bats' `run`).
run_sh() {
    set_sh "$1"
    run --separate-stderr ocirt run --bundle "$BUNDLE" "$CID"
}

# validate_json SCHEMA_FILE JSON_FILE: JSON Schema validation with python3-jsonschema.
validate_json() {
    "$PYTHON3" - "$1" "$2" <<'EOF'
import json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
errors = sorted(cls(schema, format_checker=jsonschema.FormatChecker()).iter_errors(doc),
                key=lambda e: list(e.absolute_path))
for e in errors:
    print("%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "<root>", e.message),
          file=sys.stderr)
sys.exit(1 if errors else 0)
EOF
}

# --- assertions -----------------------------------------------------------------------------

fail() {
    echo "FAIL: $*" >&2
    return 1
}

assert_success() {
    if [[ $status -ne 0 ]]; then
        echo "status: $status" >&2
        echo "output: $output" >&2
        [[ -n ${stderr:-} ]] && echo "stderr: $stderr" >&2
        fail "expected success"
    fi
}

assert_failure() {
    if [[ $status -eq 0 ]]; then
        echo "output: $output" >&2
        fail "expected failure, got status 0"
    fi
}

assert_status() {
    if [[ $status -ne $1 ]]; then
        echo "output: $output" >&2
        [[ -n ${stderr:-} ]] && echo "stderr: $stderr" >&2
        fail "expected status $1, got $status"
    fi
}

# assert_output_equals EXPECTED
assert_output_equals() {
    if [[ $output != "$1" ]]; then
        printf 'expected output: %q\nactual output:   %q\n' "$1" "$output" >&2
        fail "output differs"
    fi
}

# assert_output_contains SUBSTRING
assert_output_contains() {
    if [[ $output != *"$1"* ]]; then
        printf 'output: %s\n' "$output" >&2
        fail "output does not contain '$1'"
    fi
}

# assert_stderr_contains SUBSTRING (after `run --separate-stderr`)
assert_stderr_contains() {
    if [[ ${stderr:-} != *"$1"* ]]; then
        printf 'stderr: %s\nstdout: %s\n' "${stderr:-}" "$output" >&2
        fail "stderr does not contain '$1'"
    fi
}

# squeeze TEXT: runs of blanks (spaces, tabs) become one space, no leading/trailing blanks
# (for tables like /proc/self/uid_map or /proc/self/limits).
squeeze() {
    local words
    read -r -a words <<<"$1"
    echo "${words[*]}"
}

# assert_equal ACTUAL EXPECTED [WHAT]
assert_equal() {
    if [[ $1 != "$2" ]]; then
        printf '%s: expected %q, got %q\n' "${3:-value}" "$2" "$1" >&2
        return 1
    fi
}

# --- cgroups --------------------------------------------------------------------------------

# cgroup_v2: /sys/fs/cgroup is cgroup v2 alone (the v2 guest of make vm-test), not v1/hybrid.
cgroup_v2() {
    [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]
}

# cgroup_dir PATH: where a container's cgroup (linux.cgroupsPath PATH) shows on this host:
# /sys/fs/cgroup/PATH on v2, its dir in the memory hierarchy on v1 and hybrid.
cgroup_dir() {
    if cgroup_v2; then
        echo "/sys/fs/cgroup$1"
    else
        echo "/sys/fs/cgroup/memory$1"
    fi
}

# --- leftovers ------------------------------------------------------------------------------

# Paths that must never appear in the host's mount table.
_watched_paths() {
    printf '%s\n' "$ROOTFS" "$BUNDLE" "$ROOT"
}

_leftover_mounts() {
    local p
    while read -r p; do
        grep -F -- "$p" /proc/self/mountinfo || true
    done < <(_watched_paths)
}

_leftover_pids() {
    pgrep -f -- "$MARK" || true
}

# cgroups named after one of this test's ids (v1 hierarchies, the v2 mount, any depth <= 6)
_leftover_cgroups() {
    local id
    for id in "$@"; do
        [[ -n $id ]] || continue
        find /sys/fs/cgroup -maxdepth 6 -type d -name "$id" 2>/dev/null || true
    done
}

# assert_nothing_left [ID...]: after a failed or finished container (default ID: $CID):
# no state dir in $ROOT, no host mount mentioning the rootfs/bundle/root, no process
# carrying $MARK, no cgroup named ID, no change to the shared rootfs.
assert_nothing_left() {
    local ids=("$@") bad=0 left
    ((${#ids[@]})) || ids=("$CID")
    local id
    for id in "${ids[@]}"; do
        if [[ -n $id && -e $ROOT/$id ]]; then
            echo "left behind: state dir $ROOT/$id" >&2
            bad=1
        fi
    done
    left=$(_leftover_mounts)
    if [[ -n $left ]]; then
        echo "left behind: mounts" >&2
        echo "$left" >&2
        bad=1
    fi
    # a process may need a moment to be reaped
    local i
    for i in $(seq 50); do
        left=$(_leftover_pids)
        [[ -z $left ]] && break
        sleep 0.1
    done
    if [[ -n $left ]]; then
        echo "left behind: processes" >&2
        ps -o pid,ppid,stat,args -p "$(paste -sd, <<<"$left")" >&2 || true
        bad=1
    fi
    left=$(find "$ROOTFS" -newer "$ROOTFS/.ocirt-rootfs" 2>/dev/null | head -n 20)
    if [[ -n $left ]]; then
        echo "the shared read-only rootfs was modified (entries newer than its stamp):" >&2
        echo "$left" >&2
        bad=1
    fi
    left=$(_leftover_cgroups "${ids[@]}")
    if [[ -n $left ]]; then
        echo "left behind: cgroups" >&2
        echo "$left" >&2
        bad=1
    fi
    return "$bad"
}

# Remove what a broken runtime left behind (only things carrying this test's paths/ids/marker).
_force_cleanup() {
    local pid mnt cg
    for pid in $(_leftover_pids); do
        kill -KILL "$pid" 2>/dev/null || true
    done
    sleep 0.2
    # mount points (field 5) of leftover mounts, deepest first
    _leftover_mounts | awk '{print $5}' | sort -r | while read -r mnt; do
        umount -l "$mnt" 2>/dev/null || true
    done
    _leftover_cgroups "$CID" "${EXTRA_IDS[@]}" | sort -r | while read -r cg; do
        find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null || true
    done
    if [[ -n $(find "$ROOTFS" -newer "$ROOTFS/.ocirt-rootfs" 2>/dev/null | head -n 1) ]]; then
        "$REPO_ROOT/bundles/build-rootfs.sh" >&2 || true
    fi
}

common_teardown() {
    [[ -n ${ROOT:-} && -d $ROOT ]] || return 0
    local id ids
    ids=$(ocirt list -q 2>/dev/null) || true
    for id in $ids "$CID" "${EXTRA_IDS[@]}"; do
        ocirt delete --force "$id" >/dev/null 2>&1 || true
    done
    local rc=0
    local stale
    # @cache (compiled seccomp programs) is the runtime's, not a container's.
    stale=$(find "$ROOT" -mindepth 1 -maxdepth 1 -type d ! -name @cache 2>/dev/null)
    if [[ -n $stale ]]; then
        echo "teardown: left in state root $ROOT after delete --force:" >&2
        echo "$stale" >&2
        rc=1
    fi
    assert_nothing_left "$CID" "${EXTRA_IDS[@]}" || rc=1
    if ((rc)); then
        _force_cleanup
    fi
    _remove_default_parents
    rm -rf "$ROOT" "$BUNDLE" "$LOGDIR"
    return "$rc"
}
