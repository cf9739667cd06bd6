#include "orchestrator/resources/resource_workflows.hpp"

#include "common/error.hpp"
#include "common/offload.hpp"
#include "model/xml/resource_spec_xml.hpp"

namespace escd::orchestrator {
namespace {
namespace xml = model::xml;
using model::ResourceState;

vim::SubnetDefinition SubnetOf(const model::ResourceRecord& record) {
    auto spec = xml::SubnetSpecFromStored(record.spec);
    return {record.internal_id, std::move(spec.cidr), std::move(spec.gateway_ip), spec.enable_dhcp,
            std::move(spec.pools)};
}
}  // namespace

asio::awaitable<ResourceWorkflows::Result> ResourceWorkflows::Run(
    ResourceState running, const model::ResourceRecord& target) {
    const auto& kind = target.kind;
    if (kind == model::ResourceKind::kNetwork) co_return co_await Network(running, target);
    if (kind == model::ResourceKind::kSubnet) co_return co_await Subnet(running, target);
    if (kind == model::ResourceKind::kImage) co_return co_await Image(running, target);
    if (kind == model::ResourceKind::kVolume) co_return co_await Volume(running, target);
    if (kind == model::ResourceKind::kFlavor) co_return co_await Flavor(running, target);
    if (kind == model::ResourceKind::kRouter) co_return co_await Router(running, target);
    if (kind == model::ResourceKind::kFileServer) {
        // A file server is escd's own record of where files come from: nothing on the VIM.
        co_return Result{};
    }
    throw Error(ErrorCode::kInternal,
                "no workflow for resource kind " + std::string(ToString(kind)));
}

vim::NetworkRequest NetworkRequestOf(const model::ResourceRecord& network,
                                     const std::vector<model::ResourceRecord>& subnets) {
    const auto spec = xml::NetworkSpecFromStored(network.spec);
    vim::NetworkRequest request{network.internal_id, network.tenant_id, network.name,
                                spec.admin_state_up, spec.shared,       {}};
    for (const auto& subnet : subnets)
        if (subnet.state != ResourceState::kDeleting) request.subnets.push_back(SubnetOf(subnet));
    return request;
}

asio::awaitable<vim::EnsuredNetwork> ResourceWorkflows::ApplyNetwork(
    const std::string& network_id, const model::ResourceRecord* changed, bool changed_removed) {
    const auto network_kind = model::ResourceKind::kNetwork,
               subnet_kind = model::ResourceKind::kSubnet;
    auto network = co_await resources_.GetResource(network_kind, network_id);
    auto subnets = co_await resources_.ListChildren(subnet_kind, network_id);
    if (!network) throw Error(ErrorCode::kNotFound, "network " + network_id + " not found");
    const model::ResourceRecord& net =
        changed && changed->kind == model::ResourceKind::kNetwork ? *changed : *network;
    std::vector<model::ResourceRecord> live;
    for (auto& subnet : subnets)
        if (!changed || subnet.internal_id != changed->internal_id) live.push_back(subnet);
    if (changed && changed->kind == model::ResourceKind::kSubnet && !changed_removed)
        live.push_back(*changed);
    auto request = NetworkRequestOf(net, live);
    co_return co_await vim_.networks.EnsureNetwork(request);
}

asio::awaitable<ResourceWorkflows::Result> ResourceWorkflows::Network(
    ResourceState running, const model::ResourceRecord& target) {
    if (running == ResourceState::kDeleting) {
        co_await vim_.networks.DeleteNetwork(target.internal_id);
        co_return Result{};
    }
    const auto made = co_await ApplyNetwork(target.internal_id, &target, false);
    co_return Result{made.external_id, {}};
}

asio::awaitable<ResourceWorkflows::Result> ResourceWorkflows::Subnet(
    ResourceState running, const model::ResourceRecord& target) {
    const bool removed = running == ResourceState::kDeleting;
    const auto made = co_await ApplyNetwork(target.parent_id, &target, removed);
    if (removed) co_return Result{};
    co_return Result{made.SubnetExternalId(target.internal_id), {}};
}

asio::awaitable<FetchSource> ResourceWorkflows::ImageSource(const model::ResourceRecord& image) {
    const auto spec = xml::ImageSpecFromStored(image.spec);
    FetchSource source{spec.src, {}, {}};
    const auto& server_id = spec.file_server_id;
    const auto& path = spec.remote_path;
    const auto file_server_kind = model::ResourceKind::kFileServer;
    const std::optional<std::string> any_tenant;
    auto servers = co_await resources_.ListResources(file_server_kind, any_tenant);
    for (const auto& server : servers) {
        auto server_spec = xml::FileServerSpecFromStored(server.spec);
        auto base = server_spec.base_url;
        const bool named = server.internal_id == server_id;
        // A src under a file server's base URL uses that server's credentials.
        const bool under = !source.url.empty() && !base.empty() && source.url.starts_with(base);
        if (!named && !under) continue;
        if (named) {
            while (!base.empty() && base.back() == '/') base.pop_back();
            source.url = base + (path.starts_with('/') ? "" : "/") + path;
        }
        source.user = std::move(server_spec.user);
        source.password = std::move(server_spec.password);
        break;
    }
    if (source.url.empty()) {
        throw Error(ErrorCode::kNotFound,
                    "file server " + server_id + " of the image's file_locator not found");
    }
    co_return source;
}

asio::awaitable<ResourceWorkflows::Result> ResourceWorkflows::Image(
    ResourceState running, const model::ResourceRecord& target) {
    if (running == ResourceState::kDeleting) {
        co_await vim_.storage.DeleteVolume(vim::VolumeKind::kImage, target.internal_id);
        co_return Result{};
    }
    auto source = co_await ImageSource(target);
    const std::string staged_name = "image-" + target.internal_id;
    auto file = co_await fetcher_.Fetch(source, staged_name);
    vim::VolumeRequest request{vim::VolumeKind::kImage,
                               target.internal_id,
                               target.tenant_id,
                               file.size,
                               xml::ImageSpecFromStored(target.spec).disk_format,
                               file.path};
    std::exception_ptr failure;
    vim::VimObject object;
    try {
        object = co_await vim_.storage.CreateVolume(request);
    } catch (...) {
        failure = std::current_exception();
    }
    if (file.temporary) {
        co_await Offload(file_pool_, [&file] {
            FileFetcher::Discard(file);
            return 0;
        });
    }
    if (failure) std::rethrow_exception(failure);
    co_return Result{object.external_id, object.note};
}

asio::awaitable<ResourceWorkflows::Result> ResourceWorkflows::Volume(
    ResourceState running, const model::ResourceRecord& target) {
    if (running == ResourceState::kDeleting) {
        co_await vim_.storage.DeleteVolume(vim::VolumeKind::kVolume, target.internal_id);
        co_return Result{};
    }
    vim::VolumeRequest request{vim::VolumeKind::kVolume,
                               target.internal_id,
                               target.tenant_id,
                               xml::VolumeSpecFromStored(target.spec).Bytes(),
                               "raw",
                               {}};
    auto object = co_await vim_.storage.CreateVolume(request);
    co_return Result{object.external_id, object.note};
}

asio::awaitable<ResourceWorkflows::Result> ResourceWorkflows::Flavor(
    ResourceState running, const model::ResourceRecord& target) {
    if (running == ResourceState::kDeleting) {
        co_await vim_.flavors.DeleteFlavor(target.external_id);
        co_return Result{};
    }
    const auto spec = xml::FlavorSpecFromStored(target.spec);
    vim::FlavorRequest request{target.internal_id, target.name,       spec.vcpus,
                               spec.memory_mb,     spec.root_disk_mb, spec.ephemeral_disk_mb};
    auto object = co_await vim_.flavors.CreateFlavor(request);
    co_return Result{object.external_id, object.note};
}

asio::awaitable<ResourceWorkflows::Result> ResourceWorkflows::Router(
    ResourceState running, const model::ResourceRecord& target) {
    if (running == ResourceState::kDeleting) {
        co_await vim_.routers.DeleteRouter(target.external_id);
        co_return Result{};
    }
    const auto spec = xml::RouterSpecFromStored(target.spec);
    const auto& subnet_ids = spec.subnets;
    std::vector<model::ResourceKey> keys;
    for (const auto& id : subnet_ids) keys.emplace_back(model::ResourceKind::kSubnet, id);
    const auto subnets = co_await resources_.GetResources(keys);
    vim::RouterRequest request{
        target.internal_id, target.tenant_id, target.name, spec.admin_state, {}};
    for (std::size_t i = 0; i < subnets.size(); ++i) {
        if (!subnets[i])
            throw Error(ErrorCode::kNotFound, "subnet " + subnet_ids[i] + " not found");
        request.subnet_external_ids.push_back(subnets[i]->external_id);
    }
    auto object = co_await vim_.routers.EnsureRouter(request);
    co_return Result{object.external_id, object.note};
}

}  // namespace escd::orchestrator
