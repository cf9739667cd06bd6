#pragma once
/// @file
/// Fetches the files resources name (an image's `src`, a file server's path) onto local disk,
/// where the VIM adapter can read them.
///
/// - `file:///path`: used in place (no copy) when the path, with symlinks resolved, lies below
///   files.root; anything else is refused, so a client cannot make escd read /etc/shadow.
/// - `catalogue:<GUID>`, or a download URL of escd's Software Distribution face: the catalogue
///   image's file, in place, its checksums verified (catalogue_files.hpp).
/// - `http(s)://`: downloaded to <download_dir>/<name>.part with Basic credentials when given,
///   only from addresses in files.allowed_cidrs (every address a name resolves to), at most
///   files.max_mb, within files.timeout_s. The network side is asynchronous on the caller's
///   executor; the disk writes go to the file pool. A download that fails, is cut short (fewer
///   bytes than Content-Length) or is too large leaves no file behind.
/// Errors are escd::Error: kNotFound (the source says 404 / no such file), kBadRequest (refused
/// by policy: address, path, scheme), kUnavailable (cannot connect, timeout, truncated, other
/// HTTP statuses).

#include <chrono>
#include <cstdint>
#include <string>

#include "common/asio.hpp"
#include "common/cidr.hpp"

namespace escd::orchestrator {

struct FetchOptions {
    CidrList allowed = CidrList::Parse("127.0.0.0/8,::1/128");
    std::string root;          ///< file:// sources must lie below it
    std::string download_dir;  ///< where downloads are staged
    std::uint64_t max_bytes = std::uint64_t{20} << 30;
    std::chrono::seconds timeout{600};
};

struct FetchSource {
    std::string url;
    std::string user;  ///< Basic credentials, when the file server has them
    std::string password;
};

struct FetchedFile {
    std::string path;
    std::uint64_t size = 0;
    bool temporary = false;  ///< a download: remove with Discard() once used
};

class CatalogueFiles;

class FileFetcher {
  public:
    FileFetcher(asio::thread_pool& file_pool, FetchOptions options);
    ~FileFetcher();

    /// Sources that name a catalogue image (model::catalogue::CatalogueImageOf) are read from
    /// `catalogue` from now on (catalogue_files.hpp). Set before the engine starts.
    void UseCatalogue(CatalogueFiles* catalogue) { catalogue_ = catalogue; }
    /// Fetches `source`; `name` (an internal id) names the staged download.
    asio::awaitable<FetchedFile> Fetch(const FetchSource& source, const std::string& name);
    /// Where staged files live (also used for the config drives escd builds).
    const std::string& staging_dir() const { return options_.download_dir; }
    /// Removes a temporary file (blocking but tiny: an unlink).
    static void Discard(const FetchedFile& file);

  private:
    asio::awaitable<FetchedFile> FetchLocal(const std::string& url);
    asio::awaitable<FetchedFile> Download(const FetchSource& source, const std::string& name);

    asio::thread_pool& file_pool_;
    FetchOptions options_;
    ssl::context tls_;
    CatalogueFiles* catalogue_ = nullptr;
};

}  // namespace escd::orchestrator
