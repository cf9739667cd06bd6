#pragma once
/// @file
/// The catalogue's admin API (docs/catalogue.md, "Admin API"; docs/openapi/catalogue.yaml), a
/// face of its own under /catalogue/v1: JSON, HTTP Basic for escd's admin user (the same
/// credentials as the ESC face). Publishes products, software types, releases and images,
/// stores an image's content from a streamed upload, and manages the API clients of the
/// Software Distribution face, and imports a directory (a manifest, Cisco SMU metadata).

#include <cstdint>

#include "common/asio.hpp"
#include "model/stores/catalogue_store.hpp"
#include "orchestrator/catalogue/catalogue_import.hpp"
#include "orchestrator/catalogue/content_store.hpp"
#include "server/basic_auth.hpp"
#include "server/face.hpp"
#include "server/router.hpp"

namespace escd::server::catalogue {

struct AdminDeps {
    model::CatalogueStore& store;
    orchestrator::ContentStore& content;
    orchestrator::CatalogueImport& importer;
    std::string import_root;  ///< an import's directory must lie below it (files.root)
    std::uint64_t max_file_bytes;
    BasicAuth& auth;
    asio::thread_pool& verify_pool;  ///< password checks and secret hashing (PBKDF2)
};

class CatalogueAdmin {
  public:
    explicit CatalogueAdmin(AdminDeps deps);
    CatalogueAdmin(const CatalogueAdmin&) = delete;
    CatalogueAdmin& operator=(const CatalogueAdmin&) = delete;

    const Face& face() const { return face_; }

  private:
    void AddRoutes();

    AdminDeps deps_;
    Router router_;
    Face face_;
};

/// The JSON error answer the catalogue's admin face gives (also for the exceptions of its
/// handlers: escd::Error by HttpStatusOf, anything else 500).
Response JsonError(int status, const std::string& message);
Response JsonForException(std::exception_ptr error, std::string_view context);
/// A 200 (or `status`) answer with a JSON body.
Response JsonAnswer(std::string body, http::status status = http::status::ok);

}  // namespace escd::server::catalogue
