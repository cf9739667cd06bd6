#include "tests/support/callback_receiver.hpp"

#include <fcntl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <exception>
#include <future>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "common/asio.hpp"
#include "tests/support/text_and_sockets.hpp"

namespace escd::test {
namespace {

bool Is2xx(const ReceivedRequest& request) {
    return request.answered_status >= 200 && request.answered_status < 300;
}

}  // namespace

std::string ReceivedRequest::Header(std::string_view name) const {
    auto it = headers.find(ToLower(name));
    return it == headers.end() ? std::string() : it->second;
}

struct CallbackReceiver::Impl {
    asio::io_context io;
    asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
    std::thread thread;
    std::atomic<std::uint16_t> port{0};
    std::atomic<int> response_status{200};

    // Touched only on the io thread, so they need no lock.
    std::shared_ptr<tcp::acceptor> acceptor;
    std::set<std::shared_ptr<tcp::socket>> connections;
    std::uint64_t accepted = 0;

    mutable std::mutex mutex;
    std::condition_variable recorded;
    std::vector<ReceivedRequest> requests;

    // Runs `task` on the io thread and waits for it, so listening state is never shared.
    template <class Task>
    void RunOnIoThread(Task task) {
        std::promise<void> done;
        asio::post(io, [&] {
            try {
                task();
                done.set_value();
            } catch (...) {
                done.set_exception(std::current_exception());
            }
        });
        done.get_future().get();
    }

    void Listen() {
        if (acceptor) return;
        auto listener = std::make_shared<tcp::acceptor>(io);
        const tcp::endpoint endpoint(asio::ip::address_v4::loopback(), port.load());
        listener->open(endpoint.protocol());
        SetCloseOnExec(listener->native_handle());
        // Lets Start() rebind the port while connections closed by Stop() sit in TIME_WAIT.
        listener->set_option(asio::socket_base::reuse_address(true));
        listener->bind(endpoint);
        listener->listen(asio::socket_base::max_listen_connections);
        port = listener->local_endpoint().port();
        acceptor = listener;
        Spawn(Accept(std::move(listener)));
    }

    void Close() {
        beast::error_code ignored;
        if (acceptor) {
            acceptor->close(ignored);
            acceptor.reset();
        }
        for (const auto& socket : connections) {
            socket->shutdown(tcp::socket::shutdown_both, ignored);
            socket->close(ignored);
        }
        connections.clear();
    }

    void Spawn(asio::awaitable<void> task) {
        asio::co_spawn(io, std::move(task), [](std::exception_ptr error) {
            if (!error) return;
            try {
                std::rethrow_exception(error);
            } catch (const std::exception& e) {
                std::cerr << "CallbackReceiver: " << e.what() << '\n';
            }
        });
    }

    asio::awaitable<void> Accept(std::shared_ptr<tcp::acceptor> listener) {
        while (listener->is_open()) {
            auto [ec, socket] = co_await listener->async_accept(kNoThrow);
            if (ec) continue;  // closed by Stop() (loop ends) or a transient accept error
            // An accept that completed just before Stop() must not outlive it.
            if (!listener->is_open()) co_return;
            SetCloseOnExec(socket.native_handle());
            auto connection = std::make_shared<tcp::socket>(std::move(socket));
            connections.insert(connection);
            Spawn(Serve(connection, ++accepted));
        }
    }

    asio::awaitable<void> Serve(std::shared_ptr<tcp::socket> socket, std::uint64_t connection_id) {
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(64 * 1024 * 1024);
            [[maybe_unused]] auto [read_error, read_bytes] =
                co_await http::async_read(*socket, buffer, parser, kNoThrow);
            if (read_error) break;
            const auto& request = parser.get();

            ReceivedRequest received;
            received.method = std::string(request.method_string());
            received.target = std::string(request.target());
            for (const auto& field : request) {
                auto& value = received.headers[ToLower(field.name_string())];
                if (!value.empty()) value += ", ";
                value += field.value();
            }
            received.body = request.body();
            received.connection = connection_id;
            received.received_at = std::chrono::steady_clock::now();
            received.answered_status = response_status.load();

            http::response<http::string_body> response;
            response.version(request.version());
            response.result(static_cast<unsigned>(received.answered_status));
            response.set(http::field::server, "escd-test-callback-receiver");
            response.keep_alive(request.keep_alive());
            response.prepare_payload();
            [[maybe_unused]] auto [write_error, written_bytes] =
                co_await http::async_write(*socket, response, kNoThrow);

            // Recorded once answered, so a waiter never sees a request the sender has not yet
            // had the chance to get the response for.
            {
                std::lock_guard lock(mutex);
                requests.push_back(std::move(received));
            }
            recorded.notify_all();
            if (write_error || !response.keep_alive()) break;
        }
        beast::error_code ignored;
        socket->shutdown(tcp::socket::shutdown_send, ignored);
        socket->close(ignored);
        connections.erase(socket);
    }

    template <class Predicate>
    std::vector<ReceivedRequest> WaitFor(std::size_t count,
                                         std::chrono::milliseconds timeout,
                                         Predicate counts) {
        std::unique_lock lock(mutex);
        auto matching = [&] {
            return static_cast<std::size_t>(
                std::count_if(requests.begin(), requests.end(), counts));
        };
        recorded.wait_for(lock, timeout, [&] { return matching() >= count; });
        std::vector<ReceivedRequest> result;
        std::copy_if(requests.begin(), requests.end(), std::back_inserter(result), counts);
        return result;
    }
};

CallbackReceiver::CallbackReceiver(std::uint16_t port) : impl_(std::make_unique<Impl>()) {
    impl_->port = port;
    impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
    try {
        Start();
    } catch (...) {
        impl_->work.reset();
        impl_->thread.join();
        throw;
    }
}

CallbackReceiver::~CallbackReceiver() {
    Stop();
    // With every socket closed the pending operations complete and run() returns by itself.
    impl_->work.reset();
    impl_->thread.join();
}

std::uint16_t CallbackReceiver::port() const {
    return impl_->port.load();
}

std::string CallbackReceiver::Url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port()) + std::string(path);
}

void CallbackReceiver::SetResponseStatus(int status) {
    impl_->response_status = status;
}

void CallbackReceiver::Stop() {
    impl_->RunOnIoThread([impl = impl_.get()] { impl->Close(); });
}

void CallbackReceiver::Start() {
    impl_->RunOnIoThread([impl = impl_.get()] { impl->Listen(); });
}

std::vector<ReceivedRequest> CallbackReceiver::WaitForDelivered(std::size_t count,
                                                                std::chrono::milliseconds timeout) {
    return impl_->WaitFor(count, timeout, Is2xx);
}

std::vector<ReceivedRequest> CallbackReceiver::WaitForAttempts(std::size_t count,
                                                               std::chrono::milliseconds timeout) {
    return impl_->WaitFor(count, timeout, [](const ReceivedRequest&) { return true; });
}

std::vector<ReceivedRequest> CallbackReceiver::Requests() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->requests;
}

}  // namespace escd::test
