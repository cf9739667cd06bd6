#include "orchestrator/deployment/deployment_workflow.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <set>

#include <pugixml.hpp>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/ip_network.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"
#include "model/xml/deployment_docs.hpp"
#include "model/xml/deployment_xml.hpp"
#include "model/xml/resource_xml.hpp"
#include "model/xml/tenant_xml.hpp"
#include "model/xml/xml_doc.hpp"
#include "orchestrator/deployment/day0.hpp"
#include "orchestrator/deployment/deployment_context.hpp"
#include "orchestrator/deployment/loaded_deployment.hpp"
#include "orchestrator/engine/await_all.hpp"
#include "orchestrator/engine/operation_catalog.hpp"
#include "orchestrator/monitor/alive_check.hpp"
#include "orchestrator/resources/resource_workflows.hpp"

namespace escd::orchestrator {
namespace {
namespace xml = model::xml;
using model::ServiceState;
using model::VmEvent;
using model::VmState;

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
    SubnetInfo info{record.internal_id, record.external_id, {}, {}, {}};
    pugi::xml_document doc;
    if (!doc.load_buffer(record.spec.data(), record.spec.size())) return info;
    auto root = doc.document_element();
    info.cidr = IpNetwork::Parse(xml::ChildText(root, "cidr").value_or(""));
    info.gateway = xml::ChildText(root, "gateway_ip").value_or("");
    for (auto pool : root.children("allocation_pools")) {
        info.pools.emplace_back(xml::ChildText(pool, "start").value_or(""),
                                xml::ChildText(pool, "end").value_or(""));
    }
    return info;
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

std::vector<std::string> EventUrls(const model::Operation& op) {
    std::vector<std::string> urls;
    if (!op.callback_url.empty()) urls.push_back(op.callback_url);
    if (!op.events_url.empty() && op.events_url != op.callback_url) urls.push_back(op.events_url);
    return urls;
}

DeploymentWorkflow::Final DeploymentWorkflow::Failed(const model::Operation& op,
                                                     int status,
                                                     const std::string& why) {
    const bool undeploy = op.kind == "DELETE_DEPLOYMENT";
    const bool update = op.kind == "UPDATE_DEPLOYMENT";
    const std::string stage = undeploy ? "SERVICE_UNDEPLOYED"
                              : update ? "SERVICE_UPDATED"
                                       : "SERVICE_ALIVE";
    Final final;
    final.outcome.state = model::ResourceState::kActive;  // undeploy is the way out
    final.status = status;
    final.message = (undeploy ? "Service group undeployment failed: "
                     : update ? "Service group update failed: "
                              : "Service group deployment failed: ") +
                    why;
    pugi::xml_document doc;
    auto root = doc.append_child("deployment");
    root.append_attribute("xmlns").set_value(xml::kNetconfNs);
    xml::AppendText(root, "deployment_stage", stage);
    xml::AppendText(root, "internal_deployment_id", op.target_id);
    const auto body = xml::Serialize(doc);
    for (const auto& url : EventUrls(op))
        final.callbacks.push_back({url, stage, status, final.message, body});
    return final;
}

std::vector<model::OutboxMessage> DeploymentWorkflow::Waiting(const model::Operation& op,
                                                              const std::string& why,
                                                              std::chrono::seconds retry_in) {
    const std::string what = op.kind == "CREATE_DEPLOYMENT"   ? "Service group deployment"
                             : op.kind == "DELETE_DEPLOYMENT" ? "Service group undeployment"
                             : op.kind == "UPDATE_DEPLOYMENT" ? "Service group update"
                                                              : op.kind;
    const std::string stage = "VIM_UNAVAILABLE";
    const int status = HttpStatusOf(ErrorOrigin::kVim, ErrorCode::kUnavailable, Reply::kCallback);
    const auto message = what + " waits for the VIM: " + why + "; will retry in " +
                         std::to_string(retry_in.count()) + " s";
    pugi::xml_document doc;
    auto root = doc.append_child("deployment");
    root.append_attribute("xmlns").set_value(xml::kNetconfNs);
    xml::AppendText(root, "deployment_stage", stage);
    xml::AppendText(root, "internal_deployment_id", op.target_id);
    const auto body = xml::Serialize(doc);
    std::vector<model::OutboxMessage> events;
    for (const auto& url : EventUrls(op)) events.push_back({url, stage, status, message, body});
    return events;
}

asio::awaitable<void> DeploymentWorkflow::Commit(Context& context, model::DeploymentStep& step) {
    auto rows = co_await store_.RecordDeploymentStep(step);
    if (step.service_state) context.view.service = *step.service_state;
    for (const auto& vm : step.upserts) {
        if (auto* known = context.Vm(vm.vm_name)) {
            *known = vm;
        } else {
            context.view.vms.push_back(vm);
        }
    }
    std::erase_if(context.view.vms, [&](const model::VmRecord& vm) {
        return std::find(step.removed.begin(), step.removed.end(), vm.vm_name) !=
               step.removed.end();
    });
    notifier_.Enqueue(std::move(rows));
}

asio::awaitable<void> DeploymentWorkflow::EnsureTenant(Context& context) {
    const auto& tenant_id = context.spec.tenant;
    auto tenant = co_await Offload(db_pool_, [this, &tenant_id] {
        return store_.GetResource(model::kind::kTenant, tenant_id);
    });
    if (!tenant) throw Error(ErrorCode::kInternal, "tenant " + tenant_id + " vanished");
    if (tenant->state != model::ResourceState::kCreating) {
        context.view.tenant_external_id = tenant->external_id;
        co_return;
    }
    // The datamodel named a tenant that did not exist: it is created first (CREATE_TENANT).
    vim::TenantRequest request{tenant_id, tenant_id, true};
    auto external_id = co_await vim_.CreateTenant(request);
    auto step = context.NewStep();
    step.resources.push_back({model::kind::kTenant, tenant_id, "ACTIVE", external_id});
    model::TenantSpec spec;
    spec.internal_id = tenant_id;
    spec.name = tenant_id;
    auto body = xml::TenantDocument({spec, external_id}, "CREATE_TENANT");
    if (!context.op.callback_url.empty()) {
        step.events.push_back(
            {context.op.callback_url, "CREATE_TENANT", 200, "Tenant successfully created", body});
    }
    co_await Commit(context, step);
    context.view.tenant_external_id = external_id;
}

DeploymentWorkflow::AddressClaims::Held::~Held() {
    std::lock_guard lock(claims_.mutex_);
    for (const auto& [network, address] : addresses_) {
        auto it = claims_.networks_.find(network);
        if (it != claims_.networks_.end()) it->second.claimed.erase(address);
    }
}

bool DeploymentWorkflow::AddressClaims::Taken::Contains(const std::string& address) const {
    return known.contains(address) || claimed.contains(address);
}

std::string DeploymentWorkflow::AddressClaims::Choose(
    Held& held,
    const std::string& network,
    const std::function<std::vector<std::string>()>& load,
    const std::function<std::string(const Taken&)>& pick) {
    std::lock_guard lock(mutex_);
    auto& entry = networks_[network];
    auto reload = [&] {
        const auto committed = load();
        entry.known = std::set<std::string>(committed.begin(), committed.end());
        entry.loaded = true;
    };
    if (!entry.loaded) reload();
    std::string address;
    try {
        address = pick(Taken{entry.known, entry.claimed, entry.hint});
    } catch (const Error& e) {
        if (e.code() != ErrorCode::kConflict) throw;
        // What this process knows may be stale: addresses released since it read them.
        reload();
        entry.hint.clear();
        address = pick(Taken{entry.known, entry.claimed, entry.hint});
    }
    if (!address.empty()) {
        entry.claimed.insert(address);
        entry.known.insert(address);
        entry.hint = address;
        held.addresses_.emplace_back(network, address);
    }
    return address;
}

asio::awaitable<xml::AllocatedNic> DeploymentWorkflow::AllocateNic(const model::VmGroupSpec& group,
                                                                   const std::string& vm_name,
                                                                   int index,
                                                                   const model::InterfaceSpec& nic,
                                                                   model::DeploymentStep& step,
                                                                   AddressClaims::Held& held) {
    const auto& network_id = nic.network;
    auto [network, subnets] = co_await Offload(db_pool_, [this, &network_id] {
        return std::make_pair(store_.GetResource(model::kind::kNetwork, network_id),
                              store_.ListChildren(model::kind::kSubnet, network_id));
    });
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
        address = co_await Offload(db_pool_, [&] {
            return claims_.Choose(
                held, network_id, [&] { return store_.AllocatedAddresses(network_id); },
                [&](const AddressClaims::Taken& taken) {
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
                        throw Error(ErrorCode::kConflict, "address " + address + " on network " +
                                                              network_id + " is in use");
                    }
                    return address;
                });
        });
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
    const auto kind = OperationKind(running, record.kind);
    const auto info = FindOperation(kind);
    return {url, kind, 200, info ? info->success_message : kind,
            xml::ResourceDocument(*xml::FindKindXml(record.kind), record, kind)};
}
}  // namespace

