#include "vim/libvirt/libvirt_adapter.hpp"

#include <cstdlib>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"
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
}

LibvirtAdapter::~LibvirtAdapter() = default;

void LibvirtAdapter::Connect() {
    std::lock_guard lock(mutex_);
    if (connection_->ptr) return;
    connection_->ptr = virConnectOpen(uri_.c_str());
    if (!connection_->ptr)
        throw Error(ErrorCode::kUnavailable, "cannot connect to VIM " + uri_ + ": " + LastError());
    ESCD_INFO("vim") << "connected to libvirt " << uri_;
}

void LibvirtAdapter::EnsureAlive() {
    std::lock_guard lock(mutex_);
    if (connection_->ptr && virConnectIsAlive(connection_->ptr) == 1) return;
    if (connection_->ptr) {
        virConnectClose(connection_->ptr);
        connection_->ptr = nullptr;
    }
    connection_->ptr = virConnectOpen(uri_.c_str());
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
            if (connection_->ptr) {
                virConnectClose(connection_->ptr);
                connection_->ptr = nullptr;
            }
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
