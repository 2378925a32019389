#!/usr/bin/env bash
# Prepare the cgroup-v2 test guest: a kernel and an initramfs, from Debian's packages only.
#
#   integration/vm/prepare.sh [VM_DIR]        (VM_DIR defaults to build/vm)
#
# Makes, in VM_DIR (gitignored, under build/):
#   debs/            linux-image-amd64 and the linux-image-<abi>-amd64 it depends on, as
#                    downloaded by `apt-get download` (never installed on the host)
#   vmlinux          the uncompressed kernel, unpacked from the package's bzImage: the guest
#                    runs under software emulation (TCG), where unpacking xz at each boot costs
#                    seconds; qemu loads the ELF and enters it through its PVH note
#   initramfs.cpio   busybox-static, integration/vm/init as /init, the systemd profile's units
#                    (integration/vm/systemd-guest, as /systemd), and the modules the init
#                    loads to mount the host over 9p under an overlay (virtio-pci,
#                    9pnet_virtio, 9p, overlay and what they depend on, in load order in
#                    /modules/order), and the socket diag modules CRIU needs
# The kernel is downloaded and unpacked once (delete VM_DIR to refresh it); the initramfs is
# rebuilt each time (under a second), so changes to init are always picked up.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$(dirname "$here")")
vm_dir=$(realpath -m "${1:-$repo/build/vm}")
busybox=/bin/busybox
# The modules the init needs; their dependencies are added from each module's .modinfo.
# The *_diag ones are for CRIU (integration/vm/criu.bats): it lists a task's sockets through
# sock_diag and probes nf_tables (its network locking); the guest cannot modprobe (the host's
# /lib/modules is not this kernel's). crc32c_generic: libcrc32c's soft dependency (nf_tables').
# nf_conntrack_netlink: a network namespace's dump reads its conntrack table.
wanted_modules=(virtio_pci 9pnet_virtio 9p overlay unix_diag inet_diag tcp_diag udp_diag netlink_diag af_packet_diag
    crc32c_generic nf_tables nf_conntrack_netlink)

die() {
    echo "vm-prepare: $*" >&2
    exit 1
}

for tool in apt-get dpkg-deb objcopy xz; do
    command -v "$tool" >/dev/null || die "$tool not found (make deps)"
done
[[ -x $busybox ]] || die "$busybox not found; install busybox-static (make deps)"

