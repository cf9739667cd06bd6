// LibvirtAdapter: the connections to its hosts, their lifecycle events, tenants, flavors and
// routers.

#include "vim/libvirt/libvirt_adapter.hpp"

#include <cstdlib>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"
#include "vim/libvirt/libvirt_events.hpp"
#include "vim/libvirt/libvirt_host.hpp"

namespace escd::vim {
namespace {
// libvirt prints every error to stderr by default; escd reports them itself.
void QuietErrors(void*, virErrorPtr) {}
using libvirt::LastError;
}  // namespace

LibvirtAdapter::LibvirtAdapter(Options options, asio::thread_pool& pool)
    : options_(std::move(options)), pool_(pool) {
    if (options_.hosts.empty()) {
        hosts_.push_back(std::make_unique<Host>(*this, "", options_.uri, false));
    } else {
        for (const auto& host : options_.hosts)
            hosts_.push_back(std::make_unique<Host>(*this, host.name, host.uri, true));
    }
    virSetErrorFunc(nullptr, QuietErrors);
    // Before the first connection is opened: libvirt delivers events only to connections
    // opened after the loop was registered.
    libvirt::EnsureEventLoop();
}

LibvirtAdapter::~LibvirtAdapter() {
    std::lock_guard lock(mutex_);
    for (auto& host : hosts_) CloseLocked(*host);
}

LibvirtAdapter::Host* LibvirtAdapter::FindHost(const std::string& name) {
    std::lock_guard lock(mutex_);  // an unnamed host's name is set under it
    for (auto& host : hosts_)
        if (host->name == name) return host.get();
    return nullptr;
}

bool LibvirtAdapter::SubscribeLocked(Host& host) {
    if (!host.connection || host.event_callback >= 0) return true;
    host.event_callback = virConnectDomainEventRegisterAny(
        host.connection, nullptr, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
        VIR_DOMAIN_EVENT_CALLBACK(&LibvirtAdapter::OnLifecycle), &host, nullptr);
    if (host.event_callback < 0) {
        ESCD_WARN("vim") << "no lifecycle events from " << host.uri << ": " << LastError();
        return false;
    }
    return true;
}

void LibvirtAdapter::OpenLocked(Host& host) {
    host.connection = virConnectOpen(host.uri.c_str());
    if (!host.connection) return;
    if (!host.named && host.name.empty())
        host.name = libvirt::Take(virConnectGetHostname(host.connection));
    bool subscribed = false;
    {
        std::lock_guard events_lock(events_mutex_);
        subscribed = static_cast<bool>(vm_events_);
    }
    if (subscribed) SubscribeLocked(host);
}

void LibvirtAdapter::CloseLocked(Host& host) {
    if (!host.connection) return;
    if (host.event_callback >= 0)
        virConnectDomainEventDeregisterAny(host.connection, host.event_callback);
    host.event_callback = -1;
    virConnectClose(host.connection);
    host.connection = nullptr;
}

int LibvirtAdapter::OnLifecycle(
    virConnectPtr, virDomainPtr domain, int event, int detail, void* opaque) {
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
    // A revert to a snapshot stops the guest it replaces, then starts the snapshot's when it
    // ran (or when escd asked for it running): only a guest that is not running now is down.
    const bool from_snapshot =
        (event == VIR_DOMAIN_EVENT_STOPPED && detail == VIR_DOMAIN_EVENT_STOPPED_FROM_SNAPSHOT) ||
        (event == VIR_DOMAIN_EVENT_SUSPENDED && detail == VIR_DOMAIN_EVENT_SUSPENDED_FROM_SNAPSHOT);
    if (from_snapshot && virDomainIsActive(domain) == 1) {
        virDomainInfo info;
        if (virDomainGetInfo(domain, &info) == 0 && info.state == VIR_DOMAIN_RUNNING) return 0;
    }
    const char* name = virDomainGetName(domain);
    if (!name) return 0;
    auto& host = *static_cast<Host*>(opaque);
    auto& self = host.adapter;
    // A host that no longer holds the VM speaks of the copy a migration gave up, not of the VM.
    if (Host* holder = self.Remembered(name); holder && holder != &host) {
        ESCD_DEBUG("vim") << "lifecycle event " << event << " of " << name << " from host "
                          << host.name << ", which no longer holds it: ignored";
        return 0;
    }
    VmEventHandler handler;
    {
        // On the event loop thread: not under mutex_, which a VIM call may hold while libvirt
        // waits for this thread.
        std::lock_guard lock(self.events_mutex_);
        handler = self.vm_events_;
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
    bool all = true;
    for (auto& host : hosts_) all = SubscribeLocked(*host) && all;
    return all;
}

void LibvirtAdapter::Connect() {
    std::lock_guard lock(mutex_);
    std::string failure;
    for (auto& host : hosts_) {
        if (host->connection) continue;
        OpenLocked(*host);
        if (!host->connection) {
            const auto what = "cannot connect to VIM " + host->uri + ": " + LastError();
            if (failure.empty()) failure = what;
            continue;
        }
        ESCD_INFO("vim") << "connected to libvirt " << host->uri
                         << (host->named ? " as host " + host->name : std::string());
    }
    if (!failure.empty()) throw VimError(ErrorCode::kUnavailable, failure);
}

void LibvirtAdapter::EnsureAlive(Host& host) {
    std::lock_guard lock(mutex_);
    if (host.connection && virConnectIsAlive(host.connection) == 1) return;
    CloseLocked(host);
    OpenLocked(host);
    if (!host.connection)
        throw VimError(ErrorCode::kUnavailable, "VIM " + host.uri + " unreachable: " + LastError());
}

virConnectPtr LibvirtAdapter::Ref(Host& host) {
    EnsureAlive(host);
    std::lock_guard lock(mutex_);
    if (!host.connection || virConnectRef(host.connection) != 0)
        throw VimError(ErrorCode::kUnavailable, "VIM " + host.uri + " connection lost");
    return host.connection;
}

asio::awaitable<std::string> LibvirtAdapter::CreateTenant(const TenantRequest& request) {
    co_return co_await Offload(pool_, [this, &request] {
        EnsureAlive(DefaultHost());
        std::lock_guard lock(mutex_);
        auto [it, inserted] = tenants_.try_emplace(request.internal_id, "");
        if (inserted) it->second = RandomHex(16);
        return it->second;
    });
}

asio::awaitable<void> LibvirtAdapter::UpdateTenant(const std::string& external_id,
                                                   const TenantRequest& request) {
    co_await Offload(pool_, [this, &external_id, &request] {
        EnsureAlive(DefaultHost());
        std::lock_guard lock(mutex_);
        // The record may predate a restart of escd; an update re-establishes it.
        tenants_[request.internal_id] = external_id;
        return 0;
    });
}

asio::awaitable<void> LibvirtAdapter::DeleteTenant(const std::string& external_id) {
    co_await Offload(pool_, [this, &external_id] {
        EnsureAlive(DefaultHost());
        std::lock_guard lock(mutex_);
        std::erase_if(tenants_, [&](const auto& entry) { return entry.second == external_id; });
        return 0;
    });
}

asio::awaitable<std::vector<std::string>> LibvirtAdapter::ListHosts() {
    co_return co_await Offload(pool_, [this] {
        std::vector<std::string> names;
        std::string failure;
        for (auto& host : hosts_) {
            try {
                EnsureAlive(*host);
            } catch (const Error& e) {
                // A host that does not answer takes no VMs; the others still do.
                if (failure.empty()) failure = e.what();
                continue;
            }
            std::lock_guard lock(mutex_);
            if (host->name.empty()) {
                throw VimError(ErrorCode::kVimError,
                               "cannot read the host name from " + host->uri + ": " + LastError());
            }
            names.push_back(host->name);
        }
        if (names.empty()) throw VimError(ErrorCode::kUnavailable, failure);
        return names;
    });
}

VimStatus LibvirtAdapter::Status() {
    std::string connected;
    for (auto& host : hosts_) {
        try {
            EnsureAlive(*host);
        } catch (const std::exception& e) {
            return VimStatus{false, e.what()};
        }
        if (!connected.empty()) connected += ", ";
        connected += host->named ? host->name + " (" + host->uri + ")" : host->uri;
    }
    return VimStatus{true, "connected to " + connected};
}

asio::awaitable<VimStatus> LibvirtAdapter::CheckStatus() {
    co_return co_await Offload(pool_, [this] { return Status(); });
}

asio::awaitable<VimStatus> LibvirtAdapter::Reconnect() {
    co_return co_await Offload(pool_, [this] {
        {
            std::lock_guard lock(mutex_);
            for (auto& host : hosts_) CloseLocked(*host);
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
        for (auto& host : hosts_) EnsureAlive(*host);
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
