// seccomp_listener: a minimal seccomp agent for the integration tests (linux.seccomp
// listenerPath, runtime-spec config-linux.md "Seccomp" and state.md "Container process state").
//
//   seccomp_listener SOCKET STATE_FILE LOG_FILE ANSWER
//
// Listens on the unix stream socket SOCKET (it appears only once it is listening, so a test
// can wait for the path), accepts one connection from the runtime, reads the container process
// state (JSON) with its file descriptors (SCM_RIGHTS), writes the JSON as received to
// STATE_FILE, and takes the fd named "seccompFd" in the JSON's "fds". Then it answers every
// notification with ANSWER until the last process using the filter is gone (POLLHUP):
//
//   success   the system call "succeeds" without being run: error 0, val 0
//   errno:N   the system call fails with errno N
//   continue  the kernel runs the system call as if no filter had stopped it
//
// Each notification is logged to LOG_FILE as "nr=NR pid=PID path=PATH" (PATH: the string the
// first pathname argument of mkdir or mkdirat points to, read from /proc/PID/mem).
// Exits 0 after POLLHUP; 1 on any error (with a message on stderr); 60 s at most (alarm).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FDS 16

static void die(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("seccomp_listener: ", stderr);
    vfprintf(stderr, fmt, ap);
    if (errno) fprintf(stderr, ": %s", strerror(errno));
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

// True once buf holds one complete top-level JSON object (braces outside strings balance).
static int json_complete(const char* buf, size_t len) {
    int depth = 0, in_string = 0, escaped = 0, started = 0;
    for (size_t i = 0; i < len; ++i) {
        char c = buf[i];
        if (in_string) {
            if (escaped) escaped = 0;
            else if (c == '\\') escaped = 1;
            else if (c == '"') in_string = 0;
            continue;
        }
        if (c == '"') in_string = 1;
        else if (c == '{') depth++, started = 1;
        else if (c == '}' && --depth == 0 && started) return 1;
    }
    return 0;
}

// Index of "seccompFd" in the "fds" array of the JSON, -1 if absent. A small scanner: it
// expects the array to hold plain strings, which is all the runtime-spec defines.
static int seccomp_fd_index(const char* json) {
    const char* p = strstr(json, "\"fds\"");
    if (!p) return -1;
    p = strchr(p, '[');
    if (!p) return -1;
    const char* end = strchr(p, ']');
    if (!end) return -1;
    int index = 0;
    for (const char* q = p + 1; q < end; ++q) {
        if (*q != '"') continue;
        const char* close = strchr(q + 1, '"');
        if (!close || close > end) return -1;
        if ((size_t)(close - q - 1) == strlen("seccompFd") && strncmp(q + 1, "seccompFd", 9) == 0)
            return index;
        index++;
        q = close;
    }
    return -1;
}

static void read_path(pid_t pid, unsigned long addr, char* out, size_t outlen) {
    snprintf(out, outlen, "?");
    char mem[64];
    snprintf(mem, sizeof mem, "/proc/%d/mem", (int)pid);
    int fd = open(mem, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ssize_t n = pread(fd, out, outlen - 1, (off_t)addr);
    close(fd);
    if (n <= 0) {
        snprintf(out, outlen, "?");
        return;
    }
    out[n] = 0;
}

int main(int argc, char** argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: seccomp_listener SOCKET STATE_FILE LOG_FILE success|errno:N|continue\n");
        return 2;
    }
    const char *sock_path = argv[1], *state_file = argv[2], *log_file = argv[3], *answer = argv[4];
    int answer_errno = 0, answer_continue = 0;
    if (strncmp(answer, "errno:", 6) == 0) answer_errno = atoi(answer + 6);
    else if (strcmp(answer, "continue") == 0) answer_continue = 1;
    else if (strcmp(answer, "success") != 0) die("unknown answer %s", answer);
    alarm(60);

    // Bind and listen under a temporary name, then rename: the path exists only when a
    // connect to it can succeed.
    char tmp_path[sizeof(((struct sockaddr_un*)0)->sun_path)];
    if ((size_t)snprintf(tmp_path, sizeof tmp_path, "%s.tmp", sock_path) >= sizeof tmp_path)
        die("socket path too long: %s", sock_path);
    int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (ls < 0) die("socket");
    struct sockaddr_un addr = {.sun_family = AF_UNIX};
    strcpy(addr.sun_path, tmp_path);
    unlink(tmp_path);
    if (bind(ls, (struct sockaddr*)&addr, sizeof addr) != 0) die("bind %s", tmp_path);
    if (listen(ls, 1) != 0) die("listen");
    if (rename(tmp_path, sock_path) != 0) die("rename %s", sock_path);

    int conn = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
    if (conn < 0) die("accept");

    static char json[1 << 16];
    size_t len = 0;
    int fds[MAX_FDS], nfds = 0;
    while (len < sizeof json - 1) {
        char control[CMSG_SPACE(sizeof(int) * MAX_FDS)];
        struct iovec iov = {.iov_base = json + len, .iov_len = sizeof json - 1 - len};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1,
                             .msg_control = control, .msg_controllen = sizeof control};
        ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("recvmsg");
        }
        for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
            if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
            int count = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
            for (int i = 0; i < count && nfds < MAX_FDS; ++i)
                memcpy(&fds[nfds++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
        }
        if (msg.msg_flags & MSG_CTRUNC) {
            errno = 0;
            die("control data truncated");
        }
        if (n == 0) break;
        len += (size_t)n;
        if (json_complete(json, len)) break;
    }
    json[len] = 0;
    close(conn);
    close(ls);
    unlink(sock_path);

    FILE* sf = fopen(state_file, "w");
    if (!sf) die("open %s", state_file);
    fwrite(json, 1, len, sf);
    fclose(sf);

    errno = 0;
    int index = seccomp_fd_index(json);
    if (index < 0) die("no \"seccompFd\" in the fds of: %s", json);
    if (index >= nfds) die("\"seccompFd\" is fds[%d] but %d fds came with the message", index, nfds);
    int notify_fd = fds[index];

    struct seccomp_notif_sizes sizes;
    if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) != 0) die("SECCOMP_GET_NOTIF_SIZES");
    struct seccomp_notif* req = malloc(sizes.seccomp_notif > sizeof *req ? sizes.seccomp_notif : sizeof *req);
    struct seccomp_notif_resp* resp =
        malloc(sizes.seccomp_notif_resp > sizeof *resp ? sizes.seccomp_notif_resp : sizeof *resp);
    if (!req || !resp) die("malloc");

    FILE* log = fopen(log_file, "w");
    if (!log) die("open %s", log_file);
    setvbuf(log, NULL, _IOLBF, 0);

    for (;;) {
        struct pollfd p = {.fd = notify_fd, .events = POLLIN};
        if (poll(&p, 1, -1) < 0) {
            if (errno == EINTR) continue;
            die("poll");
        }
        if (p.revents & POLLIN) {
            memset(req, 0, sizes.seccomp_notif);
            if (ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_RECV, req) != 0) {
                if (errno == EINTR || errno == ENOENT) continue;  // the caller went away
                die("SECCOMP_IOCTL_NOTIF_RECV");
            }
            char path[256] = "-";
            if (req->data.nr == SYS_mkdir) read_path(req->pid, req->data.args[0], path, sizeof path);
            else if (req->data.nr == SYS_mkdirat) read_path(req->pid, req->data.args[1], path, sizeof path);
            // The path is only trustworthy if the request is still the same one.
            if (ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) != 0) continue;
            fprintf(log, "nr=%d pid=%d path=%s\n", req->data.nr, (int)req->pid, path);

            memset(resp, 0, sizes.seccomp_notif_resp);
            resp->id = req->id;
            if (answer_continue) resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
            else if (answer_errno) resp->error = -answer_errno;
            if (ioctl(notify_fd, SECCOMP_IOCTL_NOTIF_SEND, resp) != 0 && errno != ENOENT)
                die("SECCOMP_IOCTL_NOTIF_SEND");
        }
        if (p.revents & (POLLHUP | POLLERR)) break;
    }
    fclose(log);
    return 0;
}
