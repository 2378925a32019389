/* bench/driver.c: takes one benchmark sample the way a container engine drives a runtime.
 *
 *   driver lifecycle|run|exec|parallel|throughput|hold OPTIONS -- RUNTIME [GLOBAL-FLAGS...]
 *   driver floor OPTIONS
 *   driver cmd OPTIONS -- COMMAND [ARGS...]
 *
 * lifecycle  `create --pid-file`, `start`, wait for the init's exit, `delete` (one container)
 * run        `run` in the foreground (one container)
 * parallel   N containers: every create, and each one's start as soon as its create is done,
 *            all at once; when every init has exited, N deletes at once
 * exec       `exec ID-0 /bin/true` into a running container (one that `hold` made)
 * throughput N containers (--n), at most K (--parallel) at a time, each through create, start,
 *            wait for its init's exit, delete: containers per second
 * hold       N running containers (their bundles run a long sleep), made K at a time with
 *            create + start; prints {"ready": N} and keeps them (their inits are our children)
 *            until its stdin ends, then `delete --force` of each, K at a time
 * floor      the bundle's namespaces (mount uts ipc net pid) with unshare(2), a fork, chroot(2)
 *            into --rootfs and execve /bin/true: what every runtime has to pay
 * cmd        COMMAND (N copies with --n), e.g. `unshare ... chroot ROOTFS /bin/true`
 *
 * Options: --root DIR (the runtime's state root), --bundles DIR and --id PREFIX (container i
 * uses bundle DIR/i and id PREFIX-i), --n N, --parallel K, --errdir DIR (each step's stderr goes to
 * DIR/<i>.<step>), --rootfs DIR (floor), --wrap.
 *
 * --wrap runs each runtime process in a private mount namespace of its own where
 * /sys/fs/cgroup/unified is unmounted (crun refuses the hybrid layout otherwise): what
 * `unshare -m --propagation private sh -c 'umount /sys/fs/cgroup/unified; exec ...'` does,
 * without the two extra execs. Every runtime is measured with it.
 *
 * Like an engine, the driver is a child subreaper: the container's init, left behind by
 * `create`, becomes its child, and its exit is waited for with waitpid (or a pidfd when it is
 * not our child). Times come from CLOCK_MONOTONIC. Memory: ru_maxrss of wait4() on the
 * runtime process is the peak RSS of that process over its whole life, across its execve()s,
 * and of the children it waited for; it starts at the driver's own RSS at fork (small: this
 * program). The init's VmHWM and VmRSS are read from /proc/PID/status between create and start.
 * CPU: user+system time from the same wait4()s, the init's from ours on it (run's includes its
 * init, which it reaps): unlike wall time, a busy machine inflates it little.
 *
 * Output: one JSON object on stdout. On a failure: {"error": "...", "step": "..."}, exit 1,
 * after `delete --force` of every container it made and reaping every child.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CTRS 4096
#define MAX_ARGS 64

static const char *opt_root, *opt_bundles, *opt_id, *opt_errdir = "/tmp", *opt_rootfs;
static bool opt_wrap;
static int opt_n = 1, opt_parallel = 10;
static char **runtime_argv; /* RUNTIME [GLOBAL-FLAGS...] or COMMAND [ARGS...] */
static int runtime_argc;

static char error_msg[1024];
static const char *error_step;

static void fail_usage(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("driver: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(2);
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Keeps the first failure only: that is the one that explains the rest. */
static void set_error(const char *step, const char *fmt, ...) {
    if (error_step) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error_msg, sizeof error_msg, fmt, ap);
    va_end(ap);
    error_step = step;
}

/* The first non-empty line of a step's stderr, for "failed: <first error line>". */
static void first_line(const char *path, char *out, size_t size) {
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0]) {
            snprintf(out, size, "%s", line);
            break;
        }
    }
    fclose(f);
}

static void errfile_path(char *out, size_t size, int slot, const char *step) {
    snprintf(out, size, "%s/%d.%s", opt_errdir, slot, step);
}

static void id_of(char *out, size_t size, int slot) { snprintf(out, size, "%s-%d", opt_id, slot); }

