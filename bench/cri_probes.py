#!/usr/bin/python3
"""Exec probes at scale through Kubernetes' path: the runtime's CPU per ExecSync.

    bench/cri_probes.py [--pods 20] [--seconds 60] [--interval 1] [RUNTIME ...]

For each RUNTIME (default: build/ocirt and /usr/sbin/runc), a private containerd with the CRI
plugin (integration/engines/cri/containerd-cri.sh) runs PODS pods of one busybox container each
through the runtime handler "ocirt", whose BinaryName is an accounting shim: a small program that
runs the real runtime as its child and, when it exits, appends the runtime's subcommand and its
CPU time (getrusage(RUSAGE_CHILDREN): the runtime process and every process it waited for, e.g.
runc's `runc init`) to a log. Then every pod gets an ExecSync ["true"] every INTERVAL seconds for
SECONDS seconds, as a kubelet's exec probe (a probe still running when the next is due skips it).
Reported per runtime: probes made and skipped, the runtime's `exec` CPU (user, system, total) per
probe, and ExecSync's wall time (median, p90) as containerd's client sees it. The shim's own
start-up is not counted (it is the same for every runtime). A benchmark, not a test: it asserts
nothing; on a busy machine the wall times vary more than the CPU times.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CRI_DIR = os.path.join(REPO, "integration", "engines", "cri")
sys.path.insert(0, CRI_DIR)
import cri  # noqa: E402  (integration/engines/cri/cri.py)

BUSYBOX = "localhost/ocirt-busybox:1"
# runtime flags that take a value, before the subcommand
VALUE_FLAGS = {"--root", "--log", "--log-format", "--criu"}

SHIM = r'''#!/usr/bin/python3 -SE
# accounting shim for bench/cri_probes.py: run the runtime, log its CPU time
import os, resource, sys
REAL, LOG, VALUE_FLAGS = %r, %r, %r
args, sub, skip = sys.argv[1:], "?", False
for a in args:
    if skip:
        skip = False
    elif a.startswith("-"):
        skip = a in VALUE_FLAGS
    else:
        sub = a
        break
pid = os.fork()
if pid == 0:
    os.execv(REAL, [REAL] + args)
_, status = os.waitpid(pid, 0)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
fd = os.open(LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
os.write(fd, ("%%s %%.6f %%.6f\n" %% (sub, ru.ru_utime, ru.ru_stime)).encode())
os.close(fd)
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
'''


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))] if values else float("nan")


def sandbox_config(name, parent):
    return {"metadata": {"name": name, "uid": name, "namespace": "ocirt-bench"}, "hostname": name,
            "linux": {"cgroupParent": f"{parent}/{name}",
                      "securityContext": {"namespaceOptions": {"pid": "CONTAINER"}}}}


def bench_runtime(runtime, args, workdir):
    name = os.path.basename(runtime)
    d = os.path.join(workdir, name)
    os.makedirs(d)
    log = os.path.join(d, "runtime-cpu.log")
    shim = os.path.join(d, "runtime-shim")
    with open(shim, "w") as f:
        f.write(SHIM % (runtime, log, VALUE_FLAGS))
    os.chmod(shim, 0o755)
    ctrd = os.path.join(d, "containerd")
    parent = f"/ocirt-bench-cri-{os.getpid()}-{name}"
    script = os.path.join(CRI_DIR, "containerd-cri.sh")
    subprocess.run([script, "start", ctrd, shim, parent], check=True, stdin=subprocess.DEVNULL)
    client = None
    try:
        client = cri.Client(os.path.join(ctrd, "containerd.sock"), os.path.join(ctrd, "stubs"))
        containers = []
        for i in range(args.pods):
            sb = sandbox_config(f"pod-{i}", parent)
            pod = client.call("RunPodSandbox", {"config": sb, "runtimeHandler": "ocirt"})["podSandboxId"]
            cid = client.call("CreateContainer", {
                "podSandboxId": pod, "sandboxConfig": sb,
                "config": {"metadata": {"name": "app"}, "image": {"image": BUSYBOX},
                           "command": ["sleep", "2147483647"],
                           "linux": {"securityContext": {"namespaceOptions": {"pid": "CONTAINER"}}}}
            })["containerId"]
            client.call("StartContainer", {"containerId": cid})
            containers.append(cid)
        os.truncate(log, 0)  # the probes' runtime calls only
        walls, skipped, failed = [], [0], [0]
        lock = threading.Lock()
        start = time.monotonic() + 1
        ticks = int(args.seconds / args.interval)

        def prober(cid, offset):
            k = 0
            while k < ticks:
                due = start + offset + k * args.interval
                now = time.monotonic()
                if now > due + args.interval:  # overran: the probes missed are skipped
                    missed = int((now - due) / args.interval)
                    with lock:
                        skipped[0] += missed
                    k += missed
                    continue
                time.sleep(max(0, due - now))
                t0 = time.monotonic()
                reply = client.call("ExecSync", {"containerId": cid, "cmd": ["true"], "timeout": 10})
                with lock:
                    walls.append(time.monotonic() - t0)
                    if reply["exitCode"] != 0:
                        failed[0] += 1
                k += 1

        # spread over the interval, as independent kubelet probe workers are
        threads = [threading.Thread(target=prober, args=(c, i * args.interval / len(containers)))
                   for i, c in enumerate(containers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        with open(log) as f:
            rows = [line.split() for line in f if line.strip()]
        execs = [(float(u), float(s)) for sub, u, s in rows if sub == "exec"]
        n = len(walls)
        return {
            "runtime": runtime, "pods": args.pods, "probes": n, "skipped": skipped[0],
            "failed": failed[0], "runtime_exec_calls": len(execs),
            "other_runtime_calls": sorted({r[0] for r in rows if r[0] != "exec"}),
            "cpu_user_ms": 1000 * sum(u for u, _ in execs) / max(n, 1),
            "cpu_sys_ms": 1000 * sum(s for _, s in execs) / max(n, 1),
            "cpu_total_ms": 1000 * sum(u + s for u, s in execs) / max(n, 1),
            "wall_median_ms": 1000 * statistics.median(walls) if walls else float("nan"),
            "wall_p90_ms": 1000 * pct(walls, 90),
        }
    finally:
        if client:
            client.close()
        subprocess.run([script, "stop", ctrd], stdin=subprocess.DEVNULL)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pods", type=int, default=20)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--interval", type=float, default=1)
    p.add_argument("--json", help="also write the results here")
    p.add_argument("runtimes", nargs="*",
                   default=[os.path.join(REPO, "build", "ocirt"), "/usr/sbin/runc"])
    args = p.parse_args()
    runtimes = [os.path.abspath(r) for r in args.runtimes if os.access(r, os.X_OK)]
    if not runtimes:
        sys.exit("cri_probes: no runtime binary found")
    workdir = tempfile.mkdtemp(prefix="ocirt-bench-cri.")
    os.chmod(workdir, 0o755)
    results = []
    try:
        for r in runtimes:
            print(f"cri_probes: {r}: {args.pods} pods, an ExecSync each every {args.interval} s "
                  f"for {args.seconds} s", file=sys.stderr)
            results.append(bench_runtime(r, args, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("| runtime | probes | skipped | failed | runtime CPU per probe (user + sys) | "
          "ExecSync wall median | p90 |")
    print("|---|---|---|---|---|---|---|")
    for x in results:
        print(f"| {os.path.basename(x['runtime'])} | {x['probes']} | {x['skipped']} | {x['failed']} "
              f"| {x['cpu_total_ms']:.1f} ms ({x['cpu_user_ms']:.1f} + {x['cpu_sys_ms']:.1f}) "
              f"| {x['wall_median_ms']:.0f} ms | {x['wall_p90_ms']:.0f} ms |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
