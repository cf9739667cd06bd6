#pragma once
/// @file
/// The catalogue's files on disk (docs/catalogue.md, "Files"): content-addressed, one copy per
/// content, at <dir>/<sha512[0:2]>/<sha512>. A file is written to <dir>/incoming/ while its bytes
/// arrive, hashed (size, MD5, SHA-512) as it is written, made durable (fsync of the file and of
/// its directory), and only then moved to its address: an upload broken off, or a process
/// killed, leaves nothing at an address; Start() removes what such uploads left in incoming/.
/// Every disk call runs on the file pool, never on an Asio thread.
///
/// The directory may be shared by the nodes of a cluster (NFS, a cluster filesystem): the names
/// are the content, so two nodes storing the same content write the same file.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/asio.hpp"
#include "model/catalogue/catalogue.hpp"

namespace escd::orchestrator {

class ContentStore {
  public:
    /// Reads the next bytes into the buffer: how many, 0 at the end (an upload's body).
    using Source = std::function<asio::awaitable<std::size_t>(asio::mutable_buffer)>;

    ContentStore(asio::thread_pool& file_pool, std::filesystem::path dir);

    /// Creates the directories and removes what broken-off uploads left. Blocking; start-up.
    void Start();

    /// Streams `source` to disk, at most `max_bytes`: the digest of what was stored. Throws
    /// escd::Error(kPayloadTooLarge) past `max_bytes` (the partial file is removed), and
    /// rethrows what `source` threw. `expected_size`, when known, is checked: a body that ends
    /// short is kBadRequest.
    asio::awaitable<model::catalogue::FileDigest> Store(Source source,
                                                        std::uint64_t max_bytes,
                                                        std::optional<std::uint64_t> expected_size);

    /// An open file of the store, read on the file pool.
    class File {
      public:
        virtual ~File() = default;
        virtual std::uint64_t size() const = 0;
        /// Reads up to the buffer's size at `offset`: how many (0 past the end).
        virtual asio::awaitable<std::size_t> ReadAt(std::uint64_t offset,
                                                    asio::mutable_buffer buffer) = 0;
        /// Sends up to `max` bytes from `offset` to the non-blocking `socket` (sendfile, on the
        /// file pool: a read from disk never blocks an Asio thread): how many, 0 when the
        /// socket takes none now. Throws escd::Error on another failure.
        virtual asio::awaitable<std::size_t> SendTo(int socket,
                                                    std::uint64_t offset,
                                                    std::size_t max) = 0;
    };
    /// Opens the file of `sha512`; nullopt when it is not on disk.
    asio::awaitable<std::shared_ptr<File>> Open(const std::string& sha512);

    /// Where the file of `sha512` is (whether or not it exists).
    std::filesystem::path PathOf(const std::string& sha512) const;

  private:
    asio::thread_pool& pool_;
    std::filesystem::path dir_;
};

}  // namespace escd::orchestrator
