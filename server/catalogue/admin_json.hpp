#pragma once
/// @file
/// The catalogue admin API's JSON (docs/catalogue.md, "Admin API"; docs/openapi/catalogue.yaml):
/// request bodies parsed once into the catalogue's types, each refusal an escd::Error
/// (kBadRequest) naming the field; answers as JSON text. Field names are camelCase, as the
/// Software Distribution face's.

#include <string>
#include <string_view>
#include <vector>

#include "model/catalogue/catalogue.hpp"
#include "model/catalogue/catalogue_json.hpp"
#include "orchestrator/catalogue/catalogue_import.hpp"

namespace escd::server::catalogue {

model::catalogue::Product ParseProduct(std::string_view body, std::string pid);
model::catalogue::SoftwareType ParseSoftwareType(std::string_view body, std::string id);
using model::catalogue::ReleaseInput;
ReleaseInput ParseRelease(std::string_view body);
model::catalogue::Image ParseImage(std::string_view body, std::int64_t release_id);
/// The directory of an import request.
std::string ParseImportDirectory(std::string_view body);
std::string ImportReportJson(const orchestrator::ImportReport& report);
/// The name of a new API client.
std::string ParseClientName(std::string_view body);

std::string ProductsJson(const std::vector<model::catalogue::Product>& products);
std::string ReleaseIdJson(std::int64_t id);
std::string ImageJson(const model::catalogue::ImageRow& row);
std::string StoredImageJson(const model::catalogue::Image& image);
std::string DigestJson(const model::catalogue::ImageGuid& guid,
                       const model::catalogue::FileDigest& digest);
/// A new client with its secret: the only answer that ever shows the secret.
std::string NewClientJson(const model::catalogue::ApiClient& client, const std::string& secret);
std::string ClientsJson(const std::vector<model::catalogue::ApiClient>& clients);
/// The face's error body: {"error":{"status":404,"message":"..."}}.
std::string ErrorJson(int status, const std::string& message);

}  // namespace escd::server::catalogue
