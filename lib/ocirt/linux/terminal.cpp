#include "ocirt/linux/terminal.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "ocirt/linux/fd_passing.hpp"
#include "ocirt/util/error.hpp"
#include "ocirt/util/fd.hpp"

namespace ocirt::linux_ {

void setup_terminal(int console_sock, const std::optional<spec::ConsoleSize>& size, uid_t owner,
                    bool bind_console) {
    Fd master(::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!master) throw_errno("process.terminal: open /dev/ptmx in the container");
    int unlock = 0;
    if (::ioctl(master.get(), TIOCSPTLCK, &unlock) != 0) throw_errno("process.terminal: unlock pty");
    unsigned n = 0;
    if (::ioctl(master.get(), TIOCGPTN, &n) != 0) throw_errno("process.terminal: pty number");
    std::string slave_name = "/dev/pts/" + std::to_string(n);
    // TIOCGPTPEER opens the slave through the master: no path lookup to race.
    Fd slave(::ioctl(master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!slave) throw_errno("process.terminal: open " + slave_name);
    // The process's user must be able to use its terminal once it dropped
    // root. Only the owner changes: the group is devpts' choice (gid=5). A
    // uid the kernel cannot map here (EINVAL), an owner outside our user
    // namespace (EPERM) or a read-only /dev (EROFS) leave it as it is.
    struct stat st;
    if (::fstat(slave.get(), &st) != 0) throw_errno("process.terminal: stat " + slave_name);
    if (st.st_uid != owner && ::fchown(slave.get(), owner, static_cast<gid_t>(-1)) != 0 &&
        errno != EINVAL && errno != EPERM && errno != EROFS)
        throw_errno("process.user.uid: chown " + slave_name);
    if (size) {
        winsize ws{};
        ws.ws_row = static_cast<unsigned short>(size->height);
        ws.ws_col = static_cast<unsigned short>(size->width);
        if (::ioctl(master.get(), TIOCSWINSZ, &ws) != 0) throw_errno("process.consoleSize");
    }
    // /dev/console is the container's terminal, as on a real machine.
    if (bind_console) {
        Fd target(::open("/dev/console", O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600));
        if ((target || errno == EEXIST) &&
            ::mount(slave_name.c_str(), "/dev/console", nullptr, MS_BIND, nullptr) != 0)
            throw_errno("process.terminal: bind " + slave_name + " on /dev/console");
    }
    with_context("process.terminal: send the pty master over the console socket",
                 [&] { send_fd(console_sock, master.get(), slave_name); });
    for (int i = 0; i < 3; ++i)
        if (::dup2(slave.get(), i) < 0) throw_errno("process.terminal: dup2 the pty slave");
    if (::ioctl(0, TIOCSCTTY, 0) != 0) throw_errno("process.terminal: set controlling terminal");
}

}  // namespace ocirt::linux_
