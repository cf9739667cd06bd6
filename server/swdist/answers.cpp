#include "server/swdist/answers.hpp"

#include <charconv>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

namespace escd::server::swdist {
namespace {
namespace json = boost::json;

using model::catalogue::Document;
using model::catalogue::ImageGuid;
using model::catalogue::ImageRow;

// The titles Cisco's samples answer with: clients may log them, none decides on them.
constexpr std::string_view kPidReleaseTitle = "Get Metadata by PID and Current / Output Release";
constexpr std::string_view kPidImageTitle = "Get Metadata by PID, Image names";
constexpr std::string_view kImagesTitle = "GET Software Status by Software Image Names";
constexpr std::string_view kDownloadTitle = "GET Software Download URLs by PID";

std::string_view YesNo(bool yes) {
    return yes ? "Y" : "N";
}

/// A release's or an image's documents: `[{name, type, url}]`, as the images sample has them.
json::array DocumentArray(const std::vector<Document>& documents) {
    json::array out;
    for (const auto& document : documents)
        out.push_back(
            json::object{{"name", document.name}, {"type", document.type}, {"url", document.url}});
    return out;
}

/// An `exception` array: `[{code, message}]`, one entry per notice.
json::array NoticeArray(const std::vector<ImageNotice>& notices) {
    json::array out;
    for (const auto notice : notices)
        out.push_back(json::object{{"code", TokenOf(notice)}, {"message", MessageOf(notice)}});
    return out;
}

json::array NoticeArrayFor(const NoticesByImage& notices, const ImageGuid& guid) {
    const auto found = notices.find(guid);
    return found == notices.end() ? json::array{} : NoticeArray(found->second);
}

/// A numeric id as a JSON number where the sample shows one; kept as text if it is not digits.
json::value NumberOrText(std::string_view id) {
    std::uint64_t number = 0;
    const auto [end, error] = std::from_chars(id.data(), id.data() + id.size(), number);
    if (id.empty() || error != std::errc{} || end != id.data() + id.size()) return json::string(id);
    return number;
}

json::object TreeImage(const ImageRow& row, const NoticesByImage& notices) {
    const auto& image = row.image;
    // An image whose content was not uploaded yet has no size or checksums; "0" keeps the
    // clients that read `size` as a number parsing.
    const auto size = image.content ? std::to_string(image.content->size) : std::string("0");
    const auto& md5 = image.content ? image.content->md5 : std::string();
    const auto& sha512 = image.content ? image.content->sha512 : std::string();
    return json::object{
        {"imageGuid", image.guid.text()},
        {"name", image.name},
        {"imageName", image.name},
        {"size", size},
        {"imageSize", size},
        {"imageDescription", image.description},
        {"featureSetDescription", image.feature_set},
        {"minDram", image.min_dram},
        {"minFlash", image.min_flash},
        {"encryptionSoftwareIndicator", YesNo(image.k9)},
        {"md5", md5},
        {"sha512", sha512},
        {"docs", DocumentArray(image.documents)},
        {"isDeleted", YesNo(image.deleted_date.has_value())},
        {"deletedDate", image.deleted_date.value_or("")},
        {"releaseDate", row.release.fcs_date},
        {"softwareAdvisory", image.software_advisory_url},
        {"deferralNotice", image.deferral_notice_url},
        {"isRelated", YesNo(image.related)},
        {"exception", NoticeArrayFor(notices, image.guid)},
        // escd asks for no service contract: agreements are notices, not entitlements.
        {"additionalEntitlement", "N"},
        // The release's security advisory is the PSIRT notice of each of its images.
        {"psirtIndicator", YesNo(!row.release.security_advisory_url.empty())},
    };
}

/// A release without its images. Both spellings of lifecycle and of the field notice: the
/// samples write `lifeCycle` and `fieldNotice`, the field table `lifecycle` and `fieldNoticeUrl`.
json::object TreeRelease(const model::catalogue::Release& release) {
    return json::object{
        {"version", release.version},
        {"releaseVersion", release.version},
        {"fcsDate", release.fcs_date},
        {"message", release.message},
        {"lifeCycle", release.lifecycle},
        {"lifecycle", release.lifecycle},
        {"fieldNotice", release.field_notice_url},
        {"fieldNoticeUrl", release.field_notice_url},
        {"securityAdvisory", release.security_advisory_url},
        {"docs", DocumentArray(release.documents)},
        {"isSuggested", YesNo(release.suggested)},
        {"catalogMessage", release.catalog_message},
    };
}

/// Appends `node` to `list` with an empty array under `child_key` (the level below), and
/// returns that array as stored.
json::array& AppendNode(json::array& list, json::object node, std::string_view child_key) {
    node[child_key] = json::array{};
    list.push_back(std::move(node));
    return list.back().as_object()[child_key].as_array();
}

bool SameRelease(const model::catalogue::Release& a, const model::catalogue::Release& b) {
    return a.id == b.id && a.version == b.version;
}

/// `metadata[]`: a node per run of consecutive rows sharing a pid, then a product (its MDF
/// node), a software type, a platform, a release. The rows' order is the answer's: the caller
/// ordered them newest release first, which LRU reads as `releases[0]` is the latest.
json::array MetadataTree(const std::vector<ImageRow>& rows, const NoticesByImage& notices) {
    json::array metadata;
    const ImageRow* previous = nullptr;
    // The arrays of the nodes the previous row went into. A new node at one level replaces
    // every pointer below it, so none outlives a reallocation of the array holding its node.
    json::array* products = nullptr;
    json::array* software_types = nullptr;
    json::array* platforms = nullptr;
    json::array* releases = nullptr;
    json::array* images = nullptr;
    for (const auto& row : rows) {
        const bool new_pid = !previous || row.product.pid != previous->product.pid;
        const bool new_product = new_pid || row.product.mdf_id != previous->product.mdf_id;
        const bool new_type = new_product || row.software_type.id != previous->software_type.id;
        const bool new_platform =
            new_type || row.release.operating_platform != previous->release.operating_platform;
        const bool new_release = new_platform || !SameRelease(row.release, previous->release);
        if (new_pid) products = &AppendNode(metadata, {{"pid", row.product.pid}}, "products");
        if (new_product) {
            software_types = &AppendNode(
                *products,
                {{"mdfId", row.product.mdf_id}, {"mdfConceptName", row.product.mdf_concept_name}},
                "softwareTypes");
        }
        if (new_type) {
            platforms = &AppendNode(*software_types,
                                    {{"softwareTypeId", row.software_type.id},
                                     {"softwareTypeName", row.software_type.name}},
                                    "operatingSystems");
        }
        if (new_platform) {
            releases =
                &AppendNode(*platforms, {{"name", row.release.operating_platform}}, "releases");
        }
        if (new_release) images = &AppendNode(*releases, TreeRelease(row.release), "images");
        images->push_back(TreeImage(row, notices));
        previous = &row;
    }
    return metadata;
}

/// What every paginated answer starts with.
json::object PagedAnswer(const Pagination& pagination,
                         std::string_view self_link,
                         std::string_view title) {
    const auto pages = PaginationObject(pagination);
    return json::object{{"pagination", pages},
                        {"paginationResponseRecord", pages},
                        {"selfLink", self_link},
                        {"title", title}};
}

json::object MetadataAnswer(const MetadataPage& page, std::string_view title) {
    auto answer = PagedAnswer(Pagination::Of(page.paging, page.total_records, page.rows.size()),
                              page.self_link, title);
    answer["metadataTransId"] = page.metadata_trans_id;
    return answer;
}

json::array TextArray(const std::vector<std::string>& texts) {
    json::array out;
    for (const auto& text : texts) out.push_back(json::string(text));
    return out;
}

json::object K9Content() {
    return json::object{
        {"k9Form",
         "<p>This software contains strong encryption. Its export, re-export, transfer and use "
         "are controlled by the export laws of the country it comes from and of the countries "
         "it goes to. Say what your organization is and confirm the statement below to "
         "download it.</p>"},
        {"businessDivisionLabel", "Your organization's business function"},
        {"commercialCivilianLabel", "A commercial or civilian organization"},
        // The reference's sample capitalises this key and misspells confirmationLabel below;
        // clients written against it read those, others the regular spelling: both are here.
        {"CommercialCivilianValue", "COMM_OR_CIVIL"},
        {"commercialCivilianValue", "COMM_OR_CIVIL"},
        {"govMilitaryLabel", "A government entity, a military entity or a defense contractor"},
        {"govMilitaryText",
         "If your organization is a government entity, a military entity or a defense "
         "contractor: is it in one of the countries to which the software's publisher may "
         "deliver strong encryption software without an export license?"},
        {"govMilitaryValue", "GOV_OR_MIL"},
        {"govMilitaryYesLabel", "Yes"},
        {"govMilitaryYesValue", "GOV_OR_MIL_COUNTRIES_YES"},
        {"govMilitaryNoLabel", "No"},
        {"govMilitaryNoValue", "GOV_OR_MIL_COUNTRIES_NO"},
        {"confirmantionLabel", "Confirmation"},
        {"confirmationLabel", "Confirmation"},
        {"confirmationValue", "CONFIRM_CHECKED"},
        {"confirmationText",
         "By checking this field I certify that I am authorized to answer for my organization, "
         "that the answers above are true, and that my organization will export, re-export and "
         "use this software only as the export laws that apply to it allow."},
        {"acceptLabel", "Accept"},
        {"acceptValue", "Accepted"},
        {"declineLabel", "Decline"},
        {"declineValue", "Declined"},
    };
}

json::object EulaContent(const ComplianceSettings& settings) {
    return json::object{
        {"appId", "ESCD"},
        {"label", settings.eula_label},
        {"content", settings.eula_text},
        {"acceptButtonLabel", "Accept License Agreement"},
        {"acceptButtonValue", "Accepted"},
        {"declineButtonLabel", "Decline"},
        {"declineButtonValue", "Declined"},
    };
}

/// `acceptanceForm`: {} when no link awaits an agreement, else the forms awaited. A single
/// `webForm` and `subAppVersion` fit one form: with both awaited they are the K9 form's, the
/// stricter of the two.
json::object AcceptanceForm(const std::vector<DownloadLink>& links,
                            const ComplianceSettings& settings) {
    bool awaits_k9 = false;
    bool awaits_eula = false;
    for (const auto& link : links) {
        for (const auto notice : link.notices) {
            awaits_k9 = awaits_k9 || AwaitsK9Form(notice);
            awaits_eula = awaits_eula || AwaitsEula(notice);
        }
    }
    json::object form;
    if (awaits_k9) form["k9Content"] = K9Content();
    if (awaits_eula) form["eulaContent"] = EulaContent(settings);
    if (awaits_k9) {
        form["webForm"] = settings.k9_web_form;
        form["subAppVersion"] = settings.k9_version;
    } else if (awaits_eula) {
        form["webForm"] = settings.eula_web_form;
        form["subAppVersion"] = settings.eula_version;
    }
    return form;
}

json::object DownloadItem(const DownloadLink& link) {
    bool withheld = false;
    for (const auto notice : link.notices) withheld = withheld || WithholdsDownload(notice);
    // A link to an image whose agreement is pending must not work around it.
    return json::object{
        {"imageGuid", link.guid.text()},
        {"imageName", link.image_name},
        {"url", withheld ? std::string() : link.url},
        {"token", withheld ? std::string() : link.token},
        {"sessionId", link.session_id},
        {"exception", NoticeArray(link.notices)},
    };
}

/// What every compliance answer starts with: the reference's "0"/"success".
json::object ComplianceStatus() {
    return json::object{{"statusCode", "0"}, {"statusMessage", "success"}};
}

}  // namespace

Pagination Pagination::Of(const Paging& paging,
                          std::uint64_t total_records,
                          std::uint64_t page_records) {
    const auto per_page = static_cast<std::uint64_t>(paging.per_page > 0 ? paging.per_page : 1);
    Pagination pagination;
    pagination.page_index = paging.page_index;
    pagination.last_index = total_records == 0 ? 1 : (total_records + per_page - 1) / per_page;
    pagination.total_records = total_records;
    pagination.page_records = page_records;
    return pagination;
}

json::object PaginationObject(const Pagination& pagination) {
    return json::object{{"pageIndex", pagination.page_index},
                        {"lastIndex", pagination.last_index},
                        {"totalRecords", pagination.total_records},
                        {"pageRecords", pagination.page_records}};
}

json::object PidReleaseAnswer(const MetadataPage& page) {
    auto answer = MetadataAnswer(page, kPidReleaseTitle);
    answer["metadata"] = MetadataTree(page.rows, page.notices);
    return answer;
}

json::object PidImageAnswer(const MetadataPage& page,
                            const std::vector<std::string>& invalid_images) {
    auto answer = MetadataAnswer(page, kPidImageTitle);
    answer["invalidImages"] = TextArray(invalid_images);
    answer["metadata"] = MetadataTree(page.rows, page.notices);
    return answer;
}

json::object ImagesAnswer(const std::vector<ImageRow>& rows,
                          const std::vector<std::string>& invalid_images,
                          const NoticesByImage& notices,
                          std::string_view self_link) {
    json::array metadata;
    for (const auto& row : rows) {
        const auto& image = row.image;
        // Here the sample writes the ids and the size as numbers, unlike the metadata tree.
        metadata.push_back(json::object{
            {"imageName", image.name},
            {"softwareTypeId", NumberOrText(row.software_type.id)},
            {"softwareTypeName", row.software_type.name},
            {"isDeleted", YesNo(image.deleted_date.has_value())},
            {"deletedDate", image.deleted_date.value_or("")},
            {"releaseFcsDate", row.release.fcs_date},
            {"imageDescription", image.description},
            {"featureSetDescription", image.feature_set},
            {"minDram", image.min_dram},
            {"minFlash", image.min_flash},
            {"imageSize", image.content ? image.content->size : 0},
            {"md5", image.content ? image.content->md5 : std::string()},
            {"sha512", image.content ? image.content->sha512 : std::string()},
            {"encryptionSoftwareIndicator", YesNo(image.k9)},
            {"imageDocs", DocumentArray(image.documents)},
            {"exception", NoticeArrayFor(notices, image.guid)},
        });
    }
    return json::object{{"selfLink", self_link},
                        {"title", kImagesTitle},
                        {"invalidImages", TextArray(invalid_images)},
                        {"metadata", std::move(metadata)}};
}

json::object DownloadAnswer(std::string_view session_id,
                            const std::vector<DownloadLink>& links,
                            const ComplianceSettings& settings,
                            std::string_view self_link) {
    const Paging one_page{1, kMaxPerPage};
    auto answer = PagedAnswer(Pagination::Of(one_page, links.size(), links.size()), self_link,
                              kDownloadTitle);
    answer["sessionId"] = session_id;
    answer["acceptanceForm"] = AcceptanceForm(links, settings);
    json::array downloads;
    for (const auto& link : links) downloads.push_back(DownloadItem(link));
    answer["downloads"] = std::move(downloads);
    return answer;
}

json::object K9FormAnswer(const ComplianceSettings& settings, std::string_view client_id) {
    auto answer = ComplianceStatus();
    answer["subAppVersion"] = settings.k9_version;
    answer["k9Content"] = K9Content();
    answer["userDetails"] = json::object{{"userId", client_id},
                                         {"firstname", ""},
                                         {"lastname", ""},
                                         {"fullname", client_id},
                                         {"userEmail", ""}};
    answer["webForm"] = settings.k9_web_form;
    return answer;
}

json::object EulaFormAnswer(const ComplianceSettings& settings) {
    auto answer = ComplianceStatus();
    answer["subAppVersion"] = settings.eula_version;
    answer["eulaContent"] = EulaContent(settings);
    answer["webForm"] = settings.eula_web_form;
    return answer;
}

json::object AgreementRecordedAnswer() {
    return ComplianceStatus();
}

}  // namespace escd::server::swdist
