#include "vim/openstack/glance.hpp"

#include <boost/json.hpp>
#include <filesystem>
#include <map>
#include <set>

#include "common/log.hpp"
#include "common/offload.hpp"
#include "vim/openstack/digest.hpp"
#include "vim/openstack/json_fields.hpp"
#include "vim/openstack/poll.hpp"
#include "vim/openstack/resources_json.hpp"

namespace escd::vim::openstack {
namespace json = boost::json;

namespace {
/// Chunks of the local digest: each is a few milliseconds of hashing.
constexpr std::size_t kDigestChunk = 1024 * 1024;

/// The local file's digests by algorithm: EnsureImage may compare several images with it, and
/// a file of gigabytes is worth hashing once.
using DigestCache = std::map<std::string, std::string>;

/// States of an image that is gone or going: not escd's to use or to delete.
bool Gone(const std::string& status) {
    return status == "deleted" || status == "pending_delete";
}

/// "" when `image` holds the bytes of `path` (`size` bytes), else why not.
//
// The local digest is computed by reading the file again rather than on the uploaded stream:
// the algorithm is Glance's (os_hash_algo, a deployment setting) and is known for sure only from
// the stored image; the same check serves an image an earlier run uploaded (found after a
// crash), which no stream of this run went into; and it compares the bytes on disk with what
// Glance stored, end to end. The price is a second read of the file, right after the upload
// mostly from the page cache.
asio::awaitable<std::string> Difference(GlanceImage image,
                                        std::string path,
                                        std::uint64_t size,
                                        DigestCache* cache,
                                        asio::thread_pool& files) {
    if (image.size >= 0 && static_cast<std::uint64_t>(image.size) != size) {
        co_return "Glance stored " + std::to_string(image.size) + " bytes, " + path + " has " +
            std::to_string(size);
    }
    const auto expected = DigestToCheck(image);
    if (!expected) {
        // Nothing to compare with: the size matched, which is all Glance lets escd check.
        ESCD_WARN("vim") << "Glance image " << image.id << " reports no digest escd can compute ("
                         << (image.hash_algo.empty() ? "none" : image.hash_algo)
                         << "): its content is not checked";
        co_return "";
    }
    auto it = cache->find(expected->algorithm);
    if (it == cache->end()) {
        auto local = co_await FileDigest(path, expected->algorithm, files);
        it = cache->emplace(expected->algorithm, std::move(local)).first;
    }
    if (it->second == expected->hex) co_return "";
    co_return "checksum mismatch: Glance's " + expected->algorithm + " is " + expected->hex + ", " +
        path + "'s is " + it->second;
}

}  // namespace

GlanceImage ParseImage(const json::value& image) {
    GlanceImage out;
    out.id = StringAt(image, "id");
    out.name = StringAt(image, "name");
    out.status = StringAt(image, "status");
    out.checksum = StringAt(image, "checksum");
    out.hash_algo = StringAt(image, "os_hash_algo");
    out.hash_value = StringAt(image, "os_hash_value");
    if (image.is_object()) {
        if (const auto* size = image.as_object().if_contains("size"); size && size->is_number()) {
            boost::system::error_code ec;
            const auto bytes = size->to_number<std::int64_t>(ec);
            if (!ec) out.size = bytes;
        }
    }
    return out;
}

std::optional<ExpectedDigest> DigestToCheck(const GlanceImage& image) {
    if (!image.hash_value.empty() && !image.hash_algo.empty() && Digest::Known(image.hash_algo))
        return ExpectedDigest{image.hash_algo, image.hash_value};
    if (!image.checksum.empty() && Digest::Known("md5"))
        return ExpectedDigest{"md5", image.checksum};
    return std::nullopt;
}

asio::awaitable<std::string> FileDigest(std::string path,
                                        std::string algorithm,
                                        asio::thread_pool& files) {
    Digest digest(algorithm);
    boost::system::error_code ec;
    beast::file file;
    std::vector<char> chunk(kDigestChunk);
    co_await Offload(files, [&] {
        file.open(path.c_str(), beast::file_mode::scan, ec);
        if (ec) throw Error(ErrorCode::kInternal, "cannot open " + path + ": " + ec.message());
    });
    for (;;) {
        // One chunk per hop: other digests and uploads share the pool's threads.
        const auto got = co_await Offload(files, [&] {
            const auto n = file.read(chunk.data(), chunk.size(), ec);
            if (ec) throw Error(ErrorCode::kInternal, "cannot read " + path + ": " + ec.message());
            digest.Update(chunk.data(), n);
            return n;
        });
        if (got == 0) break;
    }
    co_return digest.Hex();
}

asio::awaitable<std::vector<GlanceImage>> Glance::ImagesOf(std::string internal_id) {
    // Owner: an admin lists every project's private images, and another project's image of
    // the same name is not escd's.
    const auto name = ObjectName(internal_id);
    const auto token = co_await session_.keystone().Current();
    const auto answer =
        co_await session_.Call("image", http::verb::get,
                               "/v2/images?name=" + name + "&owner=" + token.project_id +
                                   "&sort_key=created_at&sort_dir=asc");
    const auto parsed = ParseAnswer(answer.body, "Glance", "image list");
    const auto* images = parsed.as_object().if_contains("images");
    if (!images || !images->is_array())
        throw VimError(ErrorCode::kVimError, "Glance's answer has no image list");
    std::vector<GlanceImage> out;
    for (const auto& image : images->as_array()) {
        auto parsed_image = ParseImage(image);
        if (!parsed_image.id.empty() && parsed_image.name == name)
            out.push_back(std::move(parsed_image));
    }
    co_return out;
}

asio::awaitable<std::optional<std::string>> Glance::FindImage(std::string internal_id) {
    const auto images = co_await ImagesOf(internal_id);
    for (const auto& image : images)
        if (image.status == "active") co_return image.id;
    co_return std::nullopt;
}

asio::awaitable<std::string> Glance::EnsureImage(ImageUpload upload) {
    // The file first: when it cannot be read, nothing on Glance is touched.
    std::error_code size_error;
    const auto size = std::filesystem::file_size(upload.source_file, size_error);
    if (size_error) {
        throw Error(ErrorCode::kInternal,
                    "cannot read " + upload.source_file + ": " + size_error.message());
    }
    DigestCache local;
    const auto name = ObjectName(upload.internal_id);
    std::optional<std::string> kept;
    const auto images = co_await ImagesOf(upload.internal_id);
    for (const auto& image : images) {
        if (Gone(image.status)) continue;
        if (image.status == "active" && !kept) {
            const auto why = co_await Difference(image, upload.source_file, size, &local, files_);
            if (why.empty()) {
                kept = image.id;
                continue;
            }
            ESCD_WARN("vim") << "Glance image " << name << " " << image.id
                             << " is not the content of " << upload.source_file << " (" << why
                             << "): deleted, uploaded again";
        } else if (image.status == "active") {
            ESCD_WARN("vim") << "Glance image " << name << " " << image.id << " duplicates image "
                             << *kept << ": deleted";
        } else {
            // queued, saving, importing, killed, deactivated: an upload cut by a crash or
            // refused; it holds nothing escd can use.
            ESCD_INFO("vim") << "Glance image " << name << " " << image.id << " left "
                             << image.status << ": deleted, uploaded again";
        }
        co_await Remove(image.id);
    }
    if (kept) co_return *kept;
    co_return co_await Create(std::move(upload), size, &local);
}

asio::awaitable<std::string> Glance::Create(ImageUpload upload,
                                            std::uint64_t size,
                                            std::map<std::string, std::string>* local) {
    const auto name = ObjectName(upload.internal_id);
    // escd_id: an extra property, so the image tells whose it is even if someone renames it.
    json::object body{{"name", name},
                      {"disk_format", upload.disk_format},
                      {"container_format", upload.container_format},
                      {"visibility", "private"},
                      {"escd_id", upload.internal_id}};
    const auto created =
        co_await session_.Call("image", http::verb::post, "/v2/images", json::serialize(body));
    const auto id = StringAt(ParseAnswer(created.body, "Glance", "new image"), "id");
    if (id.empty()) throw VimError(ErrorCode::kVimError, "Glance's new image has no id");
    ESCD_INFO("vim") << "created Glance image " << name << " " << id << ", uploading "
                     << upload.source_file << " (" << size << " bytes)";

    const auto started = std::chrono::steady_clock::now();
    std::exception_ptr failure;
    try {
        co_await session_.CallWithFile("image", http::verb::put, "/v2/images/" + id + "/file",
                                       upload.source_file, "application/octet-stream", files_);
        const auto image = co_await WaitActive(id);
        const auto why = co_await Difference(image, upload.source_file, size, local, files_);
        if (!why.empty())
            throw VimError(ErrorCode::kVimError, "Glance image " + name + " " + id + ": " + why);
    } catch (...) {
        failure = std::current_exception();
    }
    if (failure) {
        // No half image stays behind. If Glance cannot be reached for this either, the next
        // EnsureImage finds the leftover and deletes it.
        try {
            co_await Remove(id);
        } catch (const std::exception& e) {
            ESCD_WARN("vim") << "cannot delete the failed Glance image " << id << ": " << e.what();
        }
        std::rethrow_exception(failure);
    }
    const auto seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    ESCD_INFO("vim") << "Glance image " << name << " " << id << " active, " << size
                     << " bytes checked, in " << seconds << " s";
    co_return id;
}

asio::awaitable<GlanceImage> Glance::WaitActive(std::string image_id) {
    // Glance answers the upload once the file is stored; the status follows at once with the
    // file store, later with an import task or a slow store.
    Poll poll(kActiveBound);
    for (;;) {
        const auto answer = co_await session_.Call(
            "image", http::verb::get, "/v2/images/" + image_id, std::string(), kGoneIsAnAnswer);
        if (answer.status == 404) {
            throw VimError(ErrorCode::kVimError,
                           "Glance image " + image_id + " vanished after its upload");
        }
        auto image = ParseImage(ParseAnswer(answer.body, "Glance", "image"));
        if (image.status == "active") co_return image;
        if (image.status == "killed" || Gone(image.status)) {
            // Glance keeps no reason on the image: its refusal of the upload, if any, was the
            // answer to the PUT; otherwise its log says.
            throw VimError(ErrorCode::kVimError,
                           "Glance image " + image_id + " is " + image.status +
                               " after its upload: Glance could not store it");
        }
        if (!co_await poll.Next()) {
            throw VimError(ErrorCode::kUnavailable, "Glance image " + image_id + " still " +
                                                        image.status + " after its upload");
        }
    }
}

asio::awaitable<void> Glance::Remove(std::string image_id) {
    // Glance deletes at once (204, then 404): nothing to wait for.
    co_await session_.Call("image", http::verb::delete_, "/v2/images/" + image_id, std::string(),
                           kGoneIsAnAnswer);
    ESCD_INFO("vim") << "deleted Glance image " << image_id;
}

asio::awaitable<void> Glance::DeleteImage(std::string internal_id) {
    const auto images = co_await ImagesOf(internal_id);
    for (const auto& image : images) {
        if (Gone(image.status)) continue;
        co_await Remove(image.id);
    }
}

}  // namespace escd::vim::openstack
