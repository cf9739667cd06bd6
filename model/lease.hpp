#pragma once
/// @file
/// model::LeaseKind — the units of work a node owns through a lease (docs/cluster.md, "Leases").

#include <optional>
#include <string_view>

namespace escd::model {

/// What a lease is on. Stored as its text in `leases.unit_kind`.
enum class LeaseKind {
    /// A transaction: its operation while it runs, then the delivery of its callbacks, in order,
    /// until the last one is delivered or abandoned. Events no request caused (a monitor's
    /// VM_DOWN) are transactions without an operation.
    kTransaction,
};

constexpr std::string_view ToString(LeaseKind kind) {
    switch (kind) {
        case LeaseKind::kTransaction:
            return "transaction";
    }
    return "?";
}

constexpr std::optional<LeaseKind> ParseLeaseKind(std::string_view text) {
    if (text == ToString(LeaseKind::kTransaction)) return LeaseKind::kTransaction;
    return std::nullopt;
}

}  // namespace escd::model
