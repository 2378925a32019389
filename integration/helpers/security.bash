# Shared by security.bats and seccomp.bats (after `load helpers`): the C probes of
# integration/helpers/ compiled once per file, and config edits the two files share.
#
#   build_probes        (in setup_file) compiles sysprobe.c (static: the busybox rootfs has
#                       no C library) and seccomp_listener.c into $PROBES, exported
#   mount_probes [DIR]  bind-mounts DIR (default $PROBES) read-only on /mnt, a directory the
#                       shared rootfs already has (the shared rootfs must not be written to)
#   set_seccomp JSON    linux.seccomp = JSON
#   set_caps JSON_ARRAY all five capability sets = the given list

build_probes() {
    PROBES=$BATS_FILE_TMPDIR/probes
    mkdir -p "$PROBES"
    chmod 0755 "$PROBES"
    local src=$INTEGRATION_DIR/helpers
    # -static -no-pie: sysprobe mkdir32 needs a buffer below 4 GiB
    gcc -O2 -Wall -Wextra -Werror -static -no-pie -o "$PROBES/sysprobe" "$src/sysprobe.c"
    gcc -O2 -Wall -Wextra -Werror -o "$PROBES/seccomp_listener" "$src/seccomp_listener.c"
    export PROBES
}

mount_probes() {
    update_config '.mounts += [{destination: "/mnt", type: "bind", source: $d,
                                options: ["rbind", "ro"]}]' --arg d "${1:-$PROBES}"
}

set_seccomp() {
    update_config '.linux.seccomp = $s' --argjson s "$1"
}

set_caps() {
    update_config '.process.capabilities = {bounding: $c, effective: $c, permitted: $c,
                   inheritable: $c, ambient: $c}' --argjson c "$1"
}

# podman_profile FILE: podman's default seccomp profile (Debian's containers-common) as
# linux.seccomp, converted as podman does (tests/data/seccomp/convert-podman-profile.py);
# skips the test when the profile is not installed.
PODMAN_PROFILE=/usr/share/containers/seccomp.json
# The capabilities convert-podman-profile.py assumes (podman's default_capabilities).
# shellcheck disable=SC2034 # used by the .bats files that load this one
PODMAN_CAPS='["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
              "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
              "CAP_SETUID", "CAP_SYS_CHROOT"]'
podman_profile() {
    [[ -r $PODMAN_PROFILE ]] || skip "$PODMAN_PROFILE not installed (golang-github-containers-common)"
    "$PYTHON3" "$REPO_ROOT/tests/data/seccomp/convert-podman-profile.py" "$PODMAN_PROFILE" >"$1"
}
