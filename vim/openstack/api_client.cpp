#include "vim/openstack/api_client.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "common/offload.hpp"
#include "common/url.hpp"

namespace escd::vim::openstack {
namespace {
/// Image lists and server lists of a large tenant stay well below this.
constexpr std::uint64_t kBodyLimit = 64 * 1024 * 1024;

std::string Lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string Failed(const ApiRequest& request,
                   std::string_view step,
                   const boost::system::error_code& ec) {
    return std::string(http::to_string(request.method)) + " " + request.url + ": " +
           std::string(step) + ": " + ec.message();
}

// The service did not answer (refused, reset, timed out): it may be back later. The session
// names the service (VimUnavailable's service).
[[noreturn]] void NoAnswer(const ApiRequest& request,
                           std::string_view step,
                           const boost::system::error_code& ec) {
    throw VimUnavailable(std::string(), Failed(request, step, ec));
}

/// Chunks of a file body: large enough that a write is rarely shorter than what the socket
/// takes at once, small enough to stay out of the way of other coroutines.
constexpr std::size_t kFileChunk = 256 * 1024;

// The fields every request carries, whatever its body.
template <class Body>
void SetFields(http::request<Body>& out, const ApiRequest& request, const Url& url) {
    out.set(http::field::host, url.HostHeader());
    out.set(http::field::user_agent, "escd");
    out.set(http::field::accept, "application/json");
    if (!request.body.empty() || !request.body_file.empty() || request.method == http::verb::post ||
        request.method == http::verb::put || request.method == http::verb::patch) {
        out.set(http::field::content_type, request.content_type);
    }
    for (const auto& [name, value] : request.headers) out.set(name, value);
    out.keep_alive(false);
}

template <class Stream>
asio::awaitable<void> WriteStringRequest(Stream& stream,
                                         const ApiRequest& request,
                                         const Url& url) {
    http::request<http::string_body> out{request.method, url.target, 11};
    SetFields(out, request, url);
    out.body() = request.body;
    out.prepare_payload();
    auto [write_error, written] = co_await http::async_write(stream, out, kNoThrow);
    if (write_error) NoAnswer(request, "write", write_error);
}

// The body streamed from request.body_file with an explicit Content-Length (buffer_body, as
// Beast's examples relay a body of unknown source: one chunk in the serializer at a time).
// Each chunk gets the whole deadline, so a large upload is bounded by its progress. Returns the
// error of a write the peer cut: it may have answered first (a 401 or 413 before the body).
template <class Stream>
asio::awaitable<boost::system::error_code> WriteFileRequest(Stream& stream,
                                                            const ApiRequest& request,
                                                            const Url& url,
                                                            std::chrono::milliseconds deadline) {
    const auto& path = request.body_file;
    if (request.file_reads == nullptr)
        throw Error(ErrorCode::kInternal, "a file body without a pool to read it on");
    auto& reads = *request.file_reads;
    boost::system::error_code ec;
    beast::file file;
    const std::uint64_t size = co_await Offload(reads, [&] {
        file.open(path.c_str(), beast::file_mode::scan, ec);
        if (ec) throw Error(ErrorCode::kInternal, "cannot open " + path + ": " + ec.message());
        const auto bytes = file.size(ec);
        if (ec) throw Error(ErrorCode::kInternal, "cannot size " + path + ": " + ec.message());
        return bytes;
    });

    http::request<http::buffer_body> out{request.method, url.target, 11};
    SetFields(out, request, url);
    out.content_length(size);
    out.body().data = nullptr;
    out.body().more = true;
    http::request_serializer<http::buffer_body> serializer{out};
    beast::get_lowest_layer(stream).expires_after(deadline);
    auto [header_error, header_size] =
        co_await http::async_write_header(stream, serializer, kNoThrow);
    if (header_error) co_return header_error;

    std::vector<char> chunk(kFileChunk);
    std::uint64_t left = size;
    do {
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk.size()));
        std::size_t got = 0;
        if (want != 0) {
            got = co_await Offload(reads, [&] {
                const auto n = file.read(chunk.data(), want, ec);
                if (ec)
                    throw Error(ErrorCode::kInternal, "cannot read " + path + ": " + ec.message());
                return n;
            });
        }
        if (got == 0 && want != 0)
            throw Error(ErrorCode::kInternal, path + " shrank during the upload");
        left -= got;
        out.body().data = chunk.data();
        out.body().size = got;
        out.body().more = left > 0;
        beast::get_lowest_layer(stream).expires_after(deadline);
        auto [write_error, written] = co_await http::async_write(stream, serializer, kNoThrow);
        // need_buffer: the chunk is out and the serializer wants the next one.
        if (write_error == http::error::need_buffer) write_error = {};
        if (write_error) co_return write_error;
    } while (left > 0);
    co_return boost::system::error_code{};
}

