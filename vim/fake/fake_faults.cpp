#include "vim/fake/fake_faults.hpp"

#include "common/error.hpp"
#include "vim/capabilities/common.hpp"

namespace escd::vim {

std::string_view ToString(FakeCall call) noexcept {
    switch (call) {
        case FakeCall::kCreateTenant:
            return "CreateTenant";
        case FakeCall::kUpdateTenant:
            return "UpdateTenant";
        case FakeCall::kDeleteTenant:
            return "DeleteTenant";
        case FakeCall::kEnsureNetwork:
            return "EnsureNetwork";
        case FakeCall::kHasNetwork:
            return "HasNetwork";
        case FakeCall::kDeleteNetwork:
            return "DeleteNetwork";
        case FakeCall::kCreateVolume:
            return "CreateVolume";
        case FakeCall::kDeleteVolume:
            return "DeleteVolume";
        case FakeCall::kCreateFlavor:
            return "CreateFlavor";
        case FakeCall::kDeleteFlavor:
            return "DeleteFlavor";
        case FakeCall::kEnsureRouter:
            return "EnsureRouter";
        case FakeCall::kDeleteRouter:
            return "DeleteRouter";
        case FakeCall::kCreateVm:
            return "CreateVm";
        case FakeCall::kDeleteVm:
            return "DeleteVm";
        case FakeCall::kStopVm:
            return "StopVm";
        case FakeCall::kStartVm:
            return "StartVm";
        case FakeCall::kRebootVm:
            return "RebootVm";
        case FakeCall::kAttachNic:
            return "AttachNic";
        case FakeCall::kDetachNic:
            return "DetachNic";
        case FakeCall::kGetVm:
            return "GetVm";
        case FakeCall::kGetVmStats:
            return "GetVmStats";
        case FakeCall::kListVmNames:
            return "ListVmNames";
        case FakeCall::kListHosts:
            return "ListHosts";
        case FakeCall::kCreateVmSnapshot:
            return "CreateVmSnapshot";
        case FakeCall::kRevertVmSnapshot:
            return "RevertVmSnapshot";
        case FakeCall::kDeleteVmSnapshot:
            return "DeleteVmSnapshot";
        case FakeCall::kCreateVolumeFromSnapshot:
            return "CreateVolumeFromSnapshot";
        case FakeCall::kMigrateVm:
            return "MigrateVm";
        case FakeCall::kCheckStatus:
            return "CheckStatus";
        case FakeCall::kReconnect:
            return "Reconnect";
    }
    return "?";
}

std::exception_ptr FailureOf(FakeFailure failure, FakeCall call) {
    const std::string what = "fake VIM: " + std::string(ToString(call)) + " failed (injected)";
    switch (failure) {
        case FakeFailure::kVimError:
            return std::make_exception_ptr(VimError(ErrorCode::kVimError, what));
        case FakeFailure::kUnavailable:
            return std::make_exception_ptr(VimUnavailable("fake service", what));
        case FakeFailure::kNotFound:
            return std::make_exception_ptr(VimError(ErrorCode::kNotFound, what));
    }
    return std::make_exception_ptr(Error(ErrorCode::kInternal, what));
}

void FakeHold::End(std::optional<FakeFailure> failure) {
    std::vector<std::shared_ptr<Channel>> waiting;
    {
        std::lock_guard lock(mutex_);
        if (ended_) return;
        ended_ = true;
        failure_ = failure;
        waiting.swap(waiting_);
    }
    // Room for one message in each channel: the send never waits, whether or not its call
    // has begun to receive yet.
    for (auto& channel : waiting) channel->try_send(boost::system::error_code{}, 0);
    parked_changed_.notify_all();
}

void FakeHold::Release() {
    End(std::nullopt);
}

void FakeHold::Fail(FakeFailure failure) {
    End(failure);
}

std::size_t FakeHold::Parked() const {
    std::lock_guard lock(mutex_);
    return parked_;
}

bool FakeHold::Ended() const {
    std::lock_guard lock(mutex_);
    return ended_;
}

bool FakeHold::WaitParked(std::size_t count, std::chrono::milliseconds timeout) const {
    std::unique_lock lock(mutex_);
    return parked_changed_.wait_for(lock, timeout, [&] { return parked_ >= count; });
}

asio::awaitable<void> FakeHold::Park() {
    auto channel = std::make_shared<Channel>(co_await asio::this_coro::executor, 1);
    bool wait = false;
    {
        std::lock_guard lock(mutex_);
        ++parked_;
        if (!ended_) {
            waiting_.push_back(channel);
            wait = true;
        }
    }
    parked_changed_.notify_all();
    if (wait) {
        auto [ec, ignored] = co_await channel->async_receive(asio::as_tuple(asio::use_awaitable));
        (void)ignored;
        if (ec)
            throw Error(ErrorCode::kInternal, "fake VIM: hold of " + std::string(ToString(call_)) +
                                                  " cancelled: " + ec.message());
    }
    std::optional<FakeFailure> failure;
    {
        std::lock_guard lock(mutex_);
        failure = failure_;
    }
    if (failure) std::rethrow_exception(FailureOf(*failure, call_));
}

}  // namespace escd::vim