/* In the child: the private mount namespace without the cgroup2 mount. */
static void wrap_or_die(void) {
    if (unshare(CLONE_NEWNS) != 0) {
        fprintf(stderr, "driver: unshare(CLONE_NEWNS): %s\n", strerror(errno));
        _exit(127);
    }
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        fprintf(stderr, "driver: make / private: %s\n", strerror(errno));
        _exit(127);
    }
    if (umount2("/sys/fs/cgroup/unified", MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
        fprintf(stderr, "driver: umount /sys/fs/cgroup/unified: %s\n", strerror(errno));
        _exit(127);
    }
}

/* Forks argv with stdin and stdout on /dev/null and stderr into errfile. */
static pid_t spawn(char *const argv[], const char *errfile, bool wrap) {
    pid_t pid = fork();
    if (pid != 0) return pid; /* -1 or the child */
    int null = open("/dev/null", O_RDWR);
    int err = open(errfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (null < 0 || err < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(err, 2) < 0) _exit(127);
    if (null > 2) close(null);
    if (wrap) wrap_or_die();
    execvp(argv[0], argv);
    fprintf(stderr, "driver: exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* argv = runtime + global flags + --root ROOT + verb args (NULL-terminated). */
static pid_t spawn_verb(int slot, const char *step, const char *const verb_args[]) {
    char *argv[MAX_ARGS];
    int n = 0;
    for (int i = 0; i < runtime_argc && n < MAX_ARGS - 8; i++) argv[n++] = runtime_argv[i];
    argv[n++] = "--root";
    argv[n++] = (char *)opt_root;
    for (int i = 0; verb_args[i] && n < MAX_ARGS - 1; i++) argv[n++] = (char *)verb_args[i];
    argv[n] = NULL;
    char errfile[4096];
    errfile_path(errfile, sizeof errfile, slot, step);
    return spawn(argv, errfile, opt_wrap);
}

static pid_t spawn_create(int slot) {
    char id[256], bundle[4096], pidfile[4096];
    id_of(id, sizeof id, slot);
    snprintf(bundle, sizeof bundle, "%s/%d", opt_bundles, slot);
    snprintf(pidfile, sizeof pidfile, "%s/%d.pid", opt_errdir, slot);
    unlink(pidfile);
    const char *args[] = {"create", "--bundle", bundle, "--pid-file", pidfile, id, NULL};
    return spawn_verb(slot, "create", args);
}

static pid_t spawn_simple(int slot, const char *verb) {
    char id[256];
    id_of(id, sizeof id, slot);
    const char *args[] = {verb, id, NULL};
    return spawn_verb(slot, verb, args);
}

/* A step's exit status: 0 or an error set from its stderr. */
static bool step_ok(int slot, const char *step, int status) {
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
    char path[4096], line[1024];
    errfile_path(path, sizeof path, slot, step);
    first_line(path, line, sizeof line);
    if (WIFSIGNALED(status))
        set_error(step, "%s killed by signal %d%s%s", step, WTERMSIG(status), line[0] ? ": " : "", line);
    else
        set_error(step, "%s", line[0] ? line : "exited with a non-zero status");
    return false;
}

static double cpu_secs(const struct rusage *ru) {
    return (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) +
           (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e6;
}

/* What wait4() tells of a finished step: ru_maxrss (KiB) and user+system CPU seconds. */
struct usage {
    long maxrss;
    double cpu;
};

/* Runs one step to its end; its wall time and usage. */
static bool run_step(int slot, const char *step, pid_t pid, double t0, double *secs, struct usage *use) {
    if (pid < 0) {
        set_error(step, "fork: %s", strerror(errno));
        return false;
    }
    int status;
    struct rusage ru;
    while (wait4(pid, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            set_error(step, "wait4: %s", strerror(errno));
            return false;
        }
    }
    *secs = now() - t0;
    if (use) *use = (struct usage){ru.ru_maxrss, cpu_secs(&ru)};
    return step_ok(slot, step, status);
}

static pid_t read_pidfile(int slot) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%d.pid", opt_errdir, slot);
    FILE *f = fopen(path, "r");
    long pid = 0;
    if (f) {
        if (fscanf(f, "%ld", &pid) != 1) pid = 0;
        fclose(f);
    }
    if (pid <= 0) set_error("create", "no pid in the pid file %s", path);
    return (pid_t)pid;
}

/* Waits for the init's exit: wait4 as its subreaper (its CPU time into *cpu), else (not our
 * child: *cpu stays -1) a pidfd. */
static bool wait_init(pid_t init, double *cpu) {
    int status;
    struct rusage ru;
    *cpu = -1;
    for (;;) {
        if (wait4(init, &status, 0, &ru) == init) {
            *cpu = cpu_secs(&ru);
            return true;
        }
        if (errno == EINTR) continue;
        if (errno != ECHILD) break;
        int pfd = (int)syscall(SYS_pidfd_open, init, 0);
        if (pfd < 0) return errno == ESRCH; /* already gone */
        struct pollfd p = {.fd = pfd, .events = POLLIN};
        while (poll(&p, 1, -1) < 0 && errno == EINTR) {
        }
        close(pfd);
        return true;
    }
    set_error("wait", "waitpid %d: %s", (int)init, strerror(errno));
    return false;
}

static long status_kb(pid_t pid, const char *key) {
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    long kb = -1;
    size_t klen = strlen(key);
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            kb = strtol(line + klen + 1, NULL, 10);
            break;
        }
    }
    if (f) fclose(f);
    return kb;
}

/* Reaps every child left (a runtime's intermediates reparented to us). */
static void reap_all(void) {
    alarm(60); /* a child that never exits is a bug to see, not a hang */
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR) {
    }
    alarm(0);
}

