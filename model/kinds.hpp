#pragma once
/// @file
/// The kinds escd deals in: resource kinds (resources.kind), the targets of operations
/// (operations.target_kind: a resource, a host, a VIM connector or one of its users), the
/// operation kinds (operations.kind, also the event_type of their callbacks) and the kinds of
/// dynamic mappings (dynamic_mappings.kind, the element of its document). Each is an enum
/// with one name table, whose text is the stored and wire text. Text is parsed into a kind once,
/// where it enters (a route, an XML reader, the store's row mappers); deeper code compares
/// enums only.

#include <array>
#include <optional>
#include <string_view>

namespace escd::model {

enum class ResourceKind {
    kTenant,
    kNetwork,
    kSubnet,
    kImage,
    kFlavor,
    kVolume,
    kRouter,
    kFileServer,
    kDeployment,
};

/// What an operation acts on: every resource kind (same order, so ResourceKind converts one to
/// one), and the targets that are not resources.
enum class TargetKind {
    kTenant,
    kNetwork,
    kSubnet,
    kImage,
    kFlavor,
    kVolume,
    kRouter,
    kFileServer,
    kDeployment,
    kHost,
    kVimConnector,
    kVimUser,
};

/// What a dynamic mapping (/v0/dynamic_mapping/actions|metrics) is: an action a KPI rule runs, or
/// a metric a KPI polls.
enum class MappingKind { kAction, kMetric };

/// The three verbs of a resource's own operations (CREATE_NETWORK = kCreate of kNetwork).
enum class ResourceVerb { kCreate, kUpdate, kDelete };

enum class OperationKind {
    // VERB_SUBJECT: one per ResourceVerb and ResourceKind.
    kCreateTenant,
    kUpdateTenant,
    kDeleteTenant,
    kCreateNetwork,
    kUpdateNetwork,
    kDeleteNetwork,
    kCreateSubnet,
    kUpdateSubnet,
    kDeleteSubnet,
    kCreateImage,
    kUpdateImage,
    kDeleteImage,
    kCreateFlavor,
    kUpdateFlavor,
    kDeleteFlavor,
    kCreateVolume,
    kUpdateVolume,
    kDeleteVolume,
    kCreateRouter,
    kUpdateRouter,
    kDeleteRouter,
    kCreateFileServer,
    kUpdateFileServer,
    kDeleteFileServer,
    kCreateDeployment,
    kUpdateDeployment,
    kDeleteDeployment,
    // On a deployment.
    kServiceOperation,
    kVmOperation,
    kRecoverVm,
    kScaleOut,
    kScaleIn,
    kMigrateVm,
    kSnapshotVm,
    kRevertSnapshot,
    kDeleteSnapshot,
    kSnapshotVolume,
    // On a host, a VIM connector, a VIM user.
    kHostEnabled,
    kHostDisabled,
    kCreateVimConnector,
    kUpdateVimConnector,
    kDeleteVimConnector,
    kSetDefaultVimConnector,
    kCheckVimConnectorStatus,
    kCreateVimUser,
    kUpdateVimUser,
    kDeleteVimUser,
};

/// One row of a name table: the enumerator and its stored and wire text.
template <class Kind>
struct KindName {
    Kind kind;
    std::string_view text;
};

/// An operation kind's row: its text and, for a resource's own operations, its verb and subject.
struct OperationKindName {
    OperationKind kind;
    std::string_view text;
    std::optional<ResourceVerb> verb;
    std::optional<ResourceKind> subject;
};

inline constexpr std::array<KindName<ResourceKind>, 9> kResourceKindNames{{
    {ResourceKind::kTenant, "tenant"},
    {ResourceKind::kNetwork, "network"},
    {ResourceKind::kSubnet, "subnet"},
    {ResourceKind::kImage, "image"},
    {ResourceKind::kFlavor, "flavor"},
    {ResourceKind::kVolume, "volume"},
    {ResourceKind::kRouter, "router"},
    {ResourceKind::kFileServer, "file_server"},
    {ResourceKind::kDeployment, "deployment"},
}};

/// The targets that are not resources; a resource target's text is its resource kind's.
inline constexpr std::array<KindName<TargetKind>, 3> kOtherTargetKindNames{{
    {TargetKind::kHost, "host"},
    {TargetKind::kVimConnector, "vim_connector"},
    {TargetKind::kVimUser, "vim_user"},
}};

inline constexpr std::array<KindName<MappingKind>, 2> kMappingKindNames{{
    {MappingKind::kAction, "action"},
    {MappingKind::kMetric, "metric"},
}};

namespace kinds_detail {
constexpr auto OperationKindTable() {
    using enum OperationKind;
    using enum ResourceVerb;
    using enum ResourceKind;
    return std::array<OperationKindName, 47>{{
        {kCreateTenant, "CREATE_TENANT", kCreate, kTenant},
        {kUpdateTenant, "UPDATE_TENANT", kUpdate, kTenant},
        {kDeleteTenant, "DELETE_TENANT", kDelete, kTenant},
        {kCreateNetwork, "CREATE_NETWORK", kCreate, kNetwork},
        {kUpdateNetwork, "UPDATE_NETWORK", kUpdate, kNetwork},
        {kDeleteNetwork, "DELETE_NETWORK", kDelete, kNetwork},
        {kCreateSubnet, "CREATE_SUBNET", kCreate, kSubnet},
        {kUpdateSubnet, "UPDATE_SUBNET", kUpdate, kSubnet},
        {kDeleteSubnet, "DELETE_SUBNET", kDelete, kSubnet},
        {kCreateImage, "CREATE_IMAGE", kCreate, kImage},
        {kUpdateImage, "UPDATE_IMAGE", kUpdate, kImage},
        {kDeleteImage, "DELETE_IMAGE", kDelete, kImage},
        {kCreateFlavor, "CREATE_FLAVOR", kCreate, kFlavor},
        {kUpdateFlavor, "UPDATE_FLAVOR", kUpdate, kFlavor},
        {kDeleteFlavor, "DELETE_FLAVOR", kDelete, kFlavor},
        {kCreateVolume, "CREATE_VOLUME", kCreate, kVolume},
        {kUpdateVolume, "UPDATE_VOLUME", kUpdate, kVolume},
        {kDeleteVolume, "DELETE_VOLUME", kDelete, kVolume},
        {kCreateRouter, "CREATE_ROUTER", kCreate, kRouter},
        {kUpdateRouter, "UPDATE_ROUTER", kUpdate, kRouter},
        {kDeleteRouter, "DELETE_ROUTER", kDelete, kRouter},
        {kCreateFileServer, "CREATE_FILE_SERVER", kCreate, kFileServer},
        {kUpdateFileServer, "UPDATE_FILE_SERVER", kUpdate, kFileServer},
        {kDeleteFileServer, "DELETE_FILE_SERVER", kDelete, kFileServer},
        {kCreateDeployment, "CREATE_DEPLOYMENT", kCreate, kDeployment},
        {kUpdateDeployment, "UPDATE_DEPLOYMENT", kUpdate, kDeployment},
        {kDeleteDeployment, "DELETE_DEPLOYMENT", kDelete, kDeployment},
        {kServiceOperation, "SERVICE_OPERATION", {}, {}},
        {kVmOperation, "VM_OPERATION", {}, {}},
        {kRecoverVm, "RECOVER_VM", {}, {}},
        {kScaleOut, "SCALE_OUT", {}, {}},
        {kScaleIn, "SCALE_IN", {}, {}},
        {kMigrateVm, "MIGRATE_VM", {}, {}},
        {kSnapshotVm, "SNAPSHOT_VM", {}, {}},
        {kRevertSnapshot, "REVERT_SNAPSHOT", {}, {}},
        {kDeleteSnapshot, "DELETE_SNAPSHOT", {}, {}},
        {kSnapshotVolume, "SNAPSHOT_VOLUME", {}, {}},
        {kHostEnabled, "HOST_ENABLED", {}, {}},
        {kHostDisabled, "HOST_DISABLED", {}, {}},
        {kCreateVimConnector, "CREATE_VIM_CONNECTOR", {}, {}},
        {kUpdateVimConnector, "UPDATE_VIM_CONNECTOR", {}, {}},
        {kDeleteVimConnector, "DELETE_VIM_CONNECTOR", {}, {}},
        {kSetDefaultVimConnector, "SET_DEFAULT_VIM_CONNECTOR", {}, {}},
        {kCheckVimConnectorStatus, "CHECK_VIM_CONNECTOR_STATUS", {}, {}},
        {kCreateVimUser, "CREATE_VIM_USER", {}, {}},
        {kUpdateVimUser, "UPDATE_VIM_USER", {}, {}},
        {kDeleteVimUser, "DELETE_VIM_USER", {}, {}},
    }};
}
}  // namespace kinds_detail

inline constexpr auto kOperationKindNames = kinds_detail::OperationKindTable();

/// The kind whose text in `table` (a name table: rows with `kind` and `text`) is `text`; nullopt
/// when none is.
template <class Table>
constexpr auto KindNamed(const Table& table, std::string_view text) noexcept
    -> std::optional<decltype(table[0].kind)> {
    for (const auto& row : table) {
        if (row.text == text) return row.kind;
    }
    return std::nullopt;
}

std::string_view ToString(ResourceKind kind) noexcept;   ///< "tenant", "file_server", ...
std::string_view ToString(TargetKind kind) noexcept;     ///< a resource's, "host", "vim_user", ...
std::string_view ToString(OperationKind kind) noexcept;  ///< "CREATE_TENANT", "SCALE_OUT", ...
std::string_view ToString(MappingKind kind) noexcept;    ///< "action", "metric"

std::optional<ResourceKind> ParseResourceKind(std::string_view text) noexcept;
std::optional<TargetKind> ParseTargetKind(std::string_view text) noexcept;
std::optional<OperationKind> ParseOperationKind(std::string_view text) noexcept;
std::optional<MappingKind> ParseMappingKind(std::string_view text) noexcept;

/// The target a resource of `kind` is.
constexpr TargetKind TargetOf(ResourceKind kind) noexcept {
    return static_cast<TargetKind>(kind);
}
/// The resource kind of `target`; nullopt for a host, a VIM connector, a VIM user.
constexpr std::optional<ResourceKind> ResourceKindOf(TargetKind target) noexcept {
    if (target >= TargetKind::kHost) return std::nullopt;
    return static_cast<ResourceKind>(target);
}

/// The resource kind's own operation `verb` (CREATE_NETWORK for kCreate of kNetwork).
OperationKind OperationOf(ResourceVerb verb, ResourceKind subject) noexcept;
/// The row of `kind` in kOperationKindNames (its verb and subject).
const OperationKindName& NameRowOf(OperationKind kind) noexcept;

/// The kind a resource of `kind` lives in: the tenant for networks, volumes, routers and
/// deployments, the network for subnets, nullopt for tenants, images, flavors and file servers
/// (global).
std::optional<ResourceKind> ParentKindOf(ResourceKind kind) noexcept;

/// Whether an undeploy accepted while an operation of `kind` runs on the deployment cancels it
/// rather than being refused (docs/behaviour.md, "Undeploy"): a recovery and a scale, which
/// escd started itself and which may wait bootup_times for nothing the client still wants.
constexpr bool UndeployCancels(OperationKind kind) noexcept {
    return kind == OperationKind::kRecoverVm || kind == OperationKind::kScaleOut ||
           kind == OperationKind::kScaleIn;
}

}  // namespace escd::model
