#!/usr/bin/env bash
# `make vm-test`: the integration tests that need cgroup v2, run in the guest.
#
#   integration/vm/test.sh TAP_LOG
#
# Prepares the guest (prepare.sh), boots it (run.sh) and runs `bats --tap` on every file
# listed in integration/vm/suites (or in $VM_BATS, space separated) against $OCIRT
# (build/ocirt). The TAP output is shown as it comes and written to TAP_LOG, which
# summarize.sh --vm counts. A guest that does not boot or does not finish leaves a log
# without a complete plan (or none): summarize.sh counts that as a failure.
# VM_PROFILE=systemd and VM_SUITES (a list file like suites) are how systemd-test.sh runs the
# systemd guest's list.
# BATS_FLAGS: extra bats flags (e.g. --filter pause); VM_OCIRT_TIMEOUT: seconds one ocirt
# call may take in the emulated guest (120).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$(dirname "$here")")
log=$(realpath -m "${1:?usage: $0 TAP_LOG}")
ocirt=$(realpath -m "${OCIRT:-$repo/build/ocirt}")
cd "$repo" || exit 1

if [[ -n ${VM_BATS:-} ]]; then
    read -r -a files <<<"$VM_BATS"
else
    mapfile -t files < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' "${VM_SUITES:-$here/suites}" | grep -v '^$')
fi
for f in "${files[@]}"; do
    [[ -f $f ]] || { echo "vm-test: $f (VM_BATS or ${VM_SUITES:-integration/vm/suites}) does not exist" >&2; : >"$log"; exit 1; }
done

: >"$log"
integration/vm/prepare.sh >&2 || { echo "vm-test: preparing the guest failed" >&2; exit 1; }
read -r -a flags <<<"${BATS_FLAGS:-}"
start=$SECONDS
status=0
integration/vm/run.sh env OCIRT="$ocirt" OCIRT_TIMEOUT="${VM_OCIRT_TIMEOUT:-120}" \
    bats --tap --timing "${flags[@]}" "${files[@]}" | tee "$log" || status=$?
echo "vm-test: ${#files[@]} files in the guest, $((SECONDS - start))s in all" >&2
exit "$status"
