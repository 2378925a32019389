#!/usr/bin/env bash
# A private containerd with its CRI plugin, for cri.bats and bench/cri_probes.py.
#
#   containerd-cri.sh start DIR RUNTIME CGROUP_PARENT
#   containerd-cri.sh stop DIR
#
# start: everything under DIR (made if missing): config, root, state, socket DIR/containerd.sock,
# log, the runc v2 shim's state root for RUNTIME (DIR/runtime-root). The CRI runtime handler
# "ocirt" (the default one) is io.containerd.runc.v2 with BinaryName = RUNTIME and cgroupfs.
# containerd runs in a network namespace made here (ip netns "ocirt-cri-<pid>", written to
# DIR/netns), so the CNI bridge, its veths and routes are there and not on the host; the pods'
# own network namespaces are made by containerd under its state dir. CNI: Debian's plugins in
# /usr/lib/cni, loopback (added by containerd) and bridge with host-local addresses from
# 10.199.0.0/24 (kept in DIR/cni-ipam). Images, imported with `ctr -n k8s.io images import`
# from the busybox rootfs ($ROOTFS): the sandbox (pause) image localhost/ocirt-pause:1, whose
# init only sleeps and exits 0 on SIGTERM, and localhost/ocirt-busybox:1 for the containers.
# CGROUP_PARENT is written to DIR/cgroup-parent for stop (the pods' cgroup parents go below it).
#
# stop: removes the pods left (CRI StopPodSandbox + RemovePodSandbox), stops containerd by its
# pid (SIGTERM, then SIGKILL after 20 s), kills the processes naming DIR (shims) that are left,
# unmounts what is under DIR, deletes the network namespace and the cgroup parent, removes DIR.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PYTHON3=${PYTHON3:-/usr/bin/python3}
ROOTFS=${ROOTFS:-$here/../../../bundles/busybox/rootfs}
PAUSE_IMAGE=localhost/ocirt-pause:1
BUSYBOX_IMAGE=localhost/ocirt-busybox:1

die() { echo "containerd-cri: $*" >&2; exit 1; }

cri() { "$PYTHON3" "$here/cri.py" --stubs "$DIR/stubs" --timeout 60 "$DIR/containerd.sock" "$@"; }
ctr_() { timeout --kill-after=10 60 ctr --address "$DIR/containerd.sock" --namespace k8s.io "$@"; }

