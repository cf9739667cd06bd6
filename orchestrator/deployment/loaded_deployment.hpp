#pragma once
/// @file
/// What the deployment workflows share (DeploymentWorkflow, snapshots, migration): the
/// deployment as their event documents describe it, committing a step, and the callback of
/// an operation that failed before it could describe its VM.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/asio.hpp"
#include "model/deployment.hpp"
#include "model/operation.hpp"
#include "model/resource.hpp"
#include "model/stores/deployment_store.hpp"
#include "model/xml/deployment_docs.hpp"
#include "orchestrator/notify/notifier.hpp"

namespace escd::orchestrator {

/// A deployment's datamodel and its committed view (service, VMs, external ids).
struct LoadedDeployment {
    LoadedDeployment() = default;
    LoadedDeployment(const LoadedDeployment&) = delete;  // view.spec points at spec
    LoadedDeployment& operator=(const LoadedDeployment&) = delete;

    model::ResourceRecord record;  ///< the deployment's row (its spec as stored)
    model::DeploymentSpec spec;
    model::xml::DeploymentView view;

    /// The VM of that name, or nullptr.
    const model::VmRecord* Vm(const std::string& vm_name) const;
};

/// Reads deployment `id`: its row, service, VMs and tenant, in one read. Throws Error(kInternal)
/// when it is gone: an operation accepted on a deployment keeps it until the operation ends.
asio::awaitable<std::unique_ptr<LoadedDeployment>> LoadDeployment(
    model::DeploymentStore& deployments, const std::string& id);

/// Commits `step` and hands the callbacks it wrote to the notifier.
asio::awaitable<void> CommitStep(model::DeploymentStore& deployments,
                                 Notifier& notifier,
                                 const model::DeploymentStep& step);

/// `body` as event `event` with `status` and `message`, to Callback and (when different)
/// Callback-ESC-Events.
std::vector<model::OutboxMessage> ToEventUrls(const model::Operation& op,
                                              const std::string& event,
                                              int status,
                                              const std::string& message,
                                              const std::string& body);

/// A bare <esc_event> of type `event_type` for deployment `deployment_id`: for an operation that
/// failed before it could describe its VM.
std::string BareVmEventDocument(std::string_view event_type, const std::string& deployment_id);

}  // namespace escd::orchestrator
