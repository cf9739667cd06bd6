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
#include <set>
#include <string>
#include <string_view>

#include "vim/openstack/api_client.hpp"
#include "vim/openstack/keystone.hpp"

namespace escd::vim::openstack {

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
    /// Parameters by value: the call may outlive the caller's strings.
    asio::awaitable<ApiResponse> Call(std::string service_type,
                                      http::verb method,
                                      std::string path,
                                      std::string body = {},
                                      std::set<int> accepted = {},
                                      std::string compute_microversion = {});

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

    ApiClient& client_;
    Keystone keystone_;
    std::atomic<std::uint64_t> calls_{0};
};

}  // namespace escd::vim::openstack
