#include "model/xml/vim_connector_xml.hpp"

#include <sstream>

#include "common/error.hpp"
#include "common/text.hpp"
#include "model/xml/xml_doc.hpp"

namespace escd::model::xml {
namespace {
// The <property> children of `properties` (a <properties> element, or empty: no properties).
std::vector<VimProperty> ParseProperties(const pugi::xml_node& properties, std::string_view what) {
    std::vector<VimProperty> out;
    for (auto node = properties.first_child(); node; node = node.next_sibling()) {
        if (node.type() != pugi::node_element || LocalName(node) != "property") continue;
        VimProperty property;
        auto name = ChildText(node, "name");
        if (!name)
            throw Error(ErrorCode::kBadRequest, std::string(what) + " <property> without a <name>");
        property.name = *name;
        auto value = ChildText(node, "value");
        auto encrypted = ChildText(node, "encrypted_value");
        if (value.has_value() == encrypted.has_value()) {
            throw Error(ErrorCode::kBadRequest,
                        std::string(what) + " property '" + Shown(property.name) +
                            "' needs exactly one of <value> and <encrypted_value>");
        }
        property.encrypted = encrypted.has_value();
        property.value = std::move(property.encrypted ? *encrypted : *value);
        out.push_back(std::move(property));
    }
    ValidateVimProperties(out, what);
    return out;
}

// The body's <id> (or <vim_id>...) checked against the path: required when `path_id` is empty.
std::string IdFrom(const pugi::xml_node& root,
                   std::string_view element,
                   std::string_view path_id,
                   std::string_view what) {
    auto body_id = ChildText(root, element);
    if (path_id.empty()) {
        if (!body_id || body_id->empty()) {
            throw Error(ErrorCode::kBadRequest,
                        std::string(what) + " <" + std::string(element) + "> is required");
        }
        return *body_id;
    }
    if (body_id && *body_id != path_id) {
        throw Error(ErrorCode::kBadRequest, std::string(what) + " <" + std::string(element) +
                                                "> '" + Shown(*body_id) + "' differs from '" +
                                                std::string(path_id) + "' in the path");
    }
    return std::string(path_id);
}

void AppendProperties(pugi::xml_node parent, const std::vector<VimProperty>& properties) {
    auto list = parent.append_child("properties");
    for (const auto& property : properties) {
        if (IsSecretProperty(property)) continue;
        auto node = list.append_child("property");
        AppendText(node, "name", property.name);
        AppendText(node, "value", property.value);
    }
}

void FillConnector(pugi::xml_node node,
                   const VimConnector& connector,
                   std::string_view event_type) {
    AppendText(node, "id", connector.id);
    AppendText(node, "type", ToString(connector.type));
    AppendProperties(node, connector.properties);
    if (connector.status) {
        AppendText(node, "status", StatusName(*connector.status));
        AppendText(node, "status_message", connector.status->message);
        AppendText(node, "status_checked_at", Iso8601(connector.status->checked_at));
    }
    if (!event_type.empty()) AppendText(node, "event_type", event_type);
}

void FillUser(pugi::xml_node node, const VimUser& user, std::string_view event_type) {
    AppendText(node, "id", user.id);
    AppendText(node, "vim_id", user.vim_id);
    AppendProperties(node.append_child("credentials"), user.credentials);
    if (!event_type.empty()) AppendText(node, "event_type", event_type);
}

pugi::xml_node AppendRoot(pugi::xml_document& doc, const char* name) {
    auto root = doc.append_child(name);
    root.append_attribute("xmlns").set_value(kNetconfNs);
    return root;
}
}  // namespace

VimConnector ParseVimConnectorRequest(std::string_view body, std::string_view path_id) {
    if (!path_id.empty()) ValidateVimConnectorId(path_id);
    auto doc = ParseBody(body);
    auto root = RootElement(*doc, "vim_connector");
    VimConnector connector;
    connector.id = IdFrom(root, "id", path_id, "vim_connector");
    auto type = ChildText(root, "type");
    if (!type) throw Error(ErrorCode::kBadRequest, "vim_connector <type> is required");
    auto parsed = ParseVimType(*type);
    if (!parsed) {
        throw Error(ErrorCode::kBadRequest,
                    "vim_connector <type> '" + Shown(*type) + "' is not LIBVIRT or OPENSTACK");
    }
    connector.type = *parsed;
    connector.properties = ParseProperties(Child(root, "properties"), "vim connector");
    ValidateVimConnector(connector);
    return connector;
}

VimUser ParseVimUserRequest(std::string_view body,
                            std::string_view vim_id,
                            std::string_view path_user_id) {
    if (!path_user_id.empty()) ValidateVimUserId(path_user_id);
    auto doc = ParseBody(body);
    auto root = doc->document_element();
    if (LocalName(root) != "user") root = RootElement(*doc, "vim_user");
    VimUser user;
    user.vim_id = IdFrom(root, "vim_id", vim_id, "vim_user");
    user.id = IdFrom(root, "id", path_user_id, "vim_user");
    ValidateVimUserId(user.id);
    user.credentials = ParseProperties(Child(Child(root, "credentials"), "properties"), "vim user");
    return user;
}

std::string ParseDefaultVimConnectorRequest(std::string_view body) {
    auto doc = ParseBody(body);
    auto id = ChildText(doc->document_element(), "defaultVimConnectorId");
    if (!id) throw Error(ErrorCode::kBadRequest, "<defaultVimConnectorId> is required");
    ValidateVimConnectorId(*id);
    return *id;
}

std::string StoredProperties(const std::vector<VimProperty>& properties) {
    pugi::xml_document doc;
    auto list = doc.append_child("properties");
    for (const auto& property : properties) {
        auto node = list.append_child("property");
        AppendText(node, "name", property.name);
        AppendText(node, property.encrypted ? "encrypted_value" : "value", property.value);
    }
    std::ostringstream out;
    doc.save(out, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
    return out.str();
}

std::vector<VimProperty> PropertiesFromStored(std::string_view stored) {
    auto doc = ParseBody(stored);
    std::vector<VimProperty> out;
    for (auto node = doc->document_element().first_child(); node; node = node.next_sibling()) {
        VimProperty property;
        property.name = ChildText(node, "name").value_or("");
        auto encrypted = ChildText(node, "encrypted_value");
        property.encrypted = encrypted.has_value();
        property.value = encrypted ? *encrypted : ChildText(node, "value").value_or("");
        out.push_back(std::move(property));
    }
    return out;
}

std::string VimConnectorDocument(const VimConnector& connector, std::string_view event_type) {
    pugi::xml_document doc;
    FillConnector(AppendRoot(doc, "vim_connector"), connector, event_type);
    return Serialize(doc);
}

std::string VimConnectorListDocument(const std::vector<VimConnector>& connectors) {
    pugi::xml_document doc;
    auto list = AppendRoot(doc, "vim_connectors");
    for (const auto& connector : connectors)
        FillConnector(list.append_child("vim_connector"), connector, {});
    return Serialize(doc);
}

std::string VimUserDocument(const VimUser& user, std::string_view event_type) {
    pugi::xml_document doc;
    FillUser(AppendRoot(doc, "vim_user"), user, event_type);
    return Serialize(doc);
}

std::string VimUserListDocument(const std::vector<VimUser>& users) {
    pugi::xml_document doc;
    auto list = AppendRoot(doc, "vim_users");
    for (const auto& user : users) FillUser(list.append_child("vim_user"), user, {});
    return Serialize(doc);
}

std::string DefaultVimConnectorDocument(std::string_view id, std::string_view event_type) {
    pugi::xml_document doc;
    auto root = AppendRoot(doc, "default_vim_connector");
    AppendText(root, "defaultVimConnectorId", id);
    if (!event_type.empty()) AppendText(root, "event_type", event_type);
    return Serialize(doc);
}

std::string_view StatusName(const VimConnectorStatus& status) noexcept {
    return status.reachable ? "CONNECTION_SUCCESSFUL" : "CONNECTION_FAILED";
}

}  // namespace escd::model::xml
