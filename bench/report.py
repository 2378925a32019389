#!/usr/bin/python3
"""Turns the samples of bench.py into bench/RESULTS.md and bench/results.png.

    bench/report.py build/bench/samples.json [OUT_DIR]    re-renders a past run (static facts
                                                           are read again from this machine)
"""
import csv
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile

REFERENCES = ["crun", "runc"]
FLOORS = ["floor", "unshare+chroot"]


# ---- statistics

def pick(samples, cfg, rt, measure, key, containers=None):
    return [s[key] for s in samples
            if s["config"] == cfg and s["runtime"] == rt and s["measure"] == measure and key in s
            and (containers is None or s.get("containers") == containers)]


def stats(values):
    """(median, p10, p90), or None without samples."""
    if not values:
        return None
    if len(values) == 1:
        return values[0], values[0], values[0]
    q = statistics.quantiles(values, n=10, method="inclusive")
    return statistics.median(values), q[0], q[8]


def ms(st):
    if not st:
        return "–"
    return f"{st[0] * 1e3:.1f} ({st[1] * 1e3:.1f}–{st[2] * 1e3:.1f})"


def rate(st):
    return "–" if not st else f"{st[0]:.1f} ({st[1]:.1f}–{st[2]:.1f})"


def mib(kb_values):
    if not kb_values:
        return "–"
    return f"{statistics.median(kb_values) / 1024:.1f}"


# ---- facts of the machine and the binaries

def run(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) // 1024
    return {"nproc": os.cpu_count(), "kernel": platform.release(), "cpu": cpu, "mem_mib": mem}


def binary_facts(path):
    """File size, stripped size, size(1) text/data/bss, NEEDED, ldd count."""
    facts = {"path": path, "file": os.path.getsize(path)}
    with tempfile.TemporaryDirectory() as d:
        stripped = os.path.join(d, "stripped")
        if subprocess.run(["strip", "-o", stripped, path], capture_output=True).returncode == 0:
            facts["stripped"] = os.path.getsize(stripped)
    berkeley = run(["size", path]).splitlines()
    if len(berkeley) >= 2:
        text, data, bss = berkeley[1].split()[:3]
        facts.update(text=int(text), data=int(data), bss=int(bss))
    facts["needed"] = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", run(["readelf", "-d", path]))
    facts["ldd"] = [l.split()[0] for l in run(["ldd", path]).splitlines()
                    if l.strip() and "vdso" not in l and "not a dynamic" not in l]
    return facts


def static_facts(runtimes, repo):
    out = {"machine": machine(), "binaries": {}, "versions": {}}
    for rt, path in runtimes.items():
        out["binaries"][rt] = binary_facts(path)
        version = run([path, "--version"]).splitlines()
        out["versions"][rt] = version[0] if version else "?"
    rev = run(["git", "-C", repo, "describe", "--always", "--dirty"]).strip()
    if "ocirt" in out["versions"] and rev:
        out["versions"]["ocirt"] += f" (git {rev})"
    return out


# ---- markdown

def ratio(a, b):
    if not a or not b or not b[0]:
        return "–"
    return f"{a[0] / b[0]:.2f}"


def failure(facts, cfg, rt, measure):
    """"failed [k]" (k: its number under Failures), or None."""
    keys = list(facts["failed"])
    key = f"{cfg}/{rt}/{measure}"
    return f"failed [{keys.index(key) + 1}]" if key in keys else None


