/// @file
/// escd_bench_deploy: the client side of the deployment benchmark (bench/run-deploy.sh).
///
/// It POSTs N deployments at once (C keep-alive connections, all on one thread) to
/// `/v0/deployments/<prefix><i>`, each with a `Callback` header naming its own receiver, and
/// records every callback that arrives: receipt time, ESC-Transaction-Id, the stage
/// (`deployment_stage`, or `event_type` for an `<esc_event>`), `vm_name` and ESC-Status-Code.
/// It stops once every deployment has called back SERVICE_ALIVE (or at the timeout), writes the
/// receipts as CSV and prints one `RESULT ...` line.
///
/// The receiver runs on a thread of its own, so that a receipt is timed when the request
/// arrives, not when the poster thread gets round to it. Receipt times are system_clock
/// microseconds since the epoch: the script compares them with the `created_at` of escd's
/// outbox rows, written by PostgreSQL on the same machine.
///
/// Everything binds or connects to 127.0.0.1 only.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
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

constexpr std::size_t kMaxPrintedErrors = 5;
constexpr std::uint64_t kBodyLimit = 16 * 1024 * 1024;
constexpr std::string_view kServiceAlive = "SERVICE_ALIVE";

std::int64_t NowMicros() {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// The text of the first `<name>...</name>` in `body`; empty when there is none. escd writes
/// its callbacks without namespace prefixes, and a string search keeps the receiver thread's
/// cost per callback small next to an XML parse.
std::string ElementText(std::string_view body, std::string_view name) {
    const std::string open = "<" + std::string(name) + ">";
    const std::string close = "</" + std::string(name) + ">";
    const auto start = body.find(open);
    if (start == std::string_view::npos) return {};
    const auto from = start + open.size();
    const auto end = body.find(close, from);
    if (end == std::string_view::npos) return {};
    return std::string(body.substr(from, end - from));
}

std::string Snippet(std::string_view body) {
    std::string out(body.substr(0, 200));
    std::replace(out.begin(), out.end(), '\n', ' ');
    if (body.size() > 200) out += "...";
    return out;
}

// ---------------------------------------------------------------------------------------------
// The callback receiver.

struct Receipt {
    std::int64_t received_us = 0;
    std::string transaction_id;
    std::string stage;
    std::string vm_name;
    std::string status_code;
};

/// What the receiver thread records and the main thread waits on.
class Receipts {
  public:
    explicit Receipts(std::size_t expected) : expected_(expected) {}

    void Add(Receipt receipt) {
        std::lock_guard lock(mutex_);
        // Delivery is at least once: a SERVICE_ALIVE delivered twice counts once.
        if (receipt.stage == kServiceAlive && alive_.insert(receipt.transaction_id).second) {
            last_alive_us_ = receipt.received_us;
            if (alive_.size() >= expected_) all_alive_.notify_all();
        }
        receipts_.push_back(std::move(receipt));
    }

    /// True once `expected` distinct transactions called back SERVICE_ALIVE.
    bool WaitAllAlive(std::chrono::system_clock::time_point deadline) {
        std::unique_lock lock(mutex_);
        return all_alive_.wait_until(lock, deadline, [&] { return alive_.size() >= expected_; });
    }

    std::vector<Receipt> Snapshot() const {
        std::lock_guard lock(mutex_);
        return receipts_;
    }
    std::int64_t last_alive_us() const {
        std::lock_guard lock(mutex_);
        return last_alive_us_;
    }

  private:
    const std::size_t expected_;
    mutable std::mutex mutex_;
    std::condition_variable all_alive_;
    std::vector<Receipt> receipts_;
    std::set<std::string> alive_;
    std::int64_t last_alive_us_ = 0;
};

asio::awaitable<void> ServeCallbacks(tcp::socket socket, Receipts& receipts) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(kBodyLimit);
        stream.expires_after(120s);
        auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, kNoThrow);
        if (read_ec) break;  // end of stream, timeout, reset or a malformed request
        const auto received = NowMicros();

        const auto& request = parser.get();
        const auto header = [&](std::string_view name) {
            const auto it = request.find(name);
            return it == request.end() ? std::string() : std::string(it->value());
        };
        Receipt receipt;
        receipt.received_us = received;
        receipt.transaction_id = header("ESC-Transaction-Id");
        receipt.status_code = header("ESC-Status-Code");
        const std::string_view body = request.body();
        receipt.stage = ElementText(body, "deployment_stage");
        if (receipt.stage.empty()) receipt.stage = ElementText(body, "event_type");
        receipt.vm_name = ElementText(body, "vm_name");
        receipts.Add(std::move(receipt));

        http::response<http::empty_body> response{http::status::ok, request.version()};
        response.keep_alive(request.keep_alive());
        response.content_length(0);
        stream.expires_after(120s);
        auto [write_ec, written] = co_await http::async_write(stream, response, kNoThrow);
        if (write_ec || !response.keep_alive()) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> AcceptCallbacks(tcp::acceptor& acceptor, Receipts& receipts) {
    for (;;) {
        auto [ec, socket] = co_await acceptor.async_accept(kNoThrow);
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        if (ec) continue;  // e.g. EMFILE or a connection reset before accept
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        asio::co_spawn(acceptor.get_executor(), ServeCallbacks(std::move(socket), receipts),
                       asio::detached);
    }
}

