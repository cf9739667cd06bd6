#include "vim/openstack/session.hpp"

#include <algorithm>

#include "common/log.hpp"

namespace escd::vim::openstack {

asio::awaitable<ApiResponse> Session::Call(std::string service_type,
                                           http::verb method,
                                           std::string path,
                                           std::string body,
                                           std::set<int> accepted,
                                           std::string compute_microversion,
                                           std::chrono::milliseconds deadline) {
    ApiRequest request;
    request.method = method;
    request.url = std::move(path);
    request.body = std::move(body);
    request.deadline = deadline;
    co_return co_await Send(std::move(service_type), std::move(request), std::move(accepted),
                            std::move(compute_microversion));
}

asio::awaitable<ApiResponse> Session::CallWithFile(std::string service_type,
                                                   http::verb method,
                                                   std::string path,
                                                   std::string file,
                                                   std::string content_type,
                                                   asio::thread_pool& file_reads,
                                                   std::set<int> accepted) {
    ApiRequest request;
    request.method = method;
    request.url = std::move(path);
    request.body_file = std::move(file);
    request.file_reads = &file_reads;
    request.content_type = std::move(content_type);
    co_return co_await Send(std::move(service_type), std::move(request), std::move(accepted),
                            std::string());
}

bool Session::Primed(const std::string& token_id) {
    std::lock_guard lock(prime_mutex_);
    return primed_ == token_id;
}

asio::awaitable<void> Session::Prime(Token token) {
    co_await priming_.Lock();
    const AsyncMutex::Unlocker unlock(priming_);
    if (Primed(token.id)) co_return;
    static const std::pair<const char*, const char*> kReads[] = {
        {"compute", "/flavors?limit=1"},
        {"network", "/v2.0/networks?limit=1"},
        {"image", "/v2/images?limit=1"}};
    for (const auto& [service, path] : kReads) {
        try {
            // A catalog without the service (kNotFound here) has nothing to prime.
            ApiRequest request;
            request.url = keystone_.EndpointIn(token, service) + path;
            request.headers = {{"X-Auth-Token", token.id}};
            const auto answer = co_await client_.Send(request);
            ESCD_DEBUG("vim") << "token primed at " << service << ": " << answer.status;
        } catch (const std::exception& e) {
            ESCD_DEBUG("vim") << "token not primed at " << service << ": " << e.what();
        }
    }
    std::lock_guard lock(prime_mutex_);
    primed_ = token.id;
}

asio::awaitable<ApiResponse> Session::Send(std::string service_type,
                                           ApiRequest request,
                                           std::set<int> accepted,
                                           std::string compute_microversion) {
    const std::string path = request.url;
    const std::string what =
        std::string(http::to_string(request.method)) + " " + service_type + " " + path;
    bool reauthenticated = false;
    auto backoff = std::chrono::milliseconds(250);
    for (int attempt = 0;; ++attempt) {
        const auto token = co_await keystone_.Current();
        if (!Primed(token.id)) co_await Prime(token);
        request.url = keystone_.EndpointIn(token, service_type) + path;
        request.headers = {{"X-Auth-Token", token.id}};
        if (service_type == "compute")
            request.headers.emplace_back(
                "OpenStack-API-Version",
                "compute " + (compute_microversion.empty() ? std::string(kComputeMicroversion)
                                                           : compute_microversion));
        ++calls_;
        ApiResponse response;
        try {
            response = co_await client_.Send(request);
        } catch (const VimUnavailable& e) {
            // Not retried here: a service that refuses connections is stopped or restarting,
            // which takes longer than a call should wait. The caller decides (a deployment is
            // run again later, a resource operation fails with 503).
            throw Outage(service_type, e.what());
        }
        if (response.Ok() || accepted.contains(response.status)) co_return response;
        if (response.status == 401 && !reauthenticated) {
            ESCD_INFO("vim") << what << ": OpenStack answered 401 (token revoked or expired): "
                             << "taking a new Keystone token";
            reauthenticated = true;
            keystone_.Invalidate();
            continue;
        }
        if (Retryable(response) && attempt < kRetries) {
            asio::steady_timer pause(co_await asio::this_coro::executor,
                                     RetryAfter(response, backoff));
            co_await pause.async_wait(asio::use_awaitable);
            backoff = std::min(backoff * 2, std::chrono::milliseconds(4000));
            continue;
        }
        if (ServiceDown(response)) throw Outage(service_type, ApiError(response, what).what());
        throw ApiError(response, what);
    }
}

}  // namespace escd::vim::openstack
