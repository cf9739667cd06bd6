#pragma once
/// @file
/// Runs the real escd binary as a child process on ephemeral loopback ports, for integration
/// tests.

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_client.hpp"

namespace escd::test {

struct EscdOptions {
    std::string dsn;
    std::string admin_password = "escd-test-pass";
    /// Appended after the defaults; a later flag overrides an earlier one.
    std::vector<std::string> extra_args;
    /// Empty: a fresh temporary directory that the EscdProcess owns and removes.
    std::string data_dir;
    /// Empty: ESCD_BINARY_PATH. Lets the harness itself be tested with a stand-in program.
    std::string binary;
};

class EscdProcess {
  public:
    /// Starts escd and blocks until it prints "escd ready http=<port> https=<port>" (at most
    /// 60 s). Throws std::runtime_error with the tail of escd.log if escd exits or times out
    /// first.
    explicit EscdProcess(EscdOptions options);
    /// SIGKILLs a still-running escd; prints the tail of escd.log if the current test failed.
    ~EscdProcess();
    EscdProcess(const EscdProcess&) = delete;
    EscdProcess& operator=(const EscdProcess&) = delete;

    std::uint16_t http_port() const { return http_port_; }
    std::uint16_t https_port() const { return https_port_; }
    /// The CSM face's HTTP port (0 when its listener is off).
    std::uint16_t csm_port() const { return csm_port_; }
    /// A client of 127.0.0.1 with basic auth admin/<admin_password>.
    HttpClient Client(bool tls = false) const;

    /// SIGKILL, then waits for the process to be reaped.
    void Kill();
    /// SIGTERM, then waits; returns the exit code, or -signal if a signal ended it. After
    /// `timeout` it fails the current test and SIGKILLs.
    int Terminate(std::chrono::seconds timeout = std::chrono::seconds(30));
    /// Sends `signal_number` (e.g. SIGHUP) if escd is still running.
    void Signal(int signal_number);
    bool running() const;
    pid_t pid() const { return pid_; }

    /// What this process wrote to stderr (and stdout) so far. escd.log in data_dir() also keeps
    /// the output of earlier processes that used the same directory.
    std::string Log() const;
    /// Blocks until escd's output (stdout and stderr, this process only) contains `needle` at
    /// least `count` times, or `timeout` passes; returns whether it did. Woken by each chunk of
    /// output, not by polling.
    bool WaitForLog(std::string_view needle,
                    std::size_t count,
                    std::chrono::milliseconds timeout) const;
    const std::string& data_dir() const { return data_dir_; }
    const std::string& admin_password() const { return options_.admin_password; }
    std::filesystem::path log_path() const { return log_path_; }

  private:
    void Spawn();
    void WaitForReady();
    void Reap();
    void Drain();
    /// After the process exited: waits (briefly) until the drainer has logged what is left in
    /// the pipe, so that Log() shows the process's last words.
    void CatchUpWithOutput();
    void AppendToLog(const char* data, std::size_t size);
    void Cleanup();
    std::string Tail(std::size_t lines) const;

    EscdOptions options_;
    std::string data_dir_;
    bool owns_data_dir_ = false;
    std::filesystem::path log_path_;
    std::uintmax_t log_start_ = 0;
    int log_fd_ = -1;     // O_APPEND, for escd's stdout lines
    int stdout_fd_ = -1;  // read end of escd's stdout
    int stop_fd_ = -1;    // eventfd that ends Drain()
    pid_t pid_ = -1;
    std::uint16_t http_port_ = 0;
    std::uint16_t https_port_ = 0;
    std::uint16_t csm_port_ = 0;

    mutable std::mutex mutex_;
    std::mutex drain_mutex_;           ///< held by the drainer across each read and its append
    std::condition_variable drained_;  ///< signalled (under drain_mutex_) after each read
    mutable std::condition_variable output_cv_;
    std::string output_;  // what this process printed, guarded by mutex_
    std::condition_variable exited_cv_;
    bool exited_ = false;  // set only once reaped, so a signal never reaches a recycled pid
    int exit_code_ = 0;

    std::thread reaper_;
    std::thread drainer_;
};

}  // namespace escd::test
