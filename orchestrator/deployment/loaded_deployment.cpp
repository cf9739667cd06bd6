#include "orchestrator/deployment/loaded_deployment.hpp"

#include <pugixml.hpp>

#include "common/error.hpp"
#include "model/xml/deployment_xml.hpp"
#include "model/xml/xml_doc.hpp"
#include "orchestrator/deployment/deployment_context.hpp"

namespace escd::orchestrator {

const model::VmRecord* LoadedDeployment::Vm(const std::string& vm_name) const {
    for (const auto& vm : view.vms)
        if (vm.vm_name == vm_name) return &vm;
    return nullptr;
}

asio::awaitable<std::unique_ptr<LoadedDeployment>> LoadDeployment(
    model::DeploymentStore& deployments, const std::string& id) {
    auto stored = co_await deployments.ReadDeployment(id);
    if (!stored) throw Error(ErrorCode::kInternal, "deployment " + id + " vanished");
    auto out = std::make_unique<LoadedDeployment>();
    out->spec = model::xml::DeploymentSpecFromStored(stored->record.spec, id);
    out->view.spec = &out->spec;
    out->view.external_id = stored->record.external_id;
    out->view.service = model::ServiceStateOf(stored->service);
    out->view.vms = std::move(stored->vms);
    out->view.tenant_external_id = std::move(stored->tenant_external_id);
    out->record = std::move(stored->record);
    co_return out;
}

asio::awaitable<void> CommitStep(model::DeploymentStore& deployments,
                                 Notifier& notifier,
                                 const model::DeploymentStep& step) {
    auto rows = co_await deployments.RecordDeploymentStep(step);
    notifier.Enqueue(std::move(rows));
}

std::vector<model::OutboxMessage> ToEventUrls(const model::Operation& op,
                                              const std::string& event,
                                              int status,
                                              const std::string& message,
                                              const std::string& body) {
    std::vector<model::OutboxMessage> out;
    for (const auto& url : EventUrls(op)) out.push_back({url, event, status, message, body});
    return out;
}

std::string BareVmEventDocument(std::string_view event_type, const std::string& deployment_id) {
    pugi::xml_document doc;
    auto root = doc.append_child("esc_event");
    root.append_attribute("xmlns").set_value(model::xml::kNetconfNs);
    root.append_child("event_details");
    model::xml::AppendText(root, "event_type", event_type);
    model::xml::AppendText(root, "internal_deployment_id", deployment_id);
    return model::xml::Serialize(doc);
}

}  // namespace escd::orchestrator