mkdir -p "$vm_dir/debs"
tmp=$(mktemp -d "$vm_dir/.prepare.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# apt-get download FILE into debs/, once with the current package lists and once more
# after `apt-get update` (the archive drops superseded versions).
download() {
    local pkg=$1
    (cd "$vm_dir/debs" && apt-get -q -o APT::Sandbox::User=root download "$pkg" >&2) && return 0
    echo "vm-prepare: download of $pkg failed; updating the package lists and retrying" >&2
    apt-get -q update >&2 || true
    (cd "$vm_dir/debs" && apt-get -q -o APT::Sandbox::User=root download "$pkg" >&2) ||
        die "cannot download $pkg from the Debian archive"
}

# The kernel package: linux-image-amd64 is a metapackage whose one dependency is the image.
kernel_deb() {
    local meta image
    meta=$(find "$vm_dir/debs" -maxdepth 1 -name 'linux-image-amd64_*.deb' | sort -V | tail -n 1)
    if [[ -z $meta ]]; then
        download linux-image-amd64
        meta=$(find "$vm_dir/debs" -maxdepth 1 -name 'linux-image-amd64_*.deb' | sort -V | tail -n 1)
    fi
    # "linux-image-6.1.0-56-amd64 (= 6.1.192-2)"
    image=$(dpkg-deb -f "$meta" Depends | sed -E 's/^[[:space:]]*([^[:space:],(|]+).*/\1/')
    [[ $image == linux-image-* ]] || die "$meta: unexpected Depends '$(dpkg-deb -f "$meta" Depends)'"
    local deb
    deb=$(find "$vm_dir/debs" -maxdepth 1 -name "${image}_*.deb" | sort -V | tail -n 1)
    if [[ -z $deb ]]; then
        download "$image"
        deb=$(find "$vm_dir/debs" -maxdepth 1 -name "${image}_*.deb" | sort -V | tail -n 1)
    fi
    [[ -n $deb ]] || die "no ${image}_*.deb in $vm_dir/debs after download"
    echo "$deb"
}

# unpack_vmlinux BZIMAGE OUT: the kernel's payload is an xz stream inside the bzImage; find
# the xz magic and keep the first offset whose stream unpacks to an ELF file.
unpack_vmlinux() {
    local bzimage=$1 out=$2 offset
    while IFS=: read -r offset _; do
        # (xz stops at the end of the stream: tail's SIGPIPE is not a failure)
        if xz -dc --single-stream <(tail -c +"$((offset + 1))" "$bzimage") >"$out.part" 2>/dev/null &&
            [[ $(head -c 4 "$out.part" | od -An -c | tr -d ' ') == '177ELF' ]]; then
            mv "$out.part" "$out"
            return 0
        fi
    done < <(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$bzimage")
    rm -f "$out.part"
    die "$bzimage: no xz stream that unpacks to an ELF kernel"
}

# module_deps KO: the "depends=" field of a module's .modinfo section (comma separated).
module_deps() {
    objcopy -O binary --only-section=.modinfo "$1" /dev/stdout | tr '\0' '\n' |
        sed -n 's/^depends=//p'
}

# (again when wanted_modules changed: the package is still in debs/)
if [[ ! -s $vm_dir/vmlinux || ! -s $vm_dir/modules/order ||
    "$(cat "$vm_dir/modules/wanted" 2>/dev/null)" != "${wanted_modules[*]}" ]]; then
    deb=$(kernel_deb)
    echo "vm-prepare: unpacking $(basename "$deb")"
    dpkg-deb -x "$deb" "$tmp/pkg"
    bzimage=$(find "$tmp/pkg/boot" -name 'vmlinuz-*' | head -n 1)
    [[ -n $bzimage ]] || die "$deb: no /boot/vmlinuz-*"
    version=${bzimage##*/vmlinuz-}
    moddir=$tmp/pkg/lib/modules/$version
    [[ -d $moddir ]] || die "$deb: no /lib/modules/$version"

    # Depth-first: a module's dependencies are listed before it.
    declare -A path_of=() seen=()
    while IFS= read -r ko; do
        name=${ko##*/}
        path_of[${name%.ko}]=$ko
    done < <(find "$moddir/kernel" -name '*.ko')
    order=()
    add_module() {
        local m=${1//-/_} dep
        [[ -n ${seen[$m]:-} ]] && return 0
        seen[$m]=1
        [[ -n ${path_of[$m]:-} ]] || die "kernel $version: module $m not found"
        local deps
        deps=$(module_deps "${path_of[$m]}")
        for dep in ${deps//,/ }; do add_module "$dep"; done
        order+=("$m")
    }
    # modules are named with '_' or '-' interchangeably; index both spellings
    for m in "${!path_of[@]}"; do path_of[${m//-/_}]=${path_of[$m]}; done
    for m in "${wanted_modules[@]}"; do add_module "$m"; done

    rm -rf "$vm_dir/modules" "$vm_dir/modules.new"
    mkdir -p "$vm_dir/modules.new"
    for m in "${order[@]}"; do
        cp "${path_of[$m]}" "$vm_dir/modules.new/$m.ko"
    done
    printf '%s\n' "${order[@]}" >"$vm_dir/modules.new/order"
    echo "${wanted_modules[*]}" >"$vm_dir/modules.new/wanted"
    mv "$vm_dir/modules.new" "$vm_dir/modules"

    unpack_vmlinux "$bzimage" "$tmp/vmlinux"
    mv "$tmp/vmlinux" "$vm_dir/vmlinux"
    echo "$version" >"$vm_dir/kernel.version"
    rm -rf "$tmp/pkg"
    echo "vm-prepare: kernel $version, modules: ${order[*]}"
fi

# The initramfs: busybox, /init, the modules. /dev/console is not in it (no mknod needed to
# build it): init reopens its stdio on the console once devtmpfs is mounted.
img=$tmp/initramfs
mkdir -p "$img"/{bin,dev,proc,sys,newroot,modules}
install -m 0755 "$busybox" "$img/bin/busybox"
ln -s busybox "$img/bin/sh"
install -m 0755 "$here/init" "$img/init"
# the systemd profile's units (init installs them in the guest's /etc when booted with it)
mkdir -p "$img/systemd"
cp "$here/systemd-guest"/*.service "$here/systemd-guest"/*.target "$here/systemd-guest/masked" \
    "$here/systemd-guest/ocirt-test-service.sh" "$img/systemd/"
cp "$vm_dir/modules"/*.ko "$vm_dir/modules/order" "$img/modules/"
(cd "$img" && find . -mindepth 1 | LC_ALL=C sort | "$busybox" cpio -o -H newc -R 0:0 2>/dev/null) \
    >"$tmp/initramfs.cpio"
mv "$tmp/initramfs.cpio" "$vm_dir/initramfs.cpio"
echo "vm-prepare: $vm_dir/vmlinux ($(cat "$vm_dir/kernel.version")), $vm_dir/initramfs.cpio"