// ---------------------------------------------------------------------------------------------
// The poster.

struct PostOptions {
    std::uint16_t port = 0;
    int count = 0;
    int connections = 0;
    std::string prefix;
    std::string placeholder;
    std::string body_template;
    std::string authorization;
    std::string callback;
};

/// A deployment as POSTed: its answer.
struct Posted {
    std::string id;
    int status = 0;
    std::string transaction_id;
    double latency_ms = 0;
};

/// Shared by the connection coroutines; one thread runs them all, so no locking.
struct PostState {
    explicit PostState(const PostOptions& post_options)
        : options(post_options),
          endpoint(asio::ip::make_address_v4("127.0.0.1"), post_options.port) {}

    const PostOptions& options;
    tcp::endpoint endpoint;
    int next = 0;  // the next deployment to post
    std::int64_t first_post_us = 0;
    std::vector<Posted> posted;
    std::uint64_t errors = 0;
    std::vector<std::string> error_samples;
    int in_flight = 0;  // connections still posting

    void RecordError(std::string what) {
        ++errors;
        if (error_samples.size() < kMaxPrintedErrors) error_samples.push_back(std::move(what));
    }
};

std::string BodyFor(const PostOptions& options, const std::string& id) {
    std::string body = options.body_template;
    if (options.placeholder.empty()) return body;
    for (auto at = body.find(options.placeholder); at != std::string::npos;
         at = body.find(options.placeholder, at + id.size())) {
        body.replace(at, options.placeholder.size(), id);
    }
    return body;
}

