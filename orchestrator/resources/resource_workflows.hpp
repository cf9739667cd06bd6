#pragma once
/// @file
/// The VIM side of creating, updating and deleting each non-deployment resource kind. The engine
/// runs an operation on its target's strand, calls Run(), and records the outcome; everything
/// kind-specific about talking to the VIM is here.
///
/// Every step is idempotent on escd's ids (vim/capabilities/common.hpp), so an operation cut by a
/// crash is simply run again. Subnets are applied through their network: the VIM is always handed
/// the network with every subnet that is accepted and not being deleted, so concurrent subnet
/// operations on one network converge on the same definition whatever their order.

#include <string>

#include "common/asio.hpp"
#include "model/resource.hpp"
#include "model/stores/resource_store.hpp"
#include "orchestrator/resources/file_fetcher.hpp"
#include "vim/capabilities/flavors.hpp"
#include "vim/capabilities/networks.hpp"
#include "vim/capabilities/routers.hpp"
#include "vim/capabilities/storage.hpp"

namespace escd::orchestrator {

/// What the VIM is asked for a network: its record and those of its subnets (the ones being
/// deleted left out).
vim::NetworkRequest NetworkRequestOf(const model::ResourceRecord& network,
                                     const std::vector<model::ResourceRecord>& subnets);

class ResourceWorkflows {
  public:
    /// The VIM capabilities the resources need (all of them one VIM's, the default one).
    struct Vim {
        vim::Networks& networks;
        vim::Storage& storage;
        vim::Flavors& flavors;
        vim::Routers& routers;
    };

    ResourceWorkflows(Vim vim,
                      model::ResourceStore& resources,
                      asio::thread_pool& file_pool,
                      FileFetcher& fetcher)
        : vim_(vim), resources_(resources), file_pool_(file_pool), fetcher_(fetcher) {}

    struct Result {
        std::string external_id;  ///< empty: keep the stored one
        std::string note;         ///< appended to the callback's status message
    };

    /// Runs the VIM side of an operation whose target is in state `running` (kCreating,
    /// kUpdating, kDeleting). `target` is the resource as it should be afterwards: for an update,
    /// the record with the new spec. Throws escd::Error when the VIM (or a source) fails.
    asio::awaitable<Result> Run(model::ResourceState running, const model::ResourceRecord& target);

  private:
    asio::awaitable<Result> Network(model::ResourceState running,
                                    const model::ResourceRecord& target);
    asio::awaitable<Result> Subnet(model::ResourceState running,
                                   const model::ResourceRecord& target);
    asio::awaitable<Result> Image(model::ResourceState running,
                                  const model::ResourceRecord& target);
    asio::awaitable<Result> Volume(model::ResourceState running,
                                   const model::ResourceRecord& target);
    asio::awaitable<Result> Flavor(model::ResourceState running,
                                   const model::ResourceRecord& target);
    asio::awaitable<Result> Router(model::ResourceState running,
                                   const model::ResourceRecord& target);
    /// The network with all its live subnets, `changed` (a subnet) replacing its stored
    /// version, or left out when it is being deleted.
    asio::awaitable<vim::EnsuredNetwork> ApplyNetwork(const std::string& network_id,
                                                      const model::ResourceRecord* changed,
                                                      bool changed_removed);
    /// Where an image's bytes come from: its src, or file server + path, with credentials.
    asio::awaitable<FetchSource> ImageSource(const model::ResourceRecord& image);

    Vim vim_;
    model::ResourceStore& resources_;
    asio::thread_pool& file_pool_;  ///< discards staged files
    FileFetcher& fetcher_;
};

}  // namespace escd::orchestrator
