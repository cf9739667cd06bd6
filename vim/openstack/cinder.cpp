#include "vim/openstack/cinder.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <set>

#include "common/log.hpp"
#include "vim/openstack/json_fields.hpp"
#include "vim/openstack/poll.hpp"
#include "vim/openstack/resources_json.hpp"

namespace escd::vim::openstack {
namespace json = boost::json;

namespace {
constexpr std::uint64_t kGiB = 1024ull * 1024 * 1024;

/// Still being made: it settles by itself, to available or error.
bool Creating(const std::string& status) {
    return status == "creating" || status == "downloading";
}

/// Failed: error, error_deleting, error_restoring, error_extending, ... Nothing escd can use.
bool Failed(const std::string& status) {
    return status.rfind("error", 0) == 0;
}

std::string Seconds(std::chrono::steady_clock::time_point since) {
    const auto tenths = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - since)
                            .count() /
                        100;
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
}

}  // namespace

CinderVolume ParseVolume(const json::value& volume) {
    CinderVolume out;
    out.id = StringAt(volume, "id");
    out.name = StringAt(volume, "name");
    out.status = StringAt(volume, "status");
    if (volume.is_object()) {
        if (const auto* size = volume.as_object().if_contains("size"); size && size->is_number()) {
            boost::system::error_code ec;
            const auto gib = size->to_number<std::int64_t>(ec);
            if (!ec) out.size_gib = gib;
        }
    }
    return out;
}

std::uint64_t VolumeSizeGiB(std::uint64_t capacity_bytes) {
    // Divided first: capacity_bytes + kGiB - 1 could overflow.
    const auto gib = capacity_bytes / kGiB + (capacity_bytes % kGiB != 0 ? 1 : 0);
    return std::max<std::uint64_t>(gib, 1);
}

asio::awaitable<std::vector<CinderVolume>> Cinder::VolumesOf(std::string internal_id) {
    const auto name = ObjectName(internal_id);
    // The endpoint is the project's (.../v3/<project id>): only its volumes are listed.
    const auto answer = co_await session_.Call(
        "volumev3", http::verb::get, "/volumes/detail?name=" + name + "&sort=created_at:asc");
    const auto parsed = ParseAnswer(answer.body, "Cinder", "volume list");
    const auto* volumes = parsed.as_object().if_contains("volumes");
    if (!volumes || !volumes->is_array())
        throw VimError(ErrorCode::kVimError, "Cinder's answer has no volume list");
    std::vector<CinderVolume> out;
    for (const auto& volume : volumes->as_array()) {
        auto parsed_volume = ParseVolume(volume);
        if (!parsed_volume.id.empty() && parsed_volume.name == name)
            out.push_back(std::move(parsed_volume));
    }
    co_return out;
}

asio::awaitable<std::optional<CinderVolume>> Cinder::Show(std::string volume_id) {
    const auto answer = co_await session_.Call("volumev3", http::verb::get, "/volumes/" + volume_id,
                                               std::string(), kGoneIsAnAnswer);
    if (answer.status == 404) co_return std::nullopt;
    const auto parsed = ParseAnswer(answer.body, "Cinder", "volume");
    const auto* volume = parsed.as_object().if_contains("volume");
    if (!volume) throw VimError(ErrorCode::kVimError, "Cinder's answer has no volume");
    co_return ParseVolume(*volume);
}

asio::awaitable<std::optional<CinderVolume>> Cinder::Settled(std::string volume_id,
                                                             std::chrono::milliseconds bound) {
    Poll poll(bound);
    for (;;) {
        auto volume = co_await Show(volume_id);
        if (!volume || !Creating(volume->status)) co_return volume;
        if (!co_await poll.Next()) co_return volume;  // still creating: the caller says so
    }
}

asio::awaitable<void> Cinder::Remove(CinderVolume volume) {
    const auto started = std::chrono::steady_clock::now();
    if (volume.status == "error_deleting") {
        // A plain delete is refused in this state; the admin action is what clears it.
        const std::string force = R"({"os-force_delete": {}})";
        co_await session_.Call("volumev3", http::verb::post, "/volumes/" + volume.id + "/action",
                               force, kGoneIsAnAnswer);
    } else if (volume.status != "deleting") {
        co_await session_.Call("volumev3", http::verb::delete_, "/volumes/" + volume.id,
                               std::string(), kGoneIsAnAnswer);
    }
    // Cinder answers 202 and deletes behind it; the volume is listed (deleting) until then.
    Poll poll(kDeleteBound);
    for (;;) {
        const auto now = co_await Show(volume.id);
        if (!now) break;
        if (now->status == "error_deleting") {
            throw VimError(ErrorCode::kVimError, "Cinder could not delete volume " + volume.name +
                                                     " " + volume.id + " (error_deleting)");
        }
        if (!co_await poll.Next()) {
            throw VimError(ErrorCode::kUnavailable, "Cinder volume " + volume.name + " " +
                                                        volume.id + " still " + now->status +
                                                        " after " + Seconds(started));
        }
    }
    ESCD_INFO("vim") << "deleted Cinder volume " << volume.name << " " << volume.id << " in "
                     << Seconds(started);
}

