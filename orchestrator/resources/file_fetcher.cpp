#include "orchestrator/resources/file_fetcher.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/ip_network.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"
#include "common/url.hpp"
#include "model/catalogue/catalogue.hpp"
#include "orchestrator/catalogue/catalogue_files.hpp"

namespace escd::orchestrator {
namespace {
namespace fs = std::filesystem;
constexpr std::size_t kChunk = 1 << 20;  // bytes handed to the file pool per write

// A staged download: the file descriptor, and the file removed unless Keep() was called.
class StagedFile {
  public:
    explicit StagedFile(std::string path) : path_(std::move(path)) {
        fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd_ < 0) throw Error(ErrorCode::kInternal, "cannot create " + path_);
    }
    ~StagedFile() {
        if (fd_ >= 0) ::close(fd_);
        if (!kept_) ::unlink(path_.c_str());
    }
    StagedFile(const StagedFile&) = delete;
    StagedFile& operator=(const StagedFile&) = delete;

    void Write(const char* data, std::size_t size) {
        while (size > 0) {
            auto n = ::write(fd_, data, size);
            if (n < 0) throw Error(ErrorCode::kInternal, "cannot write " + path_);
            data += n;
            size -= static_cast<std::size_t>(n);
        }
    }
    void Keep() {
        if (::close(fd_) != 0) throw Error(ErrorCode::kInternal, "cannot write " + path_);
        fd_ = -1;
        kept_ = true;
    }
    const std::string& path() const { return path_; }

  private:
    std::string path_;
    int fd_ = -1;
    bool kept_ = false;
};

std::string Describe(const std::string& url) {
    return url.substr(0, 200);
}

// Disk writes block: they go to the file pool, one chunk at a time.
asio::awaitable<void> WriteOut(asio::thread_pool& file_pool,
                               StagedFile& file,
                               const std::vector<char>& chunk,
                               std::size_t size) {
    if (size == 0) co_return;
    co_await Offload(file_pool, [&file, &chunk, size] {
        file.Write(chunk.data(), size);
        return 0;
    });
}

template <class Stream>
asio::awaitable<std::uint64_t> Receive(Stream& stream,
                                       const http::request<http::empty_body>& request,
                                       const std::string& url,
                                       std::uint64_t max_bytes,
                                       StagedFile& file,
                                       asio::thread_pool& file_pool) {
    auto [write_error, written] = co_await http::async_write(stream, request, kNoThrow);
    if (write_error)
        throw Error(ErrorOrigin::kRemote, ErrorCode::kUnavailable,
                    Describe(url) + ": " + write_error.message());

    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(max_bytes);
    auto [header_error, header_bytes] =
        co_await http::async_read_header(stream, buffer, parser, kNoThrow);
    if (header_error)
        throw Error(ErrorOrigin::kRemote, ErrorCode::kUnavailable,
                    Describe(url) + ": " + header_error.message());
    const auto status = parser.get().result_int();
    if (status == 404) throw Error(ErrorCode::kNotFound, Describe(url) + " not found (HTTP 404)");
    if (status != 200) {
        throw Error(ErrorOrigin::kRemote, ErrorCode::kUnavailable,
                    Describe(url) + " answered HTTP " + std::to_string(status));
    }
    if (auto length = parser.content_length(); length && *length > max_bytes) {
        throw Error(ErrorCode::kBadRequest, Describe(url) + " is " + std::to_string(*length) +
                                                " bytes, more than files.max_mb allows");
    }

    std::vector<char> chunk(kChunk);
    std::uint64_t received = 0;
    std::size_t filled = 0;
    while (!parser.is_done()) {
        parser.get().body().data = chunk.data() + filled;
        parser.get().body().size = chunk.size() - filled;
        auto [read_error, n] = co_await http::async_read(stream, buffer, parser, kNoThrow);
        const std::size_t got = chunk.size() - filled - parser.get().body().size;
        filled += got;
        received += got;
        if (read_error == http::error::need_buffer) read_error = {};
        if (read_error == http::error::body_limit) {
            throw Error(ErrorCode::kBadRequest,
                        Describe(url) + " is larger than files.max_mb allows");
        }
        if (read_error) {
            throw Error(ErrorOrigin::kRemote, ErrorCode::kUnavailable,
                        Describe(url) + ": download cut after " + std::to_string(received) +
                            " bytes: " + read_error.message());
        }
        if (filled == chunk.size()) {
            co_await WriteOut(file_pool, file, chunk, filled);
            filled = 0;
        }
    }
    co_await WriteOut(file_pool, file, chunk, filled);
    co_return received;
}
}  // namespace

FileFetcher::FileFetcher(asio::thread_pool& file_pool, FetchOptions options)
    : file_pool_(file_pool), options_(std::move(options)), tls_(ssl::context::tls_client) {
    tls_.set_default_verify_paths();
    tls_.set_verify_mode(ssl::verify_peer);
}

FileFetcher::~FileFetcher() = default;

void FileFetcher::Discard(const FetchedFile& file) {
    if (file.temporary) ::unlink(file.path.c_str());
}

