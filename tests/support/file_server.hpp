#pragma once
// A small HTTP file server on 127.0.0.1 for image-download tests: serves the files it was given,
// optionally only with Basic credentials, and can be told to cut a file short (it announces the
// full Content-Length and closes half way), so that a failed download is a real one.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace escd::test {

class FileServer {
  public:
    FileServer();
    ~FileServer();
    FileServer(const FileServer&) = delete;
    FileServer& operator=(const FileServer&) = delete;

    /// Serves `content` at `path` ("/images/tiny.raw"). `truncate`: send half, then close.
    void Add(const std::string& path, std::string content, bool truncate = false);
    /// Requires these Basic credentials from now on (401 otherwise).
    void RequireAuth(std::string user, std::string password);
    std::uint16_t port() const { return port_; }
    std::string BaseUrl() const { return "http://127.0.0.1:" + std::to_string(port_); }
    /// Requests served so far, and how many of them were refused for credentials.
    int requests() const;
    int unauthorized() const;

  private:
    struct File {
        std::string content;
        bool truncate = false;
    };
    void Serve();
    void Handle(int fd);

    int listen_fd_ = -1;
    std::uint16_t port_ = 0;
    bool stopping_ = false;
    mutable std::mutex mutex_;
    std::map<std::string, File> files_;
    std::string auth_;  ///< expected Authorization header value, "" = none
    int requests_ = 0;
    int unauthorized_ = 0;
    std::thread thread_;
};

}  // namespace escd::test
