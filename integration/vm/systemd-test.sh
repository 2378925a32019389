#!/usr/bin/env bash
# `make vm-systemd-test`: the tests of the systemd cgroup driver (and of the engines at their
# systemd defaults), run in the guest booted with systemd as init (VM_PROFILE=systemd).
#
#   integration/vm/systemd-test.sh TAP_LOG
#
# Runs the files listed in integration/vm/systemd_suites (or in $VM_SYSTEMD_BATS, space
# separated) against $OCIRT (build/ocirt), as test.sh does for the v2 guest; summarize.sh
# --vm-systemd counts TAP_LOG. Any absolute path works for OCIRT and the bats files: the guest
# sees the host's root.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_PROFILE=systemd VM_SUITES=$here/systemd_suites VM_BATS=${VM_SYSTEMD_BATS:-} \
    exec "$here/test.sh" "$@"