asio::awaitable<void> DeploymentWorkflow::CreateDeclaredNetworks(Context& context) {
    for (const auto& network_id : context.spec.declared_networks) {
        auto [network, subnets] = co_await Offload(db_pool_, [this, &network_id] {
            return std::make_pair(store_.GetResource(model::kind::kNetwork, network_id),
                                  store_.ListChildren(model::kind::kSubnet, network_id));
        });
        if (!network) throw Error(ErrorCode::kInternal, "network " + network_id + " vanished");
        if (network->state != model::ResourceState::kCreating) continue;  // done by a first run
        const auto request = NetworkRequestOf(*network, subnets);
        const auto external_id = co_await vim_.EnsureNetwork(request);
        auto step = context.NewStep();
        network->external_id = external_id;
        network->state = model::ResourceState::kActive;
        step.resources.push_back({network->kind, network_id, "ACTIVE", external_id});
        if (!context.op.callback_url.empty()) {
            step.events.push_back(
                ResourceEvent(context.op.callback_url, model::ResourceState::kCreating, *network));
        }
        for (auto& subnet : subnets) {
            subnet.external_id = vim_.SubnetExternalId(external_id, subnet.internal_id);
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

asio::awaitable<void> DeploymentWorkflow::RemoveDeclaredNetworks(Context& context) {
    for (const auto& network_id : context.spec.declared_networks) {
        auto [network, subnets] = co_await Offload(db_pool_, [this, &network_id] {
            return std::make_pair(store_.GetResource(model::kind::kNetwork, network_id),
                                  store_.ListChildren(model::kind::kSubnet, network_id));
        });
        if (!network) continue;  // removed by a first run
        co_await vim_.DeleteNetwork(network_id);
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

asio::awaitable<model::VmRecord> DeploymentWorkflow::PlanVm(Context& context,
                                                            const model::VmGroupSpec& group,
                                                            int index) {
    model::VmRecord vm;
    vm.deployment_id = context.spec.internal_id;
    vm.vm_group = group.name;
    vm.vm_index = index;
    vm.vm_name =
        context.spec.internal_id + "_" + group.name + "_" + std::to_string(index) + "_" + NewUuid();
    vm.state = VmState::kInit;

    std::vector<xml::AllocatedNic> nics;
    auto step = context.NewStep();
    AddressClaims::Held held(claims_);  // released after the commit below
    for (const auto& nic : group.interfaces)
        nics.push_back(co_await AllocateNic(group, vm.vm_name, index, nic, step, held));
    vm.interfaces = xml::StoredInterfaces(nics);
    step.upserts.push_back(vm);
    co_await Commit(context, step);
    co_return vm;
}

asio::awaitable<bool> DeploymentWorkflow::BuildConfigDrive(Context& context,
                                                           const model::VmGroupSpec& group,
                                                           const model::VmRecord& vm,
                                                           const std::string& host) {
    if (group.config_data.empty()) co_return false;
    std::map<std::string, std::string> values{{"DEPLOYMENT_NAME", context.spec.name},
                                              {"VM_NAME", vm.vm_name},
                                              {"VM_GROUP_NAME", vm.vm_group}};
    for (const auto& nic : xml::InterfacesFromStored(vm.interfaces)) {
        const auto prefix = "NICID_" + std::to_string(nic.nicid) + "_";
        values[prefix + "IP_ADDRESS"] = nic.ip_address;
        values[prefix + "GATEWAY"] = nic.gateway;
        values[prefix + "NETMASK"] = nic.netmask;
        values[prefix + "MAC_ADDRESS"] = nic.mac_address;
        values[prefix + "NETWORK"] = nic.network;
    }
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto& config : group.config_data) {
        auto own = values;
        for (const auto& [name, vals] : config.variables)
            if (!vals.empty()) own[name] = vals.front();
        std::string content = config.data;
        if (!config.file.empty()) {
            const FetchSource source{config.file, {}, {}};
            const std::string staged_name = "day0-" + vm.vm_name + "-" + config.dst;
            auto fetched = co_await fetcher_.Fetch(source, staged_name);
            content = co_await Offload(db_pool_, [&fetched] {
                std::ifstream in(fetched.path, std::ios::binary);
                std::string text((std::istreambuf_iterator<char>(in)),
                                 std::istreambuf_iterator<char>());
                FileFetcher::Discard(fetched);
                return text;
            });
        }
        files.emplace_back(config.dst, day0::Substitute(content, own));
    }
    const auto archive = day0::TarArchive(files);
    const auto path = fetcher_.staging_dir() + "/day0-" + vm.vm_name + ".tar";
    co_await Offload(db_pool_, [this, &path, &archive] {
        std::filesystem::create_directories(fetcher_.staging_dir());
        std::ofstream(path, std::ios::binary | std::ios::trunc) << archive;
        return 0;
    });
    vim::VolumeRequest request{"day0",         vm.vm_name, context.spec.tenant,
                               archive.size(), "raw",      path};
    request.host = host;            // a config drive lives on its VM's host
    request.vim_id = group.vim_id;  // and on its VM's VIM
    std::exception_ptr failure;
    try {
        co_await vim_.CreateVolume(request);
    } catch (...) {
        failure = std::current_exception();
    }
    co_await Offload(db_pool_, [&path] {
        std::filesystem::remove(path);
        return 0;
    });
    if (failure) std::rethrow_exception(failure);
    co_return true;
}

asio::awaitable<std::string> DeploymentWorkflow::PlaceVm(Context& context,
                                                         const model::VmGroupSpec& group,
                                                         const std::string& vm_name) {
    // Hosts are what the VIM reports; escd places only on those not disabled
    // (POST /v0/hosts/{host}/disable), and on the one a zone_host placement names. Asked once
    // per operation, not once per VM.
    if (!context.enabled_hosts) {
        auto hosts = co_await vim_.ListHosts();
        context.enabled_hosts = co_await Offload(db_pool_, [this, &hosts] {
            std::vector<std::string> out;
            for (const auto& host : hosts)
                if (store_.HostSchedulable(host)) out.push_back(host);
            return out;
        });
        context.vim_host_count = hosts.size();
    }
    const auto& enabled = *context.enabled_hosts;
    std::string wanted;
    for (const auto& placement : group.placement)
        if (placement.type == "zone_host" && !placement.host.empty()) wanted = placement.host;
    std::vector<std::string> candidates;
    for (const auto& host : enabled)
        if (wanted.empty() || host == wanted) candidates.push_back(host);
    if (candidates.empty() && !wanted.empty()) {
        throw ConfigurationError(
            ErrorCode::kUnavailable,
            "host " + wanted + " named by vm_group " + group.name + " is not an enabled VIM host");
    }
    if (candidates.empty()) {
        throw ConfigurationError(ErrorCode::kUnavailable,
                                 "no enabled host to place vm_group " + group.name + " on (" +
                                     std::to_string(context.vim_host_count) +
                                     " VIM host(s), all disabled)");
    }
    // Affinity: on a host where the related VMs are; anti-affinity: on one where none is. A
    // rule inside a group (no target groups) relates the group's own VMs; a policy between
    // groups relates them to the others it names. Strict rules fail the VM when no host
    // qualifies; loose ones fall back to any candidate.
    for (const auto& placement : group.placement) {
        if (placement.type != "affinity" && placement.type != "anti_affinity") continue;
        const auto& related = placement.target_groups.empty() ? std::vector<std::string>{group.name}
                                                              : placement.target_groups;
        std::set<std::string> used;
        for (const auto& vm : context.view.vms) {
            if (!vm.host.empty() &&
                std::find(related.begin(), related.end(), vm.vm_group) != related.end())
                used.insert(vm.host);
        }
        if (used.empty()) continue;  // the first VM of the relation goes anywhere
        const bool affinity = placement.type == "affinity";
        std::vector<std::string> narrowed;
        for (const auto& host : candidates)
            if (used.contains(host) == affinity) narrowed.push_back(host);
        if (!narrowed.empty()) {
            candidates = std::move(narrowed);
        } else if (placement.enforcement == "strict") {
            throw ConfigurationError(ErrorCode::kUnavailable,
                                     std::string(affinity ? "affinity" : "anti-affinity") +
                                         " of vm_group " + group.name + ": no enabled host " +
                                         (affinity ? "with" : "without") + " a VM of vm_group " +
                                         related.front() +
                                         (related.size() > 1 ? " (and others)" : ""));
        }
    }
    if (auto* planned = context.Vm(vm_name)) planned->host = candidates.front();
    co_return candidates.front();
}

asio::awaitable<vim::VmRequest> DeploymentWorkflow::BuildVmRequest(Context& context,
                                                                   const model::VmGroupSpec& group,
                                                                   const model::VmRecord& vm) {
    vim::VmRequest request;
    request.name = vm.vm_name;
    request.deployment_id = vm.deployment_id;
    request.tenant_id = context.spec.tenant;
    request.vm_group = group.name;
    request.vcpus = group.vcpus > 0 ? group.vcpus : model::kDefaultVcpus;
    request.memory_mb = group.memory_mb > 0 ? group.memory_mb : model::kDefaultMemoryMb;
    request.image_id = group.image;
    for (const auto& nic : xml::InterfacesFromStored(vm.interfaces)) {
        std::string model = "virtio";
        for (const auto& spec_nic : group.interfaces)
            if (spec_nic.nicid == nic.nicid) model = spec_nic.model;
        request.nics.push_back(
            {nic.nicid, nic.network, nic.mac_address, model, nic.ip_address, nic.subnet});
    }
    request.flavor_id = group.flavor;
    request.vim_id = group.vim_id;
    for (const auto& rule : group.placement) {
        const bool inside = rule.target_groups.empty() ||
                            (rule.target_groups.size() == 1 && rule.target_groups[0] == group.name);
        if (!inside || (rule.type != "affinity" && rule.type != "anti_affinity")) continue;
        const std::string policy = rule.type == "affinity" ? "affinity" : "anti-affinity";
        request.group_policy = rule.enforcement == "strict" ? policy : "soft-" + policy;
    }
    if (!group.flavor.empty()) {
        const auto& flavor_id = group.flavor;
        auto flavor = co_await Offload(db_pool_, [this, &flavor_id] {
            return store_.GetResource(model::kind::kFlavor, flavor_id);
        });
        if (flavor) {
            pugi::xml_document doc;
            doc.load_buffer(flavor->spec.data(), flavor->spec.size());
            auto root = doc.document_element();
            request.vcpus = std::stoi(xml::ChildText(root, "vcpus").value_or("1"));
            request.memory_mb = std::stoll(xml::ChildText(root, "memory_mb").value_or("512"));
        }
    }

    co_return request;
}

asio::awaitable<vim::VmInfo> DeploymentWorkflow::LaunchVm(Context& context,
                                                          const model::VmGroupSpec& group,
                                                          const model::VmRecord& vm,
                                                          LaunchOrder* order,
                                                          std::size_t index) {
    auto request = co_await BuildVmRequest(context, group, vm);
    {
        const InTurn::Guard placed{order ? &order->placed : nullptr, index};
        if (order) co_await order->placed.Wait(index);
        request.host = co_await PlaceVm(context, group, vm.vm_name);
    }
    // What the VIM takes of a VM's launch, apart from escd's own work (bench/run-vnf.sh reads
    // this line).
    using std::chrono::steady_clock;
    const auto started = steady_clock::now();
    request.config_drive = co_await BuildConfigDrive(context, group, vm, request.host);
    const auto drive_done = steady_clock::now();
    auto info = co_await vim_.CreateVm(request);
    const auto ms = [](steady_clock::duration d) {
        return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    };
    ESCD_INFO("deploy") << "VM " << vm.vm_name << " launched: VIM "
                        << ms(steady_clock::now() - started) << " ms (config drive "
                        << ms(drive_done - started) << " ms, define+start "
                        << ms(steady_clock::now() - drive_done) << " ms)";
    co_return info;
}

asio::awaitable<bool> DeploymentWorkflow::CreateOnVim(Context& context,
                                                      const model::VmGroupSpec& group,
                                                      model::VmRecord& vm,
                                                      std::string_view deployed_event,
                                                      LaunchOrder* order,
                                                      std::size_t index) {
    InTurn* turn = order ? &order->committed : nullptr;
    const InTurn::Guard finish{turn, index};  // a failure must not hold up the later ones
    const InTurn::Guard placed{order ? &order->placed : nullptr, index};  // nor an early one
    if (vm.state == VmState::kInit) {
        vm.state = Next(vm.state, VmEvent::kDeploy);
        auto step = context.NewStep();
        step.upserts.push_back(vm);
        co_await Commit(context, step);
    }
    auto step = context.NewStep();
    try {
        const auto info = co_await LaunchVm(context, group, vm, order, index);
        vm.uuid = info.uuid;
        vm.host = info.host;
        vm.state = Next(vm.state, VmEvent::kVimDone);
        step.upserts.push_back(vm);
        context.Emit(step, std::string(deployed_event), &vm, 200, "VM Deployed");
        if (turn) co_await turn->Wait(index);
        co_await Commit(context, step);
        co_return true;
    } catch (const vim::VimUnavailable& e) {
        // A VIM service that does not answer: not the VM's failure. The VM stays DEPLOYING and
        // the engine runs the operation again later (a rerun finds the ports and the server
        // made so far by their names).
        ESCD_WARN("engine") << "VM " << vm.vm_name << " waits for the VIM: " << e.what();
        throw;
    } catch (const Error& e) {
        ESCD_WARN("engine") << "VM " << vm.vm_name << " not deployed: " << e.what();
        vm.state = Next(vm.state, VmEvent::kVimFailed);
        step.upserts.push_back(vm);
        context.Emit(step, std::string(deployed_event), &vm, HttpStatusOf(e, Reply::kCallback),
                     std::string("VM deployment failed: ") + e.what());
    }
    if (turn) co_await turn->Wait(index);
    co_await Commit(context, step);
    co_return false;
}

asio::awaitable<std::size_t> DeploymentWorkflow::RestoreVms(const model::Operation& op,
                                                            const std::set<std::string>& on_vim) {
    Context context(op);
    co_await Load(context);
    std::size_t restored = 0;
    for (auto vm : std::vector(context.view.vms)) {
        using V = VmState;
        if (!model::OnVim(vm.state) || on_vim.contains(vm.vm_name)) continue;
        const auto info = co_await LaunchVm(context, context.Group(vm.vm_group), vm);
        if (vm.state == V::kShutoff) {
            const std::string& name = vm.vm_name;
            co_await vim_.StopVm(name, std::chrono::seconds(0));
        }
        ESCD_WARN("engine") << "VM " << vm.vm_name << " was missing from the VIM: redeployed as "
                            << info.uuid << " (was " << vm.uuid << ")";
        vm.uuid = info.uuid;
        vm.host = info.host;
        if (vm.state == V::kAlive) vm.state = V::kInert;  // it has to prove alive again
        auto step = context.NewStep();
        step.upserts.push_back(vm);
        co_await Commit(context, step);
        ++restored;
    }
    co_return restored;
}

asio::awaitable<bool> DeploymentWorkflow::CheckAlive(Context& context,
                                                     model::VmRecord vm,
                                                     bool one_poll) {
    const auto& group = context.Group(vm.vm_group);
    if (const auto* alive_kpi = IcmpAliveKpi(group)) {
        auto kpi = *alive_kpi;
        auto deadline =
            std::chrono::steady_clock::now() + std::chrono::seconds(std::max(1, group.bootup_time));
        if (one_poll) {
            kpi.occurrences_true = 1;
            deadline = std::chrono::steady_clock::now() + PollPeriod(kpi);
        }
        std::string address;
        for (const auto& nic : xml::InterfacesFromStored(vm.interfaces))
            if (nic.nicid == kpi.nicid) address = nic.ip_address;
        // An address escd may not ping (outside monitor.allowed_cidrs, or no ICMP socket) is
        // not a verdict: the VIM's word decides, as it does for the monitor afterwards
        // (vm_monitor.cpp). So a VNF on a network escd cannot reach (an OpenStack tenant
        // network) is alive once its VIM runs it.
        if (pinger_.Pingable(address))
            co_return co_await WaitAlive(pinger_, address, kpi, deadline);
        ESCD_INFO("deploy") << "VM " << vm.vm_name << ": " << address
                            << " is not pinged (outside monitor.allowed_cidrs, or no ICMP "
                               "socket): alive when the VIM runs it";
    }
    const auto& name = vm.vm_name;
    auto info = co_await vim_.GetVm(name);
    co_return info && info->running;
}

asio::awaitable<void> DeploymentWorkflow::AwaitAlive(Context& context,
                                                     const std::vector<model::VmRecord>& waiting) {
    // Alive: by the group's ICMPPing VM_ALIVE KPI within bootup_time, or (no such KPI)
    // when the VIM reports the VM running. VMs boot in parallel; the verdicts are committed
    // with their VM_ALIVE events once all are in, in the order of the VMs.
    auto executor = co_await asio::this_coro::executor;
    std::vector<char> alive(waiting.size(), 0);
    std::size_t done = 0;
    asio::steady_timer all_done(executor, std::chrono::steady_clock::time_point::max());
    for (std::size_t i = 0; i < waiting.size(); ++i) {
        asio::co_spawn(executor, CheckAlive(context, waiting[i]),
                       [&, i](std::exception_ptr e, bool ok) {
                           alive[i] = !e && ok;
                           if (++done == waiting.size()) all_done.cancel();
                       });
    }
    if (done < waiting.size()) co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
    for (std::size_t i = 0; i < waiting.size(); ++i) {
        if (!alive[i]) continue;
        auto vm = *context.Vm(waiting[i].vm_name);
        vm.state = Next(vm.state, VmEvent::kAlive);
        auto step = context.NewStep();
        step.upserts.push_back(vm);
        context.Emit(step, "VM_ALIVE", &vm, 200,
                     "VM_Alive event received, VM ID: [" + vm.vm_name + "]");
        co_await Commit(context, step);
    }
}

asio::awaitable<DeploymentWorkflow::Final> DeploymentWorkflow::Deploy(const model::Operation& op) {
    Context context(op);
    co_await Load(context);
    context.view.external_id = NameUuid("deployment/" + op.target_id);

    Final final;
    final.outcome.external_id = context.view.external_id;
    co_await EnsureTenant(context);
    co_await CreateDeclaredNetworks(context);

    bool failed = false;
    std::string failure;
    // Every VM is planned first, in index order (names, addresses and MACs claimed one after
    // another), then all are created on the VIM together: a deployment of N VMs costs about one
    // VIM launch, not N end to end (the VIM pool bounds how many calls run at once).
    struct Launch {
        const model::VmGroupSpec* group;
        model::VmRecord vm;
        bool created = false;
    };
    std::vector<Launch> launches;
    for (const auto& group : context.spec.vm_groups) {
        for (int index = 0; index < group.scaling.min_active && !failed; ++index) {
            model::VmRecord vm;
            bool known = false;
            for (const auto& existing : context.view.vms) {
                if (existing.vm_group == group.name && existing.vm_index == index) {
                    vm = existing;
                    known = true;
                }
            }
            if (!known) vm = co_await PlanVm(context, group, index);
            if (vm.state == VmState::kInit || vm.state == VmState::kDeploying) {
                launches.push_back({&group, vm});
            } else if (vm.state == VmState::kError) {
                failed = true;
                failure = "VM " + vm.vm_name + " is in error";
            }
        }
    }
    if (!failed) {
        std::vector<std::size_t> indexes(launches.size());
        std::iota(indexes.begin(), indexes.end(), std::size_t{0});
        LaunchOrder order(co_await asio::this_coro::executor);
        co_await AwaitAll(indexes, [&](std::size_t i) -> asio::awaitable<void> {
            auto& launch = launches[i];
            launch.created =
                co_await CreateOnVim(context, *launch.group, launch.vm, "VM_DEPLOYED", &order, i);
        });
        for (const auto& launch : launches) {
            if (launch.created || failed) continue;
            failed = true;
            failure = "VM " + launch.vm.vm_name + " could not be deployed";
        }
    }
    if (failed) {
        auto step = context.NewStep();
        step.service_state = ServiceState::kError;
        context.view.service = ServiceState::kError;
        co_await Commit(context, step);
        final.status = kFailedStatus;
        final.message = "Service group deployment failed: " + failure;
        final.outcome.state = model::ResourceState::kActive;  // undeploy is the way out
    } else {
        if (context.view.service == ServiceState::kDeploying) {
            auto step = context.NewStep();
            step.service_state =
                *model::NextState(context.view.service, model::ServiceEvent::kAllDeployed);
            co_await Commit(context, step);
        }
        std::vector<model::VmRecord> booting;
        std::vector<model::VmRecord> unhealthy;  // not alive in time, or (a rerun) recovering
        for (const auto& vm : context.view.vms) {
            if (vm.state == VmState::kInert) booting.push_back(vm);
            if (vm.state == VmState::kRecovering) unhealthy.push_back(vm);
        }
        co_await AwaitAlive(context, booting);
        unhealthy.insert(unhealthy.end(), booting.begin(), booting.end());
        co_await RecoverNotAlive(context, unhealthy);
        const bool all_alive = context.AllAlive();
        if (all_alive && context.view.service == ServiceState::kInert) {
            auto step = context.NewStep();
            step.service_state = ServiceState::kActive;
            co_await Commit(context, step);
        }
        final.status = 200;
        final.message = all_alive ? "Service group deployment completed successfully!"
                        : context.view.service == ServiceState::kError
                            ? "Service group deployment failed: a VM could not be recovered"
                            : "Service group deployment failed: not every VM became alive "
                              "within its bootup_time";
        if (!all_alive) final.status = kFailedStatus;
        final.outcome.state = model::ResourceState::kActive;
    }
    model::DeploymentStep last = context.NewStep();
    context.Emit(last, "SERVICE_ALIVE", nullptr, final.status, final.message);
    final.callbacks = std::move(last.events);
    co_return final;
}

asio::awaitable<void> DeploymentWorkflow::UndeployVm(Context& context,
                                                     model::VmRecord vm,
                                                     std::string_view event) {
    if (vm.state != VmState::kUndeploying) {
        vm.state = Next(vm.state, VmEvent::kUndeploy);
        auto step = context.NewStep();
        step.upserts.push_back(vm);
        co_await Commit(context, step);
    }
    const auto& name = vm.vm_name;
    co_await vim_.DeleteVm(name);
    const std::string day0_kind = "day0";
    co_await vim_.DeleteVolume(day0_kind, name);  // its config drive, if it had one
    auto step = context.NewStep();
    step.removed.push_back(vm.vm_name);
    if (!event.empty()) context.Emit(step, std::string(event), &vm, 200, "VM Undeployed");
    co_await Commit(context, step);
}

asio::awaitable<void> DeploymentWorkflow::UndeployAll(Context& context,
                                                      std::vector<model::VmRecord> vms) {
    // A guest can take seconds to be destroyed: all at once. Each VM's steps still commit one
    // by one on the strand.
    co_await AwaitAll(vms, [&](const model::VmRecord& vm) { return UndeployVm(context, vm); });
}

asio::awaitable<DeploymentWorkflow::Final> DeploymentWorkflow::Undeploy(
    const model::Operation& op) {
    Context context(op);
    co_await Load(context);

    if (context.view.service != ServiceState::kUndeploying) {
        auto step = context.NewStep();
        step.service_state = model::NextState(context.view.service, model::ServiceEvent::kUndeploy)
                                 .value_or(ServiceState::kUndeploying);
        co_await Commit(context, step);
    }
    co_await UndeployAll(context, context.view.vms);
    co_await RemoveDeclaredNetworks(context);

    Final final;
    final.outcome.state = model::ResourceState::kRemoved;
    final.message = "Service group undeployment completed successfully!";
    model::DeploymentStep last = context.NewStep();
    context.Emit(last, "SERVICE_UNDEPLOYED", nullptr, 200, final.message);
    final.callbacks = std::move(last.events);
    co_return final;
}

asio::awaitable<void> DeploymentWorkflow::Load(Context& context) {
    auto loaded = co_await LoadDeployment(store_, db_pool_, context.op.target_id);
    context.record = std::move(loaded->record);
    context.spec = std::move(loaded->spec);
    context.view = std::move(loaded->view);
    context.view.spec = &context.spec;
}

namespace {
// What an operation name means for one VM: the request event, the VIM call, the event that
// reports it, and whether the VM must then prove alive again.
struct VmAction {
    std::string_view operation;  ///< stop, start, reboot, enable_monitoring, disable_monitoring
    VmEvent request;
    std::string_view deployment_event;  ///< per VM, in a service operation
    std::string_view vm_event;          ///< the <esc_event> of a VM operation
    std::string_view service_event;     ///< the service operation's final stage
    std::string_view done_message;      ///< "Successfully stopped VM"
    bool then_alive;
};
constexpr VmAction kVmActions[] = {
    {"stop", VmEvent::kStop, "VM_STOPPED", "VM_STOP_COMPLETE", "SERVICE_STOPPED",
     "Successfully stopped VM", false},
    {"start", VmEvent::kStart, "VM_STARTED", "VM_START_COMPLETE", "SERVICE_STARTED",
     "Successfully started VM", true},
    {"reboot", VmEvent::kReboot, "VM_REBOOTED", "VM_REBOOT_COMPLETE", "SERVICE_REBOOTED",
     "Successfully rebooted VM", true},
    {"disable_monitoring", VmEvent::kDisableMonitoring, "VM_MONITOR_UNSET",
     "VM_DISABLE_MONITORING_COMPLETE", "SERVICE_MONITOR_UNSET",
     "Successfully disabled monitoring of VM", false},
    {"enable_monitoring", VmEvent::kEnableMonitoring, "VM_MONITOR_SET",
     "VM_ENABLE_MONITORING_COMPLETE", "SERVICE_ALIVE", "Successfully enabled monitoring of VM",
     true},
};
}  // namespace

bool IsVmOperation(std::string_view operation) {
    return std::any_of(std::begin(kVmActions), std::end(kVmActions),
                       [&](const VmAction& a) { return a.operation == operation; });
}

std::optional<model::VmEvent> VmOperationEvent(std::string_view operation) {
    for (const auto& action : kVmActions)
        if (action.operation == operation) return action.request;
    return std::nullopt;
}

asio::awaitable<DeploymentWorkflow::ApplyResult> DeploymentWorkflow::ApplyToVm(
    Context& context, const std::string& operation, model::VmRecord& vm, std::string& error) {
    const auto* action = std::find_if(std::begin(kVmActions), std::end(kVmActions),
                                      [&](const VmAction& a) { return a.operation == operation; });
    // A rerun after a crash finds the VM where the first run left it: in the operation's own
    // state (the VIM call may or may not have happened: do it again, it is idempotent), or
    // already past it (nothing to do, and its event went out with that step).
    const bool in_flight = (action->request == VmEvent::kStop && vm.state == VmState::kStopping) ||
                           (action->request == VmEvent::kStart && vm.state == VmState::kStarting) ||
                           (action->request == VmEvent::kReboot && vm.state == VmState::kRebooting);
    const bool already =
        (action->request == VmEvent::kStop && vm.state == VmState::kShutoff) ||
        (action->request == VmEvent::kStart &&
         (vm.state == VmState::kInert || vm.state == VmState::kAlive)) ||
        (action->request == VmEvent::kDisableMonitoring && vm.state == VmState::kMonitorUnset) ||
        (action->request == VmEvent::kEnableMonitoring &&
         (vm.state == VmState::kInert || vm.state == VmState::kAlive) && vm.monitoring);
    if (already) co_return ApplyResult::kSkipped;
    if (!in_flight) {
        auto requested = model::NextState(vm.state, action->request);
        if (!requested) {
            error = "VM " + vm.vm_name + " is " + std::string(ToString(vm.state)) + "; cannot " +
                    operation;
            co_return ApplyResult::kRefused;
        }
        vm.state = *requested;
        auto step = context.NewStep();
        step.upserts.push_back(vm);
        co_await Commit(context, step);
    }
    const auto& name = vm.vm_name;
    const auto& group = context.Group(vm.vm_group);
    bool vim_failed = false;
    try {
        const auto grace = ShutdownGrace(group);
        if (action->request == VmEvent::kStop) {
            co_await vim_.StopVm(name, grace);
        } else if (action->request == VmEvent::kStart) {
            co_await vim_.StartVm(name);
        } else if (action->request == VmEvent::kReboot) {
            co_await vim_.RebootVm(name, grace);
        }
    } catch (const Error& e) {
        error = e.what();
        vim_failed = true;
    }
    if (vim_failed) {
        vm.state = Next(vm.state, VmEvent::kVimFailed);
        auto step = context.NewStep();
        step.upserts.push_back(vm);
        co_await Commit(context, step);
        co_return ApplyResult::kRefused;
    }
    // Monitoring switches have no VIM call: the request state is the end state.
    if (action->request == VmEvent::kStop || action->request == VmEvent::kStart ||
        action->request == VmEvent::kReboot) {
        vm.state = Next(vm.state, VmEvent::kVimDone);
    }
    vm.monitoring = action->request != VmEvent::kDisableMonitoring;
    co_return ApplyResult::kApplied;
}

asio::awaitable<DeploymentWorkflow::Final> DeploymentWorkflow::ServiceOperation(
    const model::Operation& op, const std::string& operation) {
    Context context(op);
    co_await Load(context);
    const auto* action = std::find_if(std::begin(kVmActions), std::end(kVmActions),
                                      [&](const VmAction& a) { return a.operation == operation; });
    if (action == std::end(kVmActions))
        throw Error(ErrorCode::kBadRequest, "unknown service operation " + operation);

    Final final;
    final.outcome.state = model::ResourceState::kActive;
    std::vector<std::string> errors;
    std::vector<model::VmRecord> booting;
    auto vms = context.view.vms;
    for (auto& vm : vms) {
        std::string error;
        const auto result = co_await ApplyToVm(context, operation, vm, error);
        if (result == ApplyResult::kSkipped) {
            // Done by an earlier run; one that still has to prove alive is waited for.
            if (action->then_alive && vm.state == VmState::kInert) booting.push_back(vm);
            continue;
        }
        if (result == ApplyResult::kRefused) {
            errors.push_back(error);
            continue;
        }
        auto step = context.NewStep();
        step.upserts.push_back(vm);
        context.Emit(step, std::string(action->deployment_event), &vm, 200,
                     std::string(action->done_message) + " [" + vm.vm_name + "]");
        co_await Commit(context, step);
        if (action->then_alive) booting.push_back(vm);
    }
    if (!booting.empty()) {
        co_await AwaitAlive(context, booting);
        co_await RecoverNotAlive(context, booting);
    }

    // The service follows its VMs.
    const bool all_alive = context.AllAlive();
    const bool all_stopped =
        std::all_of(context.view.vms.begin(), context.view.vms.end(),
                    [](const model::VmRecord& vm) { return vm.state == VmState::kShutoff; });
    auto service = context.view.service;
    if (all_stopped) {
        service = model::NextState(service, model::ServiceEvent::kAllStopped).value_or(service);
    } else {
        service = model::NextState(service, model::ServiceEvent::kStarted).value_or(service);
        service = model::NextState(service, all_alive ? model::ServiceEvent::kAllAlive
                                                      : model::ServiceEvent::kNotAllAlive)
                      .value_or(service);
    }
    if (service != context.view.service) {
        auto step = context.NewStep();
        step.service_state = service;
        co_await Commit(context, step);
    }
    if (errors.empty()) {
        final.status = 200;
        final.message = "Service " + operation + " completed successfully";
    } else {
        final.status = kFailedStatus;
        final.message = "Service " + operation + " failed: " + errors.front();
    }
    model::DeploymentStep last = context.NewStep();
    context.Emit(last, std::string(action->service_event), nullptr, final.status, final.message);
    final.callbacks = std::move(last.events);
    co_return final;
}

asio::awaitable<DeploymentWorkflow::Final> DeploymentWorkflow::VmOperation(
    const model::Operation& op, const std::string& operation, const std::string& vm_name) {
    Context context(op);
    co_await Load(context);
    const auto* action = std::find_if(std::begin(kVmActions), std::end(kVmActions),
                                      [&](const VmAction& a) { return a.operation == operation; });
    if (action == std::end(kVmActions))
        throw Error(ErrorCode::kBadRequest, "unknown VM operation " + operation);
    auto* known = context.Vm(vm_name);
    if (!known) throw Error(ErrorCode::kNotFound, "VM " + vm_name + " not found");
    auto vm = *known;

    Final final;
    final.outcome.state = model::ResourceState::kActive;
    std::string error;
    const bool ok = co_await ApplyToVm(context, operation, vm, error) != ApplyResult::kRefused;
    if (ok) {
        auto step = context.NewStep();
        step.upserts.push_back(vm);
        co_await Commit(context, step);
    }
    final.status = ok ? 200 : 500;
    final.message = ok ? std::string(action->done_message) + " [" + vm_name + "]"
                       : "VM " + operation + " failed: " + error;
    // The operation's own callback. When nothing follows it, it commits with the operation's
    // end, so a client that acts on it finds the deployment idle (no 409). After a start or
    // a reboot VM_ALIVE follows once the VM proves alive again, so it goes out first.
    auto done = xml::VmEventDocument(context.view, action->vm_event, *context.Vm(vm_name));
    const bool more = ok && action->then_alive;
    auto step = context.NewStep();
    for (const auto& url : context.urls) {
        (more ? step.events : final.callbacks)
            .push_back({url, std::string(action->vm_event), final.status, final.message, done});
    }
    if (more) co_await Commit(context, step);
    if (more) {
        const std::vector<model::VmRecord> booting{*context.Vm(vm_name)};
        co_await AwaitAlive(context, booting);
        co_await RecoverNotAlive(context, booting);
    }
    co_return final;
}

}  // namespace escd::orchestrator
