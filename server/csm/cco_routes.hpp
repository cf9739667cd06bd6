#pragma once
/// @file
/// The CSM face's CCO routes (docs/csm.md, "CCO"): the SMU catalogs, SMUs and service packs
/// escd's catalogue imported from Cisco's SMU metadata, as CSM answered them from cisco.com.

#include "model/stores/catalogue_store.hpp"
#include "server/router.hpp"

namespace escd::server::csm {

/// GET /cco/catalog, /cco/software, /cco/software/{name_or_id}.
void RegisterCcoRoutes(Router& router, model::CatalogueStore& catalogue);

}  // namespace escd::server::csm
