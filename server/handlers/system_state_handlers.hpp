#pragma once
/// @file
/// "15-System States" (ESC reference): GET /systemstate/{name} and POST
/// /systemstate/{name}/reset, for the named states (case-insensitive):
///
/// | name             | state                        | reset                                  |
/// |------------------|------------------------------|----------------------------------------|
/// | OPERATION_MODE   | OPERATION / MAINTENANCE      | back to OPERATION                      |
/// | VIM_CONNECTION   | CONNECTED / DISCONNECTED     | drop the connection and open a new one |
/// | NOTIFIER_BACKLOG | callbacks not yet delivered  | retry every waiting callback now       |
///
/// Answer: <system_state><name/><state/><details/></system_state>; 404 for other names. Resets
/// are administrative and allowed in maintenance mode.

#include "orchestrator/engine/operation_mode.hpp"
#include "orchestrator/notify/notifier.hpp"
#include "server/router.hpp"
#include "vim/capabilities/reachability.hpp"

namespace escd::server::handlers {

struct SystemStateContext {
    orchestrator::OperationMode& mode;
    vim::Reachability& vim;
    orchestrator::Notifier& notifier;
};

void RegisterSystemStateRoutes(Router& router, SystemStateContext context);

}  // namespace escd::server::handlers
