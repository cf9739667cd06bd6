#include "server/handlers/deployment_references.hpp"

#include "common/error.hpp"
#include "model/reference_resolution.hpp"
#include "server/handlers/mutation.hpp"

namespace escd::server::handlers {
namespace {
namespace xml = model::xml;

std::string Joined(const std::vector<std::string>& ids) {
    std::string out;
    for (const auto& id : ids) out += (out.empty() ? "" : ", ") + id;
    return out;
}
}  // namespace

asio::awaitable<ReferenceLookup> LookUpReferences(model::ResourceStore& resources,
                                                  const xml::ParsedDeployment& parsed,
                                                  const std::vector<xml::ResolvedReference>& kept) {
    const auto& references = parsed.references;
    const auto& tenant = parsed.spec.tenant;
    // The usual case, references by internal id (or kept), costs one read of primary keys for
    // all of them; only a reference that names no internal id looks further.
    std::vector<model::ResourceKey> meant;
    for (const auto& ref : references) {
        const auto& text = ref.internal_id;  // before resolution: the datamodel's text
        meant.emplace_back(ref.kind, text);
        for (const auto& old : kept)
            if (old.kind == ref.kind && old.text == text) meant.back().second = old.internal_id;
    }
    const auto by_id = co_await resources.GetResources(meant);
    ReferenceLookup lookup;
    for (std::size_t i = 0; i < references.size(); ++i) {
        const auto& ref = references[i];
        const auto& text = ref.internal_id;
        if (by_id[i] && model::UsableByTenant(*by_id[i], tenant)) {
            lookup.resolved.push_back({ref.kind, text, meant[i].second});
            continue;
        }
        const auto candidates = co_await resources.FindResourcesByKey(ref.kind, text);
        auto found = model::ResolveReference(text, tenant, candidates);
        if (found.Found()) {
            lookup.resolved.push_back({ref.kind, text, std::move(found.internal_id)});
        } else if (!lookup.failed) {
            lookup.failed = ref;
            lookup.ambiguous = std::move(found.ambiguous);
        }
    }
    co_return lookup;
}

void RecordReferences(xml::ParsedDeployment& parsed, const ReferenceLookup& lookup) {
    xml::RecordResolvedReferences(parsed, lookup.resolved);
}

void RequireResolved(const ReferenceLookup& lookup, const std::string& tenant) {
    if (!lookup.failed) return;
    const auto& ref = *lookup.failed;
    if (lookup.ambiguous.empty())
        throw Error(ErrorCode::kNotFound, MissingReferenceMessage(ref, tenant));
    const std::string kind(ToString(ref.kind));
    throw Error(ErrorCode::kBadRequest, ref.field + " names " + kind + " " + ref.internal_id +
                                            ", which is ambiguous: it matches the " + kind + "s " +
                                            Joined(lookup.ambiguous) +
                                            "; name one by its internal id or VIM UUID");
}

}  // namespace escd::server::handlers
