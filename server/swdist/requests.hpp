#pragma once
/// @file
/// The Software Distribution face's requests, parsed once at the edge into typed values
/// (docs/catalogue.md, "Software Distribution API"). Real clients disagree on spelling,
/// so the parsers are lenient where the meaning is plain and strict where it is not:
/// - keys are matched without regard to case (`PID`/`pid`, `perPage`/`perpage`,
///   `busFunction`/`busfunction`);
/// - numbers may come as JSON numbers or as numeric strings (`"pageIndex":"1"`,
/// `"mdfId":286305578`);
/// - lists may come as JSON arrays or as one comma-joined string (`"fileNames":"a.bin,b.bin"`);
/// - text values are trimmed of surrounding blanks, and an empty value is an absent one;
/// - the query string fills in what the body does not say: old clients POST their parameters in
///   the query with no body at all;
/// - a trailing comma in the body is forgiven (the reference's own K9 sample has one).
/// Every refusal is an ApiError whose message names the field and, where there is one, the value.
/// Each parser takes the raw body and the raw query string (without the '?').

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "model/catalogue/catalogue.hpp"

namespace escd::server::swdist {

/// The reference's limits.
inline constexpr std::size_t kMaxTextLength = 256;      ///< pid, versions, image names
inline constexpr std::size_t kMaxImagesPerRequest = 5;  ///< imageNames, imageGuids
inline constexpr std::size_t kMaxTransactionIdLength = 40;
inline constexpr std::size_t kMaxMdfIdLength = 20;
inline constexpr int kMaxPageIndex = 99999;
inline constexpr int kMaxPerPage = 25;

/// Which page of a metadata answer the client asks for (1-based).
struct Paging {
    int page_index = 1;          ///< 1..kMaxPageIndex
    int per_page = kMaxPerPage;  ///< 1..kMaxPerPage
    friend bool operator==(const Paging&, const Paging&) = default;
};

/// `outputReleaseVersion`: the newest release, every release above the current one, or one
/// release by its version.
struct OutputRelease {
    enum class Kind { kLatest, kAbove, kSpecific };
    Kind kind = Kind::kLatest;
    std::string version;  ///< kSpecific only
};

/// POST metadata/pidrelease.
struct PidReleaseRequest {
    std::string pid;
    std::string current_release;
    OutputRelease output;
    Paging paging;
};

/// POST metadata/pidimage.
struct PidImageRequest {
    std::string pid;
    std::vector<std::string> image_names;  ///< 1..5, in the client's order, without repeats
    Paging paging;
};

/// POST metadata/images (not paginated).
struct ImagesRequest {
    std::vector<std::string> image_names;  ///< 1..5, in the client's order, without repeats
};

/// POST download/pidimage.
struct DownloadRequest {
    std::string pid;
    std::string mdf_id;                              ///< digits
    std::string metadata_trans_id;                   ///< digits, 1..40
    std::vector<model::catalogue::ImageGuid> guids;  ///< 1..5, without repeats
};

/// POST compliance/eula and compliance/k9: the caller's answer to an agreement.
struct AgreementAnswer {
    enum class Choice { kAccepted, kDeclined };
    /// K9 `busFunction`: what the caller's organisation is.
    enum class BusinessFunction {
        kNotSaid,
        kCommercialOrCivilian,  ///< COMM_OR_CIVIL
        kGovernmentOrMilitary,  ///< GOV_OR_MIL (a government, military or defence contractor)
    };
    /// K9 `govMilCountries`: whether a government or military caller is in one of the countries
    /// the form lists.
    enum class GovMilCountries {
        kNotSaid,    ///< absent, or the reference's placeholder value GOV_OR_MIL
        kListed,     ///< GOV_OR_MIL_COUNTRIES_YES
        kNotListed,  ///< GOV_OR_MIL_COUNTRIES_NO
    };

    Choice choice = Choice::kDeclined;
    std::vector<std::string> file_names;  ///< the images the answer is for; may be empty
    std::string decline_comments;         ///< only when declined (then never empty)
    // K9 only:
    BusinessFunction business_function = BusinessFunction::kNotSaid;
    bool confirmed = false;  ///< `confirm` was CONFIRM_CHECKED
    GovMilCountries gov_mil_countries = GovMilCountries::kNotSaid;
};

PidReleaseRequest ParsePidReleaseRequest(std::string_view body, std::string_view query);
PidImageRequest ParsePidImageRequest(std::string_view body, std::string_view query);
ImagesRequest ParseImagesRequest(std::string_view body, std::string_view query);
DownloadRequest ParseDownloadRequest(std::string_view body, std::string_view query);
/// `status`, `fileNames`, `declineComments`.
AgreementAnswer ParseEulaAnswer(std::string_view body, std::string_view query);
/// The EULA's fields, and when accepted `confirm` (CONFIRM_CHECKED), `busFunction` and, for a
/// government or military caller, `govMilCountries` (YES or NO).
AgreementAnswer ParseK9Answer(std::string_view body, std::string_view query);

/// The spellings clients send and the K9 form offers.
std::string_view TokenOf(AgreementAnswer::Choice choice) noexcept;              ///< "Accepted"
std::string_view TokenOf(AgreementAnswer::BusinessFunction function) noexcept;  ///< "COMM_OR_CIVIL"
std::string_view TokenOf(
    AgreementAnswer::GovMilCountries countries) noexcept;  ///< "GOV_OR_MIL_COUNTRIES_NO"

}  // namespace escd::server::swdist
