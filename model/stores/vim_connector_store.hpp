#pragma once
/// @file
/// model::VimConnectorStore — the role of the store that keeps VIM connectors and their VIM
/// users (/v0/vims). Each write commits the change, a finished `op` (status 200, `message`) and
/// its `callbacks` in one transaction, and returns the outbox rows it inserted; refusals
/// (kNotFound, kConflict) store nothing. Conventions: model/stores/resource_store.hpp.

#include <optional>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "model/operation.hpp"
#include "model/vim_connector.hpp"

namespace escd::model {

/// A connector with its VIM users, as the VIM router builds a backend from them.
struct StoredVimConnector {
    VimConnector connector;
    std::vector<VimUser> users;
};

class VimConnectorStore {
  public:
    virtual ~VimConnectorStore() = default;

    /// Every connector in id order, secrets included.
    virtual asio::awaitable<std::vector<VimConnector>> ListVimConnectors() = 0;
    /// Every connector in id order with its users, secrets included, in one read.
    virtual asio::awaitable<std::vector<StoredVimConnector>> ReadVimConnectors() = 0;
    virtual asio::awaitable<std::optional<VimConnector>> GetVimConnector(const std::string& id) = 0;
    /// Inserts `connector`, which becomes the default when there is none. kConflict when its id
    /// is taken.
    virtual asio::awaitable<std::vector<OutboxRow>> CreateVimConnector(
        const VimConnector& connector,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) = 0;
    /// Replaces type and properties and forgets the last status. kNotFound when absent.
    virtual asio::awaitable<std::vector<OutboxRow>> UpdateVimConnector(
        const VimConnector& connector,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) = 0;
    /// kNotFound when absent; kConflict while it has VIM users, or when it is the default and
    /// other connectors exist (one of them must become the default first).
    virtual asio::awaitable<std::vector<OutboxRow>> DeleteVimConnector(
        const std::string& id,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) = 0;
    /// Makes `id` the one default connector. kNotFound when absent.
    virtual asio::awaitable<std::vector<OutboxRow>> SetDefaultVimConnector(
        const std::string& id,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) = 0;
    /// Records the outcome of a status check. kNotFound when the connector is gone.
    virtual asio::awaitable<std::vector<OutboxRow>> RecordVimConnectorStatus(
        const std::string& id,
        const VimConnectorStatus& status,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) = 0;
    /// Inserts `connector` (escd's own VIM) as the default unless this was done once on this
    /// database: a connector the client deleted stays deleted. Returns whether it inserted.
    virtual asio::awaitable<bool> PreloadVimConnector(const VimConnector& connector) = 0;

    /// The users of connector `vim_id` in id order. kNotFound when the connector is absent.
    virtual asio::awaitable<std::vector<VimUser>> ListVimUsers(const std::string& vim_id) = 0;
    /// kNotFound naming the connector or the user, whichever is absent.
    virtual asio::awaitable<VimUser> GetVimUser(const std::string& vim_id,
                                                const std::string& user_id) = 0;
    /// kNotFound when the connector is absent; kConflict when the user exists.
    virtual asio::awaitable<std::vector<OutboxRow>> CreateVimUser(
        const VimUser& user,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) = 0;
    /// Replaces the credentials. kNotFound when the connector or the user is absent.
    virtual asio::awaitable<std::vector<OutboxRow>> UpdateVimUser(
        const VimUser& user,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) = 0;
    /// kNotFound when the connector or the user is absent.
    virtual asio::awaitable<std::vector<OutboxRow>> DeleteVimUser(
        const std::string& vim_id,
        const std::string& user_id,
        const Operation& op,
        const std::string& message,
        const std::vector<OutboxMessage>& callbacks) = 0;
};

}  // namespace escd::model
