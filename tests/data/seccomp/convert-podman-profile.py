#!/usr/bin/env python3
"""Turns containers/common pkg/seccomp/seccomp.json (Docker profile format)
into the OCI linux.seccomp object podman writes into config.json, for an amd64 host
and podman's default capability set as the bounding set (containers.conf
default_capabilities). Mirrors setupSeccomp() of containers/common
pkg/seccomp/seccomp_linux.go. Usage: convert-podman-profile.py IN.json > OUT.json"""
import json, sys, errno

ARCH = "amd64"                     # Go name of the native arch
NATIVE = "SCMP_ARCH_X86_64"        # its libseccomp name (nativeToSeccomp)
BOUNDING = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
            "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
            "CAP_SETUID", "CAP_SYS_CHROOT"]

def get_errno(name, default):
    if not name:
        return default
    if name.isdigit():
        return int(name)
    return getattr(errno, name)

src = json.load(open(sys.argv[1]))
out = {"defaultAction": src["defaultAction"]}
for m in src.get("archMap", []):
    if m["architecture"] == NATIVE:
        out["architectures"] = [m["architecture"]] + m.get("subArchitectures", [])
        break
if src.get("architectures"):
    out["architectures"] = src["architectures"]
de = get_errno(src.get("defaultErrno", ""), src.get("defaultErrnoRet"))
if de is not None:
    out["defaultErrnoRet"] = de
if src.get("flags"):
    out["flags"] = src["flags"]
syscalls = []
for c in src["syscalls"]:
    inc, exc = c.get("includes") or {}, c.get("excludes") or {}
    if ARCH in (exc.get("arches") or []):
        continue
    if any(cap in BOUNDING for cap in (exc.get("caps") or [])):
        continue
    if inc.get("arches") and ARCH not in inc["arches"]:
        continue
    if any(cap not in BOUNDING for cap in (inc.get("caps") or [])):
        continue
    s = {"names": c.get("names") or [c["name"]], "action": c["action"]}
    e = get_errno(c.get("errno", ""), c.get("errnoRet"))
    if e is not None:
        s["errnoRet"] = e
    args = []
    for a in c.get("args") or []:
        o = {"index": a["index"], "value": a["value"]}
        if a.get("valueTwo"):
            o["valueTwo"] = a["valueTwo"]
        o["op"] = a["op"]
        args.append(o)
    if args:
        s["args"] = args
    syscalls.append(s)
out["syscalls"] = syscalls
json.dump(out, sys.stdout, indent=1)
sys.stdout.write("\n")
