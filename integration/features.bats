#!/usr/bin/env bats
# `features` (runtime-spec features.md, features-linux.md): the output matches
# schema/features.schema.json, and what it lists is what create accepts: every mount option,
# namespace, hook kind, capability name, seccomp action, operator, architecture and supported
# flag.
# --version agrees with it. (checkpoint's entry: integration/checkpoint.bats.)

load helpers

setup() {
    common_setup
    FEATURES=$BUNDLE/features.json
    ocirt_noroot features >"$FEATURES"
}

# feature JQ_PATH: one value of the features output (raw).
feature() {
    jq -r "$1" "$FEATURES"
}

# create_ok: create from $BUNDLE succeeds with no warning on stderr, then delete it.
create_ok() {
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    [[ $stderr != *"unknown"* && $stderr != *"not supported"* ]] || fail "create warned: $stderr"
    ocirt delete --force "$CID"
}

@test "features: output matches schema/features.schema.json, 4-space indented JSON" {
    skip_if_runc "runc 1.1 prints a v1.0 features shape"
    validate_json "$SCHEMA_DIR/features.schema.json" "$FEATURES"
    run ocirt_noroot features
    assert_success
    assert_equal "${lines[1]}" '    "ociVersionMin": "1.0.0",' "second line"
}

@test "features: ociVersionMax is the spec version of --version, not below ociVersionMin" {
    run --separate-stderr ocirt_noroot --version
    assert_success
    local spec
    spec=$(sed -n 's/^spec: //p' <<<"$output")
    assert_equal "$(feature .ociVersionMax)" "$spec" ociVersionMax
    [[ $(printf '%s\n' "$(feature .ociVersionMin)" "$spec" | sort -V | head -n1) == "$(feature .ociVersionMin)" ]] ||
        fail "ociVersionMin $(feature .ociVersionMin) > ociVersionMax $spec"
}

@test "--version: runc's lines (version, commit, spec, libseccomp) agreeing with features" {
    skip_if_runc "annotation keys are ocirt's"
    run --separate-stderr ocirt_noroot --version
    assert_success
    assert_equal "${lines[0]}" "ocirt version $(feature '.annotations["io.github.ocirt.version"]')" "line 1"
    local commit
    commit=$(feature '.annotations["io.github.ocirt.commit"] // empty')
    if [[ -n $commit ]]; then
        assert_equal "${lines[1]}" "commit: $commit" "line 2"
    fi
    [[ $output == *$'\n'"libseccomp: $(feature '.annotations["io.github.seccomp.libseccomp.version"]')" ]] ||
        fail "no matching libseccomp line: $output"
    [[ $output != *"go:"* ]] || fail "a go: line: $output"
    [[ $(dpkg-query -W -f='${Version}' libseccomp2 2>/dev/null) == "$(feature '.annotations["io.github.seccomp.libseccomp.version"]')"* ]] ||
        fail "libseccomp version differs from the installed libseccomp2"
}

@test "features: every listed mount option is accepted by create (and acl, not listed, is not)" {
    skip_if_runc "runc 1.1 lists \"defaults\" but gives it to the filesystem, which refuses it"
    local n
    n=$(feature '.mountOptions | length')
    ((n > 50)) || fail "only $n mount options"
    # One tmpfs per option under a tmpfs /tmp; bind, rbind and remount need a source or an
    # existing mount.
    update_config '.mounts += [{destination: "/tmp", type: "tmpfs", source: "tmpfs"}]
        | .mounts += [$opts[] | if . == "bind" or . == "rbind" then
                {destination: ("/tmp/" + .), type: "bind", source: "/tmp", options: [.]}
            elif . == "remount" then
                {destination: "/tmp", options: ["remount", "rw"]}
            elif . == "idmap" or . == "ridmap" then
                {destination: ("/tmp/" + .), type: "bind", source: "/tmp", options: [.],
                 uidMappings: [{containerID: 0, hostID: 100000, size: 65536}],
                 gidMappings: [{containerID: 0, hostID: 100000, size: 65536}]}
            else
                {destination: ("/tmp/" + .), type: "tmpfs", source: "tmpfs", options: [.]}
            end]' --argjson opts "$(jq -c .mountOptions "$FEATURES")"
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    ocirt delete --force "$CID"

    ocirt_only assert_equal "$(feature '.mountOptions | index("acl")')" null "acl listed"
    update_config '.mounts[-1] = {destination: "/tmp/acl", type: "bind", source: "/tmp", options: ["bind", "acl"]}'
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    ocirt_only assert_stderr_contains 'unknown mount option "acl"'
    assert_nothing_left
}

@test "features: every listed namespace type can be created" {
    local want=(cgroup ipc mount network pid time user uts) got
    got=$(feature '.linux.namespaces | sort | join(" ")')
    ocirt_only assert_equal "$got" "${want[*]}" namespaces
    update_config '.linux.namespaces = [$ns[] | {type: .}]
        | .linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
        | .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]' \
        --argjson ns "$(jq -c .linux.namespaces "$FEATURES")"
    # /proc/self/ns names of the listed types
    local names
    names=$(jq -r '.linux.namespaces[] | {mount: "mnt", network: "net"}[.] // .' "$FEATURES")
    run_sh "for ns in $(echo $names); do readlink /proc/self/ns/\$ns; done"
    assert_success
    local ns n=0
    for ns in $names; do
        [[ ${lines[n]} == "$ns:"* && ${lines[n]} != "$(readlink /proc/self/ns/$ns)" ]] ||
            fail "$ns namespace is the host's: ${lines[n]}"
        n=$((n + 1))
    done
    assert_equal "$n" "$(feature '.linux.namespaces | length')" "namespaces checked"
}

