#pragma once
/// @file
/// The Software Distribution face's 200 answers, as boost::json objects for the HTTP layer to
/// serialize (the shapes of the reference's samples; docs/catalogue.md, "Software Distribution
/// API").
/// What a client reads is written the way the samples write it: ids and sizes of the metadata
/// tree as strings, flags as "Y"/"N", dates as yyyy-mm-dd, and every field present (empty when
/// there is nothing to say) so that clients indexing into the answer never miss a key.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "model/catalogue/catalogue.hpp"
#include "server/swdist/api_error.hpp"
#include "server/swdist/requests.hpp"

namespace escd::server::swdist {

/// The notices to put in each image's `exception` array; an image not in the map gets `[]`.
using NoticesByImage = std::map<model::catalogue::ImageGuid, std::vector<ImageNotice>>;

/// `pagination` (and `paginationResponseRecord`: notes 3.1 found both names in use).
struct Pagination {
    int page_index = 1;
    std::uint64_t last_index = 1;     ///< the number of pages; 1 when there is nothing
    std::uint64_t total_records = 0;  ///< images matching the request, on all pages
    std::uint64_t page_records = 0;   ///< images on this page

    /// The pagination of the page `paging` asked for, holding `page_records` of `total_records`.
    static Pagination Of(const Paging& paging,
                         std::uint64_t total_records,
                         std::uint64_t page_records);
};

boost::json::object PaginationObject(const Pagination& pagination);

/// One page of a metadata answer (pidrelease, pidimage).
struct MetadataPage {
    std::string metadata_trans_id;  ///< the transaction a download of these images names
    /// The page's images, in the order to show them: newest release first, the rows of one
    /// product, software type, platform and release next to each other (consecutive rows that
    /// share them are grouped; the order is kept as it is).
    std::vector<model::catalogue::ImageRow> rows;
    Paging paging;                    ///< the page asked for
    std::uint64_t total_records = 0;  ///< images matching the request, on all pages
    NoticesByImage notices;
    std::string self_link;  ///< the URL the client called
};

/// POST metadata/pidrelease.
boost::json::object PidReleaseAnswer(const MetadataPage& page);
/// POST metadata/pidimage: also lists the requested names that matched no image (a warning).
boost::json::object PidImageAnswer(const MetadataPage& page,
                                   const std::vector<std::string>& invalid_images);

/// POST metadata/images: the status of each image found (`rows`, one per image, in the order
/// to show them) and the requested names that matched none.
boost::json::object ImagesAnswer(const std::vector<model::catalogue::ImageRow>& rows,
                                 const std::vector<std::string>& invalid_images,
                                 const NoticesByImage& notices,
                                 std::string_view self_link);

/// What the compliance answers say besides the fixed K9 form: where a client answers the forms
/// (web forms on escd's own listener), their versions, and the EULA's text.
struct ComplianceSettings {
    /// The default `eulaContent.content`: the software's publisher's terms apply, not escd's.
    static constexpr std::string_view kDefaultEulaText =
        "To download this software, confirm that you have read and agree to be bound by the "
        "end user license agreement of its publisher and by any supplemental terms the "
        "publisher attaches to it. This catalogue distributes the software on the publisher's "
        "behalf and grants no license of its own.";

    std::string k9_web_form;       ///< "https://escd.example:8443/software/v4.0/compliance/k9"
    std::string eula_web_form;     ///< "https://escd.example:8443/software/v4.0/compliance/eula"
    std::string k9_version = "1";  ///< the K9 form's `subAppVersion`
    /// The EULA's `subAppVersion`: a new one with every change of its text.
    std::string eula_version = "1";
    std::string eula_label = "End User License Agreement";
    std::string eula_text = std::string(kDefaultEulaText);  ///< HTML allowed
};

/// One image of a download answer.
struct DownloadLink {
    model::catalogue::ImageGuid guid;
    std::string image_name;
    std::string url;    ///< not shown while a notice withholds the download
    std::string token;  ///< "" for a plain GET download
    std::string session_id;
    std::vector<ImageNotice> notices;
};

/// POST download/pidimage. An image whose notices withhold its download gets an empty url and
/// token; when a notice awaits an agreement, `acceptanceForm` carries its `k9Content` and/or
/// `eulaContent` (clients look for those keys), the form's `webForm` and `subAppVersion`.
boost::json::object DownloadAnswer(std::string_view session_id,
                                   const std::vector<DownloadLink>& links,
                                   const ComplianceSettings& settings,
                                   std::string_view self_link);

/// GET compliance/k9: the K9 (encryption software) form. `client_id` is the caller, shown in
/// `userDetails` (an API client has no person's name).
boost::json::object K9FormAnswer(const ComplianceSettings& settings, std::string_view client_id);
/// GET compliance/eula.
boost::json::object EulaFormAnswer(const ComplianceSettings& settings);
/// POST compliance/k9 and compliance/eula: `{"statusCode":"0","statusMessage":"success"}`.
boost::json::object AgreementRecordedAnswer();

}  // namespace escd::server::swdist
