#include "server/catalogue/admin_json.hpp"

#include <boost/json.hpp>

#include "common/error.hpp"

namespace escd::server::catalogue {
namespace {

namespace json = boost::json;
using namespace model::catalogue;

json::object ObjectOf(std::string_view body) {
    boost::system::error_code ec;
    auto value = json::parse(body, ec);
    if (ec) throw Error(ErrorCode::kBadRequest, "the body is not JSON: " + ec.message());
    if (!value.is_object()) throw Error(ErrorCode::kBadRequest, "the body is not a JSON object");
    return std::move(value.as_object());
}

// Optional text: "" when absent; a value of another type is refused.
std::string Text(const json::object& object, std::string_view key, std::size_t max = 1024) {
    const auto* value = object.if_contains(key);
    if (!value || value->is_null()) return {};
    if (!value->is_string())
        throw Error(ErrorCode::kBadRequest, std::string(key) + " must be a string");
    std::string text(value->get_string());
    if (text.size() > max) {
        throw Error(ErrorCode::kBadRequest,
                    std::string(key) + " is longer than " + std::to_string(max) + " characters");
    }
    return text;
}

std::string RequiredText(const json::object& object, std::string_view key, std::size_t max = 256) {
    auto text = Text(object, key, max);
    if (text.empty()) throw Error(ErrorCode::kBadRequest, std::string(key) + " is required");
    return text;
}

bool Flag(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    if (!value || value->is_null()) return false;
    if (!value->is_bool())
        throw Error(ErrorCode::kBadRequest, std::string(key) + " must be true or false");
    return value->get_bool();
}

void RequireDigits(const std::string& text, std::string_view key) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
        throw Error(ErrorCode::kBadRequest, std::string(key) + " '" + text + "' is not numeric");
}

// yyyy-mm-dd, as the face answers dates; "" when absent.
std::string Date(const json::object& object, std::string_view key) {
    auto text = Text(object, key, 10);
    const bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-' &&
                        text.find_first_not_of("0123456789-") == std::string::npos;
    if (!text.empty() && !shaped)
        throw Error(ErrorCode::kBadRequest, std::string(key) + " '" + text + "' is not yyyy-mm-dd");
    return text;
}

std::vector<Document> Documents(const json::object& object) {
    std::vector<Document> documents;
    const auto* value = object.if_contains("documents");
    if (!value || value->is_null()) return documents;
    if (!value->is_array()) throw Error(ErrorCode::kBadRequest, "documents must be an array");
    for (const auto& entry : value->get_array()) {
        if (!entry.is_object())
            throw Error(ErrorCode::kBadRequest, "each of documents must be an object");
        const auto& document = entry.get_object();
        documents.push_back({RequiredText(document, "name"), Text(document, "type", 64),
                             RequiredText(document, "url", 1024)});
    }
    return documents;
}

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
    const auto object = ObjectOf(body);
    if (pid.empty() || pid.size() > 256)
        throw Error(ErrorCode::kBadRequest, "a pid has 1 to 256 characters");
    Product product{std::move(pid), RequiredText(object, "mdfId", 20),
                    Text(object, "mdfConceptName", 256)};
    RequireDigits(product.mdf_id, "mdfId");
    return product;
}

SoftwareType ParseSoftwareType(std::string_view body, std::string id) {
    const auto object = ObjectOf(body);
    RequireDigits(id, "softwareTypeId");
    return {std::move(id), RequiredText(object, "name", 100)};
}

ReleaseInput ParseRelease(std::string_view body) {
    const auto object = ObjectOf(body);
    ReleaseInput input;
    auto& release = input.release;
    release.pid = RequiredText(object, "pid");
    release.software_type_id = RequiredText(object, "softwareTypeId", 20);
    RequireDigits(release.software_type_id, "softwareTypeId");
    input.software_type_name = Text(object, "softwareTypeName", 100);
    release.operating_platform = Text(object, "operatingPlatform", 64);
    release.version = RequiredText(object, "version", 64);
    release.lifecycle = Text(object, "lifecycle", 20);
    release.fcs_date = Date(object, "fcsDate");
    release.suggested = Flag(object, "suggested");
    release.message = Text(object, "message", 256);
    release.catalog_message = Text(object, "catalogMessage", 256);
    release.field_notice_url = Text(object, "fieldNoticeUrl", 256);
    release.security_advisory_url = Text(object, "securityAdvisoryUrl", 256);
    release.documents = Documents(object);
    return input;
}

Image ParseImage(std::string_view body, std::int64_t release_id) {
    const auto object = ObjectOf(body);
    Image image;
    image.release_id = release_id;
    image.name = RequiredText(object, "name");
    // The name is what a download saves the file as: no path in it.
    if (image.name.find_first_of("/\\") != std::string::npos || image.name == "." ||
        image.name == "..")
        throw Error(ErrorCode::kBadRequest, "name '" + image.name + "' is not a file name");
    image.description = Text(object, "description", 256);
    image.feature_set = Text(object, "featureSet", 256);
    image.min_dram = Text(object, "minDram", 40);
    image.min_flash = Text(object, "minFlash", 40);
    image.k9 = Flag(object, "k9");
    image.eula = Flag(object, "eula");
    image.related = Flag(object, "related");
    image.software_advisory_url = Text(object, "softwareAdvisoryUrl", 256);
    image.deferral_notice_url = Text(object, "deferralNoticeUrl", 256);
    image.documents = Documents(object);
    return image;
}

std::string ParseClientName(std::string_view body) {
    return RequiredText(ObjectOf(body), "name", 100);
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
