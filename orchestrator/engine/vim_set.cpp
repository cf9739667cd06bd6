#include "orchestrator/engine/vim_set.hpp"

#include <sstream>

#include "common/error.hpp"
#include "common/log.hpp"

namespace escd::orchestrator {
namespace {

std::string Fingerprint(const model::VimConnector& connector,
                        const std::vector<model::VimUser>& users) {
    std::ostringstream out;
    out << model::ToString(connector.type) << '\n';
    for (const auto& p : connector.properties) out << p.name << '=' << p.value << '\n';
    for (const auto& user : users) {
        out << "user " << user.id << '\n';
        for (const auto& p : user.credentials) out << p.name << '=' << p.value << '\n';
    }
    return out.str();
}

vim::openstack::Properties Pairs(const std::vector<model::VimProperty>& properties) {
    vim::openstack::Properties out;
    for (const auto& p : properties) out.emplace_back(p.name, p.value);
    return out;
}

/// The volume kind of a VM's day-0 config drive (orchestrator/deployment/day0.hpp).
constexpr const char* kDay0 = "day0";

}  // namespace

vim::openstack::Credentials CredentialsOf(const model::VimConnector& connector,
                                          const std::vector<model::VimUser>& users,
                                          const std::string& interface) {
    return vim::openstack::CredentialsFrom(
        Pairs(connector.properties), users.empty() ? "" : users.front().id,
        users.empty() ? vim::openstack::Properties{} : Pairs(users.front().credentials), interface);
}

asio::awaitable<void> VimSet::Refresh(model::VimConnectorStore& store) {
    struct Read {
        model::VimConnector connector;
        std::vector<model::VimUser> users;
    };
    std::vector<Read> read;
    std::string default_id;
    auto connectors = co_await store.ListVimConnectors();
    for (auto& connector : connectors) {
        auto users = co_await store.ListVimUsers(connector.id);
        if (connector.is_default) default_id = connector.id;
        read.push_back({std::move(connector), std::move(users)});
    }
    std::map<std::string, Entry> entries;
    {
        std::lock_guard lock(mutex_);
        entries = entries_;
    }
    std::map<std::string, Entry> next;
    for (const auto& [connector, users] : read) {
        if (connector.id == model::kOwnVimConnectorId) continue;  // always own_
        auto fingerprint = Fingerprint(connector, users);
        if (auto it = entries.find(connector.id);
            it != entries.end() && it->second.fingerprint == fingerprint) {
            next[connector.id] = it->second;
            continue;
        }
        Entry entry{fingerprint, nullptr, {}};
        try {
            entry.adapter = factory_(connector, users);
            if (!entry.adapter)
                entry.why_none = "VIM connector " + connector.id + " of type " +
                                 std::string(model::ToString(connector.type)) +
                                 " cannot be driven by this escd";
        } catch (const std::exception& e) {
            entry.why_none = "VIM connector " + connector.id + ": " + e.what();
        }
        if (entry.adapter) {
            ESCD_INFO("vim") << "VIM connector " << connector.id << " ready ("
                             << entry.adapter->Kind() << ")";
        } else {
            ESCD_WARN("vim") << entry.why_none;
        }
        next[connector.id] = std::move(entry);
    }
    VmEventHandler handler;
    {
        std::lock_guard lock(mutex_);
        for (auto& [id, entry] : next) {
            auto old = entries_.find(id);
            const bool fresh = old == entries_.end() || old->second.adapter != entry.adapter;
            if (fresh && entry.adapter && handler_) entry.adapter->SubscribeVmEvents(handler_);
        }
        // Replaced or removed adapters stop polling but live on: a coroutine may still be in one.
        for (auto& [id, entry] : entries_) {
            auto now = next.find(id);
            if (entry.adapter && (now == next.end() || now->second.adapter != entry.adapter)) {
                entry.adapter->Retire();
                retired_.push_back(entry.adapter);
            }
        }
        entries_ = std::move(next);
        default_id_ = default_id == model::kOwnVimConnectorId ? std::string() : default_id;
    }
}

std::string VimSet::DefaultId() const {
    std::lock_guard lock(mutex_);
    return default_id_;
}

std::shared_ptr<vim::Adapter> VimSet::For(const std::string& vim_id) const {
    std::lock_guard lock(mutex_);
    const auto& id = vim_id.empty() ? default_id_ : vim_id;
    if (id.empty() || id == model::kOwnVimConnectorId) return own_shared_;
    auto it = entries_.find(id);
    if (it == entries_.end())
        throw Error(ErrorCode::kNotFound, "VIM connector " + id + " is not registered");
    if (!it->second.adapter) throw ConfigurationError(ErrorCode::kUnavailable, it->second.why_none);
    return it->second.adapter;
}

void VimSet::Remember(const std::string& vm_name, const std::string& vim_id) {
    std::lock_guard lock(mutex_);
    const auto& id = vim_id.empty() ? default_id_ : vim_id;
    vm_vims_[vm_name] = id.empty() ? std::string(model::kOwnVimConnectorId) : id;
}

std::shared_ptr<vim::Adapter> VimSet::Default() const {
    return For(std::string());
}

std::shared_ptr<vim::Adapter> VimSet::ForVm(const std::string& name) const {
    std::string vim_id;
    {
        std::lock_guard lock(mutex_);
        if (auto it = vm_vims_.find(name); it != vm_vims_.end()) vim_id = it->second;
    }
    return For(vim_id);
}

// --- resources: the default VIM --------------------------------------------------------------

asio::awaitable<std::string> VimSet::CreateTenant(const vim::TenantRequest& request) {
    co_return co_await Default()->CreateTenant(request);
}
asio::awaitable<void> VimSet::UpdateTenant(const std::string& external_id,
                                           const vim::TenantRequest& request) {
    co_await Default()->UpdateTenant(external_id, request);
}
asio::awaitable<void> VimSet::DeleteTenant(const std::string& external_id) {
    co_await Default()->DeleteTenant(external_id);
}
asio::awaitable<std::string> VimSet::EnsureNetwork(const vim::NetworkRequest& request) {
    co_return co_await Default()->EnsureNetwork(request);
}
std::string VimSet::SubnetExternalId(const std::string& network_external_id,
                                     const std::string& subnet_internal_id) const {
    return Default()->SubnetExternalId(network_external_id, subnet_internal_id);
}
asio::awaitable<bool> VimSet::HasNetwork(const std::string& internal_id) {
    co_return co_await Default()->HasNetwork(internal_id);
}
asio::awaitable<void> VimSet::DeleteNetwork(const std::string& internal_id) {
    co_await Default()->DeleteNetwork(internal_id);
}
asio::awaitable<vim::VimObject> VimSet::CreateVolume(const vim::VolumeRequest& request) {
    if (request.kind != kDay0) co_return co_await Default()->CreateVolume(request);
    // A VM's day-0 drive: on its VM's VIM, which from now on holds the VM.
    auto adapter = For(request.vim_id);
    Remember(request.internal_id, request.vim_id);
    co_return co_await adapter->CreateVolume(request);
}
asio::awaitable<void> VimSet::DeleteVolume(const std::string& kind,
                                           const std::string& internal_id) {
    if (kind == kDay0) {
        co_await ForVm(internal_id)->DeleteVolume(kind, internal_id);
        std::lock_guard lock(mutex_);
        vm_vims_.erase(internal_id);
    } else {
        co_await Default()->DeleteVolume(kind, internal_id);
    }
}
asio::awaitable<vim::VimObject> VimSet::CreateFlavor(const vim::FlavorRequest& request) {
    co_return co_await Default()->CreateFlavor(request);
}
asio::awaitable<void> VimSet::DeleteFlavor(const std::string& external_id) {
    co_await Default()->DeleteFlavor(external_id);
}
asio::awaitable<vim::VimObject> VimSet::EnsureRouter(const vim::RouterRequest& request) {
    co_return co_await Default()->EnsureRouter(request);
}
asio::awaitable<void> VimSet::DeleteRouter(const std::string& external_id) {
    co_await Default()->DeleteRouter(external_id);
}
asio::awaitable<std::vector<std::string>> VimSet::ListHosts() {
    co_return co_await Default()->ListHosts();
}
asio::awaitable<vim::VimStatus> VimSet::CheckStatus() {
    std::shared_ptr<vim::Adapter> adapter;
    try {
        adapter = Default();
    } catch (const std::exception& e) {
        co_return vim::VimStatus{false, e.what()};
    }
    co_return co_await adapter->CheckStatus();
}
asio::awaitable<vim::VimStatus> VimSet::Reconnect() {
    std::shared_ptr<vim::Adapter> adapter;
    try {
        adapter = Default();
    } catch (const std::exception& e) {
        co_return vim::VimStatus{false, e.what()};
    }
    co_return co_await adapter->Reconnect();
}

// --- VMs: where they were created ------------------------------------------------------------

asio::awaitable<vim::VmInfo> VimSet::CreateVm(const vim::VmRequest& request) {
    auto adapter = For(request.vim_id);
    Remember(request.name, request.vim_id);
    co_return co_await adapter->CreateVm(request);
}
asio::awaitable<void> VimSet::DeleteVm(const std::string& name) {
    // The VM stays mapped: its day-0 drive is removed after it (DeleteVolume forgets it).
    co_await ForVm(name)->DeleteVm(name);
}
asio::awaitable<void> VimSet::StopVm(const std::string& name, std::chrono::seconds grace) {
    co_await ForVm(name)->StopVm(name, grace);
}
asio::awaitable<void> VimSet::StartVm(const std::string& name) {
    co_await ForVm(name)->StartVm(name);
}
asio::awaitable<void> VimSet::RebootVm(const std::string& name, std::chrono::seconds grace) {
    co_await ForVm(name)->RebootVm(name, grace);
}
asio::awaitable<void> VimSet::AttachNic(const std::string& name, const vim::VmNic& nic) {
    co_await ForVm(name)->AttachNic(name, nic);
}
asio::awaitable<void> VimSet::DetachNic(const std::string& name, const vim::VmNic& nic) {
    co_await ForVm(name)->DetachNic(name, nic);
}
asio::awaitable<std::optional<vim::VmInfo>> VimSet::GetVm(const std::string& name) {
    co_return co_await ForVm(name)->GetVm(name);
}
asio::awaitable<std::optional<vim::VmStats>> VimSet::GetVmStats(const std::string& name) {
    co_return co_await ForVm(name)->GetVmStats(name);
}
asio::awaitable<void> VimSet::CreateVmSnapshot(const vim::SnapshotRequest& request) {
    co_await ForVm(request.vm_name)->CreateVmSnapshot(request);
}
asio::awaitable<void> VimSet::RevertVmSnapshot(const std::string& vm_name,
                                               const std::string& snapshot_id,
                                               bool running) {
    co_await ForVm(vm_name)->RevertVmSnapshot(vm_name, snapshot_id, running);
}
asio::awaitable<void> VimSet::DeleteVmSnapshot(const std::string& vm_name,
                                               const std::string& snapshot_id) {
    co_await ForVm(vm_name)->DeleteVmSnapshot(vm_name, snapshot_id);
}
asio::awaitable<vim::SnapshotVolume> VimSet::CreateVolumeFromSnapshot(
    const vim::SnapshotVolumeRequest& request) {
    co_return co_await ForVm(request.vm_name)->CreateVolumeFromSnapshot(request);
}
asio::awaitable<vim::VmInfo> VimSet::MigrateVm(const vim::MigrationRequest& request) {
    co_return co_await ForVm(request.vm_name)->MigrateVm(request);
}

asio::awaitable<std::vector<std::string>> VimSet::ListVmNames() {
    // Every VIM, so the reconciliation sees every VM: one that cannot answer fails the whole
    // list (its VMs must not be taken for lost and deployed again).
    std::vector<std::pair<std::string, std::shared_ptr<vim::Adapter>>> all;
    all.emplace_back(model::kOwnVimConnectorId, own_shared_);
    {
        std::lock_guard lock(mutex_);
        for (const auto& [id, entry] : entries_)
            if (entry.adapter) all.emplace_back(id, entry.adapter);
    }
    std::vector<std::string> names;
    for (const auto& [id, adapter] : all) {
        auto some = co_await adapter->ListVmNames();
        std::lock_guard lock(mutex_);
        for (auto& name : some) {
            vm_vims_[name] = id;
            names.push_back(std::move(name));
        }
    }
    co_return names;
}

bool VimSet::SubscribeVmEvents(VmEventHandler handler) {
    std::vector<std::shared_ptr<vim::Adapter>> others;
    {
        std::lock_guard lock(mutex_);
        handler_ = handler;
        for (const auto& [id, entry] : entries_)
            if (entry.adapter) others.push_back(entry.adapter);
    }
    for (auto& adapter : others) adapter->SubscribeVmEvents(handler);
    // Whether escd's own VIM sends events decides whether the monitor polls: an OpenStack
    // VIM's events come from its own polling, and GetVm answers from the same list.
    own_events_ = own_.SubscribeVmEvents(std::move(handler));
    return own_events_;
}

}  // namespace escd::orchestrator
