#include "model/catalogue/catalogue_json.hpp"

#include "common/error.hpp"

namespace escd::model::catalogue {
namespace {

namespace json = boost::json;

}  // namespace

json::object ParseObject(std::string_view body) {
    boost::system::error_code ec;
    auto value = json::parse(body, ec);
    if (ec) throw Error(ErrorCode::kBadRequest, "the body is not JSON: " + ec.message());
    if (!value.is_object()) throw Error(ErrorCode::kBadRequest, "the body is not a JSON object");
    return std::move(value.as_object());
}

namespace {

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

}  // namespace

std::string TextOf(const json::object& object, std::string_view key, std::size_t max) {
    return Text(object, key, max);
}

Product ProductFrom(const json::object& object, std::string pid) {
    if (pid.empty() || pid.size() > 256)
        throw Error(ErrorCode::kBadRequest, "a pid has 1 to 256 characters");
    Product product{std::move(pid), RequiredText(object, "mdfId", 20),
                    Text(object, "mdfConceptName", 256)};
    RequireDigits(product.mdf_id, "mdfId");
    return product;
}

SoftwareType SoftwareTypeFrom(const json::object& object, std::string id) {
    RequireDigits(id, "softwareTypeId");
    return {std::move(id), RequiredText(object, "name", 100)};
}

ReleaseInput ReleaseFrom(const json::object& object) {
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

Image ImageFrom(const json::object& object, std::int64_t release_id) {
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

}  // namespace escd::model::catalogue