/* After a failure: what a careful engine does, `delete --force` of each container. */
static void force_delete(int n) {
    for (int i = 0; i < n; i++) {
        char id[256];
        id_of(id, sizeof id, i);
        const char *args[] = {"delete", "--force", id, NULL};
        pid_t pid = spawn_verb(i, "cleanup", args);
        if (pid > 0) waitpid(pid, NULL, 0);
    }
}

static void print_error_and_exit(int n_containers) {
    if (n_containers > 0) force_delete(n_containers);
    reap_all();
    printf("{\"error\": \"");
    for (const char *p = error_msg; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if ((unsigned char)*p < 0x20)
            printf(" ");
        else
            putchar(*p);
    }
    printf("\", \"step\": \"%s\"}\n", error_step ? error_step : "");
    exit(1);
}

static void lifecycle(void) {
    double t, create, start, wait, del, init_cpu;
    struct usage cu, su, du;
    t = now();
    if (!run_step(0, "create", spawn_create(0), t, &create, &cu)) print_error_and_exit(1);
    pid_t init = read_pidfile(0);
    if (init <= 0) print_error_and_exit(1);
    long hwm = status_kb(init, "VmHWM"), rss = status_kb(init, "VmRSS");
    t = now();
    if (!run_step(0, "start", spawn_simple(0, "start"), t, &start, &su)) print_error_and_exit(1);
    t = now();
    if (!wait_init(init, &init_cpu)) print_error_and_exit(1);
    wait = now() - t;
    t = now();
    if (!run_step(0, "delete", spawn_simple(0, "delete"), t, &del, &du)) print_error_and_exit(1);
    reap_all();
    printf("{\"create\": %.6f, \"start\": %.6f, \"wait\": %.6f, \"delete\": %.6f, \"total\": %.6f, "
           "\"create_maxrss_kb\": %ld, \"start_maxrss_kb\": %ld, \"delete_maxrss_kb\": %ld, "
           "\"init_vmhwm_kb\": %ld, \"init_vmrss_kb\": %ld, "
           "\"create_cpu\": %.6f, \"start_cpu\": %.6f, \"delete_cpu\": %.6f",
           create, start, wait, del, create + start + wait + del, cu.maxrss, su.maxrss, du.maxrss, hwm, rss,
           cu.cpu, su.cpu, du.cpu);
    if (init_cpu >= 0)
        printf(", \"init_cpu\": %.6f, \"total_cpu\": %.6f", init_cpu, cu.cpu + su.cpu + du.cpu + init_cpu);
    printf("}\n");
}

