#pragma once
/// @file
/// Small text helpers shared by the parsers at the edge: case folding for names compared without
/// regard to case, and the bounded quote of a client's text in an error message.

#include <string>
#include <string_view>

namespace escd {

/// `text` with its ASCII letters in lower case (other bytes as they are).
std::string Lower(std::string_view text);

/// `text` as an error message quotes it: at most 80 characters, then "...", so that a client's
/// megabyte of garbage does not come back in the answer or fill the log.
std::string Shown(std::string_view text);

}  // namespace escd
