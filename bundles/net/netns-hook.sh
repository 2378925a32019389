#!/bin/sh
# A createRuntime hook that connects the container as engines do with their
# own network set-up: it moves a host interface into the container's network
# namespace, renames it, addresses it and sets it up. The container's state
# (runtime-spec state.md) comes on stdin; the hook runs in the runtime's
# namespaces, before the container's process starts.
#
#   netns-hook.sh HOST_IF NAME ADDRESS/PREFIX
set -eu
host_if=$1 name=$2 addr=$3
pid=$(sed -n 's/.*"pid": *\([0-9][0-9]*\).*/\1/p')
[ -n "$pid" ] || { echo "netns-hook: no pid in the state on stdin" >&2; exit 1; }
ip link set dev "$host_if" netns "$pid"
in_ns() { nsenter --net="/proc/$pid/ns/net" "$@"; }
in_ns ip link set dev "$host_if" name "$name"
in_ns ip address add "$addr" dev "$name"
in_ns ip link set dev "$name" up
