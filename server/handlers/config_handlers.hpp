#pragma once
/// @file
/// "Config parameters" (ESC reference): GET /config, /config/{category},
/// /config/{category}/{key}; POST /config/{category}/{key} (body: the value, as plain text, a
/// JSON string or <value>); PUT /config/{category}/{key}/{value}. Synchronous: the answer is
/// the parameter as stored,
///
///     <escconfigparameter><category>LOG</category><key>LEVEL</key><type>STRING</type>
///       <value>debug</value></escconfigparameter>
///
/// and lists are <escconfigparameters>. 400 bad names or values, 404 unknown category or key,
/// 409 POST of an existing key.

#include "model/stores/settings_store.hpp"
#include "orchestrator/engine/config_parameters.hpp"
#include "server/router.hpp"

namespace escd::server::handlers {

/// GETs read `settings`; POST and PUT go through `config` (validation, effects).
void RegisterConfigRoutes(Router& router,
                          orchestrator::ConfigParameters& config,
                          model::SettingsStore& settings);

}  // namespace escd::server::handlers
