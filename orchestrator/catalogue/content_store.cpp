#include "orchestrator/catalogue/content_store.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"

namespace escd::orchestrator {
namespace {

namespace fs = std::filesystem;

// Large enough that a disk write and a digest update each move a lot per call.
constexpr std::size_t kChunk = 1024 * 1024;

[[noreturn]] void ThrowErrno(const std::string& what) {
    throw Error(ErrorCode::kInternal, what + ": " + std::strerror(errno));
}

void FsyncPath(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) ThrowErrno("cannot open " + path.string());
    const int synced = ::fsync(fd);
    ::close(fd);
    if (synced != 0) ThrowErrno("cannot sync " + path.string());
}

// A file being written to incoming/, with its digests so far. Removed unless Commit() moved it
// to its address. Touched by one coroutine at a time (its disk work on the file pool).
class Upload {
  public:
    explicit Upload(fs::path temp) : temp_(std::move(temp)) {
        fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd_ < 0) ThrowErrno("cannot create " + temp_.string());
        if (!md5_ || !sha512_ || EVP_DigestInit_ex(md5_.get(), EVP_md5(), nullptr) != 1 ||
            EVP_DigestInit_ex(sha512_.get(), EVP_sha512(), nullptr) != 1)
            throw Error(ErrorCode::kInternal, "cannot start the file's digests");
    }
    ~Upload() {
        if (fd_ >= 0) ::close(fd_);
        if (!committed_) {
            std::error_code ignored;
            fs::remove(temp_, ignored);
        }
    }
    Upload(const Upload&) = delete;
    Upload& operator=(const Upload&) = delete;

    void Append(const char* data, std::size_t size) {
        EVP_DigestUpdate(md5_.get(), data, size);
        EVP_DigestUpdate(sha512_.get(), data, size);
        size_ += size;
        while (size > 0) {
            const auto written = ::write(fd_, data, size);
            if (written < 0 && errno == EINTR) continue;
            if (written < 0) ThrowErrno("cannot write " + temp_.string());
            data += written;
            size -= static_cast<std::size_t>(written);
        }
    }

    std::uint64_t size() const { return size_; }

    // Durable first, then at its address: a crash never leaves a partial file there.
    model::catalogue::FileDigest Commit(
        const std::function<fs::path(const std::string&)>& path_of) {
        std::array<unsigned char, EVP_MAX_MD_SIZE> md5{}, sha512{};
        unsigned md5_length = 0, sha512_length = 0;
        EVP_DigestFinal_ex(md5_.get(), md5.data(), &md5_length);
        EVP_DigestFinal_ex(sha512_.get(), sha512.data(), &sha512_length);
        model::catalogue::FileDigest digest{size_, LowerHex(md5.data(), md5_length),
                                            LowerHex(sha512.data(), sha512_length)};
        if (::fsync(fd_) != 0) ThrowErrno("cannot sync " + temp_.string());
        ::close(fd_);
        fd_ = -1;
        const auto target = path_of(digest.sha512);
        fs::create_directories(target.parent_path());
        std::error_code exists_error;
        if (fs::exists(target, exists_error)) {
            // The same content is there already (an earlier upload, another node): one copy.
            return digest;
        }
        if (::rename(temp_.c_str(), target.c_str()) != 0)
            ThrowErrno("cannot move the upload to " + target.string());
        committed_ = true;
        FsyncPath(target.parent_path());
        return digest;
    }

  private:
    struct DigestFree {
        void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
    };
    fs::path temp_;
    int fd_ = -1;
    std::unique_ptr<EVP_MD_CTX, DigestFree> md5_{EVP_MD_CTX_new()};
    std::unique_ptr<EVP_MD_CTX, DigestFree> sha512_{EVP_MD_CTX_new()};
    std::uint64_t size_ = 0;
    bool committed_ = false;
};

class OpenFile final : public ContentStore::File {
  public:
    OpenFile(asio::thread_pool& pool, int fd, std::uint64_t size)
        : pool_(pool), fd_(fd), size_(size) {}
    ~OpenFile() override { ::close(fd_); }

    std::uint64_t size() const override { return size_; }

