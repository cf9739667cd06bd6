#include "common/error.hpp"

namespace escd {
namespace {

/// The status of a code when the origin does not change it.
int StatusOfCode(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::kBadRequest:
            return 400;
        case ErrorCode::kUnauthorized:
            return 401;
        case ErrorCode::kNotFound:
            return 404;
        case ErrorCode::kNotAllowed:
            return 405;
        case ErrorCode::kNotSupported:
            return 406;
        case ErrorCode::kConflict:
            return 409;
        case ErrorCode::kPayloadTooLarge:
            return 413;
        case ErrorCode::kUnsupportedMedia:
            return 415;
        case ErrorCode::kUnavailable:
            return 503;
        case ErrorCode::kVimError:
            return 500;
        case ErrorCode::kNotImplemented:
            return 501;
        case ErrorCode::kInternal:
            return 500;
    }
    return 500;
}

}  // namespace

int HttpStatusOf(ErrorOrigin origin, ErrorCode code, Reply reply) noexcept {
    switch (origin) {
        case ErrorOrigin::kClient:
        case ErrorOrigin::kConfiguration:
        case ErrorOrigin::kRemote:
            return StatusOfCode(code);
        case ErrorOrigin::kDatabase:
            return 503;
        case ErrorOrigin::kInternal:
            return 500;
        case ErrorOrigin::kVim:
            switch (code) {
                // What the VIM said about the object the client named, or could not do at all.
                case ErrorCode::kNotFound:
                case ErrorCode::kConflict:
                case ErrorCode::kNotSupported:
                case ErrorCode::kNotImplemented:
                case ErrorCode::kUnavailable:
                    return StatusOfCode(code);
                // Anything else the VIM refused or failed, its refusal of escd's own credentials
                // included (never the client's 401): a request answered now could not query the
                // VIM (503, as ESC answers); work that ran failed on the VIM (ESC's 500).
                default:
                    return reply == Reply::kAnswer ? 503 : 500;
            }
    }
    return 500;
}

int HttpStatusOf(const std::exception& error, Reply reply) noexcept {
    if (const auto* escd_error = dynamic_cast<const Error*>(&error))
        return HttpStatusOf(*escd_error, reply);
    return 500;
}

std::string_view OriginName(ErrorOrigin origin) noexcept {
    switch (origin) {
        case ErrorOrigin::kClient:
            return "client";
        case ErrorOrigin::kVim:
            return "VIM";
        case ErrorOrigin::kDatabase:
            return "database";
        case ErrorOrigin::kConfiguration:
            return "configuration";
        case ErrorOrigin::kRemote:
            return "remote server";
        case ErrorOrigin::kInternal:
            return "internal";
    }
    return "internal";
}

}  // namespace escd
