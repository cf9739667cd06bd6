#pragma once
/// @file
/// The one byte range of a `Range: bytes=...` header (RFC 9110, 14.1.2) that a download
/// resumes with. Several ranges are not served as such: the whole file answers them, which the
/// RFC allows.

#include <cstdint>
#include <optional>
#include <string_view>

namespace escd::server {

struct ByteRange {
    std::uint64_t first = 0;
    std::uint64_t length = 0;
};

enum class RangeVerdict { kWhole, kPartial, kUnsatisfiable };

struct RangeRequest {
    RangeVerdict verdict = RangeVerdict::kWhole;
    ByteRange range;  ///< for kPartial
};

/// What `header` (the Range field's value; "" when absent) asks of a file of `size` bytes.
/// A header that does not parse, or names another unit, is ignored (kWhole), as the RFC says.
RangeRequest ParseRange(std::string_view header, std::uint64_t size);

}  // namespace escd::server