def latency_table(facts, samples, cfg):
    n = facts["parallel"]
    rows = ["| runtime | lifecycle | create | start | wait | delete | run | exec | "
            f"parallel ×{n}: containers/s |",
            "|---|---|---|---|---|---|---|---|---|"]
    for rt in facts["columns"]:
        steps = ("total",) if rt in FLOORS else ("total", "create", "start", "wait", "delete")
        cells = [ms(stats(pick(samples, cfg, rt, "lifecycle", k))) for k in steps]
        cells += [""] * (5 - len(cells))
        cells[0] = failure(facts, cfg, rt, "lifecycle") or cells[0]
        for measure in ("run", "exec"):
            cells.append(failure(facts, cfg, rt, measure) or ms(stats(pick(samples, cfg, rt, measure, "total"))))
        cells.append(failure(facts, cfg, rt, "parallel") or
                     rate(stats(pick(samples, cfg, rt, "parallel", "per_second"))))
        rows.append(f"| {rt} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def throughput_table(facts, samples, cfg):
    """Containers per second through create, start, wait, delete, K at a time; the median create
    time under that load."""
    if "throughput" not in facts:
        return ""
    rows = ["| runtime | containers/s | batch wall | create (median in the batch) |", "|---|---|---|---|"]
    for rt in facts["runtimes"]:
        f = failure(facts, cfg, rt, "throughput")
        rows.append(f"| {rt} | " + " | ".join([
            f or rate(stats(pick(samples, cfg, rt, "throughput", "per_second"))),
            f or ms(stats(pick(samples, cfg, rt, "throughput", "total"))),
            f or ms(stats(pick(samples, cfg, rt, "throughput", "create_median")))]) + " |")
    return "\n".join(rows)


def ratio_table(facts, samples, cfg):
    refs = [r for r in REFERENCES if r in facts["runtimes"]]
    if not refs:
        return ""
    measures = ("lifecycle", "run", "exec", "parallel", "throughput")
    head = "| runtime | " + " | ".join(f"{m} ÷ {r}" for m in ("lifecycle", "run", "exec", "parallel batch",
                                                              "throughput batch") for r in refs) + " |"
    rows = [head, "|---" * (1 + len(measures) * len(refs)) + "|"]
    for rt in facts["columns"]:
        cells = []
        for measure in measures:
            mine = stats(pick(samples, cfg, rt, measure, "total"))
            cells += [ratio(mine, stats(pick(samples, cfg, r, measure, "total"))) for r in refs]
        rows.append(f"| {rt} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def cpu_ms(values):
    return "–" if not values else f"{statistics.median(values) * 1e3:.1f}"


def cpu_table(facts, samples, cfg):
    rows = ["| runtime | lifecycle | create | init | start | delete | run | exec |",
            "|---|---|---|---|---|---|---|---|"]
    for rt in facts["columns"]:
        life = failure(facts, cfg, rt, "lifecycle")
        if rt in FLOORS:
            cells = [life or cpu_ms(pick(samples, cfg, rt, "lifecycle", "total_cpu")), "", "", "", ""]
        else:
            cells = [life or cpu_ms(pick(samples, cfg, rt, "lifecycle", k))
                     for k in ("total_cpu", "create_cpu", "init_cpu", "start_cpu", "delete_cpu")]
        cells.append(failure(facts, cfg, rt, "run") or cpu_ms(pick(samples, cfg, rt, "run", "total_cpu")))
        cells.append(failure(facts, cfg, rt, "exec") or cpu_ms(pick(samples, cfg, rt, "exec", "total_cpu")))
        rows.append(f"| {rt} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def memory_table(facts, samples, cfg):
    rows = ["| runtime | create | start | delete | run | exec | init VmHWM | init VmRSS |",
            "|---|---|---|---|---|---|---|---|"]
    for rt in facts["runtimes"]:
        life = failure(facts, cfg, rt, "lifecycle")
        cells = [life or mib(pick(samples, cfg, rt, "lifecycle", f"{k}_maxrss_kb"))
                 for k in ("create", "start", "delete")]
        cells.append(failure(facts, cfg, rt, "run") or mib(pick(samples, cfg, rt, "run", "run_maxrss_kb")))
        cells.append(failure(facts, cfg, rt, "exec") or mib(pick(samples, cfg, rt, "exec", "exec_maxrss_kb")))
        cells += [life or mib(pick(samples, cfg, rt, "lifecycle", k)) for k in ("init_vmhwm_kb", "init_vmrss_kb")]
        rows.append(f"| {rt} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


SCALE_VERBS = ("list", "state", "ps")


def scale_table(facts, samples, verb):
    """One verb's wall and CPU ms at each number of running containers, and how the cost grows."""
    sizes = facts.get("scale") or []
    lo, hi = (sizes[0], sizes[-1]) if sizes else (None, None)
    head = "| runtime | " + " | ".join(f"{n} running: wall (CPU)" for n in sizes)
    head += f" | wall {hi} ÷ {lo} | CPU {hi} ÷ {lo} |" if len(sizes) > 1 else " |"
    if verb == "list" and len(sizes) > 1:
        head = head[:-1] + f"| CPU per more container listed |"
    cols = head.count("|") - 1
    rows = [head, "|---" * cols + "|"]
    for rt in facts["runtimes"]:
        cells, wall, cpu = [], {}, {}
        for n in sizes:
            f = failure(facts, "scale", rt, f"{verb}-{n}")
            w = stats(pick(samples, "scale", rt, verb, "total", n))
            c = stats(pick(samples, "scale", rt, verb, "total_cpu", n))
            if w:
                wall[n], cpu[n] = w[0], c[0]
            cells.append(f or ("–" if not w else f"{w[0] * 1e3:.1f} ({c[0] * 1e3:.1f})"))
        if len(sizes) > 1:
            cells.append(f"{wall[hi] / wall[lo]:.2f}" if hi in wall and lo in wall and wall[lo] else "–")
            cells.append(f"{cpu[hi] / cpu[lo]:.2f}" if hi in cpu and lo in cpu and cpu[lo] else "–")
            if verb == "list":
                cells.append(f"{(cpu[hi] - cpu[lo]) / (hi - lo) * 1e6:.0f} µs" if hi in cpu and lo in cpu else "–")
        rows.append(f"| {rt} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def scale_section(facts, samples):
    sizes = facts.get("scale") or []
    if not sizes or not any(s["config"] == "scale" for s in samples):
        return []
    made = facts.get("scale_made_s", {})
    lines = ["## Cost as the work grows: list, state and ps with 1 to many running containers", "",
             f"Each runtime's root holds {', '.join(map(str, sizes))} running containers in turn (the default "
             "configuration running `sleep`, each in its own cgroup under /ocirt-bench, made "
             f"{facts['parallel']} at a time with create + start; every runtime's containers exist at once, so "
             "each `ps` sees the same host). Then `list` (table), `state` of one container and `ps` of one "
             f"(table: runc and ocirt run the host's `ps`, crun prints the pids), {facts.get('scale_n', facts['n'])} "
             "samples each, runtimes alternating, no settle pause (these write no cgroup). Milliseconds, "
             "medians: wall (user + system CPU). `state` and `ps` of one container should not grow with the "
             "number of other containers; `list` prints every one of them, so its cost per container listed "
             "is shown.", ""]
    for verb in SCALE_VERBS:
        lines += [f"`{verb}`:", "", scale_table(facts, samples, verb), ""]
    if made:
        lines += ["Seconds to make the running containers (create + start, "
                  f"{facts['parallel']} at a time): " +
                  ", ".join(f"{k.split()[0]} {k.split()[1]}: {v:.1f}" for k, v in made.items()) + ".", ""]
    return lines


def binary_table(static):
    rows = ["| runtime | binary | file | stripped | text | data | bss | NEEDED | ldd |",
            "|---|---|---|---|---|---|---|---|---|"]
    for rt, b in static["binaries"].items():
        k = lambda v: f"{v / 1024:.0f} KiB" if isinstance(v, int) else "?"
        rows.append(f"| {rt} | `{b['path']}` | {k(b['file'])} | {k(b.get('stripped'))} | {k(b.get('text'))} | "
                    f"{k(b.get('data'))} | {k(b.get('bss'))} | {', '.join(b['needed']) or 'none (static)'} | "
                    f"{len(b['ldd'])} |")
    return "\n".join(rows)


def render(facts, samples, static):
    m = static["machine"]
    lines = [
        "# ocirt, crun and runc: start-up time and memory",
        "",
        "Made by `make bench` (bench/bench.py, bench/driver.c; how each number is taken: "
        "bench/README.md). Raw samples: build/bench/samples.csv and samples.json.",
        "",
        f"- date: {facts['date']}; {facts['n']} measured iterations after {facts['warmup']} warm-up "
        f"ones, runtimes alternating sample by sample; {facts['duration_s']} s in all",
        f"- machine: {m['nproc']} CPUs ({m['cpu']}), {m['mem_mib']} MiB, kernel {m['kernel']}; load average "
        f"{facts['load_before'][0]:.1f} before, {facts['load_after'][0]:.1f} after "
        "(a shared machine: compare ratios of one run, not absolute times across runs)",
    ]
    for rt, v in static["versions"].items():
        lines.append(f"- {rt}: {v} (`{facts['runtimes'][rt]}`)")
    lines += ["- every runtime process runs in a private mount namespace of its own without "
              "/sys/fs/cgroup/unified (crun refuses the hybrid layout), so all of them see cgroup v1 only",
              "- floor: the bundle's namespaces (mount uts ipc net pid) by unshare(2) + fork + chroot(2) "
              "+ execve /bin/true from the driver; unshare+chroot: the same with "
              "`unshare -m -u -i -n -p -f chroot ROOTFS /bin/true`", ""]
    for cfg, desc in facts["configs"].items():
        lines += [f"## Configuration `{cfg}`", "", desc, "",
                  "Milliseconds, median (p10–p90). lifecycle = create + start + wait for the init's exit + "
                  "delete, each step a runtime process as an engine runs it; run = `run` in the foreground; "
                  f"parallel = {facts['parallel']} containers created and started at once, all waited for, "
                  "then deleted at once.", "",
                  latency_table(facts, samples, cfg), ""]
        rt = ratio_table(facts, samples, cfg)
        if rt:
            lines += ["Ratios of median times (below 1: faster than the reference; parallel batch: the "
                      "batch's wall time).", "", rt, ""]
        tt = throughput_table(facts, samples, cfg)
        if tt:
            lines += [f"Throughput: {facts['throughput']} containers, {facts['parallel']} at a time, each "
                      "through create, start, wait for its init's exit and delete (a new one begins as one ends). "
                      f"Median (p10–p90) of {facts.get('throughput_n', facts['n'])} batches.", "", tt, ""]
        lines += ["CPU milliseconds, user + system, medians: a busy machine inflates these far less than "
                  "wall times. From wait4() of each runtime process (with the children it waited for); "
                  "init: the container's init, from its exit (for runc, `runc init`; the init's own "
                  "/bin/true included); lifecycle: create + init + start + delete; run: with its init; "
                  "exec: `exec ID /bin/true` into a running container (made before the samples), with the "
                  "/bin/true it waits for.", "",
                  cpu_table(facts, samples, cfg), ""]
        lines += ["Peak RSS in MiB (medians): ru_maxrss from wait4() of each runtime process "
                  "(its whole life across execve, and the children it waited for); the container init's "
                  "VmHWM and VmRSS from /proc/PID/status between create and start "
                  "(runc: `runc init`; crun, ocirt: a clone of the runtime)."
                  + (f" /bin/true forked and wrapped the same way shows {facts['reference_maxrss_kb'] / 1024:.1f} MiB."
                     if facts.get("reference_maxrss_kb") else ""), "",
                  memory_table(facts, samples, cfg), ""]
    lines += scale_section(facts, samples)
    lines += ["## Binaries", "", "Sizes of the binary that runs; text/data/bss from size(1); NEEDED from "
              "readelf -d; ldd: every shared object loaded at start (the loader included).", "",
              binary_table(static), ""]
    if facts["failed"]:
        lines += ["## Failures", "", "Configuration / runtime / measure: the first line of the failing step's "
                  "stderr. A runtime that fails a measure is not run again in it.", ""]
        lines += [f"{i}. {k}: `{v}`" for i, (k, v) in enumerate(facts["failed"].items(), 1)] + [""]
    lines += ["![lifecycle, run, exec, parallel, throughput, memory and scale](results.png)", ""]
    return "\n".join(lines)


def write_csv(samples, path):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["config", "runtime", "measure", "iteration", "key", "value"])
        for s in samples:
            for k, v in s.items():
                if k not in ("config", "runtime", "measure", "iteration"):
                    measure = s["measure"] + (f"-{s['containers']}" if "containers" in s else "")
                    w.writerow([s["config"], s["runtime"], measure, s["iteration"], k, v])


# ---- plot

def plot(facts, samples, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = facts["columns"]
    rts = list(facts["runtimes"])
    cfgs = list(facts["configs"])
    fig, axes = plt.subplots(3, 3, figsize=(18, 13.5))

    def bars(ax, measure, key, scale, ylabel, title, runtimes, median_only=False):
        width = 0.8 / max(1, len(cfgs))
        for j, cfg in enumerate(cfgs):
            xs, med, lo, hi = [], [], [], []
            for i, rt in enumerate(runtimes):
                x = i + (j - (len(cfgs) - 1) / 2) * width
                if failure(facts, cfg, rt, measure):
                    ax.text(x, 0, " failed", rotation=90, ha="center", va="bottom", fontsize="small")
                    continue
                st = stats(pick(samples, cfg, rt, measure, key))
                if not st:
                    continue
                xs.append(x)
                med.append(st[0] * scale)
                lo.append((st[0] - st[1]) * scale)
                hi.append((st[2] - st[0]) * scale)
            ax.bar(xs, med, width, yerr=None if median_only else [lo, hi], capsize=3, label=cfg)
        ax.set_xticks(range(len(runtimes)), runtimes)
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.legend(title="configuration")
        ax.grid(axis="y", alpha=0.3)

    bars(axes[0][0], "lifecycle", "total", 1e3, "ms", "create + start + wait + delete, wall (median, p10–p90)", cols)
    bars(axes[0][1], "run", "total", 1e3, "ms", "run, wall (median, p10–p90)", cols)
    bars(axes[0][2], "parallel", "per_second", 1, "containers/s",
         f"{facts['parallel']} containers at once (median, p10–p90; floors: table)",
         [c for c in cols if c not in FLOORS])
    bars(axes[1][0], "lifecycle", "total_cpu", 1e3, "ms",
         "create + start + delete + init, CPU user+sys (median, p10–p90)", cols)
    bars(axes[1][1], "run", "total_cpu", 1e3, "ms", "run with its init, CPU user+sys (median, p10–p90)", cols)

    bars(axes[2][0], "exec", "total", 1e3, "ms", "exec /bin/true into a running container, wall (median, p10–p90)",
         rts)
    bars(axes[2][1], "throughput", "per_second", 1, "containers/s",
         f"{facts.get('throughput', '?')} lifecycles, {facts['parallel']} at a time (median, p10–p90)", rts)
    ax = axes[2][2]
    sizes = facts.get("scale") or []
    for i, rt in enumerate(rts):
        for verb, style in zip(SCALE_VERBS, ("-", "--", ":")):
            xs = [n for n in sizes if pick(samples, "scale", rt, verb, "total_cpu", n)]
            ys = [statistics.median(pick(samples, "scale", rt, verb, "total_cpu", n)) * 1e3 for n in xs]
            if xs:
                ax.plot(xs, ys, style, marker="o", color=f"C{i}", label=f"{rt} {verb}")
    if sizes:
        ax.set_xscale("log")
        ax.legend(fontsize="small", ncol=2)
    ax.set_xlabel("running containers in the root")
    ax.set_ylabel("ms")
    ax.set_title("list / state / ps of one, CPU user+sys (medians)")
    ax.grid(alpha=0.3)

    ax = axes[1][2]
    keys = [("create_maxrss_kb", "create ru_maxrss"), ("init_vmhwm_kb", "init VmHWM")]
    w = 0.8 / (len(keys) * len(cfgs))
    for k, (key, label) in enumerate(keys):
        for j, cfg in enumerate(cfgs):
            xs, vals = [], []
            for i, rt in enumerate(rts):
                x = i + (k * len(cfgs) + j - (len(keys) * len(cfgs) - 1) / 2) * w
                if failure(facts, cfg, rt, "lifecycle"):
                    ax.text(x, 0, " failed", rotation=90, ha="center", va="bottom", fontsize="small")
                v = pick(samples, cfg, rt, "lifecycle", key)
                if v:
                    xs.append(x)
                    vals.append(statistics.median(v) / 1024)
            ax.bar(xs, vals, w, label=f"{label}, {cfg}")
    ax.set_xticks(range(len(rts)), rts)
    ax.set_ylabel("MiB")
    ax.set_title("peak RSS (medians): create ru_maxrss, init before exec")
    ax.legend(fontsize="small")
    ax.grid(axis="y", alpha=0.3)

    fig.suptitle(f"ocirt, crun, runc: busybox /bin/true, {facts['n']} iterations, {facts['date']} "
                 f"(load average {facts['load_before'][0]:.1f} before, {facts['load_after'][0]:.1f} after)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    data = json.load(open(sys.argv[1]))
    out = sys.argv[2] if len(sys.argv) == 3 else os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    facts = data["facts"]
    text = render(facts, data["samples"], static_facts(facts["runtimes"], repo))
    with open(os.path.join(out, "RESULTS.md"), "w") as f:
        f.write(text)
    plot(facts, data["samples"], os.path.join(out, "results.png"))
    print(text)


if __name__ == "__main__":
    main()
