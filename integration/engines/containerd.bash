# A private containerd for a bats file (after `load engines`): containerd.bats on the host and
# the systemd guest's systemd_containerd.bats. Needs CTR_NS, CTR_SOCK and IMAGE set, and
# ENGINE_DIR from engine_setup_file.
#
#   containerd_start TIMEOUT [TOML]  writes $ENGINE_DIR/config.toml (its own root, state,
#                                     socket, no CRI plugin; TOML appended), starts containerd,
#                                     waits until ctr answers, imports the busybox image
#   containerd_stop [TIMEOUT]        (teardown_file) removes every container, the image and the
#                                     namespace, stops containerd by its pid
#   c ARGS...                        ctr on that containerd, in $CTR_NS
#   remove_all_containers            kills and deletes every task (resumed first when paused),
#                                     removes every container; fails if one is left
#   task_status ID                   RUNNING, PAUSED, STOPPED, ...

containerd_start() {
    local e=$ENGINE_DIR
    cat >"$e/config.toml" <<EOF_TOML
version = 2
root = "$e/root"
state = "$e/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
                    "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
                    "io.containerd.snapshotter.v1.aufs", "io.containerd.tracing.processor.v1.otlp",
                    "io.containerd.internal.v1.tracing"]

[grpc]
  address = "$CTR_SOCK"

[ttrpc]
  address = "$CTR_SOCK.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "$e/opt"
${2:-}
EOF_TOML
    containerd --config "$e/config.toml" >"$e/containerd.log" 2>&1 </dev/null &
    echo $! >"$e/containerd.pid"
    wait_until "$1" 'ctr --address "$CTR_SOCK" version >/dev/null 2>&1' ||
        {
            cat "$e/containerd.log" >&2
            return 1
        }
    make_oci_archive "$e/image.tar" "$IMAGE"
    c image import "$e/image.tar" >/dev/null
}

containerd_stop() {
    [[ -n ${ENGINE_DIR:-} && -f $ENGINE_DIR/containerd.pid ]] || return 0
    remove_all_containers
    c image rm "$IMAGE" >/dev/null 2>&1 || true
    c namespaces rm "$CTR_NS" >/dev/null 2>&1 || true
    local pid
    pid=$(cat "$ENGINE_DIR/containerd.pid")
    kill -TERM "$pid" 2>/dev/null || true
    wait_until "${1:-20}" "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid" 2>/dev/null || true
}

c() {
    timeout --kill-after=10 "$ENGINE_TIMEOUT" ctr --address "$CTR_SOCK" --namespace "$CTR_NS" "$@"
}

remove_all_containers() {
    local id
    for id in $(c task ls -q 2>/dev/null); do
        [[ $(task_status "$id") == PAUSED ]] && c task resume "$id" >/dev/null 2>&1
        c task kill --all --signal KILL "$id" >/dev/null 2>&1 || true
        c task delete --force "$id" >/dev/null 2>&1 || true
    done
    for id in $(c container ls -q 2>/dev/null); do
        c container rm "$id" >/dev/null 2>&1 || true
    done
    [[ -z $(c container ls -q 2>/dev/null) ]]
}

task_status() {
    c task ls | awk -v id="$1" '$1 == id {print $3}'
}
