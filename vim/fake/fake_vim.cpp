// FakeVim: the call entry (posts, counts, faults), tenants, networks, storage, flavors, routers,
// hosts, reachability, lifecycle events, fault injection and inspection. VMs, snapshots and
// migration are in fake_compute.cpp.

#include "vim/fake/fake_vim.hpp"

#include <algorithm>

#include "common/error.hpp"

namespace escd::vim {

FakeVim::FakeVim(FakeVimOptions options) : options_(std::move(options)) {}

FakeVim::~FakeVim() {
    // Calls still parked fail rather than wait for a hold nobody will release.
    for (auto& plan : plans_)
        if (plan.hold) plan.hold->Fail(FakeFailure::kUnavailable);
}

asio::awaitable<void> FakeVim::Enter(FakeCall call) {
    // Never inline: the caller resumes later on its own executor, as after an offloaded call.
    auto executor = co_await asio::this_coro::executor;
    co_await asio::post(executor, asio::use_awaitable);
    auto& plan = plans_[static_cast<std::size_t>(call)];
    std::shared_ptr<FakeHold> hold;
    {
        std::lock_guard lock(mutex_);
        ++plan.calls;
        if (plan.hold && plan.hold->Ended()) plan.hold.reset();
        hold = plan.hold;
        Changed();
    }
    if (hold) co_await hold->Park();
    std::exception_ptr failure;
    {
        std::lock_guard lock(mutex_);
        if (plan.always) {
            failure = FailureOf(*plan.always, call);
        } else if (plan.fail_next > 0) {
            --plan.fail_next;
            failure = FailureOf(plan.next_failure, call);
        }
    }
    if (failure) std::rethrow_exception(failure);
}

// ---- tenants -------------------------------------------------------------------------------

namespace {
std::string TenantExternalId(const std::string& internal_id) {
    return "fake-tenant-" + internal_id;
}
}  // namespace

asio::awaitable<std::string> FakeVim::CreateTenant(const TenantRequest& request) {
    co_await Enter(FakeCall::kCreateTenant);
    std::lock_guard lock(mutex_);
    tenants_.try_emplace(request.internal_id, request);  // a second create finds the first
    Changed();
    co_return TenantExternalId(request.internal_id);
}

asio::awaitable<void> FakeVim::UpdateTenant(const std::string& external_id,
                                            const TenantRequest& request) {
    co_await Enter(FakeCall::kUpdateTenant);
    std::lock_guard lock(mutex_);
    for (auto& [id, tenant] : tenants_) {
        if (TenantExternalId(id) != external_id) continue;
        tenant = request;
        tenant.internal_id = id;
        Changed();
        co_return;
    }
    throw VimError(ErrorCode::kNotFound, "fake VIM: no tenant " + external_id);
}

asio::awaitable<void> FakeVim::DeleteTenant(const std::string& external_id) {
    co_await Enter(FakeCall::kDeleteTenant);
    std::lock_guard lock(mutex_);
    std::erase_if(tenants_,
                  [&](const auto& entry) { return TenantExternalId(entry.first) == external_id; });
    Changed();
}

// ---- networks ------------------------------------------------------------------------------

asio::awaitable<EnsuredNetwork> FakeVim::EnsureNetwork(const NetworkRequest& request) {
    co_await Enter(FakeCall::kEnsureNetwork);
    std::lock_guard lock(mutex_);
    networks_[request.internal_id] = request;  // made, or made to match
    EnsuredNetwork ensured;
    ensured.external_id = "fake-net-" + request.internal_id;
    for (const auto& subnet : request.subnets)
        ensured.subnet_external_ids[subnet.internal_id] = "fake-subnet-" + subnet.internal_id;
    Changed();
    co_return ensured;
}

asio::awaitable<bool> FakeVim::HasNetwork(const std::string& internal_id) {
    co_await Enter(FakeCall::kHasNetwork);
    std::lock_guard lock(mutex_);
    co_return networks_.contains(internal_id);
}

asio::awaitable<void> FakeVim::DeleteNetwork(const std::string& internal_id) {
    co_await Enter(FakeCall::kDeleteNetwork);
    std::lock_guard lock(mutex_);
    networks_.erase(internal_id);
    Changed();
}

// ---- storage -------------------------------------------------------------------------------

asio::awaitable<VimObject> FakeVim::CreateVolume(const VolumeRequest& request) {
    co_await Enter(FakeCall::kCreateVolume);
    std::lock_guard lock(mutex_);
    const auto external_id = FakeVolumeId(request.kind, request.internal_id);
    // A leftover of an interrupted create of the same id is replaced.
    volumes_[{request.kind, request.internal_id}] = FakeVolume{request, external_id, {}};
    Changed();
    co_return VimObject{external_id, {}};
}

asio::awaitable<void> FakeVim::DeleteVolume(VolumeKind kind, const std::string& internal_id) {
    co_await Enter(FakeCall::kDeleteVolume);
    std::lock_guard lock(mutex_);
    volumes_.erase({kind, internal_id});
    Changed();
}

// ---- flavors and routers -------------------------------------------------------------------

asio::awaitable<VimObject> FakeVim::CreateFlavor(const FlavorRequest& request) {
    co_await Enter(FakeCall::kCreateFlavor);
    std::lock_guard lock(mutex_);
    flavors_.try_emplace(request.internal_id, request);
    Changed();
    co_return VimObject{"fake-flavor-" + request.internal_id, {}};
}

asio::awaitable<void> FakeVim::DeleteFlavor(const std::string& external_id) {
    co_await Enter(FakeCall::kDeleteFlavor);
    std::lock_guard lock(mutex_);
    std::erase_if(flavors_,
                  [&](const auto& entry) { return "fake-flavor-" + entry.first == external_id; });
    Changed();
}

asio::awaitable<VimObject> FakeVim::EnsureRouter(const RouterRequest& request) {
    co_await Enter(FakeCall::kEnsureRouter);
    std::lock_guard lock(mutex_);
    routers_[request.internal_id] = request;
    Changed();
    co_return VimObject{"fake-router-" + request.internal_id, {}};
}

asio::awaitable<void> FakeVim::DeleteRouter(const std::string& external_id) {
    co_await Enter(FakeCall::kDeleteRouter);
    std::lock_guard lock(mutex_);
    std::erase_if(routers_,
                  [&](const auto& entry) { return "fake-router-" + entry.first == external_id; });
    Changed();
}

// ---- hosts, reachability -------------------------------------------------------------------

asio::awaitable<std::vector<std::string>> FakeVim::ListHosts() {
    co_await Enter(FakeCall::kListHosts);
    co_return options_.hosts;
}

asio::awaitable<VimStatus> FakeVim::CheckStatus() {
    // Never throws: an injected failure is an unreachable VIM.
    try {
        co_await Enter(FakeCall::kCheckStatus);
    } catch (const std::exception& e) {
        co_return VimStatus{false, e.what()};
    }
    co_return VimStatus{true, "connected to the fake VIM"};
}

asio::awaitable<VimStatus> FakeVim::Reconnect() {
    try {
        co_await Enter(FakeCall::kReconnect);
    } catch (const std::exception& e) {
        co_return VimStatus{false, e.what()};
    }
    co_return VimStatus{true, "connected to the fake VIM"};
}

// ---- lifecycle events ----------------------------------------------------------------------

bool FakeVim::SubscribeVmEvents(VmEventHandler handler) {
    std::lock_guard lock(mutex_);
    handler_ = std::move(handler);
    return true;
}

void FakeVim::SetState(FakeVm& vm, FakeVmState state, std::vector<Event>& events) {
    const bool was_running = vm.running();
    vm.state = state;
    if (vm.running() != was_running) events.push_back({vm.name, vm.running()});
    Changed();
}

void FakeVim::Deliver(const std::vector<Event>& events) {
    for (const auto& event : events) {
        VmEventHandler handler;
        {
            std::lock_guard lock(mutex_);
            if (drop_events_ || drop_next_events_ > 0) {
                if (drop_next_events_ > 0) --drop_next_events_;
                ++dropped_events_;
                Changed();
                continue;
            }
            handler = handler_;
            if (handler) ++delivered_events_;
            Changed();
        }
        // Outside the lock: the handler may call back into the fake.
        if (handler) handler(event.vm, event.running);
    }
}

// ---- fault injection -----------------------------------------------------------------------

void FakeVim::Fail(FakeCall call, FakeFailure failure) {
    std::lock_guard lock(mutex_);
    plans_[static_cast<std::size_t>(call)].always = failure;
}

void FakeVim::FailNext(FakeCall call, int count, FakeFailure failure) {
    std::lock_guard lock(mutex_);
    auto& plan = plans_[static_cast<std::size_t>(call)];
    plan.fail_next = count;
    plan.next_failure = failure;
}

std::shared_ptr<FakeHold> FakeVim::Hang(FakeCall call) {
    auto hold = std::make_shared<FakeHold>(call);
    std::shared_ptr<FakeHold> previous;
    {
        std::lock_guard lock(mutex_);
        previous = std::exchange(plans_[static_cast<std::size_t>(call)].hold, hold);
    }
    if (previous) previous->Release();
    return hold;
}

void FakeVim::Heal(FakeCall call) {
    std::shared_ptr<FakeHold> hold;
    {
        std::lock_guard lock(mutex_);
        auto& plan = plans_[static_cast<std::size_t>(call)];
        plan.always.reset();
        plan.fail_next = 0;
        hold = std::move(plan.hold);
    }
    if (hold) hold->Release();
}

void FakeVim::HealAll() {
    for (std::size_t i = 0; i < kFakeCallCount; ++i) Heal(static_cast<FakeCall>(i));
}

void FakeVim::DropEvents(bool drop) {
    std::lock_guard lock(mutex_);
    drop_events_ = drop;
}

void FakeVim::DropNextEvents(int count) {
    std::lock_guard lock(mutex_);
    drop_next_events_ = count;
}

// ---- inspection ----------------------------------------------------------------------------

int FakeVim::Calls(FakeCall call) const {
    std::lock_guard lock(mutex_);
    return plans_[static_cast<std::size_t>(call)].calls;
}

std::vector<FakeVm> FakeVim::Vms() const {
    std::lock_guard lock(mutex_);
    std::vector<FakeVm> out;
    for (const auto& [name, vm] : vms_) out.push_back(vm);
    return out;
}

std::optional<FakeVm> FakeVim::Vm(const std::string& name) const {
    std::lock_guard lock(mutex_);
    auto it = vms_.find(name);
    if (it == vms_.end()) return std::nullopt;
    return it->second;
}

bool FakeVim::HasTenant(const std::string& internal_id) const {
    std::lock_guard lock(mutex_);
    return tenants_.contains(internal_id);
}

std::optional<NetworkRequest> FakeVim::Network(const std::string& internal_id) const {
    std::lock_guard lock(mutex_);
    auto it = networks_.find(internal_id);
    if (it == networks_.end()) return std::nullopt;
    return it->second;
}

std::optional<FakeVolume> FakeVim::Volume(VolumeKind kind, const std::string& internal_id) const {
    std::lock_guard lock(mutex_);
    auto it = volumes_.find({kind, internal_id});
    if (it == volumes_.end()) return std::nullopt;
    return it->second;
}

bool FakeVim::HasFlavor(const std::string& internal_id) const {
    std::lock_guard lock(mutex_);
    return flavors_.contains(internal_id);
}

std::optional<RouterRequest> FakeVim::Router(const std::string& internal_id) const {
    std::lock_guard lock(mutex_);
    auto it = routers_.find(internal_id);
    if (it == routers_.end()) return std::nullopt;
    return it->second;
}

int FakeVim::DeliveredEvents() const {
    std::lock_guard lock(mutex_);
    return delivered_events_;
}

int FakeVim::DroppedEvents() const {
    std::lock_guard lock(mutex_);
    return dropped_events_;
}

bool FakeVim::WaitUntil(const std::function<bool(const FakeVim&)>& condition,
                        std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        std::uint64_t seen = 0;
        {
            std::lock_guard lock(mutex_);
            seen = version_;
        }
        // Evaluated unlocked: the condition reads the fake through its own accessors.
        if (condition(*this)) return true;
        std::unique_lock lock(mutex_);
        if (!changed_.wait_until(lock, deadline, [&] { return version_ != seen; })) return false;
    }
}

}  // namespace escd::vim
