#!/bin/bash
# ExecStart of ocirt-test.service in the systemd test guest: waits until systemd reports the
# boot finished, records the boot time (seconds since the kernel started, from
# /proc/uptime) in WORK/boot-seconds and the failed units in WORK/failed-units, runs
# WORK/command with its output in WORK/output, writes its exit status to WORK/status, syncs
# and powers off at once (the host has what it needs; a clean shutdown only costs time).
work=""
for arg in $(cat /proc/cmdline); do
    case $arg in ocirt.work=*) work=${arg#ocirt.work=} ;; esac
done
if [[ -z $work ]]; then
    echo "ocirt-test-service: no ocirt.work= on the kernel command line" >&2
    systemctl poweroff --force --force
fi
# "running", or "degraded" when a unit failed (listed for the host); both are up.
timeout 600 systemctl is-system-running --wait >"$work/system-state" 2>&1
read -r up _ </proc/uptime
echo "$up" >"$work/boot-seconds"
systemctl list-units --failed --plain --no-legend --no-pager >"$work/failed-units" 2>&1
cd "$work" || exit 1
bash "$work/command" >"$work/output" 2>&1 </dev/null
echo "$?" >"$work/status"
sync
systemctl poweroff --force --force
