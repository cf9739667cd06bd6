#include "model/xml/deployment_xml.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <pugixml.hpp>

#include "common/error.hpp"
#include "model/ids.hpp"
#include "model/resource.hpp"
#include "model/xml/datamodel_fields.hpp"
#include "model/xml/vm_group_xml.hpp"
#include "model/xml/xml_doc.hpp"

namespace escd::model::xml {
namespace {

// The reference spells <nicid> four ways (nicid, nicaid, nictid, nivid); the stored form uses
// nicid, so that one spelling is read back.
void NormaliseNicid(pugi::xml_node node) {
    for (auto child : node.children()) {
        if (child.type() != pugi::node_element) continue;
        std::string_view name = child.name();
        if (name == "nicaid" || name == "nictid" || name == "nivid") child.set_name("nicid");
        NormaliseNicid(child);
    }
}

// The element of a stored datamodel that records what its references mean, when a reference's
// text is not the internal id it resolved to (a name, a VIM UUID). escd's, never the client's:
// dropped from requests and from what GET /deployments/config shows.
constexpr const char* kResolvedElement = "escd_resolved_references";

void DropResolved(pugi::xml_node root) {
    while (auto table = Child(root, kResolvedElement)) root.remove_child(table);
}

// (kind, text) -> internal id, from the stored datamodel's kResolvedElement.
// Ordered as the stored text reads: by the kind's name, then the text.
struct ByKindName {
    bool operator()(const std::pair<ResourceKind, std::string>& a,
                    const std::pair<ResourceKind, std::string>& b) const {
        return std::pair(ToString(a.first), std::string_view(a.second)) <
               std::pair(ToString(b.first), std::string_view(b.second));
    }
};
using ResolvedMap = std::map<std::pair<ResourceKind, std::string>, std::string, ByKindName>;

ResolvedMap ReadResolved(const pugi::xml_node& root) {
    ResolvedMap resolved;
    for (auto entry : Children(Child(root, kResolvedElement), "reference")) {
        const auto text = Text(entry, "kind");
        const auto kind = ParseResourceKind(text);
        if (!kind)
            throw Error(
                ErrorCode::kInternal,
                "a stored datamodel's resolved reference names unknown kind '" + text + "'");
        resolved[{*kind, Text(entry, "text")}] = Text(entry, "internal_id");
    }
    return resolved;
}

// The internal id `text` of `kind` means: what was resolved, else the text itself (an internal
// id, or a datamodel stored before references were resolved).
std::string Canonical(const ResolvedMap& resolved, ResourceKind kind, const std::string& text) {
    auto it = resolved.find({kind, text});
    return it == resolved.end() ? text : it->second;
}

// Walks a canonical datamodel: validates (throws kBadRequest) and fills the typed view, its
// references as the internal ids they were resolved to.
DeploymentSpec Extract(const pugi::xml_node& root,
                       std::string_view internal_id,
                       std::vector<Reference>& references) {
    const auto resolved = ReadResolved(root);
    DeploymentSpec spec;
    spec.internal_id = std::string(internal_id);
    auto tenants = One(root, "tenants", "esc_datamodel");
    auto tenant = One(tenants, "tenant", "<tenants>");
    spec.tenant = Required(tenant, "name", "tenant");
    ValidateInternalId(spec.tenant, "tenant name");
    auto deployments = One(tenant, "deployments", "tenant " + spec.tenant);
    auto deployment = One(deployments, "deployment", "<deployments>");
    spec.name = Required(deployment, "name", "deployment");
    ValidateName(spec.name, kMaxNameLength, "deployment name");

    if (auto networks = Child(deployment, "networks")) {
        for (auto network : Children(networks, "network")) {
            auto name = Required(network, "name", "deployment network");
            ValidateInternalId(name, "deployment network name");
            spec.declared_networks.push_back(name);
        }
    }
    std::set<std::string> names;
    for (auto group_node : Children(deployment, "vm_group")) {
        auto group = ParseGroup(group_node, references);
        if (!names.insert(group.name).second) Bad("two vm_groups are named " + group.name);
        spec.vm_groups.push_back(std::move(group));
    }
    if (spec.vm_groups.empty()) Bad("deployment " + spec.name + " has no <vm_group>");

    // Affinity between groups (deployment policies) must name groups of this deployment.
    // Each group a policy names gets a placement rule relating it to the others it names.
    if (auto policies = Child(deployment, "policies")) {
        for (auto placement : Children(policies, "placement")) {
            std::vector<std::string> named;
            for (std::string_view ref : {"target_vm_group_ref", "vm_group_ref"}) {
                for (auto group : Children(placement, ref)) {
                    std::string name = OwnText(group);
                    if (!names.contains(name))
                        Bad("placement policy names vm_group " + Quoted(name) +
                            ", which the deployment lacks");
                    named.push_back(std::move(name));
                }
            }
            PlacementSpec rule;
            rule.type = OneOf(placement, "type", {"affinity", "anti_affinity"}, "affinity",
                              "placement policy");
            rule.enforcement =
                OneOf(placement, "enforcement", {"strict", "loose"}, "strict", "placement policy");
            for (auto& group : spec.vm_groups) {
                if (std::find(named.begin(), named.end(), group.name) == named.end()) continue;
                auto own = rule;
                for (const auto& other : named)
                    if (other != group.name) own.target_groups.push_back(other);
                group.placement.push_back(std::move(own));
            }
        }
    }

    // Networks the groups use: declared here, or existing ones of the tenant (404 otherwise).
    std::set<std::string> referenced;
    for (const auto& group : spec.vm_groups) {
        for (const auto& nic : group.interfaces) {
            const bool declared =
                std::find(spec.declared_networks.begin(), spec.declared_networks.end(),
                          nic.network) != spec.declared_networks.end();
            if (!declared && referenced.insert(nic.network).second) {
                references.push_back({ResourceKind::kNetwork, nic.network,
                                      "vm_group " + group.name + " interface network"});
            }
        }
    }
    if (resolved.empty()) return spec;
    for (auto& ref : references) ref.internal_id = Canonical(resolved, ref.kind, ref.internal_id);
    for (auto& group : spec.vm_groups) {
        group.image = Canonical(resolved, ResourceKind::kImage, group.image);
        if (!group.flavor.empty())
            group.flavor = Canonical(resolved, ResourceKind::kFlavor, group.flavor);
        for (auto& nic : group.interfaces)
            nic.network = Canonical(resolved, ResourceKind::kNetwork, nic.network);
        for (auto& pool : group.scaling.static_pools)
            pool.network = Canonical(resolved, ResourceKind::kNetwork, pool.network);
    }
    return spec;
}
}  // namespace

namespace {
// A <network> of the deployment (and its <subnet>s) as the resources escd creates for it: the
// same rules as POST /{tenant}/networks and /{tenant}/subnets, ids their <name>s.
void AddDeclared(pugi::xml_node network, const std::string& tenant, ParsedDeployment& parsed) {
    const auto name = ChildText(network, "name").value_or("");
    pugi::xml_document network_doc;
    auto network_root = network_doc.append_copy(network);
    std::vector<pugi::xml_node> subnets;
    for (auto subnet : network_root.children())
        if (LocalName(subnet) == "subnet") subnets.push_back(subnet);
    for (auto subnet : subnets) network_root.remove_child(subnet);
    auto net = ParseResourceRequest(*FindKindXml(ResourceKind::kNetwork), Compact(network_doc),
                                    tenant, name);
    parsed.declared.push_back({ResourceKind::kNetwork,
                               name,
                               tenant,
                               net.name,
                               ResourceState::kCreating,
                               {},
                               net.spec,
                               tenant});
    for (auto subnet : network.children()) {
        if (LocalName(subnet) != "subnet") continue;
        const auto subnet_id = ChildText(subnet, "name").value_or("");
        if (subnet_id.empty()) Bad("a <subnet> of deployment network " + name + " has no <name>");
        ValidateInternalId(subnet_id, "deployment subnet name");
        pugi::xml_document subnet_doc;
        auto subnet_root = subnet_doc.append_copy(subnet);
        if (!Child(subnet_root, "internal_network_id"))
            AppendText(subnet_root, "internal_network_id", name);
        auto sub = ParseResourceRequest(*FindKindXml(ResourceKind::kSubnet), Compact(subnet_doc),
                                        tenant, subnet_id);
        parsed.declared.push_back({ResourceKind::kSubnet,
                                   subnet_id,
                                   tenant,
                                   sub.name,
                                   ResourceState::kCreating,
                                   {},
                                   sub.spec,
                                   name});
    }
}
}  // namespace

ParsedDeployment ParseDeploymentRequest(std::string_view body, std::string_view path_id) {
    ValidateInternalId(path_id, "internal_deployment_id");
    auto request = ParseBody(body);
    auto request_root = RootElement(*request, "esc_datamodel");
    pugi::xml_document doc;
    auto root = doc.append_child("esc_datamodel");
    CopyCanonical(request_root, root);
    DropLayout(root);
    NormaliseNicid(root);
    if (auto opdata = Child(root, "opdata")) root.remove_child(opdata);  // escd's, not input
    DropResolved(root);

    ParsedDeployment parsed;
    parsed.spec = Extract(root, path_id, parsed.references);
    auto deployment =
        Child(Child(Child(Child(root, "tenants"), "tenant"), "deployments"), "deployment");
    std::set<std::string> ids;
    for (auto network : Children(Child(deployment, "networks"), "network"))
        AddDeclared(network, parsed.spec.tenant, parsed);
    for (const auto& record : parsed.declared) {
        if (record.internal_id == path_id || !ids.insert(record.internal_id).second)
            Bad("the deployment declares internal id " + record.internal_id + " twice");
    }
    parsed.stored = Compact(doc);
    return parsed;
}

DeploymentSpec DeploymentSpecFromStored(std::string_view stored, std::string_view internal_id) {
    auto doc = ParseBody(stored);
    std::vector<Reference> ignored;
    return Extract(doc->document_element(), internal_id, ignored);
}

std::vector<Reference> DeploymentReferences(std::string_view stored, std::string_view internal_id) {
    auto doc = ParseBody(stored);
    std::vector<Reference> references;
    Extract(doc->document_element(), internal_id, references);
    return references;
}

namespace {
[[noreturn]] void RefuseChange(const std::string& what) {
    throw Error(ErrorCode::kBadRequest, what + " cannot be changed by an update");
}
}  // namespace

void CheckDeploymentUpdate(const DeploymentSpec& current, const DeploymentSpec& next) {
    if (next.tenant != current.tenant)
        RefuseChange("the tenant of deployment " + current.internal_id + " (" + current.tenant +
                     ")");
    if (next.name != current.name)
        RefuseChange("the name of deployment " + current.internal_id + " (" + current.name + ")");
    for (const auto& was : current.vm_groups) {
        auto it = std::find_if(next.vm_groups.begin(), next.vm_groups.end(),
                               [&](const VmGroupSpec& g) { return g.name == was.name; });
        if (it == next.vm_groups.end()) continue;  // removed: allowed
        const std::string at = "vm_group " + was.name + ": ";
        // A VM's size is fixed once it exists: a new vm_group is the way to change it. Another
        // image is a rolling upgrade of the group's VMs (deployment_rolling.cpp).
        if (it->flavor != was.flavor || it->vcpus != was.vcpus || it->memory_mb != was.memory_mb)
            RefuseChange(at + "the flavor (or vim_vcpus, vim_memory_mb)");
        if (it->volumes != was.volumes) RefuseChange(at + "the volumes");
        for (const auto& nic : was.interfaces) {
            for (const auto& now : it->interfaces) {
                if (now.nicid != nic.nicid) continue;
                if (now.network != nic.network || now.ip_address != nic.ip_address ||
                    now.mac_address != nic.mac_address || now.model != nic.model) {
                    RefuseChange(at + "interface " + std::to_string(nic.nicid) +
                                 " (remove it and add one with another nicid)");
                }
            }
        }
    }
}

void CheckRollingUpgrades(const DeploymentSpec& current,
                          const DeploymentSpec& next,
                          const std::map<std::string, int>& vms) {
    for (const auto& group : next.vm_groups) {
        const auto was = std::find_if(current.vm_groups.begin(), current.vm_groups.end(),
                                      [&](const VmGroupSpec& g) { return g.name == group.name; });
        if (was == current.vm_groups.end() || was->image == group.image) continue;
        const auto found = vms.find(group.name);
        const int now = found == vms.end() ? 0 : found->second;
        // The update first brings the group within its new bounds, then upgrades it.
        const int count = std::clamp(now, group.scaling.min_active,
                                     std::max(group.scaling.min_active, group.scaling.max_active));
        if (count - 1 < group.scaling.min_active) {
            Bad("vm_group " + group.name +
                ": another image is a rolling upgrade that takes its VMs down one at a time; "
                "with " +
                std::to_string(count) + " VM(s) and min_active " +
                std::to_string(group.scaling.min_active) +
                ", fewer than min_active would be alive (lower min_active, or raise max_active, "
                "for the upgrade)");
        }
    }
}

std::vector<ResourceRecord> DeclaredAddedByUpdate(std::string_view current,
                                                  const ParsedDeployment& next) {
    // What the stored datamodel declares, as its deploy created it.
    ParsedDeployment was;
    {
        auto doc = ParseBody(current);
        auto tenant = Child(Child(doc->document_element(), "tenants"), "tenant");
        auto deployment = Child(Child(tenant, "deployments"), "deployment");
        const auto tenant_id = ChildText(tenant, "name").value_or("");
        for (auto network : Children(Child(deployment, "networks"), "network"))
            AddDeclared(network, tenant_id, was);
    }
    const auto& id = next.spec.internal_id;
    const auto declared_before = [&](const ResourceRecord& record) -> const ResourceRecord* {
        for (const auto& old : was.declared)
            if (old.internal_id == record.internal_id && old.kind == record.kind) return &old;
        return nullptr;
    };
    const auto kept = [&](const std::string& network) {
        return std::find(next.spec.declared_networks.begin(), next.spec.declared_networks.end(),
                         network) != next.spec.declared_networks.end();
    };
    std::vector<ResourceRecord> added;
    for (const auto& record : next.declared) {
        const auto* old = declared_before(record);
        const auto& network =
            record.kind == ResourceKind::kNetwork ? record.internal_id : record.parent_id;
        const bool network_before =
            std::any_of(was.declared.begin(), was.declared.end(), [&](const ResourceRecord& r) {
                return r.kind == ResourceKind::kNetwork && r.internal_id == network;
            });
        if (!network_before) {
            added.push_back(record);
        } else if (!old || old->spec != record.spec || old->name != record.name) {
            RefuseChange("network " + network + " that deployment " + id +
                         " declares (declare one of another name instead)");
        }
    }
    for (const auto& old : was.declared) {
        if (old.kind == ResourceKind::kSubnet && kept(old.parent_id) &&
            std::none_of(next.declared.begin(), next.declared.end(),
                         [&](const ResourceRecord& r) { return r.internal_id == old.internal_id; }))
            RefuseChange("network " + old.parent_id + " that deployment " + id +
                         " declares (declare one of another name instead)");
        if (old.kind != ResourceKind::kNetwork || kept(old.internal_id)) continue;
        // Removed with the update: nothing of the new datamodel may still use it.
        for (const auto& ref : next.references) {
            if (ref.kind == ResourceKind::kNetwork && ref.internal_id == old.internal_id)
                Bad("network " + old.internal_id + " is no longer declared by deployment " + id +
                    " (it is removed with the update) but its " + ref.field + " still names it");
        }
        for (const auto& group : next.spec.vm_groups) {
            for (const auto& pool : group.scaling.static_pools) {
                if (pool.network == old.internal_id)
                    Bad("network " + old.internal_id + " is no longer declared by deployment " +
                        id + " (it is removed with the update) but vm_group " + group.name +
                        "'s static_ip_address_pool still names it");
            }
        }
    }
    return added;
}

std::vector<ResolvedReference> ResolvedReferencesOf(std::string_view stored) {
    auto doc = ParseBody(stored);
    std::vector<ResolvedReference> out;
    for (const auto& [key, internal_id] : ReadResolved(doc->document_element()))
        out.push_back({key.first, key.second, internal_id});
    return out;
}

void RecordResolvedReferences(ParsedDeployment& parsed,
                              const std::vector<ResolvedReference>& resolved) {
    auto doc = ParseBody(parsed.stored);
    auto root = doc->document_element();
    DropResolved(root);
    pugi::xml_node table;
    for (const auto& entry : resolved) {
        if (entry.text == entry.internal_id) continue;  // by internal id: nothing to remember
        if (!table) table = root.append_child(kResolvedElement);
        auto node = table.append_child("reference");
        AppendText(node, "kind", ToString(entry.kind));
        AppendText(node, "text", entry.text);
        AppendText(node, "internal_id", entry.internal_id);
    }
    parsed.stored = Compact(*doc);
    parsed.references.clear();
    parsed.spec = Extract(root, parsed.spec.internal_id, parsed.references);
}

std::string DeploymentConfigDocument(std::string_view stored) {
    auto doc = ParseBody(stored);
    auto root = doc->document_element();
    DropResolved(root);
    root.prepend_attribute("xmlns").set_value(kEscNs);
    return Serialize(*doc);
}

}  // namespace escd::model::xml
