#include "model/xml/resource_xml.hpp"

#include <array>
#include <sstream>

#include <pugixml.hpp>

#include "common/error.hpp"
#include "model/ids.hpp"
#include "model/xml/resource_rules.hpp"
#include "model/xml/xml_doc.hpp"

namespace escd::model::xml {
namespace {
constexpr std::string_view kFileServerSecrets[] = {"file_server_password", "password"};

// clang-format off
const std::array kKinds{
    KindXml{ResourceKind::kNetwork, "network", "networks", "internal_network_id", "external_network_id",
            "Network", {}, rules::Network},
    KindXml{ResourceKind::kSubnet, "subnet", "subnets", "internal_subnet_id", "external_subnet_id",
            "Subnet", {}, rules::Subnet},
    KindXml{ResourceKind::kImage, "image", "images", "internal_image_id", "external_image_id",
            "Image", {}, rules::Image},
    KindXml{ResourceKind::kFlavor, "flavor", "flavors", "internal_flavor_id", "external_flavor_id",
            "Flavor", {}, rules::Flavor},
    KindXml{ResourceKind::kVolume, "volume", "volumes", "internal_volume_id", "external_volume_id",
            "Volume", {}, rules::Volume},
    KindXml{ResourceKind::kRouter, "router", "routers", "internal_router_id", "external_router_id",
            "Router", {}, rules::Router},
    KindXml{ResourceKind::kFileServer, "file_server", "file_servers", "id", "",
            "File server", kFileServerSecrets, rules::FileServer},
};
// clang-format on

bool IsSecret(const KindXml& kind, std::string_view name) {
    for (auto secret : kind.secrets)
        if (secret == name) return true;
    return false;
}

void RequireSameId(const pugi::xml_node& root,
                   std::string_view element,
                   std::string_view path_value,
                   std::string_view path_name) {
    auto body = ChildText(root, element);
    if (body && *body != path_value) {
        throw Error(ErrorCode::kBadRequest, std::string(element) + " '" + body->substr(0, 80) +
                                                "' in the body differs from '" +
                                                std::string(path_value) + "' in the " +
                                                std::string(path_name));
    }
}

void RemoveAll(pugi::xml_node root, std::string_view name) {
    for (auto child = root.first_child(); child;) {
        auto next = child.next_sibling();
        if (child.type() == pugi::node_element && LocalName(child) == name)
            root.remove_child(child);
        child = next;
    }
}

// Fills `node` (an empty <network>) for output.
void FillDocument(const KindXml& kind,
                  const ResourceRecord& record,
                  std::string_view event_type,
                  pugi::xml_node node) {
    if (!event_type.empty()) AppendText(node, "event_type", event_type);
    if (!kind.external_id_element.empty() && !record.external_id.empty())
        AppendText(node, std::string(kind.external_id_element).c_str(), record.external_id);
    AppendText(node, std::string(kind.id_element).c_str(), record.internal_id);
    if (!record.tenant_id.empty()) AppendText(node, "internal_tenant_id", record.tenant_id);
    pugi::xml_document stored;
    if (!stored.load_buffer(record.spec.data(), record.spec.size(), pugi::parse_default,
                            pugi::encoding_utf8)) {
        throw Error(ErrorCode::kInternal, "stored " + std::string(ToString(kind.kind)) + " " +
                                              record.internal_id + " is not valid XML");
    }
    for (auto child = stored.document_element().first_child(); child;
         child = child.next_sibling()) {
        if (child.type() == pugi::node_element && IsSecret(kind, child.name())) continue;
        node.append_copy(child);
    }
}
}  // namespace

const KindXml* FindKindXml(ResourceKind kind) noexcept {
    for (const auto& entry : kKinds)
        if (entry.kind == kind) return &entry;
    return nullptr;
}

ParsedResource ParseResourceRequest(const KindXml& kind,
                                    std::string_view body,
                                    std::string_view path_tenant,
                                    std::string_view path_id) {
    ValidateInternalId(path_id, kind.id_element);
    if (!path_tenant.empty()) ValidateInternalId(path_tenant, "internal_tenant_id");
    auto request = ParseBody(body);
    auto request_root = RootElement(*request, kind.root);
    RequireSameId(request_root, kind.id_element, path_id, "path");
    if (!path_tenant.empty())
        RequireSameId(request_root, "internal_tenant_id", path_tenant, "path");

    pugi::xml_document doc;
    auto root = doc.append_child(std::string(kind.root).c_str());
    CopyCanonical(request_root, root);
    DropLayout(root);
    // escd's own fields: never taken from the client.
    for (std::string_view owned :
         {std::string_view("event_type"), kind.id_element, kind.external_id_element,
          std::string_view("internal_tenant_id"), std::string_view("external_tenant_id")}) {
        if (!owned.empty()) RemoveAll(root, owned);
    }

    ParsedResource parsed;
    parsed.parent_id = std::string(path_tenant);
    kind.rules(root, parsed);
    parsed.name = ChildText(root, "name").value_or(std::string(path_id));
    parsed.spec = Compact(doc);
    return parsed;
}

std::string ResourceDocument(const KindXml& kind,
                             const ResourceRecord& record,
                             std::string_view event_type) {
    pugi::xml_document doc;
    auto node = doc.append_child(std::string(kind.root).c_str());
    node.append_attribute("xmlns").set_value(kNetconfNs);
    FillDocument(kind, record, event_type, node);
    return Serialize(doc);
}

namespace {
void AppendEscaped(std::string& out, std::string_view text) {
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            default:
                out += c;
        }
    }
}