template <class Stream>
asio::awaitable<ApiResponse> Exchange(Stream& stream,
                                      const ApiRequest& request,
                                      const Url& url,
                                      std::chrono::milliseconds deadline) {
    boost::system::error_code write_error;
    if (request.body_file.empty()) {
        co_await WriteStringRequest(stream, request, url);
    } else {
        write_error = co_await WriteFileRequest(stream, request, url, deadline);
        // The answer comes once the service has stored the body: a deadline of its own.
        beast::get_lowest_layer(stream).expires_after(deadline);
    }

    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    auto [read_error, read] = co_await http::async_read(stream, buffer, parser, kNoThrow);
    if (read_error)
        NoAnswer(request, write_error ? "write" : "read", write_error ? write_error : read_error);
    const auto& answer = parser.get();
    ApiResponse response;
    response.status = static_cast<int>(answer.result_int());
    for (const auto& field : answer) {
        auto& value = response.headers[Lower(field.name_string())];
        if (!value.empty()) value += ", ";
        value += field.value();
    }
    response.body = answer.body();
    co_return response;
}

// The API's own words in an error body: Keystone {"error": {"message"}}, Nova {"itemNotFound":
// {"message"}}, Neutron {"NeutronError": {"message"}}, Glance and others plain text.
std::string Explanation(const std::string& body) {
    boost::system::error_code ec;
    auto parsed = boost::json::parse(body, ec);
    if (!ec && parsed.is_object()) {
        for (const auto& [key, value] : parsed.as_object()) {
            if (value.is_string()) {
                if (key == "message" || key == "error") return std::string(value.as_string());
                continue;
            }
            if (!value.is_object()) continue;
            if (const auto* message = value.as_object().if_contains("message");
                message && message->is_string())
                return std::string(message->as_string());
        }
    }
    std::string text = body.substr(0, 200);
    std::replace_if(
        text.begin(), text.end(), [](unsigned char c) { return std::iscntrl(c); }, ' ');
    return text;
}

}  // namespace

std::string ApiResponse::Header(std::string_view name) const {
    auto it = headers.find(Lower(name));
    return it == headers.end() ? "" : it->second;
}

