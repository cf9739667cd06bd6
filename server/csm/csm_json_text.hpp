#pragma once
/// @file
/// The CSM face's JSON text (docs/csm.md): how a request body becomes its items, how an answer
/// is wrapped ({"api_response": ...}) and written, the query-parameter whitelist, `page` and the
/// HTTP dates. CSM answered through Flask 0.10's jsonify, so the text is written the way that
/// did: keys sorted at every level, indented, non-ASCII as \u escapes. Pure functions: the
/// handlers do the I/O.

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace escd::server::csm {

/// A request refused as a whole: answered 400 with Failed(what()). Per-item problems of a bulk
/// POST are never this: they become a FAILED row (ItemFailure) and the answer a 207.
class CsmRequestError : public std::runtime_error {
  public:
    explicit CsmRequestError(const std::string& message) : std::runtime_error(message) {}
};

/// Why one item of a bulk POST was not taken, and the row CSM answered for it so far: the
/// item's sanitised name under its name key once that was read ({"hostname": "r1"}; "" when
/// nothing acceptable was left of it; no key when the name was missing), plus the server type
/// for a repository whose type was recognised.
struct ItemFailure {
    std::string message;
    boost::json::object row;
};

/// A value, or why the item cannot give one. Reading value() of a failure throws
/// std::bad_optional_access (a bug in the caller, never a client's mistake).
template <class T>
class ItemResult {
  public:
    ItemResult(T value) : value_(std::move(value)) {}  // NOLINT: implicit, as `return value;`
    ItemResult(ItemFailure failure) : failure_(std::move(failure)) {}  // NOLINT: same

    bool ok() const noexcept { return value_.has_value(); }
    explicit operator bool() const noexcept { return ok(); }
    T& value() { return value_.value(); }
    const T& value() const { return value_.value(); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    /// Meaningful only when !ok().
    const ItemFailure& failure() const noexcept { return failure_; }

  private:
    std::optional<T> value_;
    ItemFailure failure_;
};

// ---- Answers --------------------------------------------------------------------------------

/// Spaces per level: two, as CSM wrote them (Flask 0.10.1's jsonify called
/// json.dumps(indent=2)). Clients parse the JSON; the indent is for people.
inline constexpr int kJsonIndent = 2;

/// `value` as CSM wrote JSON: object keys sorted (by code point) at every level, one member or
/// element per line indented `indent` spaces per level, "[]" and "{}" when empty, every
/// non-ASCII character as a \uXXXX escape (Flask's JSON_AS_ASCII; invalid UTF-8 becomes
/// \ufffd), no final newline. Python 2 also left a space at the end of every line but the last
/// of a list ("," + " "); nobody needs that.
std::string SortedPrettyJson(const boost::json::value& value, int indent = kJsonIndent);

/// {"api_response": inner}, written by SortedPrettyJson.
std::string ApiResponse(boost::json::object inner);
/// {"api_response": {"status": "FAILED", "status_message": message}}: the whole-request
/// failure (400, or 401 "Not Authorized").
std::string Failed(std::string_view message);

/// A bulk row: `row` (the item's name, see ItemFailure) with "status": "SUCCESS".
boost::json::object SucceededRow(boost::json::object row);
/// A bulk row: `row` with "status": "FAILED" and the message.
boost::json::object FailedRow(boost::json::object row, std::string_view message);
boost::json::object FailedRow(const ItemFailure& failure);
/// {"api_response": {list_key: rows}} ("host_list", ...).
std::string BulkResponse(std::string_view list_key, boost::json::array rows);
/// 200 when every row succeeded (or there were none), else 207 — even when all failed.
int BulkHttpStatus(const boost::json::array& rows);

/// GET /hosts's page: {"api_response": {"host_list": rows}, "current_page": current_page,
/// "total_pages": total_pages} — the page numbers beside api_response, not in it, as CSM has.
std::string HostListPage(boost::json::array rows,
                         std::int64_t current_page,
                         std::int64_t total_pages);

// ---- Requests -------------------------------------------------------------------------------

/// The items of a bulk POST body: a JSON array of objects, or one object (a list of one).
/// Throws CsmRequestError: "Data in the HTTP Request is an invalid JSON." when the body is not
/// JSON; another message when it is JSON but not an object or an array of objects (CSM crashed
/// per item on those).
boost::json::array BulkItems(std::string_view body);

/// "Missing JSON key: '<key>'."
std::string MissingKey(std::string_view key);
/// "The following key, 'k', is invalid." / "The following keys, 'k1,k2', are invalid." for the
/// keys of `item` not in `accepted`, in the item's order (CSM listed them in its dict's order,
/// which Python 2 does not define); nullopt when all are accepted.
std::optional<std::string> InvalidKeys(const boost::json::object& item,
                                       std::initializer_list<std::string_view> accepted);

/// "Following parameter, 'p', is not allowed." / "Following parameters, 'p1,p2', are not
/// allowed." for the query parameters of `given_names` not in `allowed`, in the given order,
/// each once; nullopt when all are allowed. The handler answers the message with Failed (400).
std::optional<std::string> DisallowedParameters(const std::vector<std::string>& given_names,
                                                std::initializer_list<std::string_view> allowed);

/// The names of a parsed query's parameters (for DisallowedParameters).
std::vector<std::string> ParameterNames(const std::map<std::string, std::string>& query);

/// Hosts per page of GET /hosts.
inline constexpr std::int64_t kRecordsPerPage = 1000;
/// GET /hosts's `page`: "" (absent or empty) is 1, as is any number <= 0; Python's int() rules
/// otherwise (blanks around, an optional sign, decimal digits). Throws CsmRequestError("page
/// must be an numeric value") (sic) for anything else. Pages past 2^31 - 1 are read as that:
/// they are past the end anyway, and (page - 1) * kRecordsPerPage cannot overflow.
std::int64_t ParsePage(std::string_view text);
/// ceil(count / kRecordsPerPage): 0 when nothing matches.
std::int64_t TotalPages(std::int64_t count);

/// `time` as Flask wrote a datetime: "Wed, 01 Jun 2016 15:15:00 GMT" (UTC, whole seconds).
std::string HttpDate(std::chrono::system_clock::time_point time);

}  // namespace escd::server::csm
