// Addresses and networks of a deployment: the in-process claims that keep two steps of this node
// from choosing one address (DeploymentWorkflow::AddressClaims; across nodes, ip_allocations'
// key decides and the loser chooses again), a NIC's MAC and address from the
// datamodel, the group's static pool or the subnet's pools (AllocateNic), and the networks a
// datamodel declares, created on deploy and removed on undeploy with their resource events
// (CreateDeclaredNetworks, RemoveDeclaredNetworks).

#include <functional>
#include <optional>
#include <set>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/ip_network.hpp"
#include "model/xml/resource_spec_xml.hpp"
#include "model/xml/resource_xml.hpp"
#include "orchestrator/deployment/deployment_context.hpp"
#include "orchestrator/engine/operation_catalog.hpp"
#include "orchestrator/resources/resource_workflows.hpp"

namespace escd::orchestrator {
namespace {
namespace xml = model::xml;

// A locally administered MAC in libvirt's range, derived from the VM name and nicid so that a
// rerun of the same step allocates the same one.
std::string MacFor(const std::string& vm_name, int nicid) {
    auto hex = NameUuid("mac/" + vm_name + "/" + std::to_string(nicid));
    return "52:54:00:" + hex.substr(0, 2) + ":" + hex.substr(2, 2) + ":" + hex.substr(4, 2);
}

struct SubnetInfo {
    std::string id;
    std::string external_id;
    std::optional<IpNetwork> cidr;
    std::string gateway;
    std::vector<std::pair<std::string, std::string>> pools;
};

SubnetInfo ReadSubnet(const model::ResourceRecord& record) {
    auto spec = xml::SubnetSpecFromStored(record.spec);
    return {record.internal_id, record.external_id, IpNetwork::Parse(spec.cidr),
            std::move(spec.gateway_ip), std::move(spec.pools)};
}

// The first address of the subnet's pools that is not taken, in pool order starting after
// `hint` (the last one chosen on the network) and wrapping around: choosing the next address is
// then one step, not a walk over every address in use.
std::optional<std::string> NextFree(const SubnetInfo& subnet,
                                    const std::function<bool(const std::string&)>& taken,
                                    const std::string& hint) {
    const auto after = ParseIp(hint);
    for (int pass = 0; pass < 2; ++pass) {
        for (const auto& [start_text, end_text] : subnet.pools) {
            auto start = ParseIp(start_text);
            auto end = ParseIp(end_text);
            if (!start || !end) continue;
            auto address = *start;
            // First pass: only what lies after the hint; second: from the start.
            if (pass == 0 && after) {
                if (ToBytes(*end) <= ToBytes(*after)) continue;
                if (ToBytes(*after) >= ToBytes(*start)) address = StepAddress(*after, 1);
            }
            for (; ToBytes(address) <= ToBytes(*end); address = StepAddress(address, 1)) {
                if (!taken(address.to_string())) return address.to_string();
                if (address == *end) break;
            }
        }
        if (!after) break;
    }
    return std::nullopt;
}
}  // namespace

DeploymentWorkflow::AddressClaims::Held::~Held() {
    std::lock_guard lock(claims_.mutex_);
    for (const auto& [network, address] : addresses_) {
        auto it = claims_.networks_.find(network);
        if (it == claims_.networks_.end()) continue;
        it->second.claimed.erase(address);
        if (it->second.reading > 0) it->second.kept.insert(address);
    }
}

bool DeploymentWorkflow::AddressClaims::Taken::Contains(const std::string& address) const {
    return known.contains(address) || claimed.contains(address);
}

std::string DeploymentWorkflow::AddressClaims::Claim(Network& entry,
                                                     Held& held,
                                                     const std::string& network,
                                                     std::string address) {
    if (!address.empty()) {
        entry.claimed.insert(address);
        entry.known.insert(address);
        entry.hint = address;
        if (entry.reading > 0) entry.kept.insert(address);
        held.addresses_.emplace_back(network, address);
    }
    return address;
}

void DeploymentWorkflow::AddressClaims::Forget(const std::string& network) {
    std::lock_guard lock(mutex_);
    auto it = networks_.find(network);
    if (it == networks_.end()) return;
    it->second.loaded = false;
    it->second.hint.clear();
}

asio::awaitable<std::string> DeploymentWorkflow::AddressClaims::Choose(Held& held,
                                                                       const std::string& network,
                                                                       const Load& load,
                                                                       const Pick& pick) {
    // Whether `pick` failed once: the next failure is the answer.
    bool retried = false;
    // Each turn: pick from what is known (when it was read once), else read the committed
    // allocations without the lock, then pick from them.
    const auto try_pick = [&](Network& entry) -> std::optional<std::string> {
        try {
            return Claim(entry, held, network, pick(Taken{entry.known, entry.claimed, entry.hint}));
        } catch (const Error& e) {
            if (e.code() != ErrorCode::kConflict || retried) throw;
            // What this process knows may be stale: addresses released since it read them.
            retried = true;
            return std::nullopt;
        }
    };
    {
        std::lock_guard lock(mutex_);
        auto& entry = networks_[network];
        if (entry.loaded) {
            if (auto address = try_pick(entry)) co_return *address;
        }
        ++entry.reading;
    }
    for (;;) {
        std::vector<std::string> committed;
        try {
            committed = co_await load();
        } catch (...) {
            std::lock_guard lock(mutex_);
            if (--networks_[network].reading == 0) networks_[network].kept.clear();
            throw;
        }
        std::lock_guard lock(mutex_);
        auto& entry = networks_[network];
        entry.known = std::set<std::string>(committed.begin(), committed.end());
        entry.known.insert(entry.kept.begin(), entry.kept.end());
        entry.loaded = true;
        if (retried) entry.hint.clear();
        // Still counted as reading while it picks: a failed pick reads again.
        std::optional<std::string> address;
        try {
            address = try_pick(entry);
        } catch (...) {
            if (--entry.reading == 0) entry.kept.clear();
            throw;
        }
        if (address) {
            if (--entry.reading == 0) entry.kept.clear();
            co_return *address;
        }
    }
}

asio::awaitable<xml::AllocatedNic> DeploymentWorkflow::AllocateNic(const model::VmGroupSpec& group,
                                                                   const std::string& vm_name,
                                                                   int index,
                                                                   const model::InterfaceSpec& nic,
                                                                   model::DeploymentStep& step,
                                                                   AddressClaims::Held& held) {
    const auto& network_id = nic.network;
    const auto network_kind = model::ResourceKind::kNetwork,
               subnet_kind = model::ResourceKind::kSubnet;
    auto network = co_await resources_.GetResource(network_kind, network_id);
    auto subnets = co_await resources_.ListChildren(subnet_kind, network_id);
    if (!network || network->state == model::ResourceState::kDeleting)
        throw Error(ErrorCode::kNotFound, "network " + network_id + " not found");
    xml::AllocatedNic allocated;
    allocated.nicid = nic.nicid;
    allocated.network = network_id;
    allocated.network_uuid = network->external_id;
    allocated.mac_address = nic.mac_address.empty() ? MacFor(vm_name, nic.nicid) : nic.mac_address;
    // The address: fixed in the datamodel, from the group's static pool, or the subnet's.
    std::string address = nic.ip_address;
    for (const auto& pool : group.scaling.static_pools) {
        if (pool.network == network_id && static_cast<std::size_t>(index) < pool.addresses.size())
            address = pool.addresses[static_cast<std::size_t>(index)];
    }
    std::optional<SubnetInfo> subnet;
    for (const auto& record : subnets) {
        auto info = ReadSubnet(record);
        auto parsed = ParseIp(address);
        if (!subnet || (parsed && info.cidr && info.cidr->Contains(*parsed))) subnet = info;
    }
    if (!address.empty() || subnet) {
        // Taken: committed, claimed by other steps (see AddressClaims), or by this one already.
        const AddressClaims::Load load = [&] {
            return deployments_.AllocatedAddresses(network_id);
        };
        const AddressClaims::Pick pick = [&](const AddressClaims::Taken& taken) {
            auto in_use = [&](const std::string& candidate) {
                if (taken.Contains(candidate)) return true;
                for (const auto& a : step.allocations)
                    if (a.network_id == network_id && a.address == candidate) return true;
                return false;
            };
            if (address.empty()) {
                auto free = NextFree(*subnet, in_use, taken.hint);
                if (!free) {
                    throw Error(ErrorCode::kConflict, "no free address left in subnet " +
                                                          subnet->id + " of " + network_id);
                }
                return *free;
            }
            if (in_use(address)) {
                throw Error(ErrorCode::kConflict,
                            "address " + address + " on network " + network_id + " is in use");
            }
            return address;
        };
        address = co_await claims_.Choose(held, network_id, load, pick);
        step.allocations.push_back({network_id, address, vm_name, nic.nicid});
    }
    allocated.ip_address = address;
    if (subnet) {
        allocated.subnet = subnet->external_id;
        allocated.gateway = subnet->gateway;
        if (subnet->cidr) allocated.netmask = subnet->cidr->Netmask();
    }
    co_return allocated;
}

namespace {
// The resource event (CREATE_NETWORK, DELETE_SUBNET, ...) of a network or subnet the datamodel
// declares, as the resource routes send it.
model::OutboxMessage ResourceEvent(const std::string& url,
                                   model::ResourceState running,
                                   const model::ResourceRecord& record) {
    const auto kind = *ResourceOperationKind(running, record.kind);
    const std::string event(ToString(kind));
    return {url, event, 200, FindOperation(kind)->success_message,
            xml::ResourceDocument(*xml::FindKindXml(record.kind), record, event)};
}
}  // namespace

asio::awaitable<void> DeploymentWorkflow::CreateDeclaredNetworks(Context& context) {
    for (const auto& network_id : context.spec.declared_networks) {
        const auto network_kind = model::ResourceKind::kNetwork,
                   subnet_kind = model::ResourceKind::kSubnet;
        auto network = co_await resources_.GetResource(network_kind, network_id);
        auto subnets = co_await resources_.ListChildren(subnet_kind, network_id);
        if (!network) throw Error(ErrorCode::kInternal, "network " + network_id + " vanished");
        if (network->state != model::ResourceState::kCreating) continue;  // done by a first run
        const auto request = NetworkRequestOf(*network, subnets);
        const auto made = co_await vim_.networks.EnsureNetwork(request);
        const auto& external_id = made.external_id;
        auto step = context.NewStep();
        network->external_id = external_id;
        network->state = model::ResourceState::kActive;
        step.resources.push_back({network->kind, network_id, "ACTIVE", external_id});
        if (!context.op.callback_url.empty()) {
            step.events.push_back(
                ResourceEvent(context.op.callback_url, model::ResourceState::kCreating, *network));
        }
        for (auto& subnet : subnets) {
            subnet.external_id = made.SubnetExternalId(subnet.internal_id);
            subnet.state = model::ResourceState::kActive;
            step.resources.push_back(
                {subnet.kind, subnet.internal_id, "ACTIVE", subnet.external_id});
            if (!context.op.callback_url.empty()) {
                step.events.push_back(ResourceEvent(context.op.callback_url,
                                                    model::ResourceState::kCreating, subnet));
            }
        }
        co_await Commit(context, step);
    }
}

asio::awaitable<void> DeploymentWorkflow::RemoveDeclaredNetworks(
    Context& context, const std::vector<std::string>& network_ids) {
    for (const auto& network_id : network_ids) {
        const auto network_kind = model::ResourceKind::kNetwork,
                   subnet_kind = model::ResourceKind::kSubnet;
        auto network = co_await resources_.GetResource(network_kind, network_id);
        auto subnets = co_await resources_.ListChildren(subnet_kind, network_id);
        if (!network) continue;  // removed by a first run
        co_await vim_.networks.DeleteNetwork(network_id);
        auto step = context.NewStep();
        const std::string removed(ToString(model::ResourceState::kRemoved));
        for (const auto& subnet : subnets) {
            step.resources.push_back({subnet.kind, subnet.internal_id, removed, {}});
            if (!context.op.callback_url.empty()) {
                step.events.push_back(ResourceEvent(context.op.callback_url,
                                                    model::ResourceState::kDeleting, subnet));
            }
        }
        step.resources.push_back({network->kind, network_id, removed, {}});
        if (!context.op.callback_url.empty()) {
            step.events.push_back(
                ResourceEvent(context.op.callback_url, model::ResourceState::kDeleting, *network));
        }
        co_await Commit(context, step);
    }
}

}  // namespace escd::orchestrator
