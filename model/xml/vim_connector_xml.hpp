#pragma once
/// @file
/// VIM connectors and VIM users <-> XML (ESC reference, "13-ESC VIM Connectors", "14-ESC VIM
/// Users"):
///
///     <vim_connector xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">
///       <id>my-openstack</id>
///       <type>OPENSTACK</type>                          LIBVIRT | OPENSTACK, any case
///       <properties>
///         <property><name>os_auth_url</name><value>http://10.0.0.1:5000/v3</value></property>
///         <property><name>os_password</name><encrypted_value>...</encrypted_value></property>
///       </properties>
///       <status>CONNECTION_SUCCESSFUL</status>          answers only, once checked:
///       <status_message>connected to ...</status_message>   CONNECTION_SUCCESSFUL |
///       <status_checked_at>2024-05-01T10:00:00Z</status_checked_at>  CONNECTION_FAILED
///       <event_type>CREATE_VIM_CONNECTOR</event_type>   callbacks only
///     </vim_connector>
///
///     <vim_user xmlns="...">                            (<user> is accepted too)
///       <id>admin</id>
///       <vim_id>my-openstack</vim_id>                   optional in requests; must match the path
///       <credentials><properties>...</properties></credentials>
///     </vim_user>
///
///     <default_vim_connector xmlns="...">               any root name is accepted in requests
///       <defaultVimConnectorId>my-openstack</defaultVimConnectorId>
///     </default_vim_connector>
///
/// Each property carries exactly one of <value> and <encrypted_value>. Secrets
/// (model::IsSecretProperty: every encrypted value, and names containing password, secret,
/// token or key) are stored but left out of every document built here: the property is omitted
/// whole, so an answer never shows a secret nor a placeholder that could be sent back by mistake.
/// Lists: <vim_connectors> and <vim_users> holding one element per entry. Unknown elements are
/// accepted and ignored; parsers throw Error(kBadRequest).

#include <string>
#include <string_view>
#include <vector>

#include "model/vim_connector.hpp"

namespace escd::model::xml {

/// A POST (`path_id` empty: the body's <id> is required) or PUT (the body's <id>, if any, must
/// equal `path_id`) body, validated (model::ValidateVimConnector). is_default and status unset.
VimConnector ParseVimConnectorRequest(std::string_view body, std::string_view path_id);
/// The same for a VIM user of connector `vim_id`; `path_user_id` as `path_id` above.
VimUser ParseVimUserRequest(std::string_view body,
                            std::string_view vim_id,
                            std::string_view path_user_id);
/// The connector id of a POST /vims/default_vim_connector body.
std::string ParseDefaultVimConnectorRequest(std::string_view body);

/// The canonical stored form of a property list, secrets included, and its inverse.
std::string StoredProperties(const std::vector<VimProperty>& properties);
std::vector<VimProperty> PropertiesFromStored(std::string_view stored);

/// One connector without its secrets; `event_type` omitted when empty (GET answers).
std::string VimConnectorDocument(const VimConnector& connector, std::string_view event_type);
std::string VimConnectorListDocument(const std::vector<VimConnector>& connectors);
std::string VimUserDocument(const VimUser& user, std::string_view event_type);
std::string VimUserListDocument(const std::vector<VimUser>& users);
std::string DefaultVimConnectorDocument(std::string_view id, std::string_view event_type);

/// CONNECTION_SUCCESSFUL / CONNECTION_FAILED.
std::string_view StatusName(const VimConnectorStatus& status) noexcept;

}  // namespace escd::model::xml
