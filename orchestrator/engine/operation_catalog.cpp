#include "orchestrator/engine/operation_catalog.hpp"

#include <array>
#include <cstddef>
#include <string_view>

namespace escd::orchestrator {
namespace {
using model::ResourceKind;
using model::ResourceVerb;
using S = model::ResourceState;

struct Verb {
    ResourceVerb verb;
    S running;
    std::string_view success;  ///< "successfully created"
    std::string_view failure;  ///< "creation failed"
};
constexpr std::array kVerbs{
    Verb{ResourceVerb::kCreate, S::kCreating, "successfully created", "creation failed"},
    Verb{ResourceVerb::kUpdate, S::kUpdating, "successfully updated", "update failed"},
    Verb{ResourceVerb::kDelete, S::kDeleting, "successfully deleted", "deletion failed"},
};

struct Subject {
    ResourceKind kind;
    std::string_view noun;  ///< "Network"
};
constexpr std::array kSubjects{
    Subject{ResourceKind::kTenant, "Tenant"},
    Subject{ResourceKind::kNetwork, "Network"},
    Subject{ResourceKind::kSubnet, "Subnet"},
    Subject{ResourceKind::kImage, "Image"},
    Subject{ResourceKind::kFlavor, "Flavor"},
    Subject{ResourceKind::kVolume, "Volume"},
    Subject{ResourceKind::kRouter, "Router"},
    Subject{ResourceKind::kFileServer, "File server"},
    Subject{ResourceKind::kDeployment, "Deployment"},
};

// Each list is in enum order, so a lookup is an index.
constexpr bool InOrder() {
    for (std::size_t i = 0; i < kVerbs.size(); ++i)
        if (static_cast<std::size_t>(kVerbs[i].verb) != i) return false;
    for (std::size_t i = 0; i < kSubjects.size(); ++i)
        if (static_cast<std::size_t>(kSubjects[i].kind) != i) return false;
    return kSubjects.size() == model::kResourceKindNames.size();
}
static_assert(InOrder(), "one verb row per ResourceVerb, one subject row per ResourceKind");
}  // namespace

std::optional<OperationInfo> FindOperation(model::OperationKind kind) {
    const auto& row = model::NameRowOf(kind);
    if (!row.verb || !row.subject) return std::nullopt;
    const auto& verb = kVerbs[static_cast<std::size_t>(*row.verb)];
    const std::string noun(kSubjects[static_cast<std::size_t>(*row.subject)].noun);
    return OperationInfo{kind, *row.subject, verb.running, noun + " " + std::string(verb.success),
                         noun + " " + std::string(verb.failure)};
}

Error UnknownOperationKind(const model::Operation& op) {
    return Error(ErrorCode::kInternal,
                 "unknown operation kind " + std::string(model::KindText(op)));
}

std::optional<model::OperationKind> ResourceOperationKind(model::ResourceState running,
                                                          model::ResourceKind target_kind) {
    for (const auto& verb : kVerbs) {
        if (verb.running == running) return model::OperationOf(verb.verb, target_kind);
    }
    return std::nullopt;
}

}  // namespace escd::orchestrator
