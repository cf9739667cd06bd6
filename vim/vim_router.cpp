#include "vim/vim_router.hpp"

#include "common/error.hpp"
#include "common/log.hpp"

namespace escd::vim {

void VimRouter::Update(const std::vector<Connector>& connectors, const std::string& default_id) {
    std::map<std::string, Entry> entries;
    {
        std::lock_guard lock(mutex_);
        entries = entries_;
    }
    // Built outside the lock: a backend's constructor may take a while.
    std::map<std::string, Entry> next;
    for (const auto& connector : connectors) {
        if (connector.id == own_id_) continue;  // always own_
        if (auto it = entries.find(connector.id);
            it != entries.end() && it->second.fingerprint == connector.fingerprint) {
            next[connector.id] = it->second;
            continue;
        }
        Entry entry{connector.fingerprint, nullptr, {}};
        try {
            entry.backend = connector.build();
            if (!entry.backend) entry.why_none = connector.why_not;
        } catch (const std::exception& e) {
            entry.why_none = "VIM connector " + connector.id + ": " + e.what();
        }
        if (entry.backend) {
            ESCD_INFO("vim") << "VIM connector " << connector.id << " ready ("
                             << entry.backend->Kind() << ")";
        } else {
            ESCD_WARN("vim") << entry.why_none;
        }
        next[connector.id] = std::move(entry);
    }
    std::lock_guard lock(mutex_);
    for (auto& [id, entry] : next) {
        auto old = entries_.find(id);
        const bool fresh = old == entries_.end() || old->second.backend != entry.backend;
        if (fresh && entry.backend && handler_) entry.backend->SubscribeVmEvents(handler_);
    }
    // Replaced or removed backends stop polling but live on: a coroutine may still be in one.
    for (auto& [id, entry] : entries_) {
        auto now = next.find(id);
        if (entry.backend && (now == next.end() || now->second.backend != entry.backend)) {
            entry.backend->Retire();
            retired_.push_back(entry.backend);
        }
    }
    entries_ = std::move(next);
    default_id_ = default_id == own_id_ ? std::string() : default_id;
}

std::string VimRouter::DefaultId() const {
    std::lock_guard lock(mutex_);
    return default_id_;
}

std::shared_ptr<Vim> VimRouter::For(const std::string& vim_id) const {
    std::lock_guard lock(mutex_);
    const auto& id = vim_id.empty() ? default_id_ : vim_id;
    if (id.empty() || id == own_id_) return own_shared_;
    auto it = entries_.find(id);
    if (it == entries_.end())
        throw Error(ErrorCode::kNotFound, "VIM connector " + id + " is not registered");
    if (!it->second.backend) throw ConfigurationError(ErrorCode::kUnavailable, it->second.why_none);
    return it->second.backend;
}

void VimRouter::Remember(const std::string& vm_name, const std::string& vim_id) {
    std::lock_guard lock(mutex_);
    const auto& id = vim_id.empty() ? default_id_ : vim_id;
    vm_vims_[vm_name] = id.empty() ? own_id_ : id;
}

void VimRouter::Forget(const std::string& vm_name) {
    std::lock_guard lock(mutex_);
    vm_vims_.erase(vm_name);
}

std::shared_ptr<Vim> VimRouter::Default() const {
    return For(std::string());
}

std::shared_ptr<Vim> VimRouter::ForVm(const std::string& name) const {
    std::string vim_id;
    {
        std::lock_guard lock(mutex_);
        if (auto it = vm_vims_.find(name); it != vm_vims_.end()) vim_id = it->second;
    }
    return For(vim_id);
}

// --- resources: the default VIM --------------------------------------------------------------

asio::awaitable<std::string> VimRouter::CreateTenant(const TenantRequest& request) {
    co_return co_await Default()->CreateTenant(request);
}
asio::awaitable<void> VimRouter::UpdateTenant(const std::string& external_id,
                                              const TenantRequest& request) {
    co_await Default()->UpdateTenant(external_id, request);
}
asio::awaitable<void> VimRouter::DeleteTenant(const std::string& external_id) {
    co_await Default()->DeleteTenant(external_id);
}
asio::awaitable<EnsuredNetwork> VimRouter::EnsureNetwork(const NetworkRequest& request) {
    co_return co_await Default()->EnsureNetwork(request);
}
asio::awaitable<bool> VimRouter::HasNetwork(const std::string& internal_id) {
    co_return co_await Default()->HasNetwork(internal_id);
}
asio::awaitable<void> VimRouter::DeleteNetwork(const std::string& internal_id) {
    co_await Default()->DeleteNetwork(internal_id);
}
asio::awaitable<VimObject> VimRouter::CreateVolume(const VolumeRequest& request) {
    co_return co_await Default()->CreateVolume(request);
}
asio::awaitable<void> VimRouter::DeleteVolume(VolumeKind kind, const std::string& internal_id) {
    co_await Default()->DeleteVolume(kind, internal_id);
}
asio::awaitable<VimObject> VimRouter::CreateFlavor(const FlavorRequest& request) {
    co_return co_await Default()->CreateFlavor(request);
}
asio::awaitable<void> VimRouter::DeleteFlavor(const std::string& external_id) {
    co_await Default()->DeleteFlavor(external_id);
}
asio::awaitable<VimObject> VimRouter::EnsureRouter(const RouterRequest& request) {
    co_return co_await Default()->EnsureRouter(request);
}
asio::awaitable<void> VimRouter::DeleteRouter(const std::string& external_id) {
    co_await Default()->DeleteRouter(external_id);
}
asio::awaitable<std::vector<std::string>> VimRouter::ListHosts() {
    co_return co_await Default()->ListHosts();
}
asio::awaitable<VimStatus> VimRouter::CheckStatus() {
    std::shared_ptr<Vim> backend;
    try {
        backend = Default();
    } catch (const std::exception& e) {
        co_return VimStatus{false, e.what()};
    }
    co_return co_await backend->CheckStatus();
}
asio::awaitable<VimStatus> VimRouter::Reconnect() {
    std::shared_ptr<Vim> backend;
    try {
        backend = Default();
    } catch (const std::exception& e) {
        co_return VimStatus{false, e.what()};
    }
    co_return co_await backend->Reconnect();
}

// --- VMs: where they were created ------------------------------------------------------------

asio::awaitable<VmInfo> VimRouter::CreateVm(const VmRequest& request) {
    auto backend = For(request.vim_id);
    Remember(request.name, request.vim_id);
    co_return co_await backend->CreateVm(request);
}
asio::awaitable<void> VimRouter::DeleteVm(const std::string& name) {
    co_await ForVm(name)->DeleteVm(name);  // with its config drive
    Forget(name);
}
asio::awaitable<void> VimRouter::StopVm(const std::string& name, std::chrono::seconds grace) {
    co_await ForVm(name)->StopVm(name, grace);
}
asio::awaitable<void> VimRouter::StartVm(const std::string& name) {
    co_await ForVm(name)->StartVm(name);
}
asio::awaitable<void> VimRouter::RebootVm(const std::string& name, std::chrono::seconds grace) {
    co_await ForVm(name)->RebootVm(name, grace);
}
asio::awaitable<void> VimRouter::AttachNic(const std::string& name, const VmNic& nic) {
    co_await ForVm(name)->AttachNic(name, nic);
}
asio::awaitable<void> VimRouter::DetachNic(const std::string& name, const VmNic& nic) {
    co_await ForVm(name)->DetachNic(name, nic);
}
asio::awaitable<std::optional<VmInfo>> VimRouter::GetVm(const std::string& name) {
    co_return co_await ForVm(name)->GetVm(name);
}
asio::awaitable<std::optional<VmStats>> VimRouter::GetVmStats(const std::string& name) {
    co_return co_await ForVm(name)->GetVmStats(name);
}
asio::awaitable<void> VimRouter::CreateVmSnapshot(const SnapshotRequest& request) {
    co_await ForVm(request.vm_name)->CreateVmSnapshot(request);
}
asio::awaitable<void> VimRouter::RevertVmSnapshot(const std::string& vm_name,
                                                  const std::string& snapshot_id,
                                                  bool running) {
    co_await ForVm(vm_name)->RevertVmSnapshot(vm_name, snapshot_id, running);
}
asio::awaitable<void> VimRouter::DeleteVmSnapshot(const std::string& vm_name,
                                                  const std::string& snapshot_id) {
    co_await ForVm(vm_name)->DeleteVmSnapshot(vm_name, snapshot_id);
}
asio::awaitable<SnapshotVolume> VimRouter::CreateVolumeFromSnapshot(
    const SnapshotVolumeRequest& request) {
    co_return co_await ForVm(request.vm_name)->CreateVolumeFromSnapshot(request);
}
asio::awaitable<VmInfo> VimRouter::MigrateVm(const MigrationRequest& request) {
    co_return co_await ForVm(request.vm_name)->MigrateVm(request);
}

asio::awaitable<std::vector<std::string>> VimRouter::ListVmNames() {
    // Every VIM, so the reconciliation sees every VM: one that cannot answer fails the whole
    // list (its VMs must not be taken for lost and deployed again).
    std::vector<std::pair<std::string, std::shared_ptr<Vim>>> all;
    all.emplace_back(own_id_, own_shared_);
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, entry] : entries_)
            if (entry.backend) all.emplace_back(id, entry.backend);
    }
    std::vector<std::string> names;
    for (const auto& [id, backend] : all) {
        auto some = co_await backend->ListVmNames();
        std::lock_guard lock(mutex_);
        for (auto& name : some) {
            vm_vims_[name] = id;
            names.push_back(std::move(name));
        }
    }
    co_return names;
}

bool VimRouter::SubscribeVmEvents(VmEventHandler handler) {
    std::vector<std::shared_ptr<Vim>> others;
    {
        std::lock_guard lock(mutex_);
        handler_ = handler;
        for (const auto& [id, entry] : entries_)
            if (entry.backend) others.push_back(entry.backend);
    }
    for (auto& backend : others) backend->SubscribeVmEvents(handler);
    // Whether escd's own VIM sends events decides whether the monitor polls: an OpenStack
    // VIM's events come from its own polling, and GetVm answers from the same list.
    return own_.SubscribeVmEvents(std::move(handler));
}

}  // namespace escd::vim
