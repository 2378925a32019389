#!/usr/bin/env bash
# Sum up the results of the test runners for `make test` (and so .ci/run).
#
#   integration/summarize.sh [--unit CATCH2_LOG] [--integration BATS_TAP_LOG] [--vm BATS_TAP_LOG]
#                            [--vm-systemd BATS_TAP_LOG]
#
# CATCH2_LOG is the console output of build/ocirt-unit-tests (Catch2 v2 or v3):
#   "All tests passed (A assertions in N test cases)"  or
#   "test cases: X | Y passed | Z failed"
# BATS_TAP_LOG is the output of `bats --tap`: "1..N", "ok I name",
#   "not ok I name", "ok I name # skip (reason)". --vm is the same for the bats run in the
#   cgroup-v2 guest (integration/vm/test.sh), --vm-systemd for the one in the systemd guest
#   (integration/vm/systemd-test.sh).
#
# Prints one summary line per runner, then a last line, exactly
#   "<passed> passed, <failed> failed"
# with the totals over all runners (skipped bats tests count as neither), and
# exits 1 if anything failed or a log is missing or has no result (a crash).
set -uo pipefail

total_pass=0
total_fail=0
broken=0

unit_summary() {
    local log=$1 pass=0 fail=0 line
    if [[ ! -s $log ]]; then
        echo "summary: unit: no output in $log (runner missing or crashed)"
        broken=$((broken + 1))
        return
    fi
    if line=$(grep -E '^All tests passed \(' "$log" | tail -n 1) && [[ -n $line ]]; then
        # All tests passed (12 assertions in 3 test cases)
        pass=$(sed -E 's/.* in ([0-9]+) test case.*/\1/' <<<"$line")
    elif line=$(grep -E '^test cases: *[0-9]+' "$log" | tail -n 1) && [[ -n $line ]]; then
        # test cases: 5 | 3 passed | 2 failed   (either part may be missing)
        if [[ $line =~ ([0-9]+)\ passed ]]; then pass=${BASH_REMATCH[1]}; fi
        if [[ $line =~ ([0-9]+)\ failed ]]; then fail=${BASH_REMATCH[1]}; fi
    elif grep -qE '^No tests ran' "$log"; then
        echo "summary: unit: no tests ran"
        broken=$((broken + 1))
        return
    else
        echo "summary: unit: no Catch2 summary line in $log (crashed?)"
        broken=$((broken + 1))
        return
    fi
    echo "summary: unit: $pass passed, $fail failed"
    total_pass=$((total_pass + pass))
    total_fail=$((total_fail + fail))
}

bats_summary() {
    local name=$1 log=$2 pass=0 fail=0 skip=0 planned=-1 line
    if [[ ! -s $log ]]; then
        echo "summary: $name: no output in $log (runner missing or crashed)"
        broken=$((broken + 1))
        return
    fi
    while IFS= read -r line; do
        case $line in
        1..*) planned=${line#1..} ;;
        "not ok "*) fail=$((fail + 1)) ;;
        "ok "*" # skip"*) skip=$((skip + 1)) ;;
        "ok "*) pass=$((pass + 1)) ;;
        esac
    done <"$log"
    local seen=$((pass + fail + skip))
    if ((planned >= 0 && seen < planned)); then
        echo "summary: $name: only $seen of $planned tests reported; counting $((planned - seen)) as failed"
        fail=$((fail + planned - seen))
    elif ((planned < 0)); then
        echo "summary: $name: no TAP plan line in $log (bats failed to start?)"
        broken=$((broken + 1))
    fi
    echo "summary: $name: $pass passed, $fail failed, $skip skipped"
    total_pass=$((total_pass + pass))
    total_fail=$((total_fail + fail))
}

while (($#)); do
    case $1 in
    --unit) unit_summary "$2"; shift 2 ;;
    --integration) bats_summary integration "$2"; shift 2 ;;
    --vm) bats_summary vm "$2"; shift 2 ;;
    --vm-systemd) bats_summary vm-systemd "$2"; shift 2 ;;
    *) echo "usage: $0 [--unit LOG] [--integration LOG] [--vm LOG] [--vm-systemd LOG]" >&2; exit 2 ;;
    esac
done

# A runner that crashed or reported nothing counts as one failure.
total_fail=$((total_fail + broken))
echo "$total_pass passed, $total_fail failed"
((total_fail == 0))
