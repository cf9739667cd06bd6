#pragma once
/// @file
/// The VIM connectors of the store, handed to the router of VIMs (vim/vim_router.hpp): Refresh()
/// reads them (at start-up, and after every change through /vims) and gives the router each one
/// with its fingerprint and how to build its backend (`Factory`), so that the router keeps a
/// backend whose connector and users did not change.

#include <functional>
#include <memory>
#include <vector>

#include "common/asio.hpp"
#include "model/stores/vim_connector_store.hpp"
#include "vim/vim_router.hpp"

namespace escd::orchestrator {

class VimConnectors {
  public:
    /// Builds the backend of a connector with its users; nullptr when this escd cannot drive its
    /// type; throws Error with the reason when it cannot be built as configured.
    using Factory = std::function<std::unique_ptr<vim::Vim>(const model::VimConnector&,
                                                            const std::vector<model::VimUser>&)>;

    VimConnectors(vim::VimRouter& router, Factory factory)
        : router_(router), factory_(std::move(factory)) {}

    /// Reads every connector, its users and the default from `store` and updates the router.
    asio::awaitable<void> Refresh(model::VimConnectorStore& store);

  private:
    vim::VimRouter& router_;
    Factory factory_;
};

}  // namespace escd::orchestrator
