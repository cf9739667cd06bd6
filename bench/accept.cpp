/// @file
/// escd_bench_accept: the pieces of the accept-path benchmark (bench/run-accept.sh).
///
///   load      N keep-alive HTTP/1.1 clients on one thread; by default each POSTs tenant creates
///             (`POST /v0/tenants/<prefix>-<conn>-<seq>` with a Callback header) back to back and
///             checks for 200 + ESC-Transaction-Id; `--method/--target` (or `--path M:/t`) turn it
///             into a plain request loop for the bare server. Prints one `RESULT ...` line.
///   bare      A Beast HTTP/1.1 keep-alive server answering 200 with an empty body and no work,
///             in the session style of a production server (coroutine and strand per connection,
///             T io threads). The ceiling the HTTP layer puts on an accept.
///   receiver  A callback receiver answering 200 to everything; prints the request count on
///             SIGTERM/SIGINT.
///
/// Everything binds or connects to 127.0.0.1 only.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "bench/args.hpp"
#include "common/asio.hpp"
#include "common/crypto.hpp"

namespace escd::bench {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::string_view kTenantBody =
    "<tenant xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><name>bench-tenant</name>"
    "<managed_resource>true</managed_resource></tenant>";
constexpr std::size_t kMaxPrintedErrors = 5;

// ---------------------------------------------------------------------------------------------
// load

struct LoadOptions {
    std::uint16_t port = 0;
    int connections = 1;
    Clock::duration duration{};
    Clock::duration warmup{};
    std::string name;
    http::verb method = http::verb::post;
    std::string target;  // empty: tenant creates under /v0/tenants/
    std::string authorization;
    std::string callback;
    std::string prefix;
    std::string body;  // with --target: sent as application/json (--json)
};

/// State shared by every connection coroutine. One thread runs them all, so no locking.
struct LoadState {
    explicit LoadState(const LoadOptions& load_options)
        : options(load_options),
          endpoint(asio::ip::make_address_v4("127.0.0.1"), load_options.port) {}

    const LoadOptions& options;
    tcp::endpoint endpoint;
    Clock::time_point measure_start;
    Clock::time_point end;
    std::vector<double> latencies_ms;   // successful requests started inside the window
    std::uint64_t window_requests = 0;  // every request started inside the window
    std::uint64_t errors = 0;           // whole run, warmup included
    std::uint64_t in_flight = 0;        // connections that have not finished yet
    std::vector<std::string> error_samples;

