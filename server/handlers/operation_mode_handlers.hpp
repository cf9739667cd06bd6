#pragma once
/// @file
/// "11-ESC Operation Mode" (ESC reference): GET /operationmode and
/// POST /operationmode/{MAINTENANCE|OPERATION}. Both answer synchronously with
///
///     <operation_mode><mode>MAINTENANCE</mode><message>...</message></operation_mode>
///
/// The switch takes effect before the answer goes out and is allowed in maintenance mode.

#include "orchestrator/engine/operation_mode.hpp"
#include "server/router.hpp"

namespace escd::server::handlers {

void RegisterOperationModeRoutes(Router& router, orchestrator::OperationMode& mode);

}  // namespace escd::server::handlers
