#pragma once
/// @file
/// The times of CSM's install jobs (docs/csm.md, "Install jobs"): a client gives and reads them
/// as local wall-clock text, "mm-dd-yyyy hh:mm AM|PM" with a separate "<+|->HH:MM" offset from
/// UTC; escd keeps and compares them in UTC. Only the offset is known, never a time zone, so
/// this is fixed-offset civil arithmetic (<chrono>'s calendar types): no time zone database,
/// no localtime, nothing that depends on the server's own zone. Pure functions.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace escd::server::csm {

/// The offset of "+HH:MM" / "-HH:MM" (signed minutes: "-03:30" is -210 min; CSM added the
/// minutes unsigned and so made it -2 h 30 min, a bug escd does not copy), within -12:00 ..
/// +14:00 (the range CSM's message names; CSM itself let e.g. "+14:59" through); nullopt for
/// anything else. Without a sign the offset is positive: in a query string '+' arrives as a
/// space, so " 05:30" (and "05:30") is +05:30, as CSM's GET read it. Blanks around are ignored.
std::optional<std::chrono::minutes> ParseUtcOffset(std::string_view text);

/// The UTC instant of `text`, a local time CSM's strptime("%m-%d-%Y %I:%M %p") took, at
/// `offset` from UTC (UTC = local - offset); nullopt when the text is not such a time. As
/// strptime: month, day, hour and minute may have one digit or two, the year has four, blanks
/// between time and date and before AM/PM may be several, AM/PM in any case, nothing before or
/// after; the date must exist (no 02-30), hours 1..12 (12 AM is midnight, 12 PM noon). Seconds
/// are zero. Years the clock cannot hold (system_clock's nanoseconds end in 2262) are refused
/// as not a time, where CSM took any year 1..9999.
std::optional<std::chrono::system_clock::time_point> ParseScheduledTime(
    std::string_view text, std::chrono::minutes offset);

/// `utc` as local time at `offset`, in the format ParseScheduledTime reads, written as CSM's
/// strftime did: two-digit month, day, hour and minute, "AM"/"PM" ("06-01-2016 03:15 PM").
/// Seconds are dropped (floored), as CSM's format had none.
std::string LocalTimeText(std::chrono::system_clock::time_point utc, std::chrono::minutes offset);

}  // namespace escd::server::csm
