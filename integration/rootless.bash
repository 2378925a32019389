# Shared by rootless.bats and engines/podman_rootless.bats: an unprivileged user made for the
# suite, with /etc/subuid and /etc/subgid ranges, a home and an XDG_RUNTIME_DIR of its own, all
# removed at the end (userdel -r, the subid lines, the dirs).
#   rl_setup_file        RL_USER RL_UID RL_GID RL_HOME RL_RUN RL_SUBUID RL_SUBGID (first ids)
#   rl_teardown_file     kills what the user still runs (by its pids), removes everything
#   as_user CMD...       CMD as the user, with a clean environment and a time limit
#   rl_user_pids         the pids the user runs (nothing else runs as it)
RL_COUNT=65536

rl_setup_file() {
    if ! command -v useradd >/dev/null || ! command -v setpriv >/dev/null; then
        skip "useradd and setpriv are needed (passwd, util-linux)"
    fi
    RL_USER=ocirt-rl-$$
    RL_DIR=$(mktemp -d /tmp/ocirt-rootless.XXXXXX)
    chmod 0755 "$RL_DIR"
    RL_HOME=$RL_DIR/home
    useradd --create-home --home-dir "$RL_HOME" --shell /bin/sh --user-group "$RL_USER"
    RL_UID=$(id -u "$RL_USER")
    RL_GID=$(id -g "$RL_USER")
    # useradd may have granted ranges itself (login.defs SUB_UID_*); else grant our own.
    if ! grep -q "^$RL_USER:" /etc/subuid 2>/dev/null; then
        local base=$((300000000 + ($$ % 1000) * RL_COUNT))
        usermod --add-subuids "$base-$((base + RL_COUNT - 1))" --add-subgids "$base-$((base + RL_COUNT - 1))" "$RL_USER"
    fi
    RL_SUBUID=$(awk -F: -v u="$RL_USER" '$1 == u {print $2; exit}' /etc/subuid)
    RL_SUBGID=$(awk -F: -v u="$RL_USER" '$1 == u {print $2; exit}' /etc/subgid)
    RL_RUN=$RL_DIR/run
    install -d -m 0700 -o "$RL_UID" -g "$RL_GID" "$RL_RUN"
    export RL_USER RL_UID RL_GID RL_HOME RL_RUN RL_DIR RL_SUBUID RL_SUBGID
}

rl_user_pids() {
    [[ -n ${RL_UID:-} ]] || return 0
    ps -e -o uid=,pid= | awk -v u="$RL_UID" '$1 == u {print $2}'
}

rl_teardown_file() {
    [[ -n ${RL_USER:-} ]] || return 0
    local pid i
    for i in 1 2 3; do
        for pid in $(rl_user_pids); do kill -KILL "$pid" 2>/dev/null || true; done
        [[ -z $(rl_user_pids) ]] && break
        sleep 0.2
    done
    grep -F -- "$RL_DIR" /proc/self/mountinfo | awk '{print $5}' | sort -r | while read -r m; do
        umount -l "$m" 2>/dev/null || true
    done
    userdel -r "$RL_USER" 2>/dev/null || userdel "$RL_USER" || true
    local f
    for f in /etc/subuid /etc/subgid; do
        [[ -f $f ]] && sed -i "/^$RL_USER:/d" "$f"
    done
    rm -rf "$RL_DIR"
}

# as_user CMD...: CMD as $RL_USER (its uid, gid and groups, no capabilities left), in $RL_CWD
# (default $RL_DIR),
# with only the environment a login would give it.
as_user() {
    (cd "${RL_CWD:-$RL_DIR}" && timeout --kill-after=5 "${OCIRT_TIMEOUT:-30}" \
        setpriv --reuid="$RL_UID" --regid="$RL_GID" --init-groups --reset-env \
        env HOME="$RL_HOME" USER="$RL_USER" LOGNAME="$RL_USER" XDG_RUNTIME_DIR="$RL_RUN" \
        PATH=/usr/local/bin:/usr/bin:/bin "$@")
}
