#pragma once
/// @file
/// The CSM face's users (docs/csm.md, "Managing users"): escd's own routes, in the face's
/// style, for the Admin. CSM managed its users in its web UI only.

#include <string>

#include "common/asio.hpp"
#include "model/stores/csm_store.hpp"
#include "server/router.hpp"

namespace escd::server::csm {

/// GET /users, POST /users (bulk upsert), DELETE /users/{username}/delete. `admin_user` is
/// escd's admin, which is not a row and cannot be made one. Passwords are hashed on
/// `hash_pool` (PBKDF2).
void RegisterUserRoutes(Router& router,
                        model::CsmStore& store,
                        std::string admin_user,
                        asio::thread_pool& hash_pool);

}  // namespace escd::server::csm
