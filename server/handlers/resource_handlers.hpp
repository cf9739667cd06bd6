#pragma once
/// @file
/// Routes of every non-deployment resource kind but tenants, one generic set of handlers driven
/// by the kind table (model/xml/resource_xml.hpp):
///
///   02-Networks  GET /{tenant}/networks; GET|POST|PUT|DELETE /{tenant}/networks/{id}
///   03-Subnets   GET /{tenant}/subnets (header internalNetworkId filters by network);
///                GET|POST|PUT|DELETE /{tenant}/subnets/{id}
///   04-Images    GET /images; GET|POST|DELETE /images/{id}
///   05-Flavors   GET /flavors; GET|POST|DELETE /flavors/{id}
///   10-Volumes   GET /{tenant}/volumes; GET|POST|DELETE /{tenant}/volumes/{id}
///                (PUT on an image, flavor or volume: 406 "Operation not supported on VIM")
///   19-Routers   GET /{tenant}/routers (not in the reference; added for symmetry);
///                GET (idem)|POST|PUT|DELETE /{tenant}/routers/{id}
///   16-File servers GET /fileserver; GET|POST|PUT|DELETE /fileserver/{id}
///
/// Contract (docs/behaviour.md, "Requests and answers"): validation and 4xx before anything is
/// stored; a resource of a tenant is only found under that tenant (404 elsewhere); a create of a
/// kind that lives on the VIM (networks, subnets, volumes, routers) first checks that the VIM
/// answers (503 "Unable to query VIM" otherwise, as the reference lists); references to other
/// resources (a router's subnets, an image's file server) must exist (404); 200 +
/// ESC-Transaction-Id after the commit; the work and its callback follow.

#include "model/stores/resource_store.hpp"
#include "orchestrator/engine/engine.hpp"
#include "server/router.hpp"

namespace escd::server::handlers {

/// Reads and accepts go to `resources`; `engine` checks that the VIM answers. What was accepted
/// runs after the answer (mutation.hpp).
void RegisterResourceRoutes(Router& router,
                            orchestrator::Engine& engine,
                            model::ResourceStore& resources);

}  // namespace escd::server::handlers
