#pragma once
/// @file
/// "12-Host Actions" (ESC reference):
/// - GET /hosts/{hostName}/status: whether escd may place VMs on the host,
///   <host_status><host_name/><status>ENABLED|DISABLED</status><schedulable/></host_status>;
///   404 when the VIM reports no such host, 503 when the VIM cannot be queried.
/// - POST /hosts/{hostName}/disable|enable, with the required Callback-ESC-Events header: the
///   switch, a finished operation and an <esc_event> (HOST_DISABLED / HOST_ENABLED) commit
///   together; the answer is 200 with ESC-Transaction-Id and the new status, and the event goes
///   to Callback-ESC-Events after the answer. Idempotent: disabling a disabled host is a 200.

#include "model/stores/host_store.hpp"
#include "server/router.hpp"
#include "vim/capabilities/hosts.hpp"

namespace escd::server::handlers {

struct HostContext {
    model::HostStore& hosts;
    vim::Hosts& vim;
};

void RegisterHostRoutes(Router& router, HostContext context);

}  // namespace escd::server::handlers
