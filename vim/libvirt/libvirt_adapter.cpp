#include "vim/libvirt/libvirt_adapter.hpp"

#include <cstdlib>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"
#include "vim/libvirt/libvirt_events.hpp"
#include "vim/libvirt/libvirt_handles.hpp"

namespace escd::vim {
namespace {
// libvirt prints every error to stderr by default; escd reports them itself.
void QuietErrors(void*, virErrorPtr) {}
using libvirt::LastError;
}  // namespace

struct LibvirtAdapter::Connection {
    virConnectPtr ptr = nullptr;
    ~Connection() {
        if (ptr) virConnectClose(ptr);
    }
};

LibvirtAdapter::LibvirtAdapter(Options options, asio::thread_pool& pool)
    : options_(std::move(options)), pool_(pool), connection_(std::make_unique<Connection>()) {
    virSetErrorFunc(nullptr, QuietErrors);
    // Before the first connection is opened: libvirt delivers events only to connections
    // opened after the loop was registered.
    libvirt::EnsureEventLoop();
}

LibvirtAdapter::~LibvirtAdapter() {
    std::lock_guard lock(mutex_);
    CloseLocked();
}

void LibvirtAdapter::OpenLocked() {
    connection_->ptr = virConnectOpen(uri_.c_str());
    if (!connection_->ptr) return;
    bool subscribed = false;
    {
        std::lock_guard events_lock(events_mutex_);
        subscribed = static_cast<bool>(vm_events_);
    }
    if (subscribed) {
        event_callback_ = virConnectDomainEventRegisterAny(
            connection_->ptr, nullptr, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
            VIR_DOMAIN_EVENT_CALLBACK(&LibvirtAdapter::OnLifecycle), this, nullptr);
        if (event_callback_ < 0)
            ESCD_WARN("vim") << "no lifecycle events from " << uri_ << ": " << LastError();
    }
}

void LibvirtAdapter::CloseLocked() {
    if (!connection_->ptr) return;
    if (event_callback_ >= 0) virConnectDomainEventDeregisterAny(connection_->ptr, event_callback_);
    event_callback_ = -1;
    virConnectClose(connection_->ptr);
    connection_->ptr = nullptr;
}

int LibvirtAdapter::OnLifecycle(virConnectPtr, virDomainPtr domain, int event, int, void* opaque) {
    bool running = false;
    switch (event) {
        case VIR_DOMAIN_EVENT_STARTED:
        case VIR_DOMAIN_EVENT_RESUMED:
            running = true;
            break;
        case VIR_DOMAIN_EVENT_STOPPED:
        case VIR_DOMAIN_EVENT_CRASHED:
        case VIR_DOMAIN_EVENT_SUSPENDED:
            running = false;
            break;
        default:
            return 0;
    }
    const char* name = virDomainGetName(domain);
    if (!name) return 0;
    auto* self = static_cast<LibvirtAdapter*>(opaque);
    VmEventHandler handler;
    {
        // On the event loop thread: not under mutex_, which a VIM call may hold while libvirt
        // waits for this thread.
        std::lock_guard lock(self->events_mutex_);
        handler = self->vm_events_;
    }
    ESCD_DEBUG("vim") << "lifecycle event " << event << " of " << name;
    if (handler) handler(name, running);
    return 0;
}

bool LibvirtAdapter::SubscribeVmEvents(VmEventHandler handler) {
    if (!libvirt::EnsureEventLoop()) return false;
    {
        std::lock_guard events_lock(events_mutex_);
        vm_events_ = std::move(handler);
    }
    std::lock_guard lock(mutex_);
    if (connection_->ptr && event_callback_ < 0) {
        event_callback_ = virConnectDomainEventRegisterAny(
            connection_->ptr, nullptr, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
            VIR_DOMAIN_EVENT_CALLBACK(&LibvirtAdapter::OnLifecycle), this, nullptr);
    }
    if (connection_->ptr && event_callback_ < 0) {
        ESCD_WARN("vim") << "no lifecycle events from " << uri_ << ": " << LastError();
        return false;
    }
    return true;
}

void LibvirtAdapter::Connect() {
    std::lock_guard lock(mutex_);
    if (connection_->ptr) return;
    OpenLocked();
    if (!connection_->ptr)
        throw Error(ErrorCode::kUnavailable, "cannot connect to VIM " + uri_ + ": " + LastError());
    ESCD_INFO("vim") << "connected to libvirt " << uri_;
}

void LibvirtAdapter::EnsureAlive() {
    std::lock_guard lock(mutex_);
    if (connection_->ptr && virConnectIsAlive(connection_->ptr) == 1) return;
    CloseLocked();
    OpenLocked();
    if (!connection_->ptr)
        throw Error(ErrorCode::kUnavailable, "VIM " + uri_ + " unreachable: " + LastError());
}

virConnectPtr LibvirtAdapter::Ref() {
    EnsureAlive();
    std::lock_guard lock(mutex_);
    if (!connection_->ptr || virConnectRef(connection_->ptr) != 0)
        throw Error(ErrorCode::kUnavailable, "VIM " + uri_ + " connection lost");
    return connection_->ptr;
}

asio::awaitable<std::string> LibvirtAdapter::CreateTenant(const TenantRequest& request) {
    co_return co_await Offload(pool_, [this, &request] {
        EnsureAlive();
        std::lock_guard lock(mutex_);
        auto [it, inserted] = tenants_.try_emplace(request.internal_id, "");
        if (inserted) it->second = RandomHex(16);
        return it->second;
    });
}

asio::awaitable<void> LibvirtAdapter::UpdateTenant(const std::string& external_id,
                                                   const TenantRequest& request) {
    co_await Offload(pool_, [this, &external_id, &request] {
        EnsureAlive();
        std::lock_guard lock(mutex_);
        // The record may predate a restart of escd; an update re-establishes it.
        tenants_[request.internal_id] = external_id;
        return 0;
    });
}

asio::awaitable<void> LibvirtAdapter::DeleteTenant(const std::string& external_id) {
    co_await Offload(pool_, [this, &external_id] {
        EnsureAlive();
        std::lock_guard lock(mutex_);
        std::erase_if(tenants_, [&](const auto& entry) { return entry.second == external_id; });
        return 0;
    });
}

asio::awaitable<std::vector<std::string>> LibvirtAdapter::ListHosts() {
    co_return co_await Offload(pool_, [this] {
        EnsureAlive();
        std::lock_guard lock(mutex_);
        char* name = virConnectGetHostname(connection_->ptr);
        if (!name)
            throw Error(ErrorCode::kVimError,
                        "cannot read the host name from " + uri_ + ": " + LastError());
        return std::vector<std::string>{libvirt::Take(name)};
    });
}

VimStatus LibvirtAdapter::Status() {
    try {
        EnsureAlive();
        return VimStatus{true, "connected to " + uri_};
    } catch (const std::exception& e) {
        return VimStatus{false, e.what()};
    }
}

asio::awaitable<VimStatus> LibvirtAdapter::CheckStatus() {
    co_return co_await Offload(pool_, [this] { return Status(); });
}

asio::awaitable<VimStatus> LibvirtAdapter::Reconnect() {
    co_return co_await Offload(pool_, [this] {
        {
            std::lock_guard lock(mutex_);
            CloseLocked();
        }
        return Status();
    });
}

asio::awaitable<VimObject> LibvirtAdapter::CreateFlavor(const FlavorRequest& request) {
    co_await CheckAlive();
    co_return VimObject{NameUuid("flavor/" + request.internal_id),
                        "recorded by escd; libvirt has no flavor objects"};
}

asio::awaitable<void> LibvirtAdapter::DeleteFlavor(const std::string&) {
    co_await CheckAlive();
}

asio::awaitable<VimObject> LibvirtAdapter::EnsureRouter(const RouterRequest& request) {
    co_await CheckAlive();
    co_return VimObject{NameUuid("router/" + request.internal_id),
                        "recorded by escd; libvirt has no router objects"};
}

asio::awaitable<void> LibvirtAdapter::DeleteRouter(const std::string&) {
    co_await CheckAlive();
}

asio::awaitable<void> LibvirtAdapter::CheckAlive() {
    co_await Offload(pool_, [this] {
        EnsureAlive();
        return 0;
    });
}

asio::awaitable<VimStatus> LibvirtAdapter::CheckUri(const std::string& uri) {
    co_return co_await Offload(pool_, [&uri] {
        // Read-only: a probe needs no write access, and read-only connections need no polkit
        // rights on local hypervisors.
        virConnectPtr probe = virConnectOpenReadOnly(uri.c_str());
        if (!probe) return VimStatus{false, "VIM " + uri + " unreachable: " + LastError()};
        const bool alive = virConnectIsAlive(probe) == 1;
        virConnectClose(probe);
        if (!alive) return VimStatus{false, "VIM " + uri + " unreachable: connection not alive"};
        return VimStatus{true, "connected to " + uri};
    });
}

}  // namespace escd::vim
