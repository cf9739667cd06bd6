#include "server/catalogue/admin_json.hpp"

#include <boost/json.hpp>

#include "common/error.hpp"
#include "model/catalogue/catalogue_json.hpp"

namespace escd::server::catalogue {
namespace {

namespace json = boost::json;
using namespace model::catalogue;

json::array DocumentsArray(const std::vector<Document>& documents) {
    json::array out;
    for (const auto& d : documents)
        out.push_back({{"name", d.name}, {"type", d.type}, {"url", d.url}});
    return out;
}

json::object ImageObject(const Image& image) {
    json::object out{{"imageGuid", image.guid.text()},
                     {"releaseId", image.release_id},
                     {"name", image.name},
                     {"description", image.description},
                     {"featureSet", image.feature_set},
                     {"minDram", image.min_dram},
                     {"minFlash", image.min_flash},
                     {"k9", image.k9},
                     {"eula", image.eula},
                     {"related", image.related},
                     {"softwareAdvisoryUrl", image.software_advisory_url},
                     {"deferralNoticeUrl", image.deferral_notice_url},
                     {"deletedDate",
                      image.deleted_date ? json::value(*image.deleted_date) : json::value(nullptr)},
                     {"documents", DocumentsArray(image.documents)}};
    if (image.content) {
        out["size"] = image.content->size;
        out["md5"] = image.content->md5;
        out["sha512"] = image.content->sha512;
    } else {
        out["size"] = nullptr;
    }
    return out;
}

}  // namespace

Product ParseProduct(std::string_view body, std::string pid) {
    return ProductFrom(ParseObject(body), std::move(pid));
}

SoftwareType ParseSoftwareType(std::string_view body, std::string id) {
    return SoftwareTypeFrom(ParseObject(body), std::move(id));
}

ReleaseInput ParseRelease(std::string_view body) {
    return ReleaseFrom(ParseObject(body));
}

Image ParseImage(std::string_view body, std::int64_t release_id) {
    return ImageFrom(ParseObject(body), release_id);
}

std::string ParseImportDirectory(std::string_view body) {
    auto directory = TextOf(ParseObject(body), "directory", 4096);
    if (directory.empty() || directory.front() != '/')
        throw Error(ErrorCode::kBadRequest, "directory must be an absolute path");
    return directory;
}

std::string ImportReportJson(const orchestrator::ImportReport& report) {
    return json::serialize(json::object{{"products", report.products},
                                        {"softwareTypes", report.software_types},
                                        {"releases", report.releases},
                                        {"images", report.images},
                                        {"files", report.files},
                                        {"smuCatalogs", report.smu_catalogs},
                                        {"smuMissing", report.smu_missing}});
}

std::string ParseClientName(std::string_view body) {
    auto name = TextOf(ParseObject(body), "name", 100);
    if (name.empty()) throw Error(ErrorCode::kBadRequest, "name is required");
    return name;
}

std::string ProductsJson(const std::vector<Product>& products) {
    json::array out;
    for (const auto& p : products)
        out.push_back(
            {{"pid", p.pid}, {"mdfId", p.mdf_id}, {"mdfConceptName", p.mdf_concept_name}});
    return json::serialize(json::object{{"products", std::move(out)}});
}

std::string ReleaseIdJson(std::int64_t id) {
    return json::serialize(json::object{{"releaseId", id}});
}

std::string ImageJson(const ImageRow& row) {
    auto image = ImageObject(row.image);
    image["pid"] = row.product.pid;
    image["mdfId"] = row.product.mdf_id;
    image["softwareTypeId"] = row.software_type.id;
    image["softwareTypeName"] = row.software_type.name;
    image["operatingPlatform"] = row.release.operating_platform;
    image["version"] = row.release.version;
    return json::serialize(image);
}

std::string StoredImageJson(const Image& image) {
    return json::serialize(ImageObject(image));
}

std::string DigestJson(const ImageGuid& guid, const FileDigest& digest) {
    return json::serialize(json::object{{"imageGuid", guid.text()},
                                        {"size", digest.size},
                                        {"md5", digest.md5},
                                        {"sha512", digest.sha512}});
}

std::string NewClientJson(const ApiClient& client, const std::string& secret) {
    return json::serialize(json::object{
        {"clientId", client.client_id}, {"clientSecret", secret}, {"name", client.name}});
}

std::string ClientsJson(const std::vector<ApiClient>& clients) {
    json::array out;
    for (const auto& c : clients)
        out.push_back({{"clientId", c.client_id}, {"name", c.name}, {"revoked", c.revoked}});
    return json::serialize(json::object{{"clients", std::move(out)}});
}

std::string ErrorJson(int status, const std::string& message) {
    return json::serialize(
        json::object{{"error", json::object{{"status", status}, {"message", message}}}});
}

}  // namespace escd::server::catalogue
