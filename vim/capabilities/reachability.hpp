#pragma once
/// @file
/// vim::Reachability — whether the VIM answers, and reconnecting to it (GET /v0/system_state,
/// the VIM connectors' status). Never throws: an unreachable VIM is an answer.

#include <string>

#include "vim/capabilities/common.hpp"

namespace escd::vim {

/// What CheckStatus() reports about the connection to the VIM.
struct VimStatus {
    bool reachable = false;
    std::string message;  ///< "connected to test:///default", or why not
};

class Reachability {
  public:
    virtual ~Reachability() = default;

    /// Whether the VIM answers now.
    virtual asio::awaitable<VimStatus> CheckStatus() = 0;
    /// Drops the connection and opens a new one; reports the outcome like CheckStatus().
    virtual asio::awaitable<VimStatus> Reconnect() = 0;
};

}  // namespace escd::vim
