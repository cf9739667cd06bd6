#pragma once
/// @file
/// The CSM face's answers as HTTP responses (the JSON text itself: csm_json_text.hpp).

#include <functional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "common/asio.hpp"
#include "server/http_types.hpp"

namespace escd::server::csm {

/// `body` (JSON) with `status`.
Response JsonAnswer(std::string body, http::status status = http::status::ok);
/// `{"api_response": {"status": "FAILED", "status_message": message}}` with `status`: the
/// face's error shape.
Response Failure(int status, const std::string& message);
/// 400 with Failure's body: CSM's answer to every client mistake, a missing object included.
Response BadRequest(const std::string& message);
/// The 401 of a request without valid credentials: CSM's plain text and Basic challenge.
Response Unauthenticated();
/// The 401 of a user whose role does not allow the route.
Response NotAuthorized();

/// Stores one item of a bulk POST: its row (SucceededRow or FailedRow).
using UpsertOne = std::function<asio::awaitable<boost::json::object>(const boost::json::value&)>;
/// A bulk POST: no query parameter is allowed; each item of the body is stored by `upsert` in
/// turn, before the next is read (an item may update what an earlier one created); the rows
/// under `list_key`, 200 when every one passed, else 207.
asio::awaitable<Response> BulkPost(const Request& request,
                                   std::string_view list_key,
                                   const UpsertOne& upsert);

}  // namespace escd::server::csm
