#include "server/csm/csm_answers.hpp"

#include "server/csm/csm_json_text.hpp"
#include "server/query.hpp"

namespace escd::server::csm {

Response JsonAnswer(std::string body, http::status status) {
    return JsonResponse(std::move(body), status);
}

Response Failure(int status, const std::string& message) {
    return JsonAnswer(Failed(message), static_cast<http::status>(status));
}

Response BadRequest(const std::string& message) {
    return Failure(400, message);
}

Response Unauthenticated() {
    Response response;
    response.status = http::status::unauthorized;
    response.body = "Unauthorized Access";
    response.content_type = "text/html; charset=utf-8";
    response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"Authentication Required\"");
    return response;
}

Response NotAuthorized() {
    return Failure(401, "Not Authorized");
}

asio::awaitable<Response> BulkPost(const Request& request,
                                   std::string_view list_key,
                                   const UpsertOne& upsert) {
    const auto query = ParseQuery(request.query);
    if (auto refused = DisallowedParameters(ParameterNames(query), {}))
        co_return BadRequest(*refused);
    const auto items = BulkItems(request.Body());
    boost::json::array rows;
    for (const auto& item : items) rows.push_back(co_await upsert(item));
    const auto status = static_cast<http::status>(BulkHttpStatus(rows));
    co_return JsonAnswer(BulkResponse(list_key, std::move(rows)), status);
}

}  // namespace escd::server::csm
