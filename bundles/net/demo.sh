#!/usr/bin/env bash
# make demo-net: a container connected to the host by a veth pair, the way to
# give an ocirt container a network (README.md, "Connecting a container").
#
#   host  ocirt-h<pid> 10.254.254.1/30  <-- veth -->  eth0 10.254.254.2/30  container
#
# DEMO_NET_MODE=netdevices (default): the container end is addressed on the
#   host and moved in by linux.netDevices (renamed eth0, its address kept).
# DEMO_NET_MODE=hook: a createRuntime hook (netns-hook.sh) moves, renames
#   and addresses it, as engines that set up networking themselves do.
# Then ping both ways, and everything made (container, veth pair, state) is
# removed, also on failure. Root only. OCIRT: the runtime (default build/ocirt).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OCIRT=${OCIRT:-$here/../../build/ocirt}
MODE=${DEMO_NET_MODE:-netdevices}
HOST_ADDR=10.254.254.1 CTR_ADDR=10.254.254.2 PREFIX=30
host_if=ocirt-h$$ ctr_if=ocirt-c$$ id=ocirt-net-$$
rootfs=$(cd "$here/../busybox/rootfs" && pwd)
state=$(mktemp -d) bundle=$(mktemp -d)

say() { echo "+ $*"; }
rt() { timeout 30 "$OCIRT" --root "$state" "$@"; }
cleanup() {
    rt delete --force "$id" >/dev/null 2>&1 || true
    # The container end dies with the container's network namespace, and the
    # host end with it; if the container never got it, it is removed here.
    ip link del "$host_if" 2>/dev/null || true
    rm -rf "$state" "$bundle"
}
trap cleanup EXIT

case $MODE in
netdevices)
    filter='.linux.netDevices = {($ctr): {name: "eth0"}}' ;;
hook)
    filter='del(.linux.netDevices) | .hooks.createRuntime = [{path: $hook,
        args: ["netns-hook.sh", $ctr, "eth0", ($addr + "/" + $prefix)],
        env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]}]' ;;
*)
    echo "demo-net: DEMO_NET_MODE must be netdevices or hook, got '$MODE'" >&2
    exit 2 ;;
esac
jq --arg rootfs "$rootfs" --arg ctr "$ctr_if" --arg hook "$here/netns-hook.sh" \
    --arg addr "$CTR_ADDR" --arg prefix "$PREFIX" \
    ".root = {path: \$rootfs, readonly: true} | $filter" "$here/config.json" >"$bundle/config.json"

say "ip link add $host_if type veth peer name $ctr_if"
ip link add "$host_if" type veth peer name "$ctr_if"
ip address add "$HOST_ADDR/$PREFIX" dev "$host_if"
ip link set dev "$host_if" up
if [[ $MODE == netdevices ]]; then
    # linux.netDevices keeps an interface's permanent global addresses.
    ip address add "$CTR_ADDR/$PREFIX" dev "$ctr_if"
fi

say "ocirt run -d ($MODE) $id"
rt run -d --bundle "$bundle" "$id" </dev/null >/dev/null
echo "container's interfaces:"
rt exec "$id" ip -4 -o address show | sed 's/^/    /'
say "container -> host: ping $HOST_ADDR"
rt exec "$id" ping -c 1 -W 5 "$HOST_ADDR"
say "host -> container: ping $CTR_ADDR"
busybox ping -c 1 -W 5 "$CTR_ADDR"
echo "demo-net ($MODE): ping works both ways"
