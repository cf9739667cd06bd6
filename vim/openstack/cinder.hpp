#pragma once
/// @file
/// escd's blank volumes on Cinder (v3, service type volumev3), named escd-<internal id> with
/// the metadata `escd_id`. EnsureVolume is idempotent: after a crash it finds its volume by
/// name, waits for one still being created, and replaces one Cinder failed (`error`). Deletes
/// wait until the volume is really gone, so that a create of the same name that follows does not
/// find it. Ids are taken by value (a coroutine may outlive the caller's strings).
///
/// No microversion is sent (Session sends one to Nova only): the v3 base API has all of this.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "vim/openstack/session.hpp"

namespace escd::vim::openstack {

/// A volume as Cinder describes it.
struct CinderVolume {
    std::string id;
    std::string name;
    std::string status;  ///< creating, available, in-use, deleting, error, error_deleting, ...
    std::int64_t size_gib = 0;
};

/// The fields escd reads of one volume object.
CinderVolume ParseVolume(const boost::json::value& volume);

/// Cinder sizes volumes in whole GiB: `capacity_bytes` rounded up, at least 1.
std::uint64_t VolumeSizeGiB(std::uint64_t capacity_bytes);

class Cinder {
  public:
    /// How long a volume may take to be created, and to be deleted.
    static constexpr std::chrono::minutes kCreateBound{5};
    static constexpr std::chrono::minutes kDeleteBound{2};

    explicit Cinder(Session& session) : session_(session) {}

    /// Cinder's id of the available blank volume named escd-<internal id>: the one there (a
    /// volume in use by a VM counts too: it is escd's), else a new one of `capacity_bytes`
    /// rounded up to GiB. The size of a volume found is not changed. Throws Error(kVimError)
    /// when Cinder fails the volume (it is deleted), kUnavailable when it is not available
    /// within kCreateBound.
    asio::awaitable<std::string> EnsureVolume(std::string internal_id,
                                              std::uint64_t capacity_bytes);
    /// Cinder's id of escd's volume `internal_id` in a usable state (not failed, not being
    /// deleted); nullopt when there is none.
    asio::awaitable<std::optional<std::string>> FindVolume(std::string internal_id);
    /// Deletes every volume named after escd's volume `internal_id` and waits until Cinder no
    /// longer has them; none is a success. A volume attached to a server is refused by Cinder
    /// (Error(kVimError)).
    asio::awaitable<void> DeleteVolume(std::string internal_id);
    /// The volumes named after escd's volume `internal_id` in the session's project, the oldest
    /// first (normally one; more after a crash between a create and its answer).
    asio::awaitable<std::vector<CinderVolume>> VolumesOf(std::string internal_id);

  private:
    /// The volume now; nullopt when Cinder no longer has it.
    asio::awaitable<std::optional<CinderVolume>> Show(std::string volume_id);
    /// Waits while the volume is `creating` (or downloading); its state after, nullopt if gone.
    asio::awaitable<std::optional<CinderVolume>> Settled(std::string volume_id,
                                                         std::chrono::milliseconds bound);
    /// Deletes the volume (force-deletes one stuck in error_deleting) and waits until it is gone.
    asio::awaitable<void> Remove(CinderVolume volume);

    Session& session_;
};

}  // namespace escd::vim::openstack
