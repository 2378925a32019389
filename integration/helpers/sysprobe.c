// sysprobe: one system call, made directly, and what it returned. A probe for the
// security and seccomp integration tests, compiled statically at test setup (the
// busybox rootfs has no C library) and bind-mounted into the container.
//
//   sysprobe SYSCALL [ARG...]   SYSCALL is a name from the table below; each ARG is an
//                               integer (strtoull base 0: 0x40000, 0644, 17 all work)
//                               prints "ok RET" or "err ERRNO STRERROR"; exit 0 either way
//   sysprobe mkdir PATH         mkdir(PATH, 0755) through the native (x86_64) entry
//   sysprobe mkdir32 PATH       the same through the 32-bit entry (int $0x80, i386 numbers):
//                               a filter must cover the compat architectures too
//   sysprobe getpid32           getpid through the 32-bit entry
//   sysprobe nr N [ARG...]      system call number N (any number, known or not)
//   sysprobe ids                prints "uid=R euid=E" and the CapEff line of
//                               /proc/self/status (for setuid and no_new_privs tests)
//
// Killed by a seccomp KILL or TRAP action, it dies of SIGSYS like any other program.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

struct entry {
    const char* name;
    long nr;
};

static const struct entry table[] = {
    {"getpid", SYS_getpid},         {"getppid", SYS_getppid},
    {"kill", SYS_kill},             {"personality", SYS_personality},
    {"umask", SYS_umask},           {"unshare", SYS_unshare},
    {"userfaultfd", SYS_userfaultfd}, {"setns", SYS_setns},
    {"getpriority", SYS_getpriority}, {"setpriority", SYS_setpriority},
    {"sched_yield", SYS_sched_yield}, {"getcpu", SYS_getcpu},
    {"sync", SYS_sync},             {"syncfs", SYS_syncfs},
};

static int ids(void) {
    printf("uid=%d euid=%d\n", (int)getuid(), (int)geteuid());
    FILE* f = fopen("/proc/self/status", "r");
    if (!f) {
        printf("err %d %s\n", errno, strerror(errno));
        return 0;
    }
    char line[256];
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "CapEff:", 7) == 0) fputs(line, stdout);
    fclose(f);
    return 0;
}

static void report(long r) {
    if (r == -1 && errno != 0)
        printf("err %d %s\n", errno, strerror(errno));
    else
        printf("ok %ld\n", r);
}

#if defined(__x86_64__)
// i386 system call numbers
#define I386_getpid 20
#define I386_mkdir 39
// A pointer the 32-bit entry can take: static storage of a non-PIE static binary is below 4 GiB.
static char low_path[4096];

static long int80(long nr, long a, long b) {
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b) : "memory");
    if (r < 0 && r > -4096) {
        errno = (int)-r;
        return -1;
    }
    return r;
}
#endif

int main(int argc, char** argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: sysprobe SYSCALL [ARG...] | sysprobe ids\n");
        return 2;
    }
    if (strcmp(argv[1], "ids") == 0) return ids();
    errno = 0;
    if (strcmp(argv[1], "mkdir") == 0 && argc == 3) {
        report(syscall(SYS_mkdir, argv[2], 0755));
        return 0;
    }
#if defined(__x86_64__)
    if (strcmp(argv[1], "mkdir32") == 0 && argc == 3) {
        if ((unsigned long)(void*)low_path > 0xffffffffUL) {
            fprintf(stderr, "sysprobe: built as PIE, no pointer below 4 GiB\n");
            return 2;
        }
        snprintf(low_path, sizeof low_path, "%s", argv[2]);
        report(int80(I386_mkdir, (long)(unsigned long)low_path, 0755));
        return 0;
    }
    if (strcmp(argv[1], "getpid32") == 0) {
        report(int80(I386_getpid, 0, 0));
        return 0;
    }
#endif
    long nr = -1;
    int first_arg = 2;
    if (strcmp(argv[1], "nr") == 0 && argc >= 3) {
        nr = strtol(argv[2], NULL, 0);
        first_arg = 3;
    }
    for (size_t i = 0; i < sizeof table / sizeof table[0]; ++i)
        if (strcmp(table[i].name, argv[1]) == 0) nr = table[i].nr;
    if (nr < 0) {
        fprintf(stderr, "sysprobe: unknown system call %s\n", argv[1]);
        return 2;
    }
    unsigned long a[6] = {0};
    for (int i = first_arg; i < argc && i < first_arg + 6; ++i) a[i - first_arg] = strtoull(argv[i], NULL, 0);
    errno = 0;
    report(syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]));
    return 0;
}
