#pragma once
/// @file
/// "17-Dynamic Mappings" (ESC reference), for actions and metrics alike:
/// GET /dynamic_mapping/{actions|metrics}[/{name}], POST /dynamic_mapping/{actions|metrics},
/// DELETE /dynamic_mapping/{actions|metrics}[/{name}]. Synchronous.
///
/// POST takes <dynamic_mappings><actions><action>...</action></actions></dynamic_mappings>,
/// <actions>...</actions> or a single <action> (metrics alike); each entry needs a <name>. All
/// entries are created or none: 409 "Action X already exists.", 400 "No action definition
/// found." or a malformed body. DELETE of one entry: 400 for a CORE entry ("Action X is a CORE
/// action, cannot delete."), 404 "Action X not found."; DELETE of the collection removes every
/// non-CORE entry and answers with what remains. Names in paths are percent-decoded
/// ("ALWAYS%20log").

#include "model/stores/dynamic_mapping_store.hpp"
#include "server/router.hpp"

namespace escd::server::handlers {

void RegisterDynamicMappingRoutes(Router& router, model::DynamicMappingStore& mappings);

}  // namespace escd::server::handlers
