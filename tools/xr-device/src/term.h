// Terminal I/O of a session. The emulator runs on a pty (sshd, telnetd) whose line discipline
// echoes and edits input, so it reads whole lines; without a tty (ssh exec, pipes) the same code
// reads lines from a plain stream.
#pragma once

#include <string>

namespace xr {

class Term {
  public:
    Term(int in_fd, int out_fd);
    enum class Read { Line, Eof, Timeout };
    // Waits up to timeout_ms (-1: forever) for one line; CR, LF, CR LF and CR NUL all end a line
    // (telnet clients send CR NUL or CR LF).
    Read read_line(std::string& line, int timeout_ms);
    // Reads a line with echo switched off, then prints the newline the user did not see.
    Read read_secret(std::string& line);
    void write(const std::string& s);
    bool is_tty() const { return tty_; }

  private:
    int in_, out_;
    bool tty_;
    bool skip_lf_ = false;  // the previous line ended with CR: ignore a following LF / NUL
    std::string buf_;
};

}  // namespace xr