asio::awaitable<ApiResponse> ApiClient::Send(const ApiRequest& request) {
    const auto url = ParseUrl(request.url);
    if (!url)
        throw ConfigurationError(ErrorCode::kBadRequest,
                                 "not an http(s) URL: '" + request.url + "'");
    auto executor = co_await asio::this_coro::executor;
    tcp::resolver resolver(executor);
    // The resolver has no deadline of its own; a name the system cannot resolve fails fast on
    // these machines (no network), and OpenStack catalogs usually hold addresses.
    auto [resolve_error, endpoints] =
        co_await resolver.async_resolve(url->host, std::to_string(url->port), kNoThrow);
    // A name that does not resolve is the connector's setting, not an outage.
    if (resolve_error)
        throw VimError(ErrorCode::kUnavailable, Failed(request, "resolve", resolve_error));
    std::vector<tcp::endpoint> allowed;
    for (const auto& entry : endpoints)
        if (allowed_.Contains(entry.endpoint().address())) allowed.push_back(entry.endpoint());
    if (allowed.empty()) {
        throw VimError(ErrorCode::kUnavailable,
                       std::string(http::to_string(request.method)) + " " + request.url + ": " +
                           url->host +
                           " is not an address escd may call (openstack.allowed_cidrs " +
                           allowed_.ToString() + ")");
    }

    const auto deadline = request.deadline.count() > 0 ? request.deadline : deadline_;
    beast::tcp_stream tcp_stream(executor);
    tcp_stream.expires_after(deadline);
    auto [connect_error, endpoint] = co_await tcp_stream.async_connect(allowed, kNoThrow);
    if (connect_error) NoAnswer(request, "connect", connect_error);
    if (url->scheme == "http") {
        auto response = co_await Exchange(tcp_stream, request, *url, deadline);
        boost::system::error_code ignored;
        tcp_stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        co_return response;
    }
    beast::ssl_stream<beast::tcp_stream> tls_stream(std::move(tcp_stream), tls_);
    if (!url->ipv6_literal &&
        !SSL_set_tlsext_host_name(tls_stream.native_handle(), url->host.c_str())) {
        throw VimError(ErrorCode::kUnavailable, request.url + ": cannot set the TLS server name");
    }
    tls_stream.set_verify_callback(ssl::host_name_verification(url->host));
    auto [handshake_error] =
        co_await tls_stream.async_handshake(ssl::stream_base::client, kNoThrow);
    if (handshake_error) NoAnswer(request, "TLS handshake", handshake_error);
    auto response = co_await Exchange(tls_stream, request, *url, deadline);
    // The answer is complete; a peer that closes without close_notify changes nothing.
    auto [shutdown_error] = co_await tls_stream.async_shutdown(kNoThrow);
    (void)shutdown_error;
    co_return response;
}

Error ApiError(const ApiResponse& response, std::string_view what) {
    ErrorCode code = ErrorCode::kVimError;
    switch (response.status) {
        case 401:
        case 403:
            code = ErrorCode::kUnauthorized;
            break;
        case 404:
            code = ErrorCode::kNotFound;
            break;
        case 409:
            code = ErrorCode::kConflict;
            break;
        case 413:
        case 429:
            code = ErrorCode::kUnavailable;
            break;
        default:
            if (response.status >= 500) code = ErrorCode::kUnavailable;
    }
    return VimError(code, std::string(what) + ": OpenStack answered " +
                              std::to_string(response.status) + ": " + Explanation(response.body));
}

std::string ServiceName(std::string_view service_type) {
    static const std::map<std::string_view, std::string_view> kNames{
        {"identity", "Keystone"}, {"compute", "Nova"},        {"network", "Neutron"},
        {"image", "Glance"},      {"volumev3", "Cinder"},     {"block-storage", "Cinder"},
        {"volume", "Cinder"},     {"placement", "Placement"},
    };
    const std::string type(service_type);
    auto it = kNames.find(service_type);
    return it == kNames.end() ? type + " service"
                              : type + " service (" + std::string(it->second) + ")";
}

bool ServiceDown(const ApiResponse& response) {
    return response.status == 502 || response.status == 503 || response.status == 504;
}

VimUnavailable Outage(std::string_view service_type, std::string_view why) {
    const auto name = ServiceName(service_type);
    return VimUnavailable(name, "the VIM's " + name + " is unavailable: " + std::string(why));
}

bool Retryable(const ApiResponse& response) {
    return response.status == 413 || response.status == 429 || response.status == 503;
}

std::chrono::milliseconds RetryAfter(const ApiResponse& response,
                                     std::chrono::milliseconds fallback) {
    const auto text = response.Header("retry-after");
    if (text.empty() || !std::all_of(text.begin(), text.end(), ::isdigit) || text.size() > 6)
        return fallback;
    return std::chrono::seconds(std::stol(text));
}

}  // namespace escd::vim::openstack
