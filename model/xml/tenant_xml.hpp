#pragma once
/// @file
/// Tenant <-> XML, as the ESC reference shows it:
///
///     <tenant xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">
///       <enabled>true</enabled>
///       <event_type>CREATE_TENANT</event_type>          (callbacks only)
///       <external_tenant_id>484c62...</external_tenant_id>
///       <internal_tenant_id>tentest</internal_tenant_id>
///       <name>example-tenant</name>
///       <managed_resource>true</managed_resource>
///     </tenant>
///
/// Unknown elements (extensions, ...) are accepted and ignored. An internal_tenant_id in the body
/// must equal the one in the path.

#include <string>
#include <string_view>
#include <vector>

#include "model/tenant.hpp"

namespace escd::model::xml {

/// Parses and validates a POST/PUT body for tenant `path_id`. Throws Error(kBadRequest).
TenantSpec ParseTenantRequest(std::string_view body, std::string_view path_id);

/// The canonical form escd stores (resources.spec) and its inverse.
std::string StoredTenantSpec(const TenantSpec& spec);
TenantSpec TenantSpecFromStored(std::string_view stored);

struct TenantView {
    TenantSpec spec;
    std::string external_id;
};

/// One tenant document; `event_type` is omitted when empty (GET answers).
std::string TenantDocument(const TenantView& tenant, std::string_view event_type);
/// <tenants> holding one <tenant> per entry (GET /v0/tenants).
std::string TenantListDocument(const std::vector<TenantView>& tenants);

}  // namespace escd::model::xml
