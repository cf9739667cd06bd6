#include "model/xml/tenant_xml.hpp"

#include "common/error.hpp"
#include "model/ids.hpp"
#include "model/xml/xml_doc.hpp"

namespace escd::model::xml {
namespace {
void FillTenant(pugi::xml_node node, const TenantView& tenant, std::string_view event_type) {
    const auto& spec = tenant.spec;
    AppendBool(node, "enabled", spec.enabled);
    if (!event_type.empty()) AppendText(node, "event_type", event_type);
    if (!tenant.external_id.empty()) AppendText(node, "external_tenant_id", tenant.external_id);
    AppendText(node, "internal_tenant_id", spec.internal_id);
    AppendText(node, "name", spec.name);
    if (!spec.description.empty()) AppendText(node, "description", spec.description);
    if (spec.vim_mapping) AppendBool(node, "vim_mapping", *spec.vim_mapping);
    AppendBool(node, "managed_resource", spec.managed_resource);
}

TenantSpec SpecFromNode(const pugi::xml_node& root) {
    TenantSpec spec;
    spec.name = ChildText(root, "name").value_or("");
    spec.description = ChildText(root, "description").value_or("");
    spec.enabled = ChildBool(root, "enabled").value_or(true);
    spec.managed_resource = ChildBool(root, "managed_resource").value_or(true);
    spec.vim_mapping = ChildBool(root, "vim_mapping");
    return spec;
}
}  // namespace

TenantSpec ParseTenantRequest(std::string_view body, std::string_view path_id) {
    ValidateInternalId(path_id, "internal_tenant_id");
    auto doc = ParseBody(body);
    auto root = RootElement(*doc, "tenant");
    auto spec = SpecFromNode(root);
    if (auto body_id = ChildText(root, "internal_tenant_id"); body_id && *body_id != path_id) {
        throw Error(ErrorCode::kBadRequest, "internal_tenant_id '" + body_id->substr(0, 80) +
                                                "' in the body differs from '" +
                                                std::string(path_id) + "' in the path");
    }
    if (!Child(root, "name")) throw Error(ErrorCode::kBadRequest, "tenant <name> is required");
    ValidateName(spec.name, kMaxTenantNameLength, "tenant name");
    if (spec.description.size() > kMaxNameLength) {
        throw Error(ErrorCode::kBadRequest, "tenant description is longer than 255 characters");
    }
    spec.internal_id = std::string(path_id);
    return spec;
}

std::string StoredTenantSpec(const TenantSpec& spec) {
    pugi::xml_document doc;
    FillTenant(doc.append_child("tenant"), TenantView{spec, {}}, {});
    return Serialize(doc);
}

TenantSpec TenantSpecFromStored(std::string_view stored) {
    auto doc = ParseBody(stored);
    auto root = doc->document_element();
    auto spec = SpecFromNode(root);
    spec.internal_id = ChildText(root, "internal_tenant_id").value_or("");
    return spec;
}

std::string TenantDocument(const TenantView& tenant, std::string_view event_type) {
    pugi::xml_document doc;
    auto node = doc.append_child("tenant");
    node.append_attribute("xmlns").set_value(kNetconfNs);
    FillTenant(node, tenant, event_type);
    return Serialize(doc);
}

std::string TenantListDocument(const std::vector<TenantView>& tenants) {
    pugi::xml_document doc;
    auto list = doc.append_child("tenants");
    list.append_attribute("xmlns").set_value(kNetconfNs);
    for (const auto& tenant : tenants) FillTenant(list.append_child("tenant"), tenant, {});
    return Serialize(doc);
}

}  // namespace escd::model::xml
