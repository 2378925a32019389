#!/usr/bin/env bash
# Boot the cgroup-v2 test guest and run one command in it.
#
#   integration/vm/run.sh COMMAND [ARG...]
#
# The guest (kernel and initramfs from integration/vm/prepare.sh) sees the host's root over
# 9p, read-only under a tmpfs overlay (writes stay in the guest), and this run's work dir
# read-write; it has only cgroup v2 (cgroup_no_v1=all) and runs COMMAND as root in the
# current directory (the same path in the guest). COMMAND's output (stdout and stderr together) is shown as it comes;
# the exit status is COMMAND's, or 125 when the guest did not report one (no boot, crash,
# timeout): then the end of its console log is shown.
#
# VM_PROFILE=systemd boots systemd as init instead (integration/vm/systemd-guest): cgroup v2
# alone (unified hierarchy), journald and dbus up; COMMAND runs from ocirt-test.service once
# `systemctl is-system-running --wait` returns, and the boot time (seconds from the kernel's
# start to then) is reported.
#
# Environment: VM_DIR (build/vm), VM_MEM (MiB, 2048), VM_SMP (2), VM_TIMEOUT (seconds,
# 1800), VM_APPEND (kernel parameters), QEMU (qemu-system-x86_64), VM_KEEP=1 keeps the work
# dir. The console log of the last run is kept in VM_DIR/last-console.log.
# The guest runs under software emulation (TCG): fork and exec are ~100x slower than on the
# host; keep what runs in it small.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$(dirname "$here")")
vm_dir=$(realpath -m "${VM_DIR:-$repo/build/vm}")
mem=${VM_MEM:-2048}
smp=${VM_SMP:-2}
limit=${VM_TIMEOUT:-1800}
qemu=${QEMU:-qemu-system-x86_64}
firmware=/usr/share/qemu/qboot.rom

die() {
    echo "vm-run: $*" >&2
    exit 125
}

(($#)) || die "usage: $0 COMMAND [ARG...]"
command -v "$qemu" >/dev/null || die "$qemu not found (make deps installs qemu-system-x86)"
[[ -r $firmware ]] || die "$firmware not found (package qemu-system-data)"
for f in vmlinux initramfs.cpio; do
    [[ -s $vm_dir/$f ]] || die "$vm_dir/$f missing: run integration/vm/prepare.sh"
done

work=$(mktemp -d "$vm_dir/run.XXXXXX")
cleanup() {
    # interrupted: stop the guest (timeout passes the signal on to qemu)
    if [[ -n ${qemu_pid:-} ]] && kill "$qemu_pid" 2>/dev/null; then
        wait "$qemu_pid" 2>/dev/null
    fi
    [[ -n ${tail_pid:-} ]] && kill "$tail_pid" 2>/dev/null
    cp -f "$work/console.log" "$vm_dir/last-console.log" 2>/dev/null || true
    if [[ ${VM_KEEP:-} == 1 ]]; then
        echo "vm-run: work dir kept: $work" >&2
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
{
    printf 'cd %q || exit 125\n' "$PWD"
    printf 'exec'
    printf ' %q' "$@"
    printf '\n'
} >"$work/command"
: >"$work/output"

# qboot enters the ELF vmlinux through its PVH note: no BIOS, no bootloader, no decompression.
# mitigations=off: the guest's syscalls are emulated; KPTI and retpolines only slow them down.
# VM_APPEND: more kernel parameters (e.g. loglevel=7 to see the boot in last-console.log).
# no_timer_check: on a loaded host the emulated timer can miss the kernel's IO-APIC check,
# which then panics ("IO-APIC + timer doesn't work").
cmdline="console=ttyS0 panic=-1 quiet cgroup_no_v1=all mitigations=off no_timer_check ocirt.work=$work"
case ${VM_PROFILE:-} in
"") ;;
# systemd.show_status=error: the console gets the failures, not a line per unit
systemd) cmdline+=" ocirt.init=systemd systemd.unit=ocirt-test.target systemd.unified_cgroup_hierarchy=1 systemd.show_status=error systemd.firstboot=off" ;;
*) die "VM_PROFILE=$VM_PROFILE: unknown (empty or systemd)" ;;
esac
cmdline+=" ${VM_APPEND:-}"
# Measured on a 2-core host running bats (bound by fork and exec): one TCG thread for both
# vCPUs (thread=single) ran ~1.7x faster than a thread per vCPU, and the baseline qemu64 CPU
# ~1.2x faster than "max".
qemu_args=(
    -M pc -bios "$firmware" -accel tcg,thread=single -cpu qemu64 -smp "$smp" -m "$mem"
    -nodefaults -no-user-config -display none -monitor none -no-reboot
    -serial "file:$work/console.log"
    -kernel "$vm_dir/vmlinux" -initrd "$vm_dir/initramfs.cpio" -append "$cmdline"
    -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
    -virtfs "local,path=$work,mount_tag=work,security_model=none,multidevs=remap"
)

start=$SECONDS
timeout --kill-after=10 "$limit" "$qemu" "${qemu_args[@]}" </dev/null >"$work/qemu.log" 2>&1 &
qemu_pid=$!
tail -n +1 -f --pid="$qemu_pid" "$work/output" &
tail_pid=$!
qemu_rc=0
wait "$qemu_pid" || qemu_rc=$?
qemu_pid=""
wait "$tail_pid" || true
tail_pid=""

if [[ -s $work/boot-seconds ]]; then
    echo "vm-run: systemd was up $(<"$work/boot-seconds")s after the kernel started ($(<"$work/system-state"))" >&2
    [[ -s $work/failed-units ]] && { echo "vm-run: failed units in the guest:" >&2; cat "$work/failed-units" >&2; }
fi
if [[ -s $work/status ]]; then
    rc=$(<"$work/status")
    echo "vm-run: guest exit status $rc after $((SECONDS - start))s" >&2
    exit "$rc"
fi
if ((qemu_rc == 124)); then
    echo "vm-run: the guest did not finish within ${limit}s (VM_TIMEOUT); killed" >&2
else
    echo "vm-run: the guest reported no exit status (qemu exit $qemu_rc after $((SECONDS - start))s)" >&2
fi
if [[ -s $work/qemu.log ]]; then
    echo "vm-run: qemu said:" >&2
    cat "$work/qemu.log" >&2
fi
echo "vm-run: last lines of the guest console ($vm_dir/last-console.log):" >&2
tail -n 40 "$work/console.log" >&2 || true
exit 125
