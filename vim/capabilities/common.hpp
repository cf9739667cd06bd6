#pragma once
/// @file
/// What every VIM capability (vim/capabilities/*.hpp) shares: the rules of its calls, what a create
/// reports, and the error of a VIM that is down for now.
///
/// Calls are coroutines: a backend whose client library blocks (libvirt) runs the call on its own
/// thread pool and resumes the caller on the caller's executor, so the engine may call it from a
/// strand. Errors are exceptions of the VIM's origin (escd::VimError, common/error.hpp):
/// kUnavailable when the VIM cannot be reached (retryable), kVimError when it refused or failed
/// the request, kNotFound when the object is gone; a connector that cannot be used as configured
/// is a ConfigurationError; a bug in escd a plain Error(kInternal).
/// Every create is idempotent on escd's internal id, so that an operation interrupted by a crash
/// can simply be run again (docs/decisions.md#vim-calls-are-idempotent-on-escds-ids).
///
/// Parameters are const references: the caller awaits each call at once, so its arguments
/// outlive the call (and g++ 12 mishandles by-value class parameters of coroutines awaited
/// inside a co_await expression: it may destroy them twice).

#include <string>
#include <utility>

#include "common/asio.hpp"
#include "common/error.hpp"

namespace escd::vim {

/// What a create reports: the VIM's id, and a note for the callback message when the VIM did
/// less than an OpenStack would (libvirt records flavors and routers without an object).
struct VimObject {
    std::string external_id;
    std::string note;
};

/// A service of the VIM that did not answer (connection refused, reset or timed out) or
/// answered that it is down for now (502, 503, 504 after the retries): the same call may succeed
/// once the service is back, unchanged. ErrorCode kUnavailable (503), like any unreachable VIM;
/// the type lets the engine tell such an outage from a VIM that refuses for good (no host to
/// place on, a server that never boots): a deployment operation that meets an outage is run
/// again later rather than failed (orchestrator/engine/engine.cpp).
class VimUnavailable : public VimError {
  public:
    /// `service` names the VIM's service for the client, e.g. "network service (Neutron)"; ""
    /// when the caller does not know it yet (the HTTP client: the session names it).
    VimUnavailable(std::string service, std::string message)
        : VimError(ErrorCode::kUnavailable, std::move(message)), service_(std::move(service)) {}
    const std::string& service() const noexcept { return service_; }

  private:
    std::string service_;
};

}  // namespace escd::vim
