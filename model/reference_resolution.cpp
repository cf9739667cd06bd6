#include "model/reference_resolution.hpp"

#include <algorithm>

namespace escd::model {

bool UsableByTenant(const ResourceRecord& record, std::string_view tenant) {
    return record.state != ResourceState::kDeleting &&
           (tenant.empty() || record.tenant_id.empty() || record.tenant_id == tenant);
}

ReferenceResolution ResolveReference(std::string_view text,
                                     std::string_view tenant,
                                     const std::vector<ResourceRecord>& candidates) {
    // The keys in the order they are tried: escd's own id first, as before names were taken,
    // so a reference by internal id never changes meaning when another object gets that name.
    using Key = std::string ResourceRecord::*;
    for (Key key :
         {&ResourceRecord::internal_id, &ResourceRecord::external_id, &ResourceRecord::name}) {
        std::vector<std::string> matches;
        for (const auto& record : candidates) {
            if (record.*key == text && !text.empty() && UsableByTenant(record, tenant))
                matches.push_back(record.internal_id);
        }
        std::sort(matches.begin(), matches.end());
        matches.erase(std::unique(matches.begin(), matches.end()), matches.end());
        if (matches.size() == 1) return {matches.front(), {}};
        if (matches.size() > 1) return {{}, std::move(matches)};
    }
    return {};
}

}  // namespace escd::model
