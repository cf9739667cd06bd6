#pragma once
/// @file
/// model::DynamicMappingStore — the role of the store that keeps dynamic mappings (the named
/// documents of /v0/dynamic_mappings, e.g. the KPI metrics the monitor evaluates).
/// Conventions: model/stores/resource_store.hpp.

#include <string>
#include <vector>

#include "common/asio.hpp"
#include "model/dynamic_mapping.hpp"

namespace escd::model {

class DynamicMappingStore {
  public:
    virtual ~DynamicMappingStore() = default;

    /// The entries of `kind`, by name.
    virtual asio::awaitable<std::vector<DynamicMapping>> ListDynamicMappings(MappingKind kind) = 0;
    /// Inserts all of `entries` or none; kConflict naming the first existing one.
    virtual asio::awaitable<void> CreateDynamicMappings(
        const std::vector<DynamicMapping>& entries) = 0;
    /// Deletes one non-CORE entry; false when there is none (the caller checked CORE).
    virtual asio::awaitable<bool> DeleteDynamicMapping(MappingKind kind,
                                                       const std::string& name) = 0;
    /// Deletes every non-CORE entry of `kind`; returns how many.
    virtual asio::awaitable<int> DeleteNonCoreDynamicMappings(MappingKind kind) = 0;
};

}  // namespace escd::model
