#pragma once
// What the codec tests ask of a read that must fail: the code of the escd::Error it throws.

#include <functional>
#include <optional>

#include "common/error.hpp"

namespace escd::test {

/// The code of the escd::Error `read` throws; nullopt when it throws none.
inline std::optional<ErrorCode> CodeOf(const std::function<void()>& read) {
    try {
        read();
    } catch (const Error& e) {
        return e.code();
    }
    return std::nullopt;
}

}  // namespace escd::test