static void run_foreground(void) {
    char id[256], bundle[4096];
    id_of(id, sizeof id, 0);
    snprintf(bundle, sizeof bundle, "%s/0", opt_bundles);
    const char *args[] = {"run", "--bundle", bundle, id, NULL};
    double t = now(), secs;
    struct usage u;
    if (!run_step(0, "run", spawn_verb(0, "run", args), t, &secs, &u)) print_error_and_exit(1);
    reap_all();
    /* run removes the container when it exits; a state dir left means it did not. */
    char state[4096];
    snprintf(state, sizeof state, "%s/%s", opt_root, id);
    if (access(state, F_OK) == 0) {
        set_error("run", "run left the container's state dir %s", state);
        print_error_and_exit(1);
    }
    /* the init is run's child, reaped by it: its CPU time is in run's */
    printf("{\"run\": %.6f, \"total\": %.6f, \"run_maxrss_kb\": %ld, \"total_cpu\": %.6f}\n", secs, secs,
           u.maxrss, u.cpu);
}

enum phase { CREATING, STARTING, RUNNING, EXITED, DELETING, DONE, FAILED };
struct ctr {
    enum phase phase;
    pid_t step; /* the runtime process of the current step */
    pid_t init;
    bool started, init_gone;
};

/* Pids reaped before we knew them (an init that died before its pid file was read). */
static pid_t unknown_reaped[4 * MAX_CTRS];
static int n_unknown;

/* Which container a reaped pid was: the index of the one whose step (a runtime call) it was
 * (*is_step) or whose init it was; -1 for anything else, noted in unknown_reaped (an init
 * reaped before its create step told us its pid). Steps first: a reaped init's pid may
 * already be a new step's. */
static int find_reaped(struct ctr *c, int n, pid_t pid, bool *is_step) {
    for (int i = 0; i < n; i++)
        if (c[i].step == pid) return *is_step = true, i;
    *is_step = false;
    for (int i = 0; i < n; i++)
        if (c[i].init == pid && !c[i].init_gone) return i;
    if (n_unknown < (int)(sizeof unknown_reaped / sizeof *unknown_reaped)) unknown_reaped[n_unknown++] = pid;
    return -1;
}

enum reaped { REAPED_ERROR, REAPED_OTHER, REAPED_INIT, REAPED_STEP, REAPED_STEP_FAILED };

/* Waits for one child of the containers c[0..n) (find_reaped says whose). An init: its
 * init_gone is set. A step (a runtime call): cleared from its container and checked
 * (step_ok); a failed one leaves the container FAILED. *which: that container. */
static enum reaped reap_one(struct ctr *c, int n, int *which) {
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, 0)) < 0) {
        if (errno == EINTR) continue;
        set_error("wait", "waitpid: %s", strerror(errno));
        return REAPED_ERROR;
    }
    bool is_step;
    int i = find_reaped(c, n, pid, &is_step);
    if (i < 0) return REAPED_OTHER;
    *which = i;
    struct ctr *x = &c[i];
    if (!is_step) {
        x->init_gone = true;
        return REAPED_INIT;
    }
    x->step = 0;
    const char *step = x->phase == CREATING ? "create" : x->phase == STARTING ? "start" : "delete";
    if (step_ok(i, step, status)) return REAPED_STEP;
    x->phase = FAILED;
    return REAPED_STEP_FAILED;
}

/* After container i's create: its init's pid from the pid file (FAILED without one), and
 * whether that init was already reaped. */
static bool read_init(struct ctr *x, int i) {
    x->init = read_pidfile(i);
    if (x->init <= 0) {
        x->phase = FAILED;
        return false;
    }
    for (int k = 0; k < n_unknown; k++)
        if (unknown_reaped[k] == x->init) x->init_gone = true;
    return true;
}

static void parallel(void) {
    struct ctr c[MAX_CTRS] = {0};
    int n = opt_n, pending = 0;
    double t0 = now();
    for (int i = 0; i < n; i++) {
        c[i].phase = CREATING;
        c[i].step = spawn_create(i);
        if (c[i].step < 0) {
            set_error("create", "fork: %s", strerror(errno));
            c[i].phase = FAILED;
        } else
            pending++;
    }
    bool deleting = false;
    double t_exited = 0;
    while (pending > 0) {
        int i = -1;
        enum reaped r = reap_one(c, n, &i);
        if (r == REAPED_ERROR) break;
        if (r == REAPED_OTHER) continue;
        struct ctr *x = &c[i];
        if (r == REAPED_STEP_FAILED) {
            pending--;
            continue;
        }
        if (r == REAPED_STEP) {
            if (x->phase == CREATING) {
                if (!read_init(x, i)) {
                    pending--;
                    continue;
                }
                x->phase = STARTING;
                x->step = spawn_simple(i, "start");
                continue;
            }
            if (x->phase == STARTING) x->started = true;
            if (x->phase == DELETING) {
                x->phase = DONE;
                pending--;
                continue;
            }
        }
        if (x->phase == STARTING && x->started && x->init_gone) {
            x->phase = EXITED;
            pending--;
        }
        if (pending == 0 && !deleting && !error_step) {
            /* every init has exited: delete them all at once */
            t_exited = now() - t0;
            deleting = true;
            for (int k = 0; k < n; k++) {
                c[k].phase = DELETING;
                c[k].step = spawn_simple(k, "delete");
                pending++;
            }
        }
    }
    if (error_step) print_error_and_exit(n);
    double total = now() - t0;
    reap_all();
    printf("{\"n\": %d, \"total\": %.6f, \"until_exited\": %.6f, \"per_second\": %.3f}\n", n, total, t_exited,
           (double)n / total);
}

