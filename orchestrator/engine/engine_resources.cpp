// The runners of tenant and resource operations (POST, PUT and DELETE of tenants, networks,
// subnets, images, flavors, volumes, routers): Engine::RunTenantOperation calls the VIM for a
// tenant, Engine::RunResourceOperation hands any other kind to ResourceWorkflows; each reports
// the VIM's answer in the resource's next state and the operation's callback, and completes the
// operation (Engine::Complete).

#include <optional>

#include "common/error.hpp"
#include "common/log.hpp"
#include "model/xml/resource_spec_xml.hpp"
#include "model/xml/resource_xml.hpp"
#include "model/xml/tenant_xml.hpp"
#include "orchestrator/engine/engine.hpp"
#include "orchestrator/engine/operation_catalog.hpp"

namespace escd::orchestrator {
namespace {

// The callback body of a tenant or resource operation: its target as `record` holds it.
std::string TargetDocument(const model::Operation& op, const model::ResourceRecord& record) {
    if (record.kind == model::ResourceKind::kTenant) {
        return model::xml::TenantDocument(
            {model::xml::TenantSpecFromStored(record.spec), record.external_id},
            model::KindText(op));
    }
    if (const auto* kind = model::xml::FindKindXml(record.kind))
        return model::xml::ResourceDocument(*kind, record, model::KindText(op));
    return {};
}

}  // namespace

asio::awaitable<void> Engine::RunTenantOperation(const model::Operation& op) {
    auto info = op.kind ? FindOperation(*op.kind) : std::nullopt;
    if (!info || info->target_kind != model::ResourceKind::kTenant) throw UnknownOperationKind(op);

    // A create carries its whole spec; updates and deletes need the stored record for the
    // external id and (after a failed update) the spec as it was.
    std::optional<model::ResourceRecord> current;
    if (info->running != model::ResourceState::kCreating) {
        current = co_await resource_store_.GetResource(model::ResourceKind::kTenant, op.target_id);
        if (!current)
            throw Error(ErrorCode::kInternal, "target of " + op.transaction_id + " vanished");
    }
    auto spec = model::xml::TenantSpecFromStored(current && op.payload.empty() ? current->spec
                                                                               : op.payload);
    vim::TenantRequest request{spec.internal_id, spec.name, spec.enabled};

    model::ResourceOutcome outcome;
    std::string external_id = current ? current->external_id : std::string();
    int status = 200;
    std::string message(info->success_message);
    try {
        if (info->running == model::ResourceState::kCreating) {
            external_id = co_await vim_.CreateTenant(request);
            outcome.external_id = external_id;
        } else if (info->running == model::ResourceState::kUpdating) {
            co_await vim_.UpdateTenant(external_id, request);
            outcome.spec = model::xml::StoredTenantSpec(spec);
            outcome.name = spec.name;
        } else {
            co_await vim_.DeleteTenant(external_id);
        }
        outcome.state = *model::NextState(info->running, model::ResourceEvent::kVimSucceeded);
    } catch (const std::exception& e) {
        status = HttpStatusOf(e, Reply::kCallback);
        message = std::string(info->failure_message) + ": " + e.what();
        outcome.state = *model::NextState(info->running, model::ResourceEvent::kVimFailed);
        // A failed update leaves the tenant as it was, and the callback says so.
        if (info->running == model::ResourceState::kUpdating)
            spec = model::xml::TenantSpecFromStored(current->spec);
        ESCD_WARN("engine") << model::KindText(op) << " " << op.target_id
                            << " failed: " << e.what();
    }

    const auto body = model::xml::TenantDocument({spec, external_id}, model::KindText(op));
    co_await EndResourceOperation(op, outcome, status, message, body);
}

asio::awaitable<void> Engine::RunResourceOperation(const model::Operation& op) {
    auto info = op.kind ? FindOperation(*op.kind) : std::nullopt;
    if (!info || model::TargetOf(info->target_kind) != op.target_kind)
        throw UnknownOperationKind(op);
    // The row exists in every case: a create inserted it (CREATING) with its spec.
    auto current = co_await resource_store_.GetResource(info->target_kind, op.target_id);
    if (!current) throw Error(ErrorCode::kInternal, "target of " + op.transaction_id + " vanished");

    const bool updating = info->running == model::ResourceState::kUpdating;
    model::ResourceRecord target = *current;
    if (updating && !op.payload.empty()) {
        target.spec = op.payload;
        if (auto name = model::xml::NameFromStored(op.payload); !name.empty())
            target.name = std::move(name);
    }

    model::ResourceOutcome outcome;
    int status = 200;
    std::string message = info->success_message;
    try {
        auto result = co_await workflows_.Run(info->running, target);
        if (!result.external_id.empty()) {
            outcome.external_id = result.external_id;
            target.external_id = result.external_id;
        }
        if (!result.note.empty()) message += " (" + result.note + ")";
        if (updating) {
            outcome.spec = target.spec;
            outcome.name = target.name;
        }
        outcome.state = *model::NextState(info->running, model::ResourceEvent::kVimSucceeded);
    } catch (const std::exception& e) {
        status = HttpStatusOf(e, Reply::kCallback);
        message = info->failure_message + ": " + e.what();
        outcome.state = *model::NextState(info->running, model::ResourceEvent::kVimFailed);
        if (updating) target = *current;  // a failed update leaves the resource as it was
        ESCD_WARN("engine") << model::KindText(op) << " " << op.target_id
                            << " failed: " << e.what();
    }

    const auto body = TargetDocument(op, target);
    co_await EndResourceOperation(op, outcome, status, message, body);
}

asio::awaitable<void> Engine::AbandonResourceOperation(const model::Operation& op,
                                                       const std::string& why) {
    // The next state comes from the table and the state the operation left its target in, not
    // from the operation's kind: an operation of a kind this escd does not know (stored by
    // another version) ends like any other, and its target is not left marked as busy.
    const auto resource_kind = model::ResourceKindOf(op.target_kind);
    std::optional<model::ResourceRecord> current;
    if (resource_kind) current = co_await resource_store_.GetResource(*resource_kind, op.target_id);
    model::ResourceOutcome outcome;
    std::string body;
    if (current) {
        outcome.state = model::NextState(current->state, model::ResourceEvent::kVimFailed)
                            .value_or(current->state);
        body = TargetDocument(op, *current);
    }
    const auto info = op.kind ? FindOperation(*op.kind) : std::nullopt;
    const auto message = (info ? info->failure_message + ": " : std::string()) + why;
    co_await EndResourceOperation(op, outcome, kFailedStatus, message, body);
}

asio::awaitable<void> Engine::EndResourceOperation(const model::Operation& op,
                                                   const model::ResourceOutcome& outcome,
                                                   int status_code,
                                                   const std::string& status_message,
                                                   const std::string& body) {
    std::vector<model::OutboxMessage> callbacks;
    if (!op.callback_url.empty())
        callbacks.push_back(
            {op.callback_url, std::string(model::KindText(op)), status_code, status_message, body});
    co_await Complete(op, outcome, status_code, status_message, callbacks);
    if (outcome.state == model::ResourceState::kRemoved) ForgetStrand(op.target_kind, op.target_id);
}

}  // namespace escd::orchestrator
