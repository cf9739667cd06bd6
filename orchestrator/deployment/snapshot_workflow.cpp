#include "orchestrator/deployment/snapshot_workflow.hpp"

#include <algorithm>

#include <pugixml.hpp>

#include "common/error.hpp"
#include "common/log.hpp"
#include "model/xml/operation_payload_xml.hpp"
#include "model/xml/resource_spec_xml.hpp"
#include "model/xml/resource_xml.hpp"
#include "model/xml/xml_doc.hpp"
#include "orchestrator/deployment/loaded_deployment.hpp"
#include "orchestrator/engine/operation_catalog.hpp"

namespace escd::orchestrator {
namespace {
namespace xml = model::xml;
using model::OperationKind;
using model::SnapshotEvent;
using model::SnapshotState;

// What each operation on an existing snapshot means: the snapshot's state while it runs and the
// event that reports it.
struct SnapshotAction {
    model::OperationKind kind;
    SnapshotState running;
    std::string_view event_type;
};
constexpr SnapshotAction kActions[] = {
    {OperationKind::kSnapshotVm, SnapshotState::kCreating, "VM_SNAPSHOT_COMPLETE"},
    {OperationKind::kRevertSnapshot, SnapshotState::kReverting, "VM_SNAPSHOT_REVERT_COMPLETE"},
    {OperationKind::kDeleteSnapshot, SnapshotState::kDeleting, "VM_SNAPSHOT_DELETE_COMPLETE"},
};

const SnapshotAction* ActionOf(OperationKind kind) {
    const auto* it = std::find_if(std::begin(kActions), std::end(kActions),
                                  [&](const SnapshotAction& a) { return a.kind == kind; });
    return it == std::end(kActions) ? nullptr : it;
}

std::string_view EventTypeOf(OperationKind kind) {
    if (const auto* action = ActionOf(kind)) return action->event_type;
    return ToString(OperationKind::kCreateVolume);
}

std::vector<std::pair<std::string, std::string>> Details(const model::VmSnapshot& snapshot) {
    return {{"snapshot_id", snapshot.snapshot_id}, {"snapshot_name", snapshot.name}};
}

}  // namespace

bool IsSnapshotOperation(OperationKind kind) {
    return ActionOf(kind) != nullptr || kind == OperationKind::kSnapshotVolume;
}

struct SnapshotWorkflow::Context {
    const model::Operation& op;
    std::unique_ptr<LoadedDeployment> loaded;
    /// As committed when the operation started; kRemoved when its row is gone.
    model::VmSnapshot snapshot;
    std::string volume_id;

    /// The operation's callback: `body` to each URL, as the end of the operation.
    DeploymentWorkflow::Final Ends(int status,
                                   std::string message,
                                   const std::string& event_type,
                                   const std::string& body) const {
        auto final = DeploymentWorkflow::Final::KeepsDeployment(status, std::move(message));
        final.callbacks = ToEventUrls(op, event_type, final.status, final.message, body);
        return final;
    }