/* exec: one `exec ID-0 /bin/true` into a running container (made by `hold`). */
static void exec_once(void) {
    char id[256];
    id_of(id, sizeof id, 0);
    const char *args[] = {"exec", id, "/bin/true", NULL};
    double t = now(), secs;
    struct usage u;
    if (!run_step(0, "exec", spawn_verb(0, "exec", args), t, &secs, &u)) print_error_and_exit(0);
    reap_all();
    /* the exec'd /bin/true is the runtime's child, reaped by it: its CPU time is in exec's */
    printf("{\"exec\": %.6f, \"total\": %.6f, \"exec_maxrss_kb\": %ld, \"exec_cpu\": %.6f, \"total_cpu\": %.6f}\n",
           secs, secs, u.maxrss, u.cpu, u.cpu);
}

/* A pool: N containers, at most K (--parallel) in flight at once, each taken to its goal.
 *   POOL_HOLD       create, start: left running (their inits stay our children)
 *   POOL_LIFECYCLE  create, start, wait for the init's exit, delete
 *   POOL_DELETE     delete --force (the teardown of a hold) */
enum pool_goal { POOL_HOLD, POOL_LIFECYCLE, POOL_DELETE };
static struct ctr pool_c[MAX_CTRS];
static bool pool_made[MAX_CTRS]; /* a create was started for it: delete --force it on a failure */

static void pool_spawn(int i, enum phase phase) {
    struct ctr *x = &pool_c[i];
    x->phase = phase;
    if (phase == CREATING) {
        pool_made[i] = true;
        x->step = spawn_create(i);
    } else if (phase == STARTING) {
        x->step = spawn_simple(i, "start");
    } else {
        char id[256];
        id_of(id, sizeof id, i);
        const char *force[] = {"delete", "--force", id, NULL};
        x->step = phase == DELETING && x->init == -1 ? spawn_verb(i, "delete", force) : spawn_simple(i, "delete");
    }
    if (x->step < 0) {
        set_error(phase == CREATING ? "create" : phase == STARTING ? "start" : "delete", "fork: %s", strerror(errno));
        x->phase = FAILED;
    }
}

/* Runs the pool to its end; false on the first failure (no new container is begun after it;
 * those in flight finish). The median create time goes to *create_median when not NULL. */
