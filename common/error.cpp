#include "common/error.hpp"

namespace escd {

int HttpStatusOf(ErrorCode code) noexcept {
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

}  // namespace escd
