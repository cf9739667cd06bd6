#include "orchestrator/engine/operation_catalog.hpp"

#include <array>

#include "model/resource.hpp"

namespace escd::orchestrator {
namespace {
using S = model::ResourceState;

struct Verb {
    std::string_view prefix;  ///< CREATE
    S running;
    std::string_view success;  ///< "successfully created"
    std::string_view failure;  ///< "creation failed"
};
constexpr std::array kVerbs{
    Verb{"CREATE", S::kCreating, "successfully created", "creation failed"},
    Verb{"UPDATE", S::kUpdating, "successfully updated", "update failed"},
    Verb{"DELETE", S::kDeleting, "successfully deleted", "deletion failed"},
};

struct Subject {
    std::string_view suffix;  ///< NETWORK
    std::string_view target_kind;
    std::string_view noun;  ///< "Network"
};
constexpr std::array kSubjects{
    Subject{"TENANT", model::kind::kTenant, "Tenant"},
    Subject{"NETWORK", model::kind::kNetwork, "Network"},
    Subject{"SUBNET", model::kind::kSubnet, "Subnet"},
    Subject{"IMAGE", model::kind::kImage, "Image"},
    Subject{"FLAVOR", model::kind::kFlavor, "Flavor"},
    Subject{"VOLUME", model::kind::kVolume, "Volume"},
    Subject{"ROUTER", model::kind::kRouter, "Router"},
    Subject{"FILE_SERVER", model::kind::kFileServer, "File server"},
    Subject{"DEPLOYMENT", model::kind::kDeployment, "Deployment"},
};
}  // namespace

std::optional<OperationInfo> FindOperation(std::string_view kind) {
    for (const auto& verb : kVerbs) {
        if (!kind.starts_with(verb.prefix) || kind.size() <= verb.prefix.size() + 1 ||
            kind[verb.prefix.size()] != '_') {
            continue;
        }
        auto suffix = kind.substr(verb.prefix.size() + 1);
        for (const auto& subject : kSubjects) {
            if (subject.suffix != suffix) continue;
            std::string noun(subject.noun);
            return OperationInfo{std::string(kind), std::string(subject.target_kind), verb.running,
                                 noun + " " + std::string(verb.success),
                                 noun + " " + std::string(verb.failure)};
        }
    }
    return std::nullopt;
}

std::string OperationKind(model::ResourceState running, std::string_view target_kind) {
    for (const auto& verb : kVerbs) {
        if (verb.running != running) continue;
        for (const auto& subject : kSubjects) {
            if (subject.target_kind == target_kind)
                return std::string(verb.prefix) + "_" + std::string(subject.suffix);
        }
    }
    return {};
}

}  // namespace escd::orchestrator
