#include "tests/support/file_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string_view>

#include "common/crypto.hpp"

namespace escd::test {
namespace {
void SendAll(int fd, std::string_view data) {
    while (!data.empty()) {
        auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n <= 0) return;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

std::string Answer(int status, std::string_view reason, std::size_t length) {
    return "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) +
           "\r\nContent-Length: " + std::to_string(length) + "\r\nConnection: close\r\n\r\n";
}
}  // namespace

FileServer::FileServer() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listen_fd_, 16) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        throw std::runtime_error("file server: cannot listen");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
}

FileServer::~FileServer() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    ::shutdown(listen_fd_, SHUT_RDWR);  // wakes the blocking accept
    thread_.join();
    ::close(listen_fd_);
}

void FileServer::Add(const std::string& path, std::string content, bool truncate) {
    std::lock_guard lock(mutex_);
    files_[path] = File{std::move(content), truncate};
}

void FileServer::RequireAuth(std::string user, std::string password) {
    std::lock_guard lock(mutex_);
    auth_ = "Basic " + Base64Encode(user + ":" + password);
}

int FileServer::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

int FileServer::unauthorized() const {
    std::lock_guard lock(mutex_);
    return unauthorized_;
}

void FileServer::Serve() {
    while (true) {
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        {
            std::lock_guard lock(mutex_);
            if (stopping_) {
                if (fd >= 0) ::close(fd);
                return;
            }
        }
        if (fd < 0) continue;
        Handle(fd);
        ::close(fd);
    }
}

void FileServer::Handle(int fd) {
    std::string request;
    char buffer[4096];
    while (request.find("\r\n\r\n") == std::string::npos && request.size() < 65536) {
        auto n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) return;
        request.append(buffer, static_cast<std::size_t>(n));
    }
    auto line_end = request.find("\r\n");
    auto first = request.substr(0, line_end);  // GET /path HTTP/1.1
    auto path_begin = first.find(' ') + 1;
    auto path = first.substr(path_begin, first.rfind(' ') - path_begin);
    std::string authorization;
    for (auto pos = line_end + 2; pos < request.size();) {
        auto end = request.find("\r\n", pos);
        auto header = request.substr(pos, end - pos);
        if (header.size() > 14 && (header.compare(0, 14, "Authorization:") == 0 ||
                                   header.compare(0, 14, "authorization:") == 0)) {
            authorization = header.substr(header.find_first_not_of(' ', 14));
        }
        pos = end + 2;
        if (header.empty()) break;
    }

    File file;
    bool found = false;
    {
        std::lock_guard lock(mutex_);
        ++requests_;
        if (!auth_.empty() && authorization != auth_) {
            ++unauthorized_;
            SendAll(fd, Answer(401, "Unauthorized", 0));
            return;
        }
        auto it = files_.find(path);
        if (it != files_.end()) {
            file = it->second;
            found = true;
        }
    }
    if (!found) {
        SendAll(fd, Answer(404, "Not Found", 0));
        return;
    }
    SendAll(fd, Answer(200, "OK", file.content.size()));
    if (file.truncate) {
        SendAll(fd, std::string_view(file.content).substr(0, file.content.size() / 2));
        return;  // the caller closes: a download cut short
    }
    SendAll(fd, file.content);
}

}  // namespace escd::test
