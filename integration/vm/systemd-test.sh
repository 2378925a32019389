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
# VM_TIMEOUT defaults to 1200 s here: the whole list took 600-660 s on a loaded 2-core host;
# a driver that hangs the guest should not cost make test the v2 guest's 1800 s.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export VM_TIMEOUT=${VM_TIMEOUT:-1200}
VM_PROFILE=systemd VM_SUITES=$here/systemd_suites VM_BATS=${VM_SYSTEMD_BATS:-} \
    exec "$here/test.sh" "$@"
