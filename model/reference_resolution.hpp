#pragma once
/// @file
/// Which resource a deployment's <image>, <flavor> or interface <network> means: ESC names them
/// as the VIM knows them, by the VIM's UUID or by name, and escd also takes its internal id.
///
/// The rule (docs/references.md): among the resources of the kind the client may use (not being
/// deleted; a network of the deployment's tenant or of no tenant), the one whose internal id is
/// the text; else the one whose external (VIM) id is the text; else the one whose name is the
/// text. Two or more at the first level that matches are ambiguous; none at any level: missing.
/// Pure: the caller fetches the candidates (Store::GetResource, Store::FindResourcesByKey).

#include <string>
#include <string_view>
#include <vector>

#include "model/resource.hpp"

namespace escd::model {

/// Whether a deployment of `tenant` may use `record`.
bool UsableByTenant(const ResourceRecord& record, std::string_view tenant);

struct ReferenceResolution {
    /// The internal id of the resource meant; empty when none or several are.
    std::string internal_id;
    /// The internal ids of the resources the text equally means (two or more), by internal id.
    std::vector<std::string> ambiguous;

    bool Found() const { return !internal_id.empty(); }
};

/// Resolves `text` among `candidates` (any records of the reference's kind; those `tenant` may
/// not use are skipped) by the rule above.
ReferenceResolution ResolveReference(std::string_view text,
                                     std::string_view tenant,
                                     const std::vector<ResourceRecord>& candidates);

}  // namespace escd::model