static bool pool(int n, int k, enum pool_goal goal, double *create_median) {
    static double create_secs[MAX_CTRS], create_t0[MAX_CTRS];
    int next = 0, inflight = 0, done = 0, n_create = 0;
    memset(pool_c, 0, sizeof pool_c);
    if (goal == POOL_DELETE)
        for (int i = 0; i < n; i++) pool_c[i].init = -1; /* marks delete --force */
    while (done < n) {
        while (!error_step && inflight < k && next < n) {
            create_t0[next] = now();
            pool_spawn(next, goal == POOL_DELETE ? DELETING : CREATING);
            if (pool_c[next].phase == FAILED)
                done++;
            else
                inflight++;
            next++;
        }
        if (inflight == 0) break; /* a failure stopped the launches */
        int i = -1;
        enum reaped r = reap_one(pool_c, next, &i);
        if (r == REAPED_ERROR) return false;
        if (r == REAPED_OTHER) continue;
        struct ctr *x = &pool_c[i];
        if (r == REAPED_STEP_FAILED) {
            inflight--;
            done++;
            continue;
        }
        if (r == REAPED_STEP) {
            if (x->phase == CREATING) {
                create_secs[n_create++] = now() - create_t0[i];
                if (!read_init(x, i)) {
                    inflight--;
                    done++;
                    continue;
                }
                pool_spawn(i, STARTING);
                if (x->phase == FAILED) {
                    inflight--;
                    done++;
                }
                continue;
            }
            if (x->phase == DELETING) {
                x->phase = DONE;
                inflight--;
                done++;
                continue;
            }
            x->started = true; /* STARTING */
            if (goal == POOL_HOLD) {
                x->phase = DONE;
                inflight--;
                done++;
                continue;
            }
        }
        if (goal == POOL_LIFECYCLE && x->phase == STARTING && x->started && x->init_gone) {
            pool_spawn(i, DELETING);
            if (x->phase == FAILED) {
                inflight--;
                done++;
            }
        }
    }
    if (create_median && n_create > 0) {
        /* insertion sort: n is small */
        for (int a = 1; a < n_create; a++)
            for (int b = a; b > 0 && create_secs[b - 1] > create_secs[b]; b--) {
                double t = create_secs[b];
                create_secs[b] = create_secs[b - 1];
                create_secs[b - 1] = t;
            }
        *create_median = create_secs[n_create / 2];
    }
    return !error_step;
}

/* After a pool failed: delete --force of every container it began, K at once. */
static void pool_cleanup_and_exit(int n, int k) {
    int made = 0;
    for (int i = 0; i < n; i++)
        if (pool_made[i]) made = i + 1;
    const char *keep_step = error_step;
    char keep_msg[sizeof error_msg];
    snprintf(keep_msg, sizeof keep_msg, "%s", error_msg);
    error_step = NULL;
    pool(made, k, POOL_DELETE, NULL);
    error_step = keep_step;
    snprintf(error_msg, sizeof error_msg, "%s", keep_msg);
    print_error_and_exit(0);
}

/* throughput: N containers through their whole lifecycle, K at a time. */
static void throughput(void) {
    double t0 = now(), create_median = 0;
    if (!pool(opt_n, opt_parallel, POOL_LIFECYCLE, &create_median)) pool_cleanup_and_exit(opt_n, opt_parallel);
    double total = now() - t0;
    reap_all();
    printf("{\"n\": %d, \"parallel\": %d, \"total\": %.6f, \"per_second\": %.3f, \"create_median\": %.6f}\n", opt_n,
           opt_parallel, total, (double)opt_n / total, create_median);
}

/* hold: N running containers (K made at once) until stdin ends, then delete --force of each.
 * Prints {"ready": N, "seconds": ...} when they run, {"removed": N, "seconds": ...} at the end. */
static void hold(void) {
    double t0 = now();
    if (!pool(opt_n, opt_parallel, POOL_HOLD, NULL)) pool_cleanup_and_exit(opt_n, opt_parallel);
    printf("{\"ready\": %d, \"seconds\": %.3f}\n", opt_n, now() - t0);
    fflush(stdout);
    char buf[256];
    for (;;) {
        ssize_t r = read(0, buf, sizeof buf);
        if (r == 0 || (r < 0 && errno != EINTR)) break;
    }
    t0 = now();
    bool ok = pool(opt_n, opt_parallel, POOL_DELETE, NULL);
    reap_all();
    if (!ok) print_error_and_exit(0);
    printf("{\"removed\": %d, \"seconds\": %.3f}\n", opt_n, now() - t0);
}

/* The floor: unshare(2) the bundle's namespaces, fork (a pid namespace's first process),
 * chroot(2), execve /bin/true. */
static pid_t spawn_floor(int slot) {
    char errfile[4096];
    errfile_path(errfile, sizeof errfile, slot, "floor");
    pid_t pid = fork();
    if (pid != 0) return pid;
    int err = open(errfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (err < 0 || dup2(err, 2) < 0) _exit(127);
    if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID) != 0) {
        fprintf(stderr, "driver: unshare: %s\n", strerror(errno));
        _exit(127);
    }
    pid_t child = fork();
    if (child == 0) {
        if (chroot(opt_rootfs) != 0 || chdir("/") != 0) {
            fprintf(stderr, "driver: chroot %s: %s\n", opt_rootfs, strerror(errno));
            _exit(127);
        }
        char *argv[] = {"/bin/true", NULL};
        execv(argv[0], argv);
        fprintf(stderr, "driver: exec /bin/true: %s\n", strerror(errno));
        _exit(127);
    }
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) != child) _exit(127);
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 127);
}