    void RecordError(int connection, std::string what) {
        ++errors;
        if (error_samples.size() < kMaxPrintedErrors) {
            error_samples.push_back("conn " + std::to_string(connection) + ": " + std::move(what));
        }
    }
};

std::string Snippet(std::string_view body) {
    std::string out(body.substr(0, 200));
    std::replace(out.begin(), out.end(), '\n', ' ');
    if (body.size() > 200) out += "...";
    return out;
}

asio::awaitable<bool> Connect(LoadState& state, tcp::socket& socket, int connection) {
    beast::error_code ignored;
    socket.close(ignored);
    auto [ec] = co_await socket.async_connect(state.endpoint, kNoThrow);
    if (ec) {
        state.RecordError(connection, "connect: " + ec.message());
        co_return false;
    }
    socket.set_option(tcp::no_delay(true), ignored);
    co_return true;
}

/// One keep-alive connection sending requests back to back until the end of the run. Transport
/// failures count as errors and the connection is re-established (after a short pause).
asio::awaitable<void> RunConnection(LoadState& state, int connection) {
    const LoadOptions& options = state.options;
    const bool tenant_mode = options.target.empty();
    auto executor = co_await asio::this_coro::executor;
    tcp::socket socket(executor);
    asio::steady_timer pause(executor);

    http::request<http::string_body> request{options.method, "/", 11};
    request.set(http::field::host, "127.0.0.1:" + std::to_string(options.port));
    request.set(http::field::user_agent, "escd-bench-accept");
    if (!options.authorization.empty()) {
        request.set(http::field::authorization, options.authorization);
    }
    if (tenant_mode) {
        request.set(http::field::content_type, "application/xml");
        if (!options.callback.empty()) request.set("Callback", options.callback);
        request.body() = kTenantBody;
    } else {
        request.target(options.target);
        if (!options.body.empty()) {
            request.set(http::field::content_type, "application/json");
            request.body() = options.body;
        }
    }
    request.keep_alive(true);
    request.prepare_payload();

    const std::string target_base =
        "/v0/tenants/" + options.prefix + "-" + std::to_string(connection) + "-";
    std::uint64_t sequence = 0;
    beast::flat_buffer buffer;
    bool connected = false;

    while (Clock::now() < state.end) {
        if (!connected) {
            connected = co_await Connect(state, socket, connection);
            if (!connected) {
                pause.expires_after(10ms);
                co_await pause.async_wait(kNoThrow);
                continue;
            }
            buffer.clear();
        }
        if (tenant_mode) request.target(target_base + std::to_string(sequence++));

        const auto started = Clock::now();
        const bool measured = started >= state.measure_start && started < state.end;
        auto [write_ec, written] = co_await http::async_write(socket, request, kNoThrow);
        http::response<http::string_body> response;
        beast::error_code read_ec;
        if (!write_ec) {
            auto [ec, read] = co_await http::async_read(socket, buffer, response, kNoThrow);
            read_ec = ec;
        }
        const auto finished = Clock::now();
        if (measured) ++state.window_requests;

        if (write_ec || read_ec) {
            state.RecordError(connection, std::string(write_ec ? "write: " : "read: ") +
                                              (write_ec ? write_ec : read_ec).message());
            connected = false;
            continue;
        }
        const bool ok = response.result() == http::status::ok &&
                        (!tenant_mode || response.find("ESC-Transaction-Id") != response.end());
        if (!ok) {
            std::string what = std::string(request.method_string()) + " " +
                               std::string(request.target()) + " -> " +
                               std::to_string(response.result_int());
            if (response.result() == http::status::ok) what += " without ESC-Transaction-Id";
            if (!response.body().empty()) what += ": " + Snippet(response.body());
            state.RecordError(connection, std::move(what));
        } else if (measured) {
            state.latencies_ms.push_back(
                std::chrono::duration<double, std::milli>(finished - started).count());
        }
        if (!response.keep_alive()) connected = false;
    }
    beast::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    --state.in_flight;
}

int RunLoad(Args& args) {
    LoadOptions options;
    options.port = args.GetPort("port", std::nullopt);
    options.connections = args.GetCount("connections", 1, 1, 10000);
    options.duration = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(args.GetNumber("duration-s", 10)));
    options.warmup = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(args.GetNumber("warmup-s", 0)));
    if (options.duration <= Clock::duration::zero()) {
        throw std::invalid_argument("--duration-s must be positive");
    }

    std::string method = args.GetString("method", "");
    std::string target = args.GetString("target", "");
    if (const auto path = args.Get("path")) {
        const auto colon = path->find(':');
        if (colon == std::string::npos || colon + 1 >= path->size() || (*path)[colon + 1] != '/') {
            throw std::invalid_argument("--path wants METHOD:/target, got '" + *path + "'");
        }
        method = path->substr(0, colon);
        target = path->substr(colon + 1);
    }
    if (!method.empty()) {
        options.method = http::string_to_verb(method);
        if (options.method == http::verb::unknown) {
            throw std::invalid_argument("unknown --method '" + method + "'");
        }
    }
    if (!target.empty() && target.front() != '/') {
        throw std::invalid_argument("--target must start with '/'");
    }
    options.target = target;
    options.name = args.GetString("name", target.empty() ? "accept" : "load");

    const auto user = args.Get("user");
    const auto password = args.Get("password");
    if (user.has_value() != password.has_value()) {
        throw std::invalid_argument("--user and --password go together");
    }
    if (user) options.authorization = "Basic " + Base64Encode(*user + ":" + *password);
    if (const auto bearer = args.Get("bearer")) {
        if (user) throw std::invalid_argument("--bearer and --user exclude each other");
        options.authorization = "Bearer " + *bearer;
    }
    options.body = args.GetString("json", "");
    if (!options.body.empty() && target.empty())
        throw std::invalid_argument("--json goes with --target or --path");
    options.callback = args.GetString("callback", "");
    options.prefix = args.GetString("prefix", "bench-" + RandomHex(4));
    args.CheckAllUsed();

    // Declared before the io_context so that coroutine frames still pending after a timeout are
    // destroyed (with the io_context) while the state they reference is alive.
    LoadState state(options);
    asio::io_context ioc{1};
    state.latencies_ms.reserve(1 << 20);
    state.in_flight = static_cast<std::uint64_t>(options.connections);

    const auto start = Clock::now();
    state.measure_start = start + options.warmup;
    state.end = state.measure_start + options.duration;
    for (int i = 0; i < options.connections; ++i) {
        asio::co_spawn(ioc, RunConnection(state, i), [](std::exception_ptr e) {
            if (e) std::rethrow_exception(e);
        });
    }
    // A server that stops answering must not hang the benchmark: give in-flight requests a grace
    // period after the end, then count the stuck connections as errors.
    constexpr auto kGrace = 30s;
    ioc.run_until(state.end + kGrace);
    if (state.in_flight > 0) {
        state.errors += state.in_flight;
        state.error_samples.push_back(std::to_string(state.in_flight) +
                                      " connection(s) still waiting for a response " +
                                      std::to_string(kGrace.count()) + " s after the end");
        ioc.stop();
    }

    std::sort(state.latencies_ms.begin(), state.latencies_ms.end());
    const double seconds = std::chrono::duration<double>(options.duration).count();
    const double rps = static_cast<double>(state.latencies_ms.size()) / seconds;
    for (const auto& sample : state.error_samples) std::cerr << "error: " << sample << "\n";
    if (state.errors > state.error_samples.size()) {
        std::cerr << "error: ... " << (state.errors - state.error_samples.size()) << " more\n";
    }
    char line[512];
    std::snprintf(line, sizeof line,
                  "RESULT name=%s conns=%d requests=%llu errors=%llu rps=%.1f p50_ms=%.3f "
                  "p99_ms=%.3f",
                  options.name.c_str(), options.connections,
                  static_cast<unsigned long long>(state.window_requests),
                  static_cast<unsigned long long>(state.errors), rps,
                  Percentile(state.latencies_ms, 50), Percentile(state.latencies_ms, 99));
    std::cout << line << std::endl;
    return state.errors == 0 && !state.latencies_ms.empty() ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------
