#pragma once
/// @file
/// model::ResourceStore — the role of the store that keeps resources (tenants, images, flavors,
/// networks, subnets, volumes, file servers, ... and deployments as resources): their reads, and
/// the accept of a request on one, which commits the intent with its operation row.
///
/// Conventions of every role store (model/stores/*.hpp): every method is an awaitable; the
/// implementation does its blocking work on its own threads and resumes the caller on the
/// caller's executor. Parameters are references: callers await at once, and pass named objects,
/// not temporaries (g++ 12, see common/offload.hpp). Methods are thread safe. Errors:
/// escd::Error with kNotFound / kConflict for client mistakes the store detects, kUnavailable
/// when the database cannot be reached; anything else is internal.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/asio.hpp"
#include "model/operation.hpp"
#include "model/resource.hpp"

namespace escd::model {

class ResourceStore {
  public:
    virtual ~ResourceStore() = default;

    /// All resources of `kind` (optionally of one tenant) in internal-id order, including those
    /// being created or deleted.
    virtual asio::awaitable<std::vector<ResourceRecord>> ListResources(
        ResourceKind kind, const std::optional<std::string>& tenant_id) = 0;
    /// Resources of `kind` whose direct parent is `parent_id` (a network's subnets), by id.
    virtual asio::awaitable<std::vector<ResourceRecord>> ListChildren(
        ResourceKind kind, const std::string& parent_id) = 0;
    virtual asio::awaitable<std::optional<ResourceRecord>> GetResource(
        ResourceKind kind, const std::string& internal_id) = 0;
    /// The resources of several (kind, internal id) keys in one read: for each key, in order, the
    /// resource or nullopt (what a datamodel or a router names).
    virtual asio::awaitable<std::vector<std::optional<ResourceRecord>>> GetResources(
        const std::vector<ResourceKey>& keys) = 0;
    /// Resources of `kind` whose internal id, external (VIM) id or name is `key`, by internal id:
    /// the candidates a datamodel's reference may mean (model/reference_resolution.hpp).
    virtual asio::awaitable<std::vector<ResourceRecord>> FindResourcesByKey(
        ResourceKind kind, const std::string& key) = 0;

    // Accepting work: the intent and the operation row commit together, or not at all.
    /// Inserts `resource` (state CREATING) and `op`. kConflict when the internal id is used by
    /// any resource of any kind; kNotFound when resource.parent_id names no active resource of
    /// ParentKindOf(resource.kind) in resource.tenant_id.
    virtual asio::awaitable<void> AcceptCreate(const ResourceRecord& resource,
                                               const Operation& op) = 0;
    /// Moves the resource to UPDATING and records `op` (whose payload is the new spec).
    /// kNotFound when absent; kConflict when another operation runs on it.
    virtual asio::awaitable<void> AcceptUpdate(ResourceKind kind,
                                               const std::string& internal_id,
                                               const Operation& op) = 0;
    /// Moves the resource to DELETING and records `op`. kNotFound when absent; kConflict when
    /// another operation runs on it, or when it still has children (a tenant that owns resources,
    /// a network with subnets) or a deployment uses it.
    virtual asio::awaitable<void> AcceptDelete(ResourceKind kind,
                                               const std::string& internal_id,
                                               const Operation& op) = 0;
};

}  // namespace escd::model
