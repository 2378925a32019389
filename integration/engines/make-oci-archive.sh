#!/usr/bin/env bash
# An OCI image layout archive (oci-layout, index.json, blobs) of a root filesystem directory as
# one uncompressed layer, named REF, that `ctr images import` accepts (no registry, no network).
#
#   make-oci-archive.sh ROOTFS OUT REF [CMD_JSON]
#
# CMD_JSON is the image config's Cmd (default ["sh"]), e.g. the pause image's long sleep.
# Used by the engine suites (containerd.bats, cri.bats) and bench/cri_probes.py.
set -euo pipefail

if (($# < 3)); then
    echo "usage: make-oci-archive.sh ROOTFS OUT REF [CMD_JSON]" >&2
    exit 2
fi
rootfs=$1 out=$2 ref=$3 cmd=${4:-'["sh"]'}
[[ -d $rootfs ]] || { echo "make-oci-archive: ROOTFS $rootfs is not a directory" >&2; exit 1; }
jq -e 'type == "array" and all(type == "string")' <<<"$cmd" >/dev/null ||
    { echo "make-oci-archive: CMD_JSON $cmd is not a JSON array of strings" >&2; exit 1; }

d=$(mktemp -d "$(dirname "$out")/oci.XXXXXX")
trap 'rm -rf "$d"' EXIT
blobs=$d/blobs/sha256
mkdir -p "$blobs"

# blob FILE: moves FILE into blobs/ under its digest; prints "sha256:<hex> <size>".
blob() {
    local sum size
    sum=$(sha256sum "$1" | cut -d' ' -f1)
    size=$(stat -c %s "$1")
    mv "$1" "$blobs/$sum"
    echo "sha256:$sum $size"
}

# numeric owners, sorted: the same rootfs gives the same digest
tar --numeric-owner --sort=name --exclude=./.ocirt-rootfs -C "$rootfs" -cf "$d/layer" .
read -r layer layer_size < <(blob "$d/layer")
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
jq -cn --arg arch "$arch" --arg diff "$layer" --argjson cmd "$cmd" '{
    architecture: $arch, os: "linux",
    config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: $cmd},
    rootfs: {type: "layers", diff_ids: [$diff]}}' >"$d/config"
read -r config config_size < <(blob "$d/config")
jq -cn --arg c "$config" --argjson cs "$config_size" --arg l "$layer" --argjson ls "$layer_size" '{
    schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
    layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' >"$d/manifest"
read -r manifest manifest_size < <(blob "$d/manifest")
jq -cn --arg m "$manifest" --argjson ms "$manifest_size" --arg ref "$ref" '{
    schemaVersion: 2,
    manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $ms,
                 annotations: {"org.opencontainers.image.ref.name": $ref}}]}' >"$d/index.json"
echo '{"imageLayoutVersion": "1.0.0"}' >"$d/oci-layout"
tar -C "$d" -cf "$out" oci-layout index.json blobs
