#pragma once
/// @file
/// The XML of every non-deployment resource kind but tenants (networks, subnets, images,
/// flavors, volumes, routers, file servers), mapped by ONE generic routine driven by a table of
/// kinds. What differs per kind — which fields are required, their types, defaults, cross-field
/// rules (a subnet's gateway inside its cidr) — lives in the kind's rules (resource_rules.cpp).
///
/// Stored form (resources.spec): the request's root element with its children canonicalised:
/// no namespace prefixes or xmlns attributes, known fields validated and written in their
/// canonical spelling and form ("True" -> "true", `<dhcp>` -> `<enable_dhcp>`), defaults filled
/// in, unknown elements kept as sent (ESC clients send extensions; we return them untouched),
/// and the fields escd owns (event_type, internal/external ids) removed.
///
/// Documents (GET answers, callback bodies): the stored form in the reference's namespace with
/// escd's fields in front: event_type (callbacks), external_<kind>_id, internal_<kind>_id,
/// internal_tenant_id. Secrets (a file server's password) are stored but never shown.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/resource.hpp"

namespace pugi {
class xml_node;
}

namespace escd::model::xml {

/// Another resource a request refers to and that must exist (404 otherwise), e.g. the subnets
/// of a router's interfaces or the file server of an image.
struct Reference {
    model::ResourceKind kind;
    std::string internal_id;
    std::string field;  ///< for the error message: "interface/subnet"
};

struct ParsedResource {
    std::string spec;       ///< the stored form
    std::string name;       ///< resources.name
    std::string parent_id;  ///< subnets: their network; tenant-scoped kinds: the tenant
    std::vector<Reference> references;
};

/// Per-kind rules, called on the canonicalised root: validate (throw Error(kBadRequest) naming
/// the field), rewrite known fields in canonical form, fill defaults, and report references.
using KindRules = void (*)(pugi::xml_node root, ParsedResource& parsed);

struct KindXml {
    model::ResourceKind kind;                   ///< kNetwork, ...
    std::string_view root;                      ///< <network>
    std::string_view list_root;                 ///< <networks>
    std::string_view id_element;                ///< internal_network_id
    std::string_view external_id_element;       ///< external_network_id ("" for none)
    std::string_view noun;                      ///< "Network" (messages)
    std::span<const std::string_view> secrets;  ///< elements stored but never shown
    KindRules rules;
};

/// The table entry of `kind`, or nullptr.
const KindXml* FindKindXml(model::ResourceKind kind) noexcept;

/// Parses and validates a POST/PUT body for `path_id` (and the tenant of the path, empty for
/// global kinds). Ids in the body, when present, must equal the path's. Throws kBadRequest.
ParsedResource ParseResourceRequest(const KindXml& kind,
                                    std::string_view body,
                                    std::string_view path_tenant,
                                    std::string_view path_id);

/// One resource document; `event_type` is omitted when empty (GET answers).
std::string ResourceDocument(const KindXml& kind,
                             const ResourceRecord& record,
                             std::string_view event_type);
/// <networks> holding one <network> per record (GET lists).
std::string ResourceListDocument(const KindXml& kind, const std::vector<ResourceRecord>& records);

}  // namespace escd::model::xml