    /// The <esc_event> about the snapshot's VM (a bare one when the VM is gone).
    std::string VmEvent(const std::string& event_type) const {
        const auto* vm = loaded->Vm(snapshot.vm_name);
        if (!vm) return BareVmEventDocument(event_type, op.target_id);
        return xml::VmEventDocument(loaded->view, event_type, *vm, Details(snapshot));
    }
};

asio::awaitable<DeploymentWorkflow::Final> SnapshotWorkflow::Run(const model::Operation& op) {
    const auto kind = *op.kind;  // the engine runs known kinds only
    const auto event_type = std::string(EventTypeOf(kind));
    try {
        const auto task = xml::SnapshotTaskFromPayload(op.payload);
        const auto& snapshot_id = task.snapshot_id;
        auto loaded = co_await LoadDeployment(deployments_, op.target_id);
        Context context{op, std::move(loaded), {}, {}};
        context.volume_id = task.volume_id;
        auto found = co_await snapshots_.FindVmSnapshots(snapshot_id);
        std::erase_if(found, [&](const auto& s) { return s.snapshot_id != snapshot_id; });
        if (found.empty()) {
            // Only a delete removes a snapshot's row: a first run of this one did.
            context.snapshot.snapshot_id = snapshot_id;
            context.snapshot.name = task.name;
            context.snapshot.vm_name = task.vm_name;
            context.snapshot.state = model::SnapshotState::kRemoved;
        } else {
            context.snapshot = found.front();
        }
        if (kind == OperationKind::kSnapshotVolume) co_return co_await MakeVolume(context);
        co_return co_await Apply(context);
    } catch (const Error& e) {
        if (e.retryable()) throw;  // the engine runs it again later
        ESCD_WARN("engine") << model::KindText(op) << " " << op.target_id
                            << " failed: " << e.what();
        auto final = DeploymentWorkflow::Final::KeepsDeployment(
            HttpStatusOf(e, Reply::kCallback), event_type + " failed: " + e.what());
        final.callbacks = ToEventUrls(op, event_type, final.status, final.message,
                                      BareVmEventDocument(event_type, op.target_id));
        co_return final;
    }
}

asio::awaitable<DeploymentWorkflow::Final> SnapshotWorkflow::Apply(Context& context) {
    const auto& action = *ActionOf(*context.op.kind);
    const auto& snapshot = context.snapshot;
    const auto& name = snapshot.name;
    const auto& vm_name = snapshot.vm_name;
    const std::string event_type(action.event_type);
    const std::string done =
        action.kind == OperationKind::kSnapshotVm
            ? "Successfully created snapshot [" + name + "] of VM [" + vm_name + "]"
        : action.kind == OperationKind::kRevertSnapshot
            ? "Successfully reverted VM [" + vm_name + "] to snapshot [" + name + "]"
            : "Successfully deleted snapshot [" + name + "] of VM [" + vm_name + "]";
    const std::string failed =
        event_type + " failed for snapshot [" + name + "] of VM [" + vm_name + "]: ";
    if (snapshot.state != action.running) {
        // A first run got past the VIM call and committed the outcome, not the callback (that
        // commits with the operation's end): the outcome says what the callback is. (A revert
        // ends ACTIVE either way; one cut by a crash in that window is reported done.)
        const bool succeeded = snapshot.state != SnapshotState::kError;
        ESCD_INFO("engine") << model::KindText(context.op) << " " << snapshot.snapshot_id
                            << " was done by a first run: " << ToString(snapshot.state);
        co_return context.Ends(succeeded ? 200 : 500,
                               succeeded ? done : failed + "the VIM refused it (see escd's log)",
                               event_type, context.VmEvent(event_type));
    }
    if (!context.loaded->Vm(vm_name)) {
        throw Error(ErrorCode::kNotFound,
                    "VM " + vm_name + " of snapshot " + snapshot.snapshot_id + " is gone");
    }
    const auto& vm = *context.loaded->Vm(vm_name);
    std::string message = done;
    int status = 200;
    try {
        if (action.kind == OperationKind::kSnapshotVm) {
            const vim::SnapshotRequest request{vm_name, snapshot.snapshot_id, name};
            co_await vim_.CreateVmSnapshot(request);
        } else if (action.kind == OperationKind::kRevertSnapshot) {
            // The VM is left as escd's record has it: running unless it was stopped.
            const bool running = model::VmIsRunning(vm.state);
            co_await vim_.RevertVmSnapshot(vm_name, snapshot.snapshot_id, running);
        } else {
            co_await vim_.DeleteVmSnapshot(vm_name, snapshot.snapshot_id);
        }
    } catch (const Error& e) {
        if (e.retryable()) throw;
        status = HttpStatusOf(e, Reply::kCallback);
        message = failed + e.what();
        ESCD_WARN("engine") << message;
    }
    model::DeploymentStep step;
    step.transaction_id = context.op.transaction_id;
    step.deployment_id = context.op.target_id;
    step.snapshots.push_back(
        {snapshot.snapshot_id,
         *model::NextState(action.running, status == 200 ? SnapshotEvent::kVimSucceeded
                                                         : SnapshotEvent::kVimFailed)});
    co_await CommitStep(deployments_, notifier_, step);
    co_return context.Ends(status, message, event_type, context.VmEvent(event_type));
}

asio::awaitable<DeploymentWorkflow::Final> SnapshotWorkflow::MakeVolume(Context& context) {
    const auto& volume_id = context.volume_id;
    const auto volume_kind = model::ResourceKind::kVolume;
    auto volume = co_await resources_.GetResource(volume_kind, volume_id);
    const auto info = FindOperation(OperationKind::kCreateVolume);
    const std::string create_volume(ToString(OperationKind::kCreateVolume));
    const auto* kind = xml::FindKindXml(model::ResourceKind::kVolume);
    const auto& snapshot = context.snapshot;
    if (!volume || volume->state != model::ResourceState::kCreating) {
        // A first run made it (or gave up and removed it), and committed that, not the callback.
        if (volume) {
            co_return context.Ends(200, info->success_message, create_volume,
                                   xml::ResourceDocument(*kind, *volume, create_volume));
        }
        auto final = DeploymentWorkflow::Final::KeepsDeployment(
            500, info->failure_message + ": the VIM refused it (see escd's log)");
        final.callbacks = ToEventUrls(context.op, create_volume, final.status, final.message,
                                      BareVmEventDocument(create_volume, context.op.target_id));
        co_return final;
    }
    if (snapshot.state == SnapshotState::kRemoved || !context.loaded->Vm(snapshot.vm_name)) {
        throw Error(ErrorCode::kNotFound, "snapshot " + snapshot.snapshot_id + " is gone");
    }
    int status = 200;
    std::string message = info->success_message;
    try {
        const vim::SnapshotVolumeRequest request{snapshot.vm_name, snapshot.snapshot_id, volume_id,
                                                 volume->tenant_id};
        const auto made = co_await vim_.CreateVolumeFromSnapshot(request);
        volume->external_id = made.external_id;
        volume->spec = xml::VolumeSpecWithSize(volume->spec, made.capacity_bytes);
        volume->state = model::ResourceState::kActive;
        if (!made.note.empty()) message += " (" + made.note + ")";
    } catch (const Error& e) {
        if (e.retryable()) throw;
        status = HttpStatusOf(e, Reply::kCallback);
        message = info->failure_message + ": " + e.what();
        volume->state =
            *model::NextState(model::ResourceState::kCreating, model::ResourceEvent::kVimFailed);
        ESCD_WARN("engine") << "volume " << volume_id << " from snapshot " << snapshot.snapshot_id
                            << ": " << message;
    }
    model::DeploymentStep step;
    step.transaction_id = context.op.transaction_id;
    step.deployment_id = context.op.target_id;
    step.resources.push_back({volume->kind, volume_id, std::string(ToString(volume->state)),
                              volume->external_id, volume->spec});
    co_await CommitStep(deployments_, notifier_, step);
    co_return context.Ends(status, message, create_volume,
                           xml::ResourceDocument(*kind, *volume, create_volume));
}

}  // namespace escd::orchestrator
