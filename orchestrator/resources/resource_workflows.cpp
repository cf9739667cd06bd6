#include "orchestrator/resources/resource_workflows.hpp"

#include <charconv>

#include <pugixml.hpp>

#include "common/error.hpp"
#include "common/offload.hpp"
#include "model/xml/xml_doc.hpp"

namespace escd::orchestrator {
namespace {
namespace xml = model::xml;
using model::ResourceState;

// Stored specs were validated and canonicalised when accepted (model/xml/resource_rules.cpp),
// so reading them back only needs defaults for fields that are optional.
class Spec {
  public:
    explicit Spec(const std::string& stored) {
        if (!doc_.load_buffer(stored.data(), stored.size()))
            throw Error(ErrorCode::kInternal, "a stored resource spec is not valid XML");
        root_ = doc_.document_element();
    }
    std::string Text(std::string_view name, std::string fallback = {}) const {
        return xml::ChildText(root_, name).value_or(std::move(fallback));
    }
    bool Bool(std::string_view name, bool fallback) const {
        return xml::ChildBool(root_, name).value_or(fallback);
    }
    long long Int(std::string_view name, long long fallback) const {
        auto text = xml::ChildText(root_, name);
        long long value = fallback;
        if (text) std::from_chars(text->data(), text->data() + text->size(), value);
        return value;
    }
    pugi::xml_node root() const { return root_; }

  private:
    pugi::xml_document doc_;
    pugi::xml_node root_;
};

vim::SubnetDefinition SubnetOf(const model::ResourceRecord& record) {
    Spec spec(record.spec);
    vim::SubnetDefinition subnet{record.internal_id,
                                 spec.Text("cidr"),
                                 spec.Text("gateway_ip"),
                                 spec.Bool("enable_dhcp", true),
                                 {}};
    for (auto pool : spec.root().children("allocation_pools")) {
        subnet.pools.emplace_back(xml::ChildText(pool, "start").value_or(""),
                                  xml::ChildText(pool, "end").value_or(""));
    }
    return subnet;
}

std::uint64_t VolumeBytes(const Spec& spec) {
    auto size = static_cast<std::uint64_t>(spec.Int("size", 1));
    auto unit = spec.Text("sizeunit", "GiB");
    unsigned shift = unit == "MiB" ? 20 : unit == "TiB" ? 40 : 30;
    return size << shift;
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
    Spec spec(network.spec);
    vim::NetworkRequest request{network.internal_id,
                                network.tenant_id,
                                network.name,
                                spec.Bool("admin_state_up", true),
                                spec.Bool("shared", false),
                                {}};
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
    Spec spec(image.spec);
    FetchSource source{spec.Text("src"), {}, {}};
    std::string server_id;
    std::string path;
    if (auto locator = xml::Child(spec.root(), "file_locator")) {
        server_id = xml::ChildText(locator, "file_server_id").value_or("");
        path = xml::ChildText(locator, "remote_path").value_or("");
    }
    const auto file_server_kind = model::ResourceKind::kFileServer;
    const std::optional<std::string> any_tenant;
    auto servers = co_await resources_.ListResources(file_server_kind, any_tenant);
    for (const auto& server : servers) {
        Spec server_spec(server.spec);
        auto base = server_spec.Text("base_url");
        const bool named = server.internal_id == server_id;
        // A src under a file server's base URL uses that server's credentials.
        const bool under = !source.url.empty() && !base.empty() && source.url.starts_with(base);
        if (!named && !under) continue;
        if (named) {
            while (!base.empty() && base.back() == '/') base.pop_back();
            source.url = base + (path.starts_with('/') ? "" : "/") + path;
        }
        source.user = server_spec.Text("file_server_user");
        source.password = server_spec.Text("file_server_password");
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
                               Spec(target.spec).Text("disk_format", "qcow2"),
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
    Spec spec(target.spec);
    vim::VolumeRequest request{vim::VolumeKind::kVolume,
                               target.internal_id,
                               target.tenant_id,
                               VolumeBytes(spec),
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
    Spec spec(target.spec);
    vim::FlavorRequest request{target.internal_id,
                               target.name,
                               static_cast<int>(spec.Int("vcpus", 1)),
                               spec.Int("memory_mb", 0),
                               spec.Int("root_disk_mb", 0),
                               spec.Int("ephemeral_disk_mb", 0)};
    auto object = co_await vim_.flavors.CreateFlavor(request);
    co_return Result{object.external_id, object.note};
}

asio::awaitable<ResourceWorkflows::Result> ResourceWorkflows::Router(
    ResourceState running, const model::ResourceRecord& target) {
    if (running == ResourceState::kDeleting) {
        co_await vim_.routers.DeleteRouter(target.external_id);
        co_return Result{};
    }
    Spec spec(target.spec);
    std::vector<std::string> subnet_ids;
    for (auto interface : spec.root().children("interface"))
        subnet_ids.push_back(xml::ChildText(interface, "subnet").value_or(""));
    std::vector<model::ResourceKey> keys;
    for (const auto& id : subnet_ids) keys.emplace_back(model::ResourceKind::kSubnet, id);
    const auto subnets = co_await resources_.GetResources(keys);
    vim::RouterRequest request{
        target.internal_id, target.tenant_id, target.name, spec.Bool("admin_state", true), {}};
    for (std::size_t i = 0; i < subnets.size(); ++i) {
        if (!subnets[i])
            throw Error(ErrorCode::kNotFound, "subnet " + subnet_ids[i] + " not found");
        request.subnet_external_ids.push_back(subnets[i]->external_id);
    }
    auto object = co_await vim_.routers.EnsureRouter(request);
    co_return Result{object.external_id, object.note};
}

}  // namespace escd::orchestrator
