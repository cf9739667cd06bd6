#pragma once
/// @file
/// escd's VMs as Nova servers, and the server groups that place them.
///
/// A server is escd's by its name (escd's VM names are unique) and by the metadata escd puts on
/// it (its deployment's id, ...): after a crash CreateServer finds the server of the name instead
/// of making a second one, and ListServers finds all of escd's servers in one listing. Ports are
/// made first (vim/openstack/ports.hpp) and given to Nova by id.
///
/// Nova is asynchronous: a create, an action or a delete is accepted (202) and done later;
/// WaitForStatus and DeleteServer poll GET /servers/{id} with a growing pause (kFirstPoll
/// doubling to kLongestPoll) until Nova has finished. A status counts once no task is running on
/// the server (OS-EXT-STS:task_state empty): a stop leaves a server ACTIVE while it powers off.
///
/// Ids and names are taken by value: a coroutine may outlive the caller's temporaries.

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "vim/openstack/resources_json.hpp"
#include "vim/openstack/session.hpp"

namespace escd::vim::openstack {

class Servers {
  public:
    /// The compute microversion of a create with day-0 files: `personality` is gone from 2.57.
    static constexpr const char* kFilesMicroversion = "2.56";
    static constexpr std::chrono::milliseconds kFirstPoll{50};
    static constexpr std::chrono::milliseconds kLongestPoll{1000};
    static constexpr std::chrono::milliseconds kDeleteTimeout{60000};
    /// How long POST /servers may take to answer. Nova checks the image, flavor, ports and
    /// quotas before it answers, which takes minutes when many creates arrive at once (measured:
    /// 2-3 min for 40 at once on the test plane). A create whose answer escd gave up on may
    /// still make its server, after escd's next attempt looked for one: a second server on the
    /// same ports. So the create waits long, and a VM's delete removes every server of its name.
    static constexpr std::chrono::milliseconds kCreateDeadline{std::chrono::minutes(5)};

    explicit Servers(Session& session) : session_(session) {}

    /// Asks Nova for the server of `spec` (POST /servers, at kFilesMicroversion when spec.files
    /// has day-0 files) and returns it as accepted: its id, name and metadata, status BUILD (wait
    /// with WaitForStatus). A server named spec.name that exists already (in any status but
    /// DELETED or SOFT_DELETED, ERROR included: the caller sees the fault when it waits) is
    /// returned instead: one GET, no second server.
    /// `find_first` false: the caller knows from a list taken after any earlier attempt that
    /// there is no such server (the adapter's shared server list): one call less per VM.
    asio::awaitable<Server> CreateServer(ServerSpec spec, bool find_first = true);
    /// The server named exactly `name` in any project (the session's user is an admin; not
    /// DELETED or SOFT_DELETED); nullopt if none.
    asio::awaitable<std::optional<Server>> FindServer(std::string name);
    /// Every server named exactly `name` (not DELETED or SOFT_DELETED), in any project.
    asio::awaitable<std::vector<Server>> FindServers(std::string name);
    /// Server `id`; nullopt when Nova has none (404).
    asio::awaitable<std::optional<Server>> GetServer(std::string id);
    /// Every server of every project whose metadata holds `key` = `value`: escd's batched state
    /// poll, one GET /servers/detail (one more per page when Nova pages the list).
    asio::awaitable<std::vector<Server>> ListServers(std::string metadata_key,
                                                     std::string metadata_value);
    /// Polls server `id` until its status is one of `wanted` with no task running and returns
    /// it. Throws Error(kVimError) with Nova's fault when it goes to ERROR (unless ERROR is
    /// wanted), Error(kNotFound) when it is gone, Error(kUnavailable) after `timeout`.
    asio::awaitable<Server> WaitForStatus(std::string id,
                                          std::set<std::string> wanted,
                                          std::chrono::milliseconds timeout);
    /// POST /servers/{id}/action: "stop", "start", "soft-reboot" or "hard-reboot" (returns once
    /// Nova accepted it; WaitForStatus for the outcome). Nova answers 409 to a stop of a stopped
    /// server and a start of a running one; such a 409 is a success when a GET of the server
    /// then shows the action's target reached or under way (stop: SHUTOFF, or task
    /// powering-off; start: ACTIVE without a task, or task powering-on). Any other 409 (a
    /// reboot of a stopped server, an action during another task) throws Error(kConflict).
    asio::awaitable<void> Action(std::string id, std::string action);
    /// Deletes server `id` and waits until Nova has none (404), at most `timeout` (then
    /// Error(kUnavailable)). One that is gone already is a success. Nova unbinds escd's ports
    /// before the server is gone; they stay, for Ports::DeletePort.
    asio::awaitable<void> DeleteServer(std::string id,
                                       std::chrono::milliseconds timeout = kDeleteTimeout);

    /// Nova's id of the project's server group `name` with `policy` (affinity, anti-affinity,
    /// soft-affinity, soft-anti-affinity), made when there is none. Nova cannot change a
    /// group's policy: a group of the name with another policy is deleted and made again (its
    /// servers keep running, no longer bound by it).
    asio::awaitable<std::string> EnsureServerGroup(std::string name, std::string policy);
    /// Server group `id` (its members); nullopt when Nova has none.
    asio::awaitable<std::optional<ServerGroup>> GetServerGroup(std::string id);
    /// Removes server group `id`; one that is gone is a success.
    asio::awaitable<void> DeleteServerGroup(std::string id);

  private:
    Session& session_;
};

}  // namespace escd::vim::openstack