asio::awaitable<std::optional<std::string>> Cinder::FindVolume(std::string internal_id) {
    const auto volumes = co_await VolumesOf(internal_id);
    for (const auto& volume : volumes)
        if (!Failed(volume.status) && volume.status != "deleting") co_return volume.id;
    co_return std::nullopt;
}

asio::awaitable<std::string> Cinder::EnsureVolume(std::string internal_id,
                                                  std::uint64_t capacity_bytes) {
    const auto name = ObjectName(internal_id);
    auto volumes = co_await VolumesOf(internal_id);
    // A duplicate attached to a server is the one a VM uses: it is kept before any other.
    std::stable_partition(volumes.begin(), volumes.end(),
                          [](const CinderVolume& v) { return v.status == "in-use"; });
    std::optional<std::string> kept;
    for (auto volume : volumes) {
        if (Creating(volume.status)) {
            // Made by a run that crashed before it saw the volume available.
            auto settled = co_await Settled(volume.id, kCreateBound);
            if (!settled) continue;
            volume = std::move(*settled);
        }
        if (volume.status == "deleting") {
            co_await Remove(volume);  // waits until it is gone
            continue;
        }
        if (Failed(volume.status)) {
            ESCD_INFO("vim") << "Cinder volume " << name << " " << volume.id << " is "
                             << volume.status << ": deleted, made again";
            co_await Remove(volume);
            continue;
        }
        if (Creating(volume.status)) {
            throw VimError(ErrorCode::kUnavailable, "Cinder volume " + name + " " + volume.id +
                                                        " is still " + volume.status);
        }
        if (!kept) {
            kept = volume.id;
            continue;
        }
        if (volume.status == "available") {
            ESCD_WARN("vim") << "Cinder volume " << name << " " << volume.id
                             << " duplicates volume " << *kept << ": deleted";
            co_await Remove(volume);
        } else {
            // Attached, or busy: not escd's to delete behind a server's back.
            ESCD_WARN("vim") << "Cinder volume " << name << " " << volume.id
                             << " duplicates volume " << *kept << " but is " << volume.status
                             << ": left";
        }
    }
    if (kept) co_return *kept;

    const auto gib = VolumeSizeGiB(capacity_bytes);
    const auto started = std::chrono::steady_clock::now();
    json::object volume{{"size", gib},
                        {"name", name},
                        {"description", "escd volume " + internal_id},
                        {"metadata", json::object{{"escd_id", internal_id}}}};
    const auto body = json::serialize(json::object{{"volume", std::move(volume)}});
    const auto created = co_await session_.Call("volumev3", http::verb::post, "/volumes", body);
    const auto id = IdIn(created.body, "volume");
    ESCD_INFO("vim") << "created Cinder volume " << name << " " << id << " (" << gib << " GiB)";

    const auto settled = co_await Settled(id, kCreateBound);
    if (!settled) {
        throw VimError(ErrorCode::kVimError,
                       "Cinder volume " + name + " " + id + " vanished while being created");
    }
    if (Creating(settled->status)) {
        // Left for the next EnsureVolume, which waits for it again.
        throw VimError(ErrorCode::kUnavailable, "Cinder volume " + name + " " + id + " still " +
                                                    settled->status + " after " + Seconds(started));
    }
    if (Failed(settled->status)) {
        // Cinder keeps no reason on the volume (its user messages API does, from 3.3 on): the
        // scheduler found no backend for it, or the backend failed.
        co_await Remove(*settled);
        throw VimError(ErrorCode::kVimError, "Cinder could not create volume " + name + " (" +
                                                 std::to_string(gib) + " GiB): it went to " +
                                                 settled->status + "; deleted");
    }
    ESCD_INFO("vim") << "Cinder volume " << name << " " << id << " " << settled->status << " in "
                     << Seconds(started);
    co_return id;
}

asio::awaitable<void> Cinder::DeleteVolume(std::string internal_id) {
    const auto volumes = co_await VolumesOf(internal_id);
    for (const auto& volume : volumes) {
        auto now = std::optional<CinderVolume>(volume);
        // Cinder refuses to delete a volume being created: it settles first.
        if (Creating(volume.status)) now = co_await Settled(volume.id, kCreateBound);
        if (!now) continue;
        co_await Remove(*now);
    }
}

}  // namespace escd::vim::openstack
