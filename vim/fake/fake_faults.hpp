#pragma once
/// @file
/// The faults a test injects into vim::FakeVim (fake_vim.hpp): which call (FakeCall), how it
/// fails (FakeFailure), and a call made to hang until the test lets it go (FakeHold).

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/experimental/concurrent_channel.hpp>

#include "common/asio.hpp"

namespace escd::vim {

/// Every coroutine of the capability interfaces (vim/capabilities/*.hpp), by name.
enum class FakeCall {
    kCreateTenant,
    kUpdateTenant,
    kDeleteTenant,
    kEnsureNetwork,
    kHasNetwork,
    kDeleteNetwork,
    kCreateVolume,
    kDeleteVolume,
    kCreateFlavor,
    kDeleteFlavor,
    kEnsureRouter,
    kDeleteRouter,
    kCreateVm,
    kDeleteVm,
    kStopVm,
    kStartVm,
    kRebootVm,
    kAttachNic,
    kDetachNic,
    kGetVm,
    kGetVmStats,
    kListVmNames,
    kListHosts,
    kCreateVmSnapshot,
    kRevertVmSnapshot,
    kDeleteVmSnapshot,
    kCreateVolumeFromSnapshot,
    kMigrateVm,
    kCheckStatus,  ///< a failure here is an unreachable VIM (Reachability never throws)
    kReconnect,    ///< likewise
};
inline constexpr std::size_t kFakeCallCount = static_cast<std::size_t>(FakeCall::kReconnect) + 1;

/// "CreateVm", ... for messages.
std::string_view ToString(FakeCall call) noexcept;

/// How an injected failure fails the call: as the real backends report the same cases.
enum class FakeFailure {
    kVimError,     ///< VimError(kVimError): the VIM refused or failed the request
    kUnavailable,  ///< vim::VimUnavailable: the VIM did not answer (the engine retries)
    kNotFound,     ///< VimError(kNotFound): the object is gone
};

/// The exception `failure` throws from `call` (its message names both, for the callbacks).
std::exception_ptr FailureOf(FakeFailure failure, FakeCall call);

/// Calls made to hang (FakeVim::Hang): each call parks until the test releases them all, or
/// fails them all with one failure. Parked calls hold no thread: each waits on a channel, and
/// resumes on its caller's executor. Thread safe; a test thread may block in WaitParked().
class FakeHold {
  public:
    explicit FakeHold(FakeCall call) : call_(call) {}
    FakeHold(const FakeHold&) = delete;
    FakeHold& operator=(const FakeHold&) = delete;

    FakeCall call() const { return call_; }
    /// The parked calls go on and do their work; later calls no longer park.
    void Release();
    /// The parked calls fail with `failure`; later calls no longer park.
    void Fail(FakeFailure failure);
    /// How many calls parked here so far (released ones included).
    std::size_t Parked() const;
    /// Blocks until `count` calls parked here, or `timeout` passed; whether they did.
    bool WaitParked(std::size_t count, std::chrono::milliseconds timeout) const;
    /// Whether Release() or Fail() ended the hold.
    bool Ended() const;

    /// Parks the calling coroutine (FakeVim's calls do); throws the failure Fail() names.
    asio::awaitable<void> Park();

  private:
    using Channel = asio::experimental::concurrent_channel<void(boost::system::error_code, int)>;
    void End(std::optional<FakeFailure> failure);

    const FakeCall call_;
    mutable std::mutex mutex_;
    mutable std::condition_variable parked_changed_;
    std::size_t parked_ = 0;
    bool ended_ = false;
    std::optional<FakeFailure> failure_;
    std::vector<std::shared_ptr<Channel>> waiting_;
};

}  // namespace escd::vim