/// One keep-alive connection posting deployments until none is left. A deployment whose POST
/// failed on the wire is not posted again: escd may have accepted it, and a second POST of the
/// same id would be a 409, not a second measurement.
asio::awaitable<void> PostDeployments(PostState& state) {
    const PostOptions& options = state.options;
    auto executor = co_await asio::this_coro::executor;
    tcp::socket socket(executor);
    beast::flat_buffer buffer;
    bool connected = false;
    while (state.next < options.count) {
        if (!connected) {
            beast::error_code ignored;
            socket.close(ignored);
            auto [ec] = co_await socket.async_connect(state.endpoint, kNoThrow);
            if (ec) {
                state.RecordError("connect: " + ec.message());
                break;  // escd is not there: the other connections will say so too
            }
            socket.set_option(tcp::no_delay(true), ignored);
            buffer.clear();
            connected = true;
        }
        Posted posted;
        posted.id = options.prefix + std::to_string(state.next++);
        http::request<http::string_body> request{http::verb::post, "/v0/deployments/" + posted.id,
                                                 11};
        request.set(http::field::host, "127.0.0.1:" + std::to_string(options.port));
        request.set(http::field::user_agent, "escd-bench-deploy");
        request.set(http::field::content_type, "application/xml");
        request.set(http::field::authorization, options.authorization);
        request.set("Callback", options.callback);
        request.body() = BodyFor(options, posted.id);
        request.keep_alive(true);
        request.prepare_payload();

        const auto started = Clock::now();
        if (state.first_post_us == 0) state.first_post_us = NowMicros();
        auto [write_ec, written] = co_await http::async_write(socket, request, kNoThrow);
        http::response<http::string_body> response;
        beast::error_code read_ec;
        if (!write_ec) {
            auto [ec, read] = co_await http::async_read(socket, buffer, response, kNoThrow);
            read_ec = ec;
        }
        posted.latency_ms =
            std::chrono::duration<double, std::milli>(Clock::now() - started).count();
        if (write_ec || read_ec) {
            state.RecordError("POST " + posted.id + ": " + (write_ec ? "write: " : "read: ") +
                              (write_ec ? write_ec : read_ec).message());
            state.posted.push_back(std::move(posted));
            connected = false;
            continue;
        }
        posted.status = response.result_int();
        if (const auto it = response.find("ESC-Transaction-Id"); it != response.end()) {
            posted.transaction_id = std::string(it->value());
        }
        if (posted.status != 200 || posted.transaction_id.empty()) {
            state.RecordError("POST " + posted.id + " -> " + std::to_string(posted.status) +
                              (posted.transaction_id.empty() ? " without ESC-Transaction-Id" : "") +
                              ": " + Snippet(response.body()));
        }
        state.posted.push_back(std::move(posted));
        if (!response.keep_alive()) connected = false;
    }
    beast::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
    --state.in_flight;
}

// ---------------------------------------------------------------------------------------------

std::string CsvField(const std::string& value) {
    if (value.find_first_of(",\"\n\r") == std::string::npos) return value;
    std::string out = "\"";
    for (char c : value) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

void WriteCsv(const std::string& path,
              const std::vector<Receipt>& receipts,
              const std::map<std::string, std::string>& deployment_of) {
    std::ofstream out(path, std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + path);
    out << "received_us,transaction_id,stage,vm_name,status_code,deployment\n";
    for (const auto& r : receipts) {
        const auto it = deployment_of.find(r.transaction_id);
        out << r.received_us << "," << CsvField(r.transaction_id) << "," << CsvField(r.stage) << ","
            << CsvField(r.vm_name) << "," << CsvField(r.status_code) << ","
            << CsvField(it == deployment_of.end() ? std::string() : it->second) << "\n";
    }
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + path);
}

