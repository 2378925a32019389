#!/usr/bin/python3
"""ocirt, runc and crun side by side on the same busybox bundle running /bin/true.

    bench/bench.py DRIVER          (make bench builds DRIVER from bench/driver.c and runs this)

Every sample is taken by DRIVER (see driver.c); this script makes the bundles and state roots,
alternates the runtimes (ABCABC...) sample by sample, keeps the raw samples under build/bench/,
cleans up, and hands the samples to report.py. Settings come from the environment:

    BENCH_N         measured iterations (default 30)        BENCH_WARMUP  discarded ones (3)
    BENCH_PARALLEL  containers per parallel batch (10)      BENCH_OUT     build/bench
    OCIRT RUNC CRUN the runtimes' binaries                  BENCH_REPORT  bench (RESULTS.md, results.png)
    BENCH_CONFIGS   default,podman (also: seccomp = default + podman's seccomp profile only)
    BENCH_SETTLE_MS idle time before every sample (100): each starts with the kernel's cgroup
                    rcu_sync idle, as an engine's occasional create does (bench/ANALYSIS.md)
    BENCH_THROUGHPUT containers in the throughput measure (100), BENCH_PARALLEL at a time, in
                    the first BENCH_THROUGHPUT_N (5) measured iterations only (a sample is 100 containers)
    BENCH_SCALE     running containers per runtime for list/state/ps (1,100; 1,100,1000 adds
                    the slow step), BENCH_SCALE_N iterations at each (BENCH_N)
"""
import copy
import datetime
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time

import report

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ROOTFS = os.path.join(REPO, "bundles", "busybox", "rootfs")
BASE_CONFIG = os.path.join(REPO, "bundles", "busybox", "config.json")
PODMAN_PROFILE = "/usr/share/containers/seccomp.json"
CONVERT = os.path.join(REPO, "tests", "data", "seccomp", "convert-podman-profile.py")
CGROUP_PARENT = "ocirt-bench"   # /ocirt-bench/<id> in every hierarchy, removed at the end
MEMORY_LIMIT = 256 * 1024 * 1024
PIDS_LIMIT = 1024
MEASURES = ["lifecycle", "run", "exec", "parallel", "throughput"]
RUNTIME_ONLY = {"exec", "throughput"}   # measures without a floor
SCALE_VERBS = ["list", "state", "ps"]
SLEEP = ["sleep", "1000000"]    # the process of a running container (exec's, the scale's)
HOLD_TIMEOUT = 900              # seconds to make (or remove) the containers of one hold
SAMPLE_TIMEOUT = 300            # seconds; a hung sample is a failure, not a hang of the run


def env_int(name, default):
    v = os.environ.get(name, "")
    return int(v) if v else default


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def runtimes():
    """name -> binary. A runtime that is not installed is left out (and said so)."""
    found = {}
    for name, var, default in [("ocirt", "OCIRT", os.path.join(REPO, "build", "ocirt")),
                               ("crun", "CRUN", "/usr/bin/crun"),
                               ("runc", "RUNC", "/usr/sbin/runc")]:
        path = os.environ.get(var) or default
        if os.access(path, os.X_OK):
            found[name] = os.path.abspath(path)
        else:
            log(f"{name}: {path} not found, left out")
    return found


def configurations():
    """name -> (description, config.json) of each configuration BENCH_CONFIGS names."""
    base = json.load(open(BASE_CONFIG))
    base["process"]["args"] = ["/bin/true"]
    base["process"]["terminal"] = False
    base["root"]["path"] = ROOTFS
    known = {"default": ("bundles/busybox/config.json with args [\"/bin/true\"]: no terminal, "
                         "namespaces pid net ipc uts mount, no seccomp, no resources", base)}
    if os.path.exists(PODMAN_PROFILE):
        profile = json.loads(subprocess.run([sys.executable, CONVERT, PODMAN_PROFILE], check=True,
                                            capture_output=True, text=True).stdout)
        seccomp = copy.deepcopy(base)
        seccomp["linux"]["seccomp"] = profile
        desc = (f"default + linux.seccomp = podman's default profile ({PODMAN_PROFILE} converted by "
                f"tests/data/seccomp/convert-podman-profile.py, {len(profile['syscalls'])} syscalls entries)")
        known["seccomp"] = (desc, seccomp)
        podman = copy.deepcopy(seccomp)
        podman["linux"]["resources"] = {"memory": {"limit": MEMORY_LIMIT}, "pids": {"limit": PIDS_LIMIT}}
        known["podman"] = (f"{desc} + linux.resources memory.limit {MEMORY_LIMIT >> 20} MiB, "
                           f"pids.limit {PIDS_LIMIT}", podman)
    else:
        log(f"{PODMAN_PROFILE} not found (golang-github-containers-common): seccomp and podman left out")
    configs = {}
    for name in os.environ.get("BENCH_CONFIGS", "default,podman").split(","):
        if name in known:
            configs[name] = known[name]
        elif name not in ("seccomp", "podman"):
            sys.exit(f"bench: BENCH_CONFIGS: unknown configuration {name!r} (default, seccomp, podman)")
    return configs


