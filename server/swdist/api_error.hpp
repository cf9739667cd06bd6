#pragma once
/// @file
/// The Software Distribution face's errors (docs/catalogue.md, "Software Distribution API"): the
/// application tokens of Cisco's ASD v4.0 error table that this face answers with, each with its
/// HTTP status and the table's description, and the JSON body clients search for a `code` and a
/// `message` in. Per-image notices (ImageNotice) are not errors: they travel inside a 200 answer,
/// in an image's or a download's `exception` array.

#include <exception>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace escd::server::swdist {

/// The errors this face answers with; the comment is the token clients see.
enum class ApiErrorCode {
    kPidInvalid,             ///< PID_INVALID (400)
    kPidMissing,             ///< PID_MISSING (400)
    kMdfIdInvalid,           ///< MDFID_INVALID (400)
    kMdfIdMissing,           ///< MDFID_MISSING (400)
    kCurrentReleaseMissing,  ///< CUR_REL_MISSING (400)
    kOutputReleaseMissing,   ///< OUT_REL_MISSING (400)
    kOutputReleaseInvalid,   ///< OUTPUT_REL_INVALID (400)
    kImageNameMissing,       ///< IMG_NM_MISSING (400)
    kImageNameInvalid,       ///< IMG_NM_INVALID (400)
    kImageLimitExceeded,     ///< IMAGE_LIMIT_EXCEEDED (400)
    kTransactionIdMissing,   ///< MTRANSID_MISSING (400)
    kTransactionIdInvalid,   ///< INVALID_MTRANSID (400)
    kTransactionIdExpired,   ///< MTRANSID_EXPIRED (400)
    kImageGuidMissing,       ///< IMAGE_GUID_MISSING (400)
    kImageGuidInvalid,       ///< IMAGE_GUID_INVALID (400)
    kInvalidInput,           ///< INVALID_INPUT (400)
    kNoDataFound,            ///< NO_DATA_FOUND (404)
    kNoDataFoundForPid,      ///< NO_DATA_FOUND_FOR_PID (400)
    kNotAuthorized,          ///< NOT_AUTHORIZED (403): the bearer token is missing or invalid
    kUnsupportedMediaType,   ///< INVALID_MEDIATYPE (415)
    kUnexpectedFailure,      ///< SER_UNEXPECT_FAIL (500)
};

/// "PID_INVALID", ...: what the `code` of the error body says.
std::string_view TokenOf(ApiErrorCode code) noexcept;
/// The status the reference's table gives the token.
int HttpStatusOf(ApiErrorCode code) noexcept;
/// The reference's description of the token: the message when nothing more specific is known.
std::string_view DescriptionOf(ApiErrorCode code) noexcept;

/// A request this face refuses, with a message that names the bad field or value
/// ("pid 'X' is not in the catalogue").
class ApiError : public std::exception {
  public:
    /// The reference's description as the message.
    explicit ApiError(ApiErrorCode code);
    ApiError(ApiErrorCode code, std::string message);

    ApiErrorCode code() const noexcept { return code_; }
    int http_status() const noexcept { return HttpStatusOf(code_); }
    const std::string& message() const noexcept { return message_; }
    const char* what() const noexcept override { return message_.c_str(); }

  private:
    ApiErrorCode code_;
    std::string message_;
};

/// `{"exception":[{"code":"PID_INVALID","message":"..."}]}` (docs/catalogue.md): the shape
/// found both by clients reading `exception.code` and by those searching any object holding a
/// `code` and a `message`.
boost::json::object ErrorBody(const ApiError& error);

/// What the reference's per-image codes of a 200 answer say about one image: an advisory, or a
/// download withheld until the caller accepts (or was refused) an agreement.
enum class ImageNotice {
    kSoftwareAdvisory,     ///< SW_ADV_IMAGE: a software advisory is attached to the image
    kDeferralAdvisory,     ///< DEF_ADV_IMAGE: the image's release is deferred
    kK9Download,           ///< K9_IMG_DWLD: strong encryption; no URL until the K9 form is accepted
    kK9Rejected,           ///< K9_REJECTED: the caller's K9 answer does not allow the download
    kK9FormUnanswered,     ///< K9_FORM_AR: the K9 form was neither accepted nor declined
    kEulaFormUnanswered,   ///< EULA_FORM_AR: the EULA was neither accepted nor declined
    kK9FormNotAccepted,    ///< K9_FORM_ACC: the K9 form was declined
    kEulaFormNotAccepted,  ///< EULA_FORM_ACC: the EULA was declined
    kK9AndEulaUnanswered,  ///< K9_EULA_FORM_AR: both forms are still to be answered
};

/// "SW_ADV_IMAGE", ...: the `code` of the notice's `exception` entry.
std::string_view TokenOf(ImageNotice notice) noexcept;
/// escd's wording of the notice: the `message` of its `exception` entry.
std::string_view MessageOf(ImageNotice notice) noexcept;
/// Whether the image gets no download URL while the notice holds (every agreement code, and a
/// K9 refusal); advisories only inform.
bool WithholdsDownload(ImageNotice notice) noexcept;
/// Whether accepting the K9 form would lift the notice: the download answer then carries the
/// form (`k9Content`).
bool AwaitsK9Form(ImageNotice notice) noexcept;
/// Whether accepting the EULA would lift the notice (`eulaContent`).
bool AwaitsEula(ImageNotice notice) noexcept;

}  // namespace escd::server::swdist