std::string ReadFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::invalid_argument("cannot read --template " + path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

int Run(Args& args) {
    PostOptions options;
    options.port = args.GetPort("port", std::nullopt);
    options.count = args.GetCount("count", 200, 1, 100000);
    options.connections = args.GetCount("connections", 16, 1, 1000);
    options.prefix = args.GetString("prefix", "bench-" + RandomHex(3) + "-");
    options.placeholder = args.GetString("placeholder", "@ID@");
    options.body_template = ReadFile(args.Require("template"));
    const std::string user = args.GetString("user", "admin");
    options.authorization = "Basic " + Base64Encode(user + ":" + args.Require("password"));
    const std::string csv_path = args.Require("csv");
    const auto timeout = std::chrono::duration_cast<std::chrono::system_clock::duration>(
        std::chrono::duration<double>(args.GetNumber("timeout-s", 600)));
    const std::uint16_t receiver_port = args.GetPort("receiver-port", 0);
    args.CheckAllUsed();
    if (options.body_template.find(options.placeholder) == std::string::npos) {
        std::cerr << "escd_bench_deploy: warning: the template has no " << options.placeholder
                  << "; every deployment gets the same body\n";
    }

    // The receiver, on its own thread.
    Receipts receipts(static_cast<std::size_t>(options.count));
    asio::io_context receiver_ioc{1};
    tcp::acceptor acceptor(receiver_ioc);
    const tcp::endpoint listen(asio::ip::make_address_v4("127.0.0.1"), receiver_port);
    acceptor.open(listen.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(listen);
    acceptor.listen(asio::socket_base::max_listen_connections);
    options.callback =
        "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/callback";
    std::cout << "RECEIVER " << options.callback << std::endl;
    asio::co_spawn(receiver_ioc, AcceptCallbacks(acceptor, receipts), asio::detached);
    std::thread receiver_thread([&receiver_ioc] { receiver_ioc.run(); });
    // Stops the receiver whichever way this function is left.
    struct StopReceiver {
        asio::io_context& ioc;
        std::thread& thread;
        ~StopReceiver() {
            ioc.stop();
            if (thread.joinable()) thread.join();
        }
    } stop_receiver{receiver_ioc, receiver_thread};

    // The poster, on this thread: every deployment is in flight before any is waited for.
    PostState state(options);
    state.posted.reserve(static_cast<std::size_t>(options.count));
    const auto deadline = std::chrono::system_clock::now() + timeout;
    {
        asio::io_context post_ioc{1};
        state.in_flight = options.connections;
        for (int i = 0; i < options.connections; ++i) {
            asio::co_spawn(post_ioc, PostDeployments(state), [](std::exception_ptr e) {
                if (e) std::rethrow_exception(e);
            });
        }
        post_ioc.run_until(Clock::now() + timeout);
        if (state.in_flight > 0) {
            state.RecordError(std::to_string(state.in_flight) +
                              " connection(s) still waiting for escd's answer at the timeout");
        }
    }
    std::vector<double> post_ms;
    std::map<std::string, std::string> deployment_of;  // transaction id -> deployment id
    std::size_t accepted = 0;
    for (const auto& posted : state.posted) {
        post_ms.push_back(posted.latency_ms);
        if (posted.status == 200 && !posted.transaction_id.empty()) {
            ++accepted;
            deployment_of[posted.transaction_id] = posted.id;
        }
    }
    std::sort(post_ms.begin(), post_ms.end());
    std::printf(
        "POSTED %zu deployment(s), %zu accepted, %llu error(s); answer p50 %.3f ms, "
        "p99 %.3f ms\n",
        state.posted.size(), accepted, static_cast<unsigned long long>(state.errors),
        Percentile(post_ms, 50), Percentile(post_ms, 99));
    std::fflush(stdout);
    for (const auto& sample : state.error_samples) std::cerr << "error: " << sample << "\n";

    // Only accepted deployments call back; waiting for the others would only wait for the
    // timeout.
    const bool all_alive =
        accepted == static_cast<std::size_t>(options.count) && receipts.WaitAllAlive(deadline);
    // A moment for callbacks already on the wire (say, a duplicate) to land in the CSV too.
    std::this_thread::sleep_for(200ms);
    const auto all = receipts.Snapshot();

    std::size_t alive = 0, alive_failed = 0, foreign = 0, vm_deployed = 0, vm_alive = 0;
    std::set<std::string> counted;
    for (const auto& r : all) {
        if (!deployment_of.contains(r.transaction_id)) {
            ++foreign;
            continue;
        }
        if (r.stage == "VM_DEPLOYED") ++vm_deployed;
        if (r.stage == "VM_ALIVE") ++vm_alive;
        if (r.stage != kServiceAlive || !counted.insert(r.transaction_id).second) continue;
        ++alive;
        if (r.status_code != "200") {
            ++alive_failed;
            if (alive_failed <= kMaxPrintedErrors) {
                std::cerr << "error: SERVICE_ALIVE of " << deployment_of[r.transaction_id]
                          << " has ESC-Status-Code " << r.status_code << "\n";
            }
        }
    }
    WriteCsv(csv_path, all, deployment_of);

    const auto last_alive_us = receipts.last_alive_us();
    const double elapsed_s = last_alive_us > state.first_post_us && state.first_post_us > 0
                                 ? static_cast<double>(last_alive_us - state.first_post_us) / 1e6
                                 : 0.0;
    char line[768];
    std::snprintf(line, sizeof line,
                  "RESULT deployments=%d accepted=%zu post_errors=%llu service_alive=%zu "
                  "service_alive_failed=%zu vm_deployed=%zu vm_alive=%zu callbacks=%zu "
                  "foreign_callbacks=%zu elapsed_s=%.3f post_p50_ms=%.3f post_p99_ms=%.3f "
                  "first_post_us=%lld last_service_alive_us=%lld",
                  options.count, accepted, static_cast<unsigned long long>(state.errors), alive,
                  alive_failed, vm_deployed, vm_alive, all.size(), foreign, elapsed_s,
                  Percentile(post_ms, 50), Percentile(post_ms, 99),
                  static_cast<long long>(state.first_post_us),
                  static_cast<long long>(last_alive_us));
    std::cout << line << std::endl;

    if (!all_alive) {
        std::cerr << "escd_bench_deploy: only " << alive << " of " << options.count
                  << " deployment(s) called back SERVICE_ALIVE";
        if (accepted == static_cast<std::size_t>(options.count)) {
            std::cerr << " within " << std::chrono::duration<double>(timeout).count() << " s";
        } else {
            std::cerr << "; " << options.count - static_cast<int>(accepted)
                      << " POST(s) were not accepted";
        }
        std::cerr << " (receipts so far in " << csv_path << ")\n";
        return 1;
    }
    if (alive_failed > 0 || state.errors > 0) {
        std::cerr << "escd_bench_deploy: " << alive_failed
                  << " SERVICE_ALIVE callback(s) did not report 200, " << state.errors
                  << " POST error(s)\n";
        return 1;
    }
    return 0;
}

constexpr std::string_view kUsage = R"(usage:
  escd_bench_deploy --port P --password X --template FILE --csv FILE [--user U]
        [--count N] [--connections C] [--prefix STR] [--placeholder STR]
        [--timeout-s T] [--receiver-port R]
      POSTs N (200) deployments over C (16) keep-alive connections to
      http://127.0.0.1:P/v0/deployments/<prefix><i>, the body being FILE with every
      <placeholder> (@ID@) replaced by <prefix><i>, with a Callback header naming its own
      receiver on 127.0.0.1:R (0: any port; printed as RECEIVER <url>). Waits until every
      deployment called back SERVICE_ALIVE or T (600) seconds passed, writes every callback to
      the CSV (received_us,transaction_id,stage,vm_name,status_code,deployment) and prints
      RESULT deployments=.. elapsed_s=.. post_p50_ms=.. post_p99_ms=.. ...
      Exit status 1 when a POST failed, a SERVICE_ALIVE is missing or did not report 200.
)";

int Main(int argc, char** argv) {
    if (argc >= 2) {
        const std::string_view first = argv[1];
        if (first == "-h" || first == "--help" || first == "help") {
            std::cout << kUsage;
            return 0;
        }
    }
    try {
        Args args(argc, argv, 1);
        return Run(args);
    } catch (const std::invalid_argument& e) {
        std::cerr << "escd_bench_deploy: " << e.what() << "\n" << kUsage;
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "escd_bench_deploy: " << e.what() << "\n";
        return 1;
    }
}

}  // namespace
}  // namespace escd::bench

int main(int argc, char** argv) {
    return escd::bench::Main(argc, argv);
}