def write_bundle(out, path, config, cgroup, args=None):
    c = copy.deepcopy(config)
    c["linux"]["cgroupsPath"] = f"/{CGROUP_PARENT}/{cgroup}"
    if args:
        c["process"]["args"] = args
    d = os.path.join(out, "bundles", *path)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(c, f, indent=1)


def write_bundles(out, configs, names, slots, scale):
    """bundles/<config>/<runtime>/<slot>/config.json, each with its own cgroupsPath; the running
    container exec enters: bundles/<config>/<runtime>-sleep/0; the scale's running containers:
    bundles/scale/<runtime>/<slot> (the default configuration)."""
    for cfg, (_, config) in configs.items():
        for rt in names:
            for slot in range(slots):
                write_bundle(out, (cfg, rt, str(slot)), config, f"{rt}-{cfg}-{slot}")
            write_bundle(out, (cfg, f"{rt}-sleep", "0"), config, f"{rt}-{cfg}-exec-0", SLEEP)
    base = next(iter(configs.values()))[1] if "default" not in configs else configs["default"][1]
    for rt in names:
        for slot in range(scale):
            write_bundle(out, ("scale", rt, str(slot)), base, f"{rt}-scale-{slot}", SLEEP)


def v1_hierarchies():
    """Mount points of the cgroup v1 hierarchies (what the runtimes see inside the wrapper)."""
    with open("/proc/self/mountinfo") as f:
        return sorted({l.split()[4] for l in f if l.split(" - ")[1].split()[0] == "cgroup"})


def cgroup_parents():
    base = "/sys/fs/cgroup"
    return [os.path.join(base, h, CGROUP_PARENT) for h in sorted(os.listdir(base))
            if os.path.isdir(os.path.join(base, h, CGROUP_PARENT))]


def make_cgroup_parent():
    """/ocirt-bench in every v1 hierarchy, made before the first container, as an engine's parent
    (podman's machine.slice, libpod_parent) exists before its containers: every runtime then
    finds it there, none pays for making or removing it, and concurrent creates do not race on
    it. A v1 cpuset needs cpus and mems before anything can join below it."""
    for mountpoint in v1_hierarchies():
        d = os.path.join(mountpoint, CGROUP_PARENT)
        os.mkdir(d)
        for f in ("cpuset.cpus", "cpuset.mems"):
            if os.path.exists(os.path.join(d, f)):
                with open(os.path.join(mountpoint, f)) as src, open(os.path.join(d, f), "w") as dst:
                    dst.write(src.read().strip())


def remove_cgroups():
    """rmdir /ocirt-bench/* and /ocirt-bench in every hierarchy; what cannot go is returned."""
    left = []
    for parent in cgroup_parents():
        for child in sorted(os.listdir(parent)):
            p = os.path.join(parent, child)
            if os.path.isdir(p):
                try:
                    os.rmdir(p)
                except OSError as e:
                    left.append(f"{p}: {e.strerror}")
        try:
            os.rmdir(parent)
        except OSError as e:
            left.append(f"{parent}: {e.strerror}")
    return left


