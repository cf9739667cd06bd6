#include "term.h"

#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

namespace xr {

Term::Term(int in_fd, int out_fd) : in_(in_fd), out_(out_fd), tty_(isatty(in_fd) != 0) {}

void Term::write(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
        ssize_t w = ::write(out_, s.data() + off, s.size() - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;  // peer gone; the read side will see EOF
        off += static_cast<size_t>(w);
    }
}

Term::Read Term::read_line(std::string& line, int timeout_ms) {
    for (;;) {
        // Drop the LF / NUL that completes a CR line ending.
        while (skip_lf_ && !buf_.empty()) {
            if (buf_[0] == '\n' || buf_[0] == '\0') buf_.erase(0, 1);
            skip_lf_ = false;
        }
        auto pos = buf_.find_first_of("\r\n");
        if (pos != std::string::npos) {
            line = buf_.substr(0, pos);
            skip_lf_ = buf_[pos] == '\r';
            buf_.erase(0, pos + 1);
            return Read::Line;
        }
        struct pollfd p = {in_, POLLIN, 0};
        int r = ::poll(&p, 1, timeout_ms);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) return Read::Timeout;
        char tmp[4096];
        ssize_t n = ::read(in_, tmp, sizeof tmp);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (!buf_.empty()) {  // last line without a terminator
                line = buf_;
                buf_.clear();
                return Read::Line;
            }
            return Read::Eof;
        }
        buf_.append(tmp, static_cast<size_t>(n));
    }
}

Term::Read Term::read_secret(std::string& line) {
    struct termios old {};
    bool restore = false;
    if (tty_ && tcgetattr(in_, &old) == 0) {
        struct termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        quiet.c_lflag |= ECHONL;  // the user still sees the line end
        restore = tcsetattr(in_, TCSANOW, &quiet) == 0;
    }
    Read r = read_line(line, -1);
    if (restore) tcsetattr(in_, TCSANOW, &old);
    if (!tty_) write("\n");
    return r;
}

}  // namespace xr