// bare / receiver: the same minimal server, a production-style session with no work in it.

constexpr std::uint64_t kBodyLimit = 16 * 1024 * 1024;
constexpr auto kIdleTimeout = 60s;

asio::awaitable<void> ServeSession(tcp::socket socket, std::atomic<std::uint64_t>& requests) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(kBodyLimit);
        stream.expires_after(kIdleTimeout);
        auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, kNoThrow);
        if (read_ec) break;  // end of stream, timeout, reset or a malformed request

        const auto& request = parser.get();
        http::response<http::empty_body> response{http::status::ok, request.version()};
        response.keep_alive(request.keep_alive());
        response.content_length(0);
        requests.fetch_add(1, std::memory_order_relaxed);
        stream.expires_after(kIdleTimeout);
        auto [write_ec, written] = co_await http::async_write(stream, response, kNoThrow);
        if (write_ec || !response.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> AcceptLoop(asio::io_context& ioc,
                                 tcp::acceptor& acceptor,
                                 std::atomic<std::uint64_t>& requests) {
    for (;;) {
        // Strand per connection: the session and its timers never run concurrently with
        // themselves even with several io threads.
        tcp::socket socket(asio::make_strand(ioc));
        auto [ec] = co_await acceptor.async_accept(socket, kNoThrow);
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        if (ec) continue;  // e.g. EMFILE or a connection reset before accept
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        auto executor = socket.get_executor();
        asio::co_spawn(executor, ServeSession(std::move(socket), requests), asio::detached);
    }
}

int RunServer(Args& args, bool receiver) {
    const std::uint16_t port = args.GetPort("port", 0);
    const int threads = args.GetCount("threads", receiver ? 1 : 2, 1, 256);
    args.CheckAllUsed();

    asio::io_context ioc{threads};
    tcp::acceptor acceptor(ioc);
    const tcp::endpoint endpoint(asio::ip::make_address_v4("127.0.0.1"), port);
    acceptor.open(endpoint.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(endpoint);
    acceptor.listen(asio::socket_base::max_listen_connections);
    std::cout << "PORT " << acceptor.local_endpoint().port() << std::endl;

    std::atomic<std::uint64_t> requests{0};
    asio::co_spawn(ioc, AcceptLoop(ioc, acceptor, requests), [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
    });

    asio::signal_set signals(ioc, SIGINT, SIGTERM);
    signals.async_wait([&](const beast::error_code& ec, int) {
        if (ec) return;
        beast::error_code ignored;
        acceptor.close(ignored);
        std::cout << (receiver ? "RECEIVED " : "SERVED ")
                  << requests.load(std::memory_order_relaxed) << std::endl;
        ioc.stop();
    });

    std::vector<std::thread> pool;
    for (int i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& thread : pool) thread.join();
    return 0;
}

// ---------------------------------------------------------------------------------------------

constexpr std::string_view kUsage = R"(usage:
  escd_bench_accept load --port P [--connections N] [--duration-s D] [--warmup-s W]
        [--user U --password X | --bearer TOKEN] [--callback URL] [--prefix STR] [--name NAME]
        [--method M] [--target /path | --path M:/path] [--json BODY]
      N keep-alive clients on 127.0.0.1:P, one thread. Without --target/--path: POST tenant
      creates to /v0/tenants/<prefix>-<conn>-<seq>, expecting 200 + ESC-Transaction-Id.
      With them: plain requests expecting 200 (with --json, that body as application/json).
      Prints
      RESULT name=.. conns=N requests=R errors=E rps=X p50_ms=Y p99_ms=Z
  escd_bench_accept bare --port P [--threads T]      (T defaults to 2)
      Beast keep-alive server answering 200, empty body, no work; P=0 picks a port.
  escd_bench_accept receiver --port P [--threads T]  (T defaults to 1)
      Callback receiver answering 200; prints RECEIVED <count> on SIGTERM/SIGINT.
  Servers print PORT <p> once listening.
)";

int Main(int argc, char** argv) {
    if (argc < 2) {
        std::cerr << kUsage;
        return 2;
    }
    const std::string_view mode = argv[1];
    if (mode == "-h" || mode == "--help" || mode == "help") {
        std::cout << kUsage;
        return 0;
    }
    try {
        Args args(argc, argv, 2);
        if (mode == "load") return RunLoad(args);
        if (mode == "bare") return RunServer(args, false);
        if (mode == "receiver") return RunServer(args, true);
        std::cerr << "escd_bench_accept: unknown mode '" << mode << "'\n" << kUsage;
        return 2;
    } catch (const std::invalid_argument& e) {
        std::cerr << "escd_bench_accept: " << e.what() << "\n" << kUsage;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "escd_bench_accept " << mode << ": " << e.what() << "\n";
        return 1;
    }
}

}  // namespace
}  // namespace escd::bench

int main(int argc, char** argv) {
    return escd::bench::Main(argc, argv);
}