start() {
    local runtime=$1 parent=$2 netns pid
    [[ -x $runtime ]] || die "RUNTIME $runtime is not executable"
    [[ -x $ROOTFS/bin/busybox ]] || die "no busybox rootfs in $ROOTFS: run bundles/build-rootfs.sh"
    mkdir -p "$DIR/cni" "$DIR/cni-ipam"
    echo "$parent" >"$DIR/cgroup-parent"
    cat >"$DIR/cni/10-ocirt-test.conflist" <<CNI
{
  "cniVersion": "0.4.0",
  "name": "ocirt-test",
  "plugins": [{
    "type": "bridge", "bridge": "cni-ocirt0", "isGateway": true, "ipMasq": false,
    "ipam": {"type": "host-local", "dataDir": "$DIR/cni-ipam",
             "ranges": [[{"subnet": "10.199.0.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}]}
  }]
}
CNI
    cat >"$DIR/config.toml" <<TOML
version = 2
root = "$DIR/root"
state = "$DIR/state"
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
                    "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
                    "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]

[grpc]
  address = "$DIR/containerd.sock"

[ttrpc]
  address = "$DIR/containerd.sock.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "$DIR/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # Exec's streaming server on a free loopback port
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  disable_apparmor = true
  # no lower oom_score_adj than containerd's own (root here lacks CAP_SYS_RESOURCE)
  restrict_oom_score_adj = true
  enable_selinux = false
  # pods' network namespaces under state, not in the host's /run/netns
  netns_mounts_under_state_dir = true

[plugins."io.containerd.grpc.v1.cri".containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "ocirt"

# What the README tells users to configure.
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.ocirt]
  runtime_type = "io.containerd.runc.v2"
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.ocirt.options]
  BinaryName = "$runtime"
  Root = "$DIR/runtime-root"
  SystemdCgroup = false

[plugins."io.containerd.grpc.v1.cri".cni]
  bin_dir = "/usr/lib/cni"
  conf_dir = "$DIR/cni"
  max_conf_num = 1
TOML
    netns=ocirt-cri-$$
    ip netns add "$netns"
    echo "$netns" >"$DIR/netns"
    ip netns exec "$netns" ip link set lo up
    # Only the network namespace is entered: the mounts containerd makes stay visible here.
    nsenter --net="/run/netns/$netns" containerd --config "$DIR/config.toml" \
        </dev/null >"$DIR/containerd.log" 2>&1 3>&- &
    pid=$!
    echo "$pid" >"$DIR/containerd.pid"
    for _ in $(seq 300); do
        ctr_ version >/dev/null 2>&1 && break
        kill -0 "$pid" 2>/dev/null || { cat "$DIR/containerd.log" >&2; die "containerd exited"; }
        sleep 0.1
    done
    ctr_ version >/dev/null 2>&1 || { cat "$DIR/containerd.log" >&2; die "containerd did not answer"; }
    "$here/../make-oci-archive.sh" "$ROOTFS" "$DIR/pause.tar" "$PAUSE_IMAGE" \
        '["sh", "-c", "trap \"exit 0\" TERM INT; sleep 2147483647 & wait"]'
    "$here/../make-oci-archive.sh" "$ROOTFS" "$DIR/busybox.tar" "$BUSYBOX_IMAGE"
    ctr_ images import "$DIR/pause.tar" >/dev/null
    ctr_ images import "$DIR/busybox.tar" >/dev/null
    rm -f "$DIR/pause.tar" "$DIR/busybox.tar"
    # The CRI plugin sees both images (it learns of ctr's imports from containerd's events).
    for _ in $(seq 100); do
        cri call ImageStatus '{"image": {"image": "'$PAUSE_IMAGE'"}}' 2>/dev/null | grep -q '"id": "sha256' &&
            cri call ImageStatus '{"image": {"image": "'$BUSYBOX_IMAGE'"}}' 2>/dev/null | grep -q '"id": "sha256' &&
            return 0
        sleep 0.1
    done
    die "the CRI plugin does not list the imported images"
}

# cgroup dirs at and below the parent in every hierarchy, deepest first
parent_dirs() {
    local parent=$1 h
    for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
        [[ -d $h${parent#/} ]] && find "$h${parent#/}" -depth -type d
    done
    return 0
}

stop() {
    local pid id d parent netns mnt
    if [[ -f $DIR/containerd.pid ]] && pid=$(cat "$DIR/containerd.pid") && kill -0 "$pid" 2>/dev/null; then
        for id in $(cri call ListPodSandbox 2>/dev/null | jq -r '.items[].id' 2>/dev/null); do
            cri call StopPodSandbox '{"podSandboxId": "'"$id"'"}' >/dev/null 2>&1 || true
            cri call RemovePodSandbox '{"podSandboxId": "'"$id"'"}' >/dev/null 2>&1 || true
        done
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 200); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    for pid in $(pgrep -f -- "$DIR/" || true); do
        kill -KILL "$pid" 2>/dev/null || true
    done
    for mnt in $(awk -v d="$DIR/" 'index($5, d) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
        umount -l "$mnt" 2>/dev/null || true
    done
    if [[ -f $DIR/netns ]]; then
        netns=$(cat "$DIR/netns")
        ip netns del "$netns" 2>/dev/null || true
    fi
    if [[ -f $DIR/cgroup-parent ]]; then
        parent=$(cat "$DIR/cgroup-parent")
        for _ in $(seq 20); do
            for d in $(parent_dirs "$parent"); do
                rmdir "$d" 2>/dev/null || true
            done
            [[ -z $(parent_dirs "$parent") ]] && break
            sleep 0.1
        done
    fi
    rm -rf "$DIR"
}

(($# >= 2)) || die "usage: containerd-cri.sh start DIR RUNTIME CGROUP_PARENT | stop DIR"
cmd=$1 DIR=${2%/}
shift 2
case $cmd in
start) (($# == 2)) || die "usage: containerd-cri.sh start DIR RUNTIME CGROUP_PARENT"; start "$@" ;;
stop) stop ;;
*) die "unknown command $cmd" ;;
esac
