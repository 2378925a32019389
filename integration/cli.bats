#!/usr/bin/env bats
# The command line itself: --version/-v, --help/-h for the runtime and every verb, unknown
# verbs and flags, missing arguments, the --root layout (one directory per container id),
# --log FILE --log-format json (what conmon and containerd read), --debug.

load helpers

VERBS=(create start state kill delete run list spec features checkpoint restore)

@test "--version: '<name> version X' and a 'spec: X.Y.Z' line" {
    run --separate-stderr ocirt_noroot --version
    assert_success
    [[ ${lines[0]} == "$RUNTIME_NAME version "* ]] || fail "first line: ${lines[0]}"
    [[ $output =~ (^|$'\n')spec:\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "no spec: line in: $output"
}

@test "-v is --version" {
    run --separate-stderr ocirt_noroot -v
    assert_success
    [[ ${lines[0]} == "$RUNTIME_NAME version "* ]] || fail "first line: ${lines[0]}"
}

@test "--help and -h exit 0 and list the verbs" {
    local flag verb
    for flag in --help -h; do
        run --separate-stderr ocirt_noroot "$flag"
        assert_success
        for verb in "${VERBS[@]}"; do
            [[ $output == *"$verb"* ]] || fail "'$flag' does not mention $verb"
        done
    done
}

@test "VERB --help exits 0 and describes the verb, for every verb" {
    local verb
    for verb in "${VERBS[@]}"; do
        run --separate-stderr ocirt_noroot "$verb" --help
        if [[ $status -ne 0 ]]; then
            fail "'$verb --help' exited $status: $stderr"
        fi
        [[ $output == *"$verb"* ]] || fail "'$verb --help' does not mention $verb: $output"
    done
}

@test "VERB -h is VERB --help" {
    local verb
    for verb in "${VERBS[@]}"; do
        run --separate-stderr ocirt_noroot "$verb" -h
        assert_success
    done
}

@test "an unknown verb exits non-zero" {
    run --separate-stderr ocirt_noroot no-such-verb
    assert_failure
    [[ -n $stderr ]]
}

@test "an unknown flag exits non-zero" {
    run --separate-stderr ocirt_noroot --no-such-flag list
    assert_failure
    run --separate-stderr ocirt state --no-such-flag "$CID"
    assert_failure
    [[ -n $stderr ]]
}

@test "verbs without their container id exit non-zero" {
    local verb
    for verb in create start state kill delete run; do
        run --separate-stderr ocirt "$verb"
        if [[ $status -eq 0 ]]; then
            fail "'$verb' without an id succeeded"
        fi
    done
    assert_nothing_left
}

@test "--root: the state of a container is a directory named by its id under the root" {
    update_config ".process.args = $LONG_ARGS"
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    [[ -d $ROOT/$CID ]] || fail "no $ROOT/$CID: $(ls -A "$ROOT")"
    run ocirt delete --force "$CID"
    assert_success
    [[ ! -e $ROOT/$CID ]] || fail "$ROOT/$CID is still there after delete"
}

@test "--root: a root that does not exist is made, with its parents, mode 0700 (containerd's shim)" {
    update_config ".process.args = $LONG_ARGS"
    local root=$ROOT/new/ns
    # Not under `run`: the container would hold its output pipe open.
    "$OCIRT" --root "$root" create --bundle "$BUNDLE" "$CID" </dev/null >"$BUNDLE/out" 2>&1 ||
        fail "create: $(cat "$BUNDLE/out")"
    [[ -d $root/$CID ]] || fail "no $root/$CID"
    assert_equal "$(stat -c %a "$ROOT/new") $(stat -c %a "$root")" "700 700" "modes of the new dirs"
    "$OCIRT" --root "$root" delete --force "$CID" </dev/null || fail "delete --force"
    rm -r "$ROOT/new"
}

@test "--root: two roots do not see each other's containers" {
    update_config ".process.args = $LONG_ARGS"
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    local other
    other=$(mktemp -d "${BATS_TMPDIR:-/tmp}/ocirt-it-root2.XXXXXX")
    run --separate-stderr "$OCIRT" --root "$other" state "$CID"
    local st=$status
    run --separate-stderr "$OCIRT" --root "$other" list -q
    rm -rf "$other"
    [[ $st -ne 0 ]] || fail "state found $CID in another root"
    assert_output_equals ""
}

@test "--log FILE --log-format json: an error is written as a JSON line with level and msg" {
    local log=$BUNDLE/runtime.log
    run --separate-stderr ocirt --log "$log" --log-format json state "$CID"
    assert_failure
    [[ -s $log ]] || fail "nothing written to $log"
    jq -e 'select(.level == "error") | .msg | length > 0' "$log" >/dev/null ||
        fail "no error line with a msg in $log: $(cat "$log")"
}

@test "--debug is accepted" {
    run --separate-stderr ocirt --debug list -q
    assert_success
}
