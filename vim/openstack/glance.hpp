#pragma once
/// @file
/// escd's images on Glance (v2), named escd-<internal id> and carrying the property
/// `escd_id`: created private, the file streamed from disk, waited for until `active`, and
/// checked against a digest of the local file. EnsureImage is idempotent: after a crash it finds
/// its image by name, keeps it when it is active with the file's digest, and deletes a leftover
/// of a cut upload (queued, saving, killed) or of other content before making it again.
/// Ids and strings are taken by value (a coroutine may outlive the caller's strings).

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "vim/openstack/session.hpp"

namespace escd::vim::openstack {

struct ImageUpload {
    std::string internal_id;
    std::string source_file;
    std::string disk_format = "raw";
    std::string container_format = "bare";
};

/// An image as Glance (v2) describes it.
struct GlanceImage {
    std::string id;
    std::string name;
    std::string status;      ///< queued, saving, active, killed, deleted, pending_delete, ...
    std::int64_t size = -1;  ///< bytes; -1 before the upload
    std::string checksum;    ///< md5 hex
    std::string hash_algo;   ///< os_hash_algo ("sha512" by default), "" before the upload
    std::string hash_value;  ///< os_hash_value
};

/// The fields escd reads of one image object (a flat object, as Glance v2 answers).
GlanceImage ParseImage(const boost::json::value& image);

/// The digest escd compares a stored image with: Glance's os_hash_value when Glance reports
/// one of an algorithm OpenSSL has, else its md5 `checksum`; nullopt when neither.
struct ExpectedDigest {
    std::string algorithm;  ///< OpenSSL's name: "sha512", "md5", ...
    std::string hex;        ///< lower case
};
std::optional<ExpectedDigest> DigestToCheck(const GlanceImage& image);

class Glance {
  public:
    /// How long an uploaded image may take to become active (Glance answers the upload once it
    /// has stored the file, so this covers only its own post-processing).
    static constexpr std::chrono::minutes kActiveBound{10};

    /// `files`: where image files are read and hashed (off the caller's executor).
    Glance(Session& session, asio::thread_pool& files) : session_(session), files_(files) {}

    /// Glance's id of the active image of `upload.source_file`, named escd-<internal id>: the
    /// one there when its digest is the file's, else a new one. Throws Error(kVimError) when
    /// Glance kills the upload or stores other bytes than the file's (that image is deleted),
    /// Error(kInternal) when the file cannot be read.
    asio::awaitable<std::string> EnsureImage(ImageUpload upload);
    /// Glance's id of escd's active image `internal_id`; nullopt when there is none (a leftover
    /// of a cut upload is not an image escd can use).
    asio::awaitable<std::optional<std::string>> FindImage(std::string internal_id);
    /// Deletes every image named after escd's image `internal_id`, whatever its state; none is
    /// a success.
    asio::awaitable<void> DeleteImage(std::string internal_id);
    /// The images named after escd's image `internal_id` that the session's project owns, the
    /// oldest first (normally one; more after a crash between a create and its answer).
    asio::awaitable<std::vector<GlanceImage>> ImagesOf(std::string internal_id);

  private:
    /// Makes, uploads, waits for and checks a new image of `upload` (`size` bytes); `local`
    /// holds the file's digests already computed.
    asio::awaitable<std::string> Create(ImageUpload upload,
                                        std::uint64_t size,
                                        std::map<std::string, std::string>* local);
    asio::awaitable<GlanceImage> WaitActive(std::string image_id);
    asio::awaitable<void> Remove(std::string image_id);

    Session& session_;
    asio::thread_pool& files_;
};

/// The digest `algorithm` of file `path`, read and hashed a chunk at a time on `files`: a
/// gigabyte image takes seconds, and the caller's thread serves others meanwhile. Throws
/// Error(kInternal) when the file cannot be read.
asio::awaitable<std::string> FileDigest(std::string path,
                                        std::string algorithm,
                                        asio::thread_pool& files);

}  // namespace escd::vim::openstack