class Bench:
    def __init__(self, driver):
        self.driver = os.path.abspath(driver)
        self.out = os.path.abspath(os.environ.get("BENCH_OUT", os.path.join(REPO, "build", "bench")))
        self.n = env_int("BENCH_N", 30)
        self.warmup = env_int("BENCH_WARMUP", 3)
        self.parallel = env_int("BENCH_PARALLEL", 10)
        self.throughput = env_int("BENCH_THROUGHPUT", 100)
        self.throughput_n = env_int("BENCH_THROUGHPUT_N", 5)
        self.scale = sorted({int(v) for v in os.environ.get("BENCH_SCALE", "1,100").split(",") if v.strip()})
        if any(v < 1 for v in self.scale):
            sys.exit("bench: BENCH_SCALE: numbers of containers must be at least 1")
        self.scale_n = env_int("BENCH_SCALE_N", self.n)
        self.holders = []      # running `driver hold` processes: stopped before the cleanup
        self.scale_made = {}   # "<runtime> <containers>" -> seconds to make them
        self.settle = env_int("BENCH_SETTLE_MS", 100) / 1000.0
        self.runtimes = runtimes()
        self.configs = configurations()
        self.roots = {}
        self.samples = []      # {"config", "runtime", "measure", "iteration", values...}
        self.failed = {}       # (config, runtime, measure) -> first error line

    # ---- one sample

    def driver_cmd(self, measure, cfg, rt):
        errdir = os.path.join(self.out, "err", cfg, rt)
        os.makedirs(errdir, exist_ok=True)
        if rt == "floor":
            n = self.parallel if measure == "parallel" else 1
            return [self.driver, "floor", "--rootfs", ROOTFS, "--errdir", errdir, "--n", str(n)]
        if rt == "unshare+chroot":
            n = self.parallel if measure == "parallel" else 1
            return [self.driver, "cmd", "--errdir", errdir, "--n", str(n), "--",
                    "unshare", "-m", "-u", "-i", "-n", "-p", "-f", "chroot", ROOTFS, "/bin/true"]
        if measure == "exec":
            return [self.driver, "exec", "--wrap", "--root", self.roots[rt], "--id", f"{rt}-{cfg}-exec",
                    "--errdir", errdir, "--", self.runtimes[rt]]
        cmd = [self.driver, measure, "--wrap", "--root", self.roots[rt],
               "--bundles", os.path.join(self.out, "bundles", cfg, rt), "--id", f"{rt}-{cfg}",
               "--errdir", errdir]
        if measure == "parallel":
            cmd += ["--n", str(self.parallel)]
        if measure == "throughput":
            cmd += ["--n", str(self.throughput), "--parallel", str(self.parallel)]
        return cmd + ["--", self.runtimes[rt]]

    def sample(self, measure, cfg, rt, cmd=None, settle=True):
        cmd = cmd or self.driver_cmd(measure, cfg, rt)
        # On cgroup v1 the first cgroup.procs write after ~10-20 ms without one waits a whole
        # RCU grace period (10-16 ms here); a write just before makes the next runtime's free.
        # Without this pause the runtime sampled first after the floors paid it and the others
        # did not (bench/ANALYSIS.md, "Where create waits").
        if settle:
            time.sleep(self.settle)
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=SAMPLE_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.cleanup_runtime(rt)
            return {"error": f"no result after {SAMPLE_TIMEOUT} s"}
        try:
            return json.loads(p.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            first = (p.stderr.strip().splitlines() or ["no output"])[0]
            return {"error": f"driver exited {p.returncode}: {first}"}

    # ---- the run

    def columns(self):
        """The runtimes and the two floors, in the order they alternate."""
        return list(self.runtimes) + ["floor", "unshare+chroot"]

    def run(self):
        for rt in self.runtimes:
            self.roots[rt] = tempfile.mkdtemp(prefix=f"ocirt-bench-{rt}-", dir="/run")
        write_bundles(self.out, self.configs, list(self.runtimes), max(self.parallel, self.throughput),
                      max(self.scale, default=0))
        make_cgroup_parent()
        self.reference = self.sample_reference()
        started = time.monotonic()
        self.load_before = os.getloadavg()
        # exec's running containers, one per configuration and runtime, made before the samples
        for cfg in self.configs:
            for rt in self.runtimes:
                err = self.hold(rt, os.path.join(self.out, "bundles", cfg, f"{rt}-sleep"), f"{rt}-{cfg}-exec", 1)
                if err:
                    self.failed[(cfg, rt, "exec")] = err
                    log(f"{rt} {cfg} exec: {err}")
        total = self.warmup + self.n
        for it in range(total):
            for cfg in self.configs:
                for measure in MEASURES:
                    for rt in self.columns():
                        if (cfg, rt, measure) in self.failed or (measure in RUNTIME_ONLY and rt not in self.runtimes):
                            continue
                        if measure == "throughput" and it >= self.warmup + self.throughput_n:
                            continue
                        s = self.sample(measure, cfg, rt)
                        if "error" in s:
                            self.failed[(cfg, rt, measure)] = s["error"]
                            log(f"{rt} {cfg} {measure}: {s['error']}")
                            continue
                        if it >= self.warmup:
                            s.update(config=cfg, runtime=rt, measure=measure, iteration=it - self.warmup)
                            self.samples.append(s)
            done = time.monotonic() - started
            log(f"iteration {it + 1}/{total}{' (warm-up)' if it < self.warmup else ''} "
                f"done, {done:.0f} s, about {done / (it + 1) * (total - it - 1):.0f} s left")
        self.stop_holders()
        self.run_scale()
        self.duration = time.monotonic() - started
        self.load_after = os.getloadavg()

    # ---- running containers: exec's, and the scale's

    def hold(self, rt, bundles, prefix, n):
        """Starts `driver hold`: n running containers of rt until stop_holders(). An error, or None."""
        errdir = os.path.join(self.out, "err", "hold", f"{prefix}")
        os.makedirs(errdir, exist_ok=True)
        cmd = [self.driver, "hold", "--wrap", "--root", self.roots[rt], "--bundles", bundles, "--id", prefix,
               "--n", str(n), "--parallel", str(self.parallel), "--errdir", errdir, "--", self.runtimes[rt]]
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.holders.append(p)
        ready, _, _ = select.select([p.stdout], [], [], HOLD_TIMEOUT)
        line = p.stdout.readline() if ready else ""
        try:
            answer = json.loads(line)
        except ValueError:
            answer = {"error": f"no answer after {HOLD_TIMEOUT} s" if not ready else f"driver hold: {line!r}"}
        if "error" in answer:
            self.stop_holders([p])
            return f"making {n} running containers: {answer['error']}"
        return None if "ready" in answer else f"driver hold: {line!r}"

    def stop_holders(self, holders=None):
        """Ends the holds: each deletes its containers (delete --force) and reaps their inits."""
        for p in list(holders or self.holders):
            if p.stdin and not p.stdin.closed:
                p.stdin.close()
            try:
                p.wait(timeout=HOLD_TIMEOUT)   # its output is two short lines: no pipe fills
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            out = p.stdout.read()
            p.stdout.close()
            if '"removed"' not in (out or ""):
                log(f"driver hold exited {p.returncode}: {(out or '').strip()[-300:]}")
            self.holders.remove(p)

    def run_scale(self):
        """list, state of one and ps of one with S running containers in every runtime's root,
        for each S of BENCH_SCALE: every runtime's containers exist at once, so every `ps`
        sees the same host."""
        for size in self.scale:
            t = time.monotonic()
            held = []
            for rt in self.runtimes:
                t0 = time.monotonic()
                err = self.hold(rt, os.path.join(self.out, "bundles", "scale", rt), f"{rt}-scale", size)
                if err:
                    for verb in SCALE_VERBS:
                        self.failed.setdefault(("scale", rt, f"{verb}-{size}"), err)
                    log(f"{rt} scale {size}: {err}")
                    continue
                self.scale_made[f"{rt} {size}"] = round(time.monotonic() - t0, 2)
                held.append(rt)
            log(f"scale: {size} running containers per runtime made in {time.monotonic() - t:.0f} s")
            for it in range(self.warmup + self.scale_n):
                for verb in SCALE_VERBS:
                    for rt in held:
                        key = ("scale", rt, f"{verb}-{size}")
                        if key in self.failed:
                            continue
                        args = ["list"] if verb == "list" else [verb, f"{rt}-scale-0"]
                        errdir = os.path.join(self.out, "err", "scale", rt)
                        os.makedirs(errdir, exist_ok=True)
                        cmd = [self.driver, "cmd", "--wrap", "--errdir", errdir, "--", self.runtimes[rt],
                               "--root", self.roots[rt]] + args
                        # no settle: these write no cgroup.procs
                        s = self.sample(verb, "scale", rt, cmd=cmd, settle=False)
                        if "error" in s:
                            self.failed[key] = s["error"]
                            log(f"{rt} scale {size} {verb}: {s['error']}")
                        elif it >= self.warmup:
                            s.update(config="scale", runtime=rt, measure=verb, containers=size,
                                     iteration=it - self.warmup)
                            self.samples.append(s)
            t = time.monotonic()
            self.stop_holders()
            log(f"scale: {size} containers per runtime removed in {time.monotonic() - t:.0f} s")

    def sample_reference(self):
        """ru_maxrss of /bin/true forked by the driver the same way: the floor of that number."""
        errdir = os.path.join(self.out, "err")
        os.makedirs(errdir, exist_ok=True)
        p = subprocess.run([self.driver, "cmd", "--wrap", "--errdir", errdir, "--", "/bin/true"],
                           capture_output=True, text=True)
        try:
            return json.loads(p.stdout)["maxrss_kb"]
        except (ValueError, KeyError):
            return None

    # ---- cleanup: nothing left behind

    def cleanup_runtime(self, rt):
        root = self.roots.get(rt)
        if rt not in self.runtimes or not root or not os.path.isdir(root):
            return
        errdir = os.path.join(self.out, "err")
        os.makedirs(errdir, exist_ok=True)
        for cid in sorted(os.listdir(root)):
            if os.path.isdir(os.path.join(root, cid)) and not cid.startswith("@"):
                log(f"{rt}: deleting leftover container {cid}")
                subprocess.run([self.driver, "cmd", "--wrap", "--errdir", errdir, "--",
                                self.runtimes[rt], "--root", root, "delete", "--force", cid],
                               capture_output=True, timeout=60)

    def cleanup(self):
        problems = []
        try:
            self.stop_holders()
        except Exception as e:  # the containers are still deleted below, from the state roots
            problems.append(f"stopping the running containers' holders: {e}")
        for rt, root in self.roots.items():
            self.cleanup_runtime(rt)
            # '@' names are the runtime's own (ocirt's @cache), never container ids
            left = [c for c in os.listdir(root)
                    if os.path.isdir(os.path.join(root, c)) and not c.startswith("@")]
            if left:
                problems.append(f"{rt} left containers {left} in {root}")
            shutil.rmtree(root, ignore_errors=True)
        problems += [f"cgroup left: {c}" for c in remove_cgroups()]
        with open("/proc/self/mountinfo") as f:
            mounts = [l for l in f if ROOTFS in l or "/run/ocirt-bench-" in l]
        problems += [f"mount left: {m.split()[4]}" for m in mounts]
        return problems

    def facts(self):
        return {
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "n": self.n, "warmup": self.warmup, "parallel": self.parallel,
            "throughput": self.throughput, "throughput_n": min(self.n, self.throughput_n), "scale": self.scale, "scale_n": self.scale_n,
            "scale_made_s": self.scale_made,
            "duration_s": round(self.duration),
            "load_before": self.load_before, "load_after": self.load_after,
            "runtimes": self.runtimes, "configs": {k: v[0] for k, v in self.configs.items()},
            "failed": {f"{c}/{r}/{m}": e for (c, r, m), e in self.failed.items()},
            "reference_maxrss_kb": self.reference,
            "columns": self.columns(),
        }


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    if os.geteuid() != 0:
        sys.exit("bench: must run as root (it creates containers)")
    b = Bench(sys.argv[1])
    os.makedirs(b.out, exist_ok=True)
    lock = open(os.path.join(b.out, ".lock"), "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        sys.exit(f"bench: another bench is running (lock {lock.name})")
    if remove_cgroups():
        sys.exit(f"bench: /{CGROUP_PARENT} is in use in: {' '.join(cgroup_parents())}")
    problems = []
    try:
        b.run()
    finally:
        problems = b.cleanup()
        for p in problems:
            log(p)
    facts = b.facts()
    with open(os.path.join(b.out, "samples.json"), "w") as f:
        json.dump({"facts": facts, "samples": b.samples}, f, indent=1)
    report.write_csv(b.samples, os.path.join(b.out, "samples.csv"))
    report_dir = os.environ.get("BENCH_REPORT", HERE)
    text = report.render(facts, b.samples, report.static_facts(b.runtimes, REPO))
    with open(os.path.join(report_dir, "RESULTS.md"), "w") as f:
        f.write(text)
    report.plot(facts, b.samples, os.path.join(report_dir, "results.png"))
    print(text)
    if problems:
        sys.exit("bench: something was left behind (above)")


if __name__ == "__main__":
    main()