/* floor and cmd: N processes at once, all waited. */
static void many(bool floor) {
    pid_t pids[MAX_CTRS];
    long maxrss = 0;
    double cpu = 0;
    double t0 = now();
    for (int i = 0; i < opt_n; i++) {
        if (floor) {
            pids[i] = spawn_floor(i);
        } else {
            char errfile[4096];
            errfile_path(errfile, sizeof errfile, i, "cmd");
            pids[i] = spawn(runtime_argv, errfile, opt_wrap);
        }
    }
    for (int i = 0; i < opt_n; i++) {
        double ignored;
        struct usage u;
        if (!run_step(i, floor ? "floor" : "cmd", pids[i], t0, &ignored, &u)) print_error_and_exit(0);
        if (u.maxrss > maxrss) maxrss = u.maxrss;
        cpu += u.cpu;
    }
    double total = now() - t0;
    reap_all();
    printf("{\"n\": %d, \"total\": %.6f, \"per_second\": %.3f, \"maxrss_kb\": %ld, \"total_cpu\": %.6f}\n",
           opt_n, total, (double)opt_n / total, maxrss, cpu);
}

int main(int argc, char **argv) {
    if (argc < 2) fail_usage("usage: driver lifecycle|run|exec|parallel|throughput|hold|floor|cmd OPTIONS [-- RUNTIME...]");
    const char *mode = argv[1];
    int i = 2;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (strcmp(a, "--wrap") == 0) {
            opt_wrap = true;
            continue;
        }
        if (i + 1 >= argc) fail_usage("%s needs a value", a);
        const char *v = argv[++i];
        if (strcmp(a, "--root") == 0)
            opt_root = v;
        else if (strcmp(a, "--bundles") == 0)
            opt_bundles = v;
        else if (strcmp(a, "--id") == 0)
            opt_id = v;
        else if (strcmp(a, "--errdir") == 0)
            opt_errdir = v;
        else if (strcmp(a, "--rootfs") == 0)
            opt_rootfs = v;
        else if (strcmp(a, "--n") == 0)
            opt_n = atoi(v);
        else if (strcmp(a, "--parallel") == 0)
            opt_parallel = atoi(v);
        else
            fail_usage("unknown option %s", a);
    }
    runtime_argv = argv + i;
    runtime_argc = argc - i;
    if (opt_n < 1 || opt_n > MAX_CTRS) fail_usage("--n must be 1..%d", MAX_CTRS);

    /* Like conmon or a containerd shim: orphans (the container's init) become our children. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) fail_usage("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
    signal(SIGPIPE, SIG_IGN);

    bool runtime_mode = strcmp(mode, "lifecycle") == 0 || strcmp(mode, "run") == 0 || strcmp(mode, "parallel") == 0 ||
                        strcmp(mode, "throughput") == 0 || strcmp(mode, "hold") == 0;
    if (strcmp(mode, "exec") == 0 && (!opt_root || !opt_id || runtime_argc < 1))
        fail_usage("exec needs --root, --id and -- RUNTIME");
    if (opt_parallel < 1) fail_usage("--parallel must be at least 1");
    if (runtime_mode && (!opt_root || !opt_bundles || !opt_id || runtime_argc < 1))
        fail_usage("%s needs --root, --bundles, --id and -- RUNTIME", mode);
    if (strcmp(mode, "lifecycle") == 0)
        lifecycle();
    else if (strcmp(mode, "run") == 0)
        run_foreground();
    else if (strcmp(mode, "parallel") == 0)
        parallel();
    else if (strcmp(mode, "exec") == 0)
        exec_once();
    else if (strcmp(mode, "throughput") == 0)
        throughput();
    else if (strcmp(mode, "hold") == 0)
        hold();
    else if (strcmp(mode, "floor") == 0) {
        if (!opt_rootfs) fail_usage("floor needs --rootfs");
        many(true);
    } else if (strcmp(mode, "cmd") == 0) {
        if (runtime_argc < 1) fail_usage("cmd needs -- COMMAND");
        many(false);
    } else
        fail_usage("unknown mode %s", mode);
    return 0;
}
