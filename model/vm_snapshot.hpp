#pragma once
/// @file
/// A VM snapshot as listed by GET /v0/snapshots.

#include <string>

namespace escd::model {

struct VmSnapshot {
    std::string snapshot_id;
    std::string name;
    std::string tenant_id;
    std::string vm_name;  ///< the generated VM name
    std::string state;
    std::string created_at;  ///< ISO 8601, UTC
};

}  // namespace escd::model
