#include "server/errors.hpp"

#include <pugixml.hpp>

#include "common/error.hpp"
#include "common/log.hpp"
#include "model/xml/xml_doc.hpp"

namespace escd::server {

Response ErrorResponse(int status, const std::string& message) {
    pugi::xml_document doc;
    auto error = doc.append_child("error");
    model::xml::AppendText(error, "status", std::to_string(status));
    model::xml::AppendText(error, "message", message);
    Response response;
    response.status = static_cast<http::status>(status);
    response.body = model::xml::Serialize(doc);
    return response;
}

Response ResponseForException(std::exception_ptr error,
                              std::string_view context,
                              const ErrorShape& shape) {
    try {
        std::rethrow_exception(error);
    } catch (const Error& e) {
        const int status = HttpStatusOf(e, Reply::kAnswer);
        if (status >= 500)
            ESCD_WARN("server") << context << ": " << OriginName(e.origin())
                                << " error: " << e.what();
        auto response = shape(status, e.what());
        // The database or a VIM did not answer (a failover under way): nothing was stored, and
        // the same request may succeed in a moment. (Maintenance mode, also 503, says no such
        // thing.)
        if (e.retryable())
            response.headers.emplace_back("Retry-After", std::to_string(kRetryAfterSeconds));
        return response;
    } catch (const std::exception& e) {
        ESCD_ERROR("server") << context << ": internal error: " << e.what();
        return shape(500, "internal error");
    }
}

}  // namespace escd::server
