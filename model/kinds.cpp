#include "model/kinds.hpp"

#include <cstddef>

namespace escd::model {
namespace {

// Each table lists its enumerators in declaration order, so ToString is an index.
template <class Table>
constexpr bool InEnumOrder(const Table& table) {
    for (std::size_t i = 0; i < table.size(); ++i) {
        if (static_cast<std::size_t>(table[i].kind) != i) return false;
    }
    return true;
}
static_assert(InEnumOrder(kResourceKindNames));
static_assert(InEnumOrder(kOperationKindNames));
static_assert(InEnumOrder(kMappingKindNames));
static_assert(static_cast<std::size_t>(MappingKind::kMetric) + 1 == kMappingKindNames.size());
static_assert(static_cast<std::size_t>(OperationKind::kDeleteVimUser) + 1 ==
              kOperationKindNames.size());
static_assert(static_cast<std::size_t>(ResourceKind::kDeployment) + 1 == kResourceKindNames.size());
static_assert(static_cast<std::size_t>(TargetKind::kHost) == kResourceKindNames.size(),
              "a resource target converts to its resource kind one to one");

// Every (verb, subject) has its row, where OperationOf finds it.
constexpr bool VerbsCoverEveryKind() {
    for (const auto& resource : kResourceKindNames) {
        for (auto verb : {ResourceVerb::kCreate, ResourceVerb::kUpdate, ResourceVerb::kDelete}) {
            int rows = 0;
            for (const auto& row : kOperationKindNames)
                rows += row.verb == verb && row.subject == resource.kind;
            if (rows != 1) return false;
        }
    }
    return true;
}
static_assert(VerbsCoverEveryKind(), "each resource kind has one operation per verb");

}  // namespace

std::string_view ToString(ResourceKind kind) noexcept {
    return kResourceKindNames[static_cast<std::size_t>(kind)].text;
}

std::string_view ToString(TargetKind kind) noexcept {
    if (auto resource = ResourceKindOf(kind)) return ToString(*resource);
    for (const auto& row : kOtherTargetKindNames) {
        if (row.kind == kind) return row.text;
    }
    return {};
}

std::string_view ToString(OperationKind kind) noexcept {
    return NameRowOf(kind).text;
}

std::string_view ToString(MappingKind kind) noexcept {
    return kMappingKindNames[static_cast<std::size_t>(kind)].text;
}

std::optional<ResourceKind> ParseResourceKind(std::string_view text) noexcept {
    return KindNamed(kResourceKindNames, text);
}

std::optional<TargetKind> ParseTargetKind(std::string_view text) noexcept {
    if (auto resource = ParseResourceKind(text)) return TargetOf(*resource);
    return KindNamed(kOtherTargetKindNames, text);
}

std::optional<OperationKind> ParseOperationKind(std::string_view text) noexcept {
    return KindNamed(kOperationKindNames, text);
}

std::optional<MappingKind> ParseMappingKind(std::string_view text) noexcept {
    return KindNamed(kMappingKindNames, text);
}

OperationKind OperationOf(ResourceVerb verb, ResourceKind subject) noexcept {
    for (const auto& row : kOperationKindNames) {
        if (row.verb == verb && row.subject == subject) return row.kind;
    }
    // Not reached: VerbsCoverEveryKind.
    return OperationKind::kCreateTenant;
}

const OperationKindName& NameRowOf(OperationKind kind) noexcept {
    return kOperationKindNames[static_cast<std::size_t>(kind)];
}

std::optional<ResourceKind> ParentKindOf(ResourceKind kind) noexcept {
    switch (kind) {
        case ResourceKind::kNetwork:
        case ResourceKind::kVolume:
        case ResourceKind::kRouter:
        case ResourceKind::kDeployment:
            return ResourceKind::kTenant;
        case ResourceKind::kSubnet:
            return ResourceKind::kNetwork;
        case ResourceKind::kTenant:
        case ResourceKind::kImage:
        case ResourceKind::kFlavor:
        case ResourceKind::kFileServer:
            return std::nullopt;
    }
    return std::nullopt;
}

}  // namespace escd::model