    asio::awaitable<std::size_t> ReadAt(std::uint64_t offset,
                                        asio::mutable_buffer buffer) override {
        // Not `co_return co_await`: g++ 12 destroys such a result twice.
        const auto read = co_await Offload(pool_, [this, offset, buffer]() -> std::size_t {
            for (;;) {
                const auto n =
                    ::pread(fd_, buffer.data(), buffer.size(), static_cast<off_t>(offset));
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) ThrowErrno("cannot read a catalogue file");
                return static_cast<std::size_t>(n);
            }
        });
        co_return read;
    }

    asio::awaitable<std::size_t> SendTo(int socket,
                                        std::uint64_t offset,
                                        std::size_t max) override {
        const auto sent = co_await Offload(pool_, [this, socket, offset, max]() -> std::size_t {
            auto position = static_cast<off_t>(offset);
            for (;;) {
                const auto n = ::sendfile(socket, fd_, &position, max);
                if (n >= 0) return static_cast<std::size_t>(n);
                if (errno == EINTR) continue;
                if (errno == EAGAIN) return 0;
                ThrowErrno("cannot send a catalogue file");
            }
        });
        co_return sent;
    }

  private:
    asio::thread_pool& pool_;
    int fd_;
    std::uint64_t size_;
};

}  // namespace

ContentStore::ContentStore(asio::thread_pool& file_pool, std::filesystem::path dir)
    : pool_(file_pool), dir_(std::move(dir)) {}

void ContentStore::Start() {
    fs::create_directories(dir_ / "incoming");
    std::size_t removed = 0;
    for (const auto& entry : fs::directory_iterator(dir_ / "incoming")) {
        std::error_code ignored;
        if (fs::remove(entry.path(), ignored)) ++removed;
    }
    if (removed > 0) {
        ESCD_INFO("catalogue") << "removed " << removed
                               << " upload(s) a previous run left unfinished";
    }
}

fs::path ContentStore::PathOf(const std::string& sha512) const {
    return dir_ / sha512.substr(0, 2) / sha512;
}

asio::awaitable<model::catalogue::FileDigest> ContentStore::Store(
    Source source, std::uint64_t max_bytes, std::optional<std::uint64_t> expected_size) {
    if (expected_size && *expected_size > max_bytes) {
        throw Error(ErrorCode::kPayloadTooLarge,
                    "the file is larger than " + std::to_string(max_bytes) + " bytes");
    }
    auto upload = co_await Offload(pool_, [this] {
        return std::make_shared<Upload>(dir_ / "incoming" / (RandomHex(16) + ".part"));
    });
    // The upload goes away on the file pool whatever happens: its end closes a file and may
    // remove one, disk calls this (Asio) thread must not make.
    const auto discard = [this, &upload]() -> asio::awaitable<void> {
        co_await Offload(pool_, [&upload] { upload.reset(); });
    };
    std::exception_ptr failure;
    std::optional<model::catalogue::FileDigest> digest;
    try {
        std::vector<char> chunk(kChunk);
        for (;;) {
            const auto n = co_await source(asio::buffer(chunk));
            if (n == 0) break;
            if (upload->size() + n > max_bytes) {
                throw Error(ErrorCode::kPayloadTooLarge,
                            "the file is larger than " + std::to_string(max_bytes) + " bytes");
            }
            co_await Offload(pool_, [&upload, &chunk, n] { upload->Append(chunk.data(), n); });
        }
        if (expected_size && upload->size() != *expected_size) {
            throw Error(ErrorCode::kBadRequest, "the body ended after " +
                                                    std::to_string(upload->size()) + " of " +
                                                    std::to_string(*expected_size) + " bytes");
        }
        digest = co_await Offload(pool_, [this, &upload] {
            return upload->Commit([this](const std::string& sha512) { return PathOf(sha512); });
        });
    } catch (...) {
        failure = std::current_exception();
    }
    co_await discard();
    if (failure) std::rethrow_exception(failure);
    co_return *digest;
}

asio::awaitable<std::shared_ptr<ContentStore::File>> ContentStore::Open(const std::string& sha512) {
    const auto path = PathOf(sha512);
    auto file = co_await Offload(pool_, [this, &path]() -> std::shared_ptr<File> {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno == ENOENT) return nullptr;
            ThrowErrno("cannot open " + path.string());
        }
        struct stat info {};
        if (::fstat(fd, &info) != 0) {
            ::close(fd);
            ThrowErrno("cannot read the size of " + path.string());
        }
        return std::make_shared<OpenFile>(pool_, fd, static_cast<std::uint64_t>(info.st_size));
    });
    co_return file;
}

}  // namespace escd::orchestrator
