#pragma once
// Small helpers the test support pieces share.

#include <string>
#include <string_view>

namespace escd::test {

/// ASCII lower case (HTTP header names).
std::string ToLower(std::string_view text);

/// Asio does not open sockets close-on-exec; without this an escd child spawned while a test
/// socket is open would inherit it (and keep a "stopped" receiver's port accepting).
void SetCloseOnExec(int fd);

}  // namespace escd::test
