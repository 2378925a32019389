#pragma once
// Copies between this process's stdio and a pty master (run -t in the
// foreground). While it lives, a terminal on stdin is in raw mode.
#include <termios.h>

#include "ocirt/util/fd.hpp"

namespace ocirt::linux_ {

class ConsoleRelay {
public:
    explicit ConsoleRelay(Fd master);
    ~ConsoleRelay();
    ConsoleRelay(const ConsoleRelay&) = delete;
    ConsoleRelay& operator=(const ConsoleRelay&) = delete;

    int master() const { return master_.get(); }
    // Copies what is readable; false once the master side is closed.
    bool pump_master_to_stdout();
    void pump_stdin_to_master();
    void copy_window_size();
    bool stdin_open() const { return stdin_open_; }

private:
    Fd master_;
    bool raw_ = false;
    bool stdin_open_ = true;
    termios saved_{};
};

}  // namespace ocirt::linux_