asio::awaitable<FetchedFile> FileFetcher::Fetch(const FetchSource& source,
                                                const std::string& name) {
    if (auto guid = model::catalogue::CatalogueImageOf(source.url); guid && catalogue_)
        co_return co_await catalogue_->Fetch(*guid);
    if (source.url.starts_with("file://")) co_return co_await FetchLocal(source.url);
    co_return co_await Download(source, name);
}

asio::awaitable<FetchedFile> FileFetcher::FetchLocal(const std::string& url) {
    co_return co_await Offload(file_pool_, [this, &url] {
        const fs::path requested(url.substr(std::string_view("file://").size()));
        std::error_code ec;
        auto root = fs::weakly_canonical(options_.root, ec);
        auto path = fs::weakly_canonical(requested, ec);
        auto relative = path.lexically_relative(root);
        if (ec || relative.empty() || *relative.begin() == "..") {
            throw Error(ErrorCode::kBadRequest,
                        Describe(url) + " is not below files.root (" + options_.root + ")");
        }
        if (!fs::is_regular_file(path, ec))
            throw Error(ErrorCode::kNotFound, Describe(url) + ": no such file");
        auto size = fs::file_size(path, ec);
        if (ec) throw Error(ErrorCode::kNotFound, Describe(url) + ": " + ec.message());
        if (size > options_.max_bytes) {
            throw Error(ErrorCode::kBadRequest,
                        Describe(url) + " is larger than files.max_mb allows");
        }
        return FetchedFile{path.string(), size, false};
    });
}

asio::awaitable<FetchedFile> FileFetcher::Download(const FetchSource& source,
                                                   const std::string& name) {
    auto url = ParseUrl(source.url);
    if (!url) {
        throw Error(ErrorCode::kBadRequest,
                    Describe(source.url) + " is not an http, https or file URL");
    }
    auto executor = co_await asio::this_coro::executor;

    // Where to connect: every address must be allowed (a name must not smuggle in another).
    std::vector<tcp::endpoint> endpoints;
    if (auto literal = ParseIp(url->host)) {
        endpoints.emplace_back(*literal, url->port);
    } else {
        tcp::resolver resolver(executor);
        auto [error, results] =
            co_await resolver.async_resolve(url->host, std::to_string(url->port), kNoThrow);
        if (error) {
            throw Error(ErrorOrigin::kRemote, ErrorCode::kUnavailable,
                        "cannot resolve " + url->host + ": " + error.message());
        }
        for (const auto& entry : results) endpoints.push_back(entry.endpoint());
    }
    for (const auto& endpoint : endpoints) {
        if (!options_.allowed.Contains(endpoint.address())) {
            throw Error(ErrorCode::kBadRequest, "source address " + endpoint.address().to_string() +
                                                    " is not in files.allowed_cidrs");
        }
    }

    http::request<http::empty_body> request{http::verb::get, url->target, 11};
    request.set(http::field::host, url->HostHeader());
    request.set(http::field::user_agent, "escd");
    if (!source.user.empty()) {
        request.set(http::field::authorization,
                    "Basic " + Base64Encode(source.user + ":" + source.password));
    }
    request.keep_alive(false);

    const auto staged = (fs::path(options_.download_dir) / (name + ".part")).string();
    auto file_owner = co_await Offload(file_pool_, [this, &staged] {
        std::error_code ec;
        fs::create_directories(options_.download_dir, ec);
        return std::make_unique<StagedFile>(staged);
    });
    auto& file = *file_owner;

    beast::tcp_stream tcp(executor);
    tcp.expires_after(options_.timeout);  // one deadline for the whole transfer
    auto [connect_error, endpoint] = co_await tcp.async_connect(endpoints, kNoThrow);
    if (connect_error) {
        throw Error(ErrorOrigin::kRemote, ErrorCode::kUnavailable,
                    "cannot connect to " + url->HostHeader() + ": " + connect_error.message());
    }
    std::uint64_t size = 0;
    if (url->scheme == "https") {
        beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp), tls_);
        if (!url->ipv6_literal && !ParseIp(url->host))
            SSL_set_tlsext_host_name(stream.native_handle(), url->host.c_str());
        stream.set_verify_callback(ssl::host_name_verification(url->host));
        auto [handshake_error] =
            co_await stream.async_handshake(ssl::stream_base::client, kNoThrow);
        if (handshake_error) {
            throw Error(ErrorOrigin::kRemote, ErrorCode::kUnavailable,
                        url->HostHeader() + ": TLS handshake: " + handshake_error.message());
        }
        size = co_await Receive(stream, request, source.url, options_.max_bytes, file, file_pool_);
    } else {
        size = co_await Receive(tcp, request, source.url, options_.max_bytes, file, file_pool_);
    }
    if (size == 0)
        throw Error(ErrorOrigin::kRemote, ErrorCode::kUnavailable,
                    Describe(source.url) + " is empty");
    file.Keep();
    ESCD_INFO("files") << "downloaded " << size << " bytes from " << Describe(source.url);
    co_return FetchedFile{file.path(), size, true};
}

}  // namespace escd::orchestrator
