#pragma once
/// @file
/// What a deployment's <image>, <flavor> and interface <network> references mean: resolved at
/// POST and PUT by the rule of model/reference_resolution.hpp (internal id, then VIM UUID, then
/// name; docs/references.md) against the resources escd knows, and recorded in the datamodel.

#include <optional>
#include <string>
#include <vector>

#include "model/stores/resource_store.hpp"
#include "model/xml/deployment_xml.hpp"

namespace escd::server::handlers {

/// What the lookups found: the references that resolved, and the first that did not.
struct ReferenceLookup {
    std::vector<model::xml::ResolvedReference> resolved;
    std::optional<model::xml::Reference> failed;  ///< its internal_id is the datamodel's text
    std::vector<std::string> ambiguous;           ///< of `failed`, when several match it
};

/// Resolves every reference of `parsed`, throwing nothing (but the store's errors). `kept` (a
/// PUT: what the current datamodel's references resolved to) keeps its meaning for the same
/// text while that resource is usable, so an update does not re-point a reference because
/// another object took its name since.
asio::awaitable<ReferenceLookup> LookUpReferences(
    model::ResourceStore& resources,
    const model::xml::ParsedDeployment& parsed,
    const std::vector<model::xml::ResolvedReference>& kept = {});

/// Records in `parsed` what its references that resolved mean (xml::RecordResolvedReferences).
void RecordReferences(model::xml::ParsedDeployment& parsed, const ReferenceLookup& lookup);

/// Throws for the first reference that did not resolve: 404 as RequireReferences when nothing
/// usable matches it, 400 naming the candidates when several do. Returns when all resolved.
void RequireResolved(const ReferenceLookup& lookup, const std::string& tenant);

}  // namespace escd::server::handlers
