#include "server/handlers/mutation.hpp"

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/url.hpp"
#include "model/reference_resolution.hpp"

namespace escd::server::handlers {
namespace {
std::string CallbackUrl(const Request& request, std::string_view header) {
    std::string value(request.Header(header));
    if (value.empty()) return value;
    if (!ParseUrl(value)) {
        throw Error(ErrorCode::kBadRequest, std::string(header) + " header '" +
                                                value.substr(0, 200) +
                                                "' is not an absolute http(s) URL");
    }
    return value;
}
}  // namespace

model::Operation NewOperation(const Request& request,
                              model::OperationKind kind,
                              model::TargetKind target_kind,
                              std::string target_id,
                              bool callback_required) {
    model::Operation op;
    op.transaction_id = NewUuid();
    op.kind = kind;
    op.target_kind = target_kind;
    op.target_id = std::move(target_id);
    op.callback_url = CallbackUrl(request, "Callback");
    op.events_url = CallbackUrl(request, "Callback-ESC-Events");
    if (callback_required && op.callback_url.empty()) {
        throw Error(ErrorCode::kBadRequest, "missing Callback header");
    }
    return op;
}

void RequireXmlBody(const Request& request) {
    std::string_view type = request.Header("Content-Type");
    if (type.empty()) return;
    auto base = type.substr(0, type.find(';'));
    while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
    std::string lower(base);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower == "application/xml" || lower == "text/xml" ||
        (lower.size() > 4 && lower.compare(lower.size() - 4, 4, "+xml") == 0)) {
        return;
    }
    throw Error(ErrorCode::kUnsupportedMedia, "Content-Type " + std::string(base.substr(0, 100)) +
                                                  " is not supported; send application/xml");
}

asio::awaitable<void> RequireReferences(model::ResourceStore& resources,
                                        const std::vector<model::xml::Reference>& references,
                                        const std::string& tenant) {
    std::vector<model::ResourceKey> keys;
    for (const auto& ref : references) keys.emplace_back(ref.kind, ref.internal_id);
    const auto records = co_await resources.GetResources(keys);
    for (std::size_t i = 0; i < references.size(); ++i) {
        if (!records[i] || !model::UsableByTenant(*records[i], tenant))
            throw Error(ErrorCode::kNotFound, MissingReferenceMessage(references[i], tenant));
    }
}

std::string MissingReferenceMessage(const model::xml::Reference& ref, const std::string& tenant) {
    const bool global =
        ref.kind == model::ResourceKind::kImage || ref.kind == model::ResourceKind::kFlavor;
    return ref.field + " names " + std::string(ToString(ref.kind)) + " " + ref.internal_id +
           ", which does not exist" +
           (tenant.empty() || global ? std::string() : " in tenant " + tenant);
}

Accepted ToRun(model::Operation op, std::string body) {
    Accepted accepted{op.transaction_id, std::move(body), http::status::ok, {}};
    accepted.follow_up.run = std::move(op);
    return accepted;
}

Accepted Finished(const model::Operation& op,
                  std::string body,
                  std::vector<model::OutboxRow> callbacks) {
    return {op.transaction_id, std::move(body), http::status::ok, {{}, std::move(callbacks)}};
}

void AddMutation(Router& router,
                 http::verb method,
                 std::string pattern,
                 MutationHandler handler,
                 RouteOptions options) {
    router.Add(
        method, std::move(pattern),
        [handler = std::move(handler)](Request& request) -> asio::awaitable<Response> {
            auto accepted = co_await handler(request);
            Response response;
            response.status = accepted.status;
            response.body = std::move(accepted.body);
            response.transaction_id = accepted.transaction_id;
            response.headers.emplace_back("ESC-Transaction-Id", accepted.transaction_id);
            response.headers.emplace_back("ESC_TRANSACTION_ID", accepted.transaction_id);
            response.follow_up = std::move(accepted.follow_up);
            co_return response;
        },
        options);
}

void EngineFollowUps::Start(FollowUp follow_up) {
    if (follow_up.run) engine_.Launch(std::move(*follow_up.run));
    if (!follow_up.callbacks.empty()) notifier_.Enqueue(std::move(follow_up.callbacks));
}

}  // namespace escd::server::handlers
