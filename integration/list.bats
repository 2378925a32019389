#!/usr/bin/env bats
# list: the table (exact header and column layout of runc: columns padded to
# max(12, widest cell + 3), rows sorted by id, OWNER = user name of the state's owner),
# -q / --quiet (ids only), --format json / -f json (checked against schema/list.schema.json,
# same fields as state but owner filled in), an empty or missing state root.

load helpers

HEADER_EMPTY="ID          PID         STATUS      BUNDLE      CREATED     OWNER"

# expected_table: the table runc would print for the containers in `list --format json`
expected_table() {
    ocirt list --format json | jq -r '
        (["ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"]) as $h
        | ([$h] + (. // [] | sort_by(.id) | map([.id, (.pid | tostring), .status, .bundle, .created, .owner]))) as $rows
        | [range(0; 5) as $c | ([$rows[][$c] | length] | max) + 3 | if . < 12 then 12 else . end] as $w
        | $rows[]
        | [range(0; 5) as $c | .[$c] + (" " * ($w[$c] - (.[$c] | length)))] + [.[5]]
        | join("")'
}

create_two() {
    track_id "$CID-b" "$CID-a"
    update_config ".process.args = $LONG_ARGS"
    # created in the reverse of their sort order
    run ocirt create --bundle "$BUNDLE" "$CID-b"
    assert_success
    run ocirt create --bundle "$BUNDLE" "$CID-a"
    assert_success
    run ocirt start "$CID-a"
    assert_success
    wait_for_status "$CID-a" running
}

@test "list: an empty root prints only the header" {
    run --separate-stderr ocirt list
    assert_success
    assert_output_equals "$HEADER_EMPTY"
}

@test "list: a state root that does not exist yet lists nothing" {
    rmdir "$ROOT"
    run --separate-stderr ocirt list
    assert_success
    assert_output_equals "$HEADER_EMPTY"
    run --separate-stderr ocirt list -q
    assert_success
    assert_output_equals ""
    mkdir -p "$ROOT"
}

@test "list: table with exact header and column layout, rows sorted by id" {
    create_two
    run --separate-stderr ocirt list
    assert_success
    [[ ${lines[0]} =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER$ ]] || fail "header: ${lines[0]}"
    [[ ${lines[1]} == "$CID-a "* ]] || fail "first row is not $CID-a: ${lines[1]}"
    [[ ${lines[2]} == "$CID-b "* ]] || fail "second row is not $CID-b: ${lines[2]}"
    [[ $(awk '{print $3}' <<<"${lines[1]}") == running ]] || fail "status of $CID-a: ${lines[1]}"
    [[ $(awk '{print $3}' <<<"${lines[2]}") == created ]] || fail "status of $CID-b: ${lines[2]}"
    [[ $(awk '{print $6}' <<<"${lines[1]}") == root ]] || fail "owner of $CID-a: ${lines[1]}"
    local expected
    expected=$(expected_table)
    if [[ $output != "$expected" ]]; then
        echo "expected:" >&2
        cat -A <<<"$expected" >&2
        echo "actual:" >&2
        cat -A <<<"$output" >&2
        fail "table layout differs"
    fi
}

@test "list --format table is the default" {
    create_two
    local default
    default=$(ocirt list)
    run --separate-stderr ocirt list --format table
    assert_success
    assert_output_equals "$default"
}

@test "list -q / --quiet: ids only, sorted" {
    create_two
    run --separate-stderr ocirt list -q
    assert_success
    assert_output_equals "$(printf '%s\n%s' "$CID-a" "$CID-b")"
    run --separate-stderr ocirt list --quiet
    assert_success
    assert_output_equals "$(printf '%s\n%s' "$CID-a" "$CID-b")"
}

@test "list --format json: matches schema/list.schema.json, same data as state" {
    create_two
    run --separate-stderr ocirt list --format json
    assert_success
    printf '%s' "$output" >"$BUNDLE/list.json"
    validate_json "$SCHEMA_DIR/list.schema.json" "$BUNDLE/list.json"
    assert_equal "$(jq -r 'type' <<<"$output")" array type
    assert_equal "$(jq -r 'map(.id) | join(" ")' <<<"$output")" "$CID-a $CID-b" ids
    local id
    for id in "$CID-a" "$CID-b"; do
        # every field of state is in list, owner is filled in
        assert_equal "$(jq -cS --arg id "$id" '.[] | select(.id == $id) | del(.owner)' <<<"$output")" \
            "$(ocirt state "$id" | jq -cS 'del(.owner)')" "list entry of $id vs state"
        assert_equal "$(jq -r --arg id "$id" '.[] | select(.id == $id) | .owner' <<<"$output")" root owner
    done
}

@test "list --format json: runc's field order" {
    track_id "$CID"
    update_config ".process.args = $LONG_ARGS | .annotations = {\"a\": \"b\"}"
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    run --separate-stderr ocirt list --format json
    assert_success
    assert_equal "$(jq -c '.[0] | keys_unsorted' <<<"$output")" \
        '["ociVersion","id","pid","status","bundle","rootfs","created","annotations","owner"]' \
        "list entry keys"
}

@test "list -f json: the short flag" {
    create_two
    run --separate-stderr ocirt list -f json
    assert_success
    assert_equal "$(jq -r 'map(.id) | join(" ")' <<<"$output")" "$CID-a $CID-b" ids
}

@test "list --format json: an empty root is null or []" {
    run --separate-stderr ocirt list --format json
    assert_success
    [[ $output == null || $output == "[]" ]] || fail "output: $output"
}

@test "list --format with an unknown format fails" {
    run --separate-stderr ocirt list --format yaml
    assert_failure
    [[ -n $stderr ]]
}

@test "list: a stopped container is listed with pid 0" {
    set_args true
    run ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    run ocirt start "$CID"
    assert_success
    wait_for_status "$CID" stopped
    run --separate-stderr ocirt list
    assert_success
    [[ $(awk '{print $2, $3}' <<<"${lines[1]}") == "0 stopped" ]] || fail "row: ${lines[1]}"
}
