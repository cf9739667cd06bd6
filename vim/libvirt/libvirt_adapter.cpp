#include "vim/libvirt/libvirt_adapter.hpp"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include <cstdlib>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"

namespace escd::vim {
namespace {
// libvirt prints every error to stderr by default; escd reports them itself.
void QuietErrors(void*, virErrorPtr) {}

std::string LastError() {
    const char* message = virGetLastErrorMessage();
    return message ? message : "unknown libvirt error";
}
}  // namespace

struct LibvirtAdapter::Connection {
    virConnectPtr ptr = nullptr;
    ~Connection() {
        if (ptr) virConnectClose(ptr);
    }
};

LibvirtAdapter::LibvirtAdapter(std::string uri, asio::thread_pool& pool)
    : uri_(std::move(uri)), pool_(pool), connection_(std::make_unique<Connection>()) {
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
        std::vector<std::string> hosts{name};
        free(name);
        return hosts;
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