void AppendElement(std::string& out, std::string_view name, std::string_view text) {
    out += '<';
    out += name;
    out += '>';
    AppendEscaped(out, text);
    out += "</";
    out += name;
    out += '>';
}

// The stored form is compact XML written by ParseResourceRequest: "<network>...</network>".
// Its children can be copied as text, which makes a list of 10,000 a string concatenation
// instead of 10,000 parses. Returns false when the spec has another shape (then the caller
// takes the DOM path).
bool AppendFast(std::string& out, const KindXml& kind, const ResourceRecord& record) {
    if (!kind.secrets.empty()) return false;  // secrets must be filtered element by element
    const std::string open = "<" + std::string(kind.root) + ">";
    const std::string close = "</" + std::string(kind.root) + ">";
    std::string_view spec = record.spec;
    if (!spec.starts_with(open) || !spec.ends_with(close)) return false;
    out += open;
    if (!kind.external_id_element.empty() && !record.external_id.empty())
        AppendElement(out, kind.external_id_element, record.external_id);
    AppendElement(out, kind.id_element, record.internal_id);
    if (!record.tenant_id.empty()) AppendElement(out, "internal_tenant_id", record.tenant_id);
    out += spec.substr(open.size(), spec.size() - open.size() - close.size());
    out += close;
    return true;
}
}  // namespace

std::string ResourceListDocument(const KindXml& kind, const std::vector<ResourceRecord>& records) {
    std::string out = "<?xml version=\"1.0\"?>\n<";
    out += kind.list_root;
    out += " xmlns=\"";
    out += kNetconfNs;
    out += "\">";
    std::size_t estimate = 0;
    for (const auto& record : records) estimate += record.spec.size() + 160;
    out.reserve(out.size() + estimate);
    for (const auto& record : records) {
        if (AppendFast(out, kind, record)) continue;
        pugi::xml_document doc;
        FillDocument(kind, record, {}, doc.append_child(std::string(kind.root).c_str()));
        std::ostringstream item;
        doc.save(item, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
        out += item.str();
    }
    out += "</";
    out += kind.list_root;
    out += ">\n";
    return out;
}

}  // namespace escd::model::xml
