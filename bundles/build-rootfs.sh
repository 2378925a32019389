#!/usr/bin/env bash
# Build a minimal root filesystem from Debian's busybox-static (no network).
#
#   bundles/build-rootfs.sh [ROOTFS_DIR] [BUSYBOX]
#
# ROOTFS_DIR defaults to bundles/busybox/rootfs, BUSYBOX to /bin/busybox.
# Idempotent: does nothing when ROOTFS_DIR already holds the same busybox binary,
# the layout of this script version, and nothing in it changed since it was built
# (no entry newer than its stamp file); otherwise rebuilds it from scratch (into a
# temporary directory that replaces the old one at the end).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rootfs=${1:-$here/busybox/rootfs}
busybox=${2:-/bin/busybox}
layout_version=1   # bump when the layout below changes

if [[ ! -x $busybox ]]; then
    echo "build-rootfs: $busybox not found; install busybox-static (make deps)" >&2
    exit 1
fi

stamp_of() { # what the rootfs was built from
    printf 'layout %s\n' "$layout_version"
    sha256sum <"$busybox" | cut -d' ' -f1
}

if [[ -f $rootfs/bin/busybox && -f $rootfs/.ocirt-rootfs ]] &&
    [[ "$(cat "$rootfs/.ocirt-rootfs")" == "$(stamp_of)" ]] &&
    cmp -s "$busybox" "$rootfs/bin/busybox" &&
    [[ -z "$(find "$rootfs" -newer "$rootfs/.ocirt-rootfs" -print -quit)" ]]; then
    echo "build-rootfs: $rootfs is up to date"
    exit 0
fi

parent=$(dirname "$rootfs")
mkdir -p "$parent"
tmp=$(mktemp -d "$parent/.rootfs.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
chmod 0755 "$tmp"

umask 022
mkdir -p "$tmp"/{bin,sbin,etc,proc,sys,dev,root,home,var,usr/bin,usr/sbin,run,mnt}
chmod 0700 "$tmp/root"
mkdir -p "$tmp/tmp" "$tmp/var/tmp"
chmod 1777 "$tmp/tmp" "$tmp/var/tmp"

install -m 0755 "$busybox" "$tmp/bin/busybox"
# One symlink per applet, all in /bin (on the default PATH of `runc spec`).
while read -r applet; do
    case $applet in
    busybox | */* | '') continue ;;
    esac
    ln -sf busybox "$tmp/bin/$applet"
done < <("$busybox" --list)

cat >"$tmp/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
cat >"$tmp/etc/group" <<'EOF'
root:x:0:
nobody:x:65534:
EOF
echo ocirt-demo >"$tmp/etc/hostname"
chmod 0644 "$tmp/etc/passwd" "$tmp/etc/group" "$tmp/etc/hostname"
stamp_of >"$tmp/.ocirt-rootfs"

# Replace the old rootfs (if any) with the new one.
if [[ -e $rootfs ]]; then
    old=$(mktemp -d "$parent/.rootfs-old.XXXXXX")
    mv "$rootfs" "$old/rootfs"
    mv "$tmp" "$rootfs"
    rm -rf "$old"
else
    mv "$tmp" "$rootfs"
fi
trap - EXIT
echo "build-rootfs: built $rootfs from $busybox ($("$busybox" --list | wc -l) applets)"
