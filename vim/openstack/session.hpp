#pragma once
/// @file
/// One escd user's session on one OpenStack VIM: every REST call of the adapter goes through
/// Call(), which finds the service's endpoint in the Keystone catalog, sends the token, and
/// handles what any OpenStack call may meet:
/// - 401 (token revoked or Keystone restarted): a new token (logged), and the call once more;
/// - 413/429/503 (over quota of requests, overloaded): waits as Retry-After says (else backs
///   off) and tries again, up to kRetries times;
/// - no answer (the service is stopped or restarting), or 502/503/504 once the retries are
///   spent: VimUnavailable naming the service ("the VIM's network service (Neutron) is
///   unavailable: ..."), not retried here;
/// - other failures: Error of escd's category (ApiError), for the caller.
/// Nova gets the microversion escd speaks (kComputeMicroversion), or the one a call asks for;
/// other services get none (Cinder refuses a Nova version header).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "vim/openstack/api_client.hpp"
#include "vim/openstack/async_mutex.hpp"
#include "vim/openstack/keystone.hpp"

namespace escd::vim::openstack {

/// The answers Call() takes as done for a read or a delete of something that may be gone: 404.
/// A named set, shared: GCC 12 miscompiles a braced list passed to a coroutine inside co_await.
inline const std::set<int> kGoneIsAnAnswer{404};

class Session {
  public:
    static constexpr int kRetries = 4;
    /// Nova API microversion of every compute call.
    static constexpr const char* kComputeMicroversion = "2.79";

    /// `renew_before`: Keystone's renewal margin (Keystone::kRenewBefore; tests shorten the
    /// tokens' useful life with a longer one).
    Session(ApiClient& client,
            Credentials credentials,
            std::chrono::seconds renew_before = Keystone::kRenewBefore)
        : client_(client), keystone_(client, std::move(credentials), renew_before) {}

    /// `method` `path` (below the endpoint of service `service_type`, e.g. "/v2.0/networks")
    /// with JSON `body`. Returns the answer when it is a success or one of `accepted` (e.g. 404
    /// for a delete); throws ApiError otherwise.
    /// `compute_microversion` ("" = kComputeMicroversion) is for the few compute calls whose
    /// request the default version no longer takes: a server with day-0 `personality` files
    /// needs <= 2.56 (2.57 removed them). Nova answers such a call in that version's format.
    /// Ignored for other services.
    /// `deadline` (zero: the client's) bounds a call the service may take long to answer.
    /// Parameters by value: the call may outlive the caller's strings.
    asio::awaitable<ApiResponse> Call(std::string service_type,
                                      http::verb method,
                                      std::string path,
                                      std::string body = {},
                                      std::set<int> accepted = {},
                                      std::string compute_microversion = {},
                                      std::chrono::milliseconds deadline = {});

    /// As Call, with the content of file `file` as the body, streamed from disk (ApiRequest's
    /// body_file, read on `file_reads`) as `content_type`. A retry (401, 413/429/503) sends the
    /// file again from its start.
    asio::awaitable<ApiResponse> CallWithFile(std::string service_type,
                                              http::verb method,
                                              std::string path,
                                              std::string file,
                                              std::string content_type,
                                              asio::thread_pool& file_reads,
                                              std::set<int> accepted = {});

    Keystone& keystone() { return keystone_; }

    /// How many requests Call() has sent (retries included, Keystone's not): what a test or a
    /// bench counts per operation.
    std::uint64_t calls() const { return calls_; }

  private:
    /// Call's loop over `request`, its url relative to the service's endpoint.
    asio::awaitable<ApiResponse> Send(std::string service_type,
                                      ApiRequest request,
                                      std::set<int> accepted,
                                      std::string compute_microversion);

    /// Makes the services know `token` before calls go out with it at once. A service checks a
    /// token it has not seen with Keystone, and keystonemiddleware caches the answer only once
    /// that check is done: N calls arriving together with a new token each have it checked
    /// (measured on the test plane: a tenant's first 40 server creates caused ~250 checks of
    /// 1-9 s each and tripled the time to deploy). So the first call with a new token is a
    /// cheap authenticated read to each of Nova, Neutron and Glance (Nova passes the caller's
    /// token on to the other two), made once, alone; the others wait for it. Best effort: a
    /// failed read is the call's own problem later. Not counted in calls().
    asio::awaitable<void> Prime(Token token);
    bool Primed(const std::string& token_id);

    ApiClient& client_;
    Keystone keystone_;
    std::atomic<std::uint64_t> calls_{0};
    std::mutex prime_mutex_;
    std::string primed_;  ///< the id of the token the services know
    AsyncMutex priming_;
};

}  // namespace escd::vim::openstack