@test "features: every listed hook kind runs" {
    local want="prestart createRuntime createContainer startContainer poststart poststop"
    ocirt_only assert_equal "$(feature '.hooks | join(" ")')" "$want" hooks
    local dir=$BUNDLE/hooklog kind
    mkdir "$dir"
    update_config '.mounts += [{destination: "/mnt", type: "bind", source: $d, options: ["rbind"]}]' --arg d "$dir"
    for kind in $(feature '.hooks[]'); do
        if [[ $kind == startContainer ]]; then  # runs in the container
            update_config '.hooks[$k] = [{path: "/bin/sh", args: ["sh", "-c", "echo \($k) >> /mnt/log"]}]' --arg k "$kind"
        else
            update_config '.hooks[$k] = [{path: "/bin/sh", args: ["sh", "-c", "echo \($k) >> \($d)/log"]}]' \
                --arg k "$kind" --arg d "$dir"
        fi
    done
    run_sh 'true'
    assert_success
    assert_equal "$(sort "$dir/log" | paste -sd' ')" "$(tr ' ' '\n' <<<"$want" | sort | paste -sd' ')" "hooks that ran"
}

@test "features: every listed capability name is recognized by create" {
    local n
    n=$(feature '.linux.capabilities | length')
    ((n >= 38)) || fail "only $n capabilities"
    assert_equal "$(feature '.linux.capabilities | index("CAP_CHOWN")')" 0 "CAP_CHOWN is capability 0"
    update_config '.process.capabilities.bounding = $c' --argjson c "$(jq -c .linux.capabilities "$FEATURES")"
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    [[ $stderr != *"unknown capability"* ]] || fail "create: $stderr"
    ocirt delete --force "$CID"
    # A name that is no capability is not listed, and create warns about it.
    update_config '.process.capabilities.bounding = ["CAP_NO_SUCH_THING"]'
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_success
    ocirt_only assert_stderr_contains 'unknown capability "CAP_NO_SUCH_THING"'
    ocirt delete --force "$CID"
}

@test "features: every listed seccomp action, operator and supported flag is accepted by create" {
    assert_equal "$(feature .linux.seccomp.enabled)" true "seccomp.enabled"
    # Each action (but NOTIFY, which needs a listener: seccomp.bats) on a syscall of its own;
    # each operator on an argument of getpriority.
    update_config '.linux.seccomp = {
            defaultAction: "SCMP_ACT_ALLOW",
            flags: $f.supportedFlags,
            syscalls: ([$f.actions | to_entries[] | select(.value != "SCMP_ACT_NOTIFY" and .value != "SCMP_ACT_ALLOW")
                        | {names: [["acct", "swapon", "swapoff", "vhangup", "pivot_root", "syslog",
                                    "kexec_load", "reboot", "quotactl"][.key]], action: .value}]
                       + [$f.operators | to_entries[]
                          | {names: ["getpriority"], action: "SCMP_ACT_ERRNO",
                             args: [{index: 0, value: 7, valueTwo: 0, op: .value}]}])}' \
        --argjson f "$(jq -c .linux.seccomp "$FEATURES")"
    [[ $(jq '.linux.seccomp.syscalls | length' "$BUNDLE/config.json") -ge 14 ]] || fail "too few rules"
    # SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV is dropped without a NOTIFY rule, with a debug line.
    create_ok
}

@test "features: every listed seccomp architecture is recognized (big-endian ones cannot join x86_64)" {
    local arch
    for arch in $(feature '.linux.seccomp.archs[]'); do
        update_config '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: [$a],
                                         syscalls: [{names: ["acct"], action: "SCMP_ACT_ERRNO"}]}' --arg a "$arch"
        run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
        if ((status == 0)); then
            ocirt delete --force "$CID"
        else
            ocirt_only assert_stderr_contains "different byte order"
        fi
    done
    update_config '.linux.seccomp.architectures = ["SCMP_ARCH_NO_SUCH"]'
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_nothing_left
}

@test "features: intelRdt (schemata, monitoring) and netDevices enabled; create applies them" {
    skip_if_runc "runc 1.1.5 prints neither field"
    assert_equal "$(feature .linux.intelRdt.enabled),$(feature .linux.intelRdt.schemata),$(feature .linux.intelRdt.monitoring)" \
        true,true,true "intelRdt enabled,schemata,monitoring"
    assert_equal "$(feature .linux.netDevices.enabled)" true "netDevices.enabled"
    # Enabled means applied, not refused: here a missing interface is the error, not the field.
    update_config '.linux.netDevices = {"nosuch'$$'": {}}'
    run --separate-stderr ocirt create --bundle "$BUNDLE" "$CID"
    assert_failure
    assert_stderr_contains "no such network interface on the host"
    assert_nothing_left
}

@test "features: the systemd cgroup driver is listed (system and user instances)" {
    skip_if_runc "runc 1.1 prints a v1.0 features shape"
    assert_equal "$(feature .linux.cgroup.systemd)" true "cgroup.systemd"
    assert_equal "$(feature .linux.cgroup.systemdUser)" true "cgroup.systemdUser"
    assert_equal "$(feature .linux.cgroup.v1),$(feature .linux.cgroup.v2)" true,true "cgroup v1,v2"
}

@test "features: idmap mounts, AppArmor and SELinux enabled; no config annotation is unsafe" {
    skip_if_runc "runc 1.1 prints a v1.0 features shape"
    assert_equal "$(feature .linux.mountExtensions.idmap.enabled)" true "mountExtensions.idmap.enabled"
    assert_equal "$(feature .linux.apparmor.enabled),$(feature .linux.selinux.enabled)" true,true "LSMs"
    assert_equal "$(feature '.potentiallyUnsafeConfigAnnotations | length')" 0 "unsafe annotations"
}
