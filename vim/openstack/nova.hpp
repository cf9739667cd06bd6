#pragma once
/// @file
/// escd's flavors on Nova, named escd-<internal id> (found again by that name after a crash).

#include <optional>
#include <string>

#include "vim/openstack/session.hpp"
#include "vim/vim.hpp"

namespace escd::vim::openstack {

class Nova {
  public:
    explicit Nova(Session& session) : session_(session) {}

    /// Nova's id of the flavor for `request`: the one named escd-<internal id>, else a new one.
    asio::awaitable<std::string> EnsureFlavor(const FlavorRequest& request);
    /// Nova's id of escd's flavor `internal_id`, nullopt when there is none.
    asio::awaitable<std::optional<std::string>> FindFlavor(std::string internal_id);
    /// Removes Nova flavor `flavor_id`; one that is gone is a success.
    asio::awaitable<void> DeleteFlavor(std::string flavor_id);

  private:
    Session& session_;
};

}  // namespace escd::vim::openstack
