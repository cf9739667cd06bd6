#include "server/swdist/api_error.hpp"

#include <boost/json/array.hpp>

namespace escd::server::swdist {
namespace {

/// One row of the reference's error table, as this face uses it.
struct ApiErrorRow {
    std::string_view token;
    int status;
    std::string_view description;
};

// The descriptions are the reference's (typos included: a client may have matched on them);
// NOT_AUTHORIZED, INVALID_MEDIATYPE and SER_UNEXPECT_FAIL come from its generic table, where
// the gateway answers them.
ApiErrorRow RowOf(ApiErrorCode code) noexcept {
    switch (code) {
        case ApiErrorCode::kPidInvalid:
            return {"PID_INVALID", 400,
                    "pid provided in the request is invalid. Please invoke the service with the "
                    "valid pid."};
        case ApiErrorCode::kPidMissing:
            return {"PID_MISSING", 400,
                    "pid is missing in the request. Please provide a valid pid in the request."};
        case ApiErrorCode::kMdfIdInvalid:
            return {"MDFID_INVALID", 400,
                    "mdfId provided in the request is invalid. Please invoke the service with "
                    "the valid mdfId."};
        case ApiErrorCode::kMdfIdMissing:
            return {"MDFID_MISSING", 400,
                    "mdfId is missing in the request. Please provide a valid mdfId in the "
                    "request."};
        case ApiErrorCode::kCurrentReleaseMissing:
            return {"CUR_REL_MISSING", 400,
                    "currentReleaseVersion is missing in the request. Please provide a valid "
                    "releaseVersion in the request."};
        case ApiErrorCode::kOutputReleaseMissing:
            // The reference describes OUT_REL_MISSING with OUTPUT_REL_INVALID's words.
            return {"OUT_REL_MISSING", 400,
                    "output_release value provided in the request is invalid. Please invoke the "
                    "service with the valid output_release."};
        case ApiErrorCode::kOutputReleaseInvalid:
            return {"OUTPUT_REL_INVALID", 400,
                    "output_release value provided in the request is invalid. Please invoke the "
                    "service with the valid output_release."};
        case ApiErrorCode::kImageNameMissing:
            return {"IMG_NM_MISSING", 400,
                    "imageNames is missing in the request. Please provide atleast one valid "
                    "imageNames."};
        case ApiErrorCode::kImageNameInvalid:
            return {"IMG_NM_INVALID", 400,
                    "imageName provided is invalid. Please provide the valid imageName."};
        case ApiErrorCode::kImageLimitExceeded:
            return {"IMAGE_LIMIT_EXCEEDED", 400,
                    "The number of image names entered in the request has exceeded the limit."};
        case ApiErrorCode::kTransactionIdMissing:
            return {"MTRANSID_MISSING", 400,
                    "metadata_trans_id is missing in the request. Please provide a valid "
                    "metadata_trans_id in the request."};
        case ApiErrorCode::kTransactionIdInvalid:
            return {"INVALID_MTRANSID", 400, "Invalid metadata_trans_id."};
        case ApiErrorCode::kTransactionIdExpired:
            return {"MTRANSID_EXPIRED", 400,
                    "metadata_trans_id had been previously granted that has expired due to time "
                    "limit on its validity. Please invoke the metadata service and initiate the "
                    "download."};
        case ApiErrorCode::kImageGuidMissing:
            return {"IMAGE_GUID_MISSING", 400,
                    "image_guid is missing in the request. Please provide a valid image_guid in "
                    "the request."};
        case ApiErrorCode::kImageGuidInvalid:
            return {"IMAGE_GUID_INVALID", 400,
                    "The image_guid provided in the request is invalid. Please provide a valid "
                    "image_guid."};
        case ApiErrorCode::kInvalidInput:
            return {"INVALID_INPUT", 400, "Invalid input or No data found for the input provided."};
        case ApiErrorCode::kNoDataFound:
            return {"NO_DATA_FOUND", 404, "No Data Found."};
        case ApiErrorCode::kNoDataFoundForPid:
            return {"NO_DATA_FOUND_FOR_PID", 400, "No Data Found for the PID."};
        case ApiErrorCode::kNotAuthorized:
            return {"NOT_AUTHORIZED", 403, "Token is invalid."};
        case ApiErrorCode::kUnsupportedMediaType:
            return {"INVALID_MEDIATYPE", 415, "Unsupported media type input by the user."};
        case ApiErrorCode::kUnexpectedFailure:
            break;
    }
    return {"SER_UNEXPECT_FAIL", 500,
            "Service has encountered an unexpected failure.Please contact the support with the "
            "data requested."};
}

}  // namespace

std::string_view TokenOf(ApiErrorCode code) noexcept {
    return RowOf(code).token;
}

int HttpStatusOf(ApiErrorCode code) noexcept {
    return RowOf(code).status;
}

std::string_view DescriptionOf(ApiErrorCode code) noexcept {
    return RowOf(code).description;
}

ApiError::ApiError(ApiErrorCode code) : ApiError(code, std::string(DescriptionOf(code))) {}

ApiError::ApiError(ApiErrorCode code, std::string message)
    : code_(code), message_(std::move(message)) {}

boost::json::object ErrorBody(const ApiError& error) {
    boost::json::object entry{{"code", TokenOf(error.code())}, {"message", error.message()}};
    return boost::json::object{{"exception", boost::json::array{std::move(entry)}}};
}

std::string_view TokenOf(ImageNotice notice) noexcept {
    switch (notice) {
        case ImageNotice::kSoftwareAdvisory:
            return "SW_ADV_IMAGE";
        case ImageNotice::kDeferralAdvisory:
            return "DEF_ADV_IMAGE";
        case ImageNotice::kK9Download:
            return "K9_IMG_DWLD";
        case ImageNotice::kK9Rejected:
            return "K9_REJECTED";
        case ImageNotice::kK9FormUnanswered:
            return "K9_FORM_AR";
        case ImageNotice::kEulaFormUnanswered:
            return "EULA_FORM_AR";
        case ImageNotice::kK9FormNotAccepted:
            return "K9_FORM_ACC";
        case ImageNotice::kEulaFormNotAccepted:
            return "EULA_FORM_ACC";
        case ImageNotice::kK9AndEulaUnanswered:
            return "K9_EULA_FORM_AR";
    }
    return "SW_ADV_IMAGE";
}

// escd's own wording: the reference's texts speak for Cisco and name its offices.
std::string_view MessageOf(ImageNotice notice) noexcept {
    switch (notice) {
        case ImageNotice::kSoftwareAdvisory:
            return "A software advisory is attached to this image; read it before installing.";
        case ImageNotice::kDeferralAdvisory:
            return "The release of this image is deferred; read its deferral notice before "
                   "installing.";
        case ImageNotice::kK9Download:
            return "This image contains strong encryption: its download URL is given once the "
                   "K9 (encryption software) form is accepted.";
        case ImageNotice::kK9Rejected:
            return "The K9 (encryption software) form answered for this caller does not allow "
                   "the download of strong encryption software. Ask the catalogue's operator if "
                   "you believe this is wrong.";
        case ImageNotice::kK9FormUnanswered:
            return "The K9 (encryption software) form has not been accepted or declined yet; "
                   "answer it to continue the download.";
        case ImageNotice::kEulaFormUnanswered:
            return "The end user license agreement has not been accepted or declined yet; "
                   "answer it to continue the download.";
        case ImageNotice::kK9FormNotAccepted:
            return "The K9 (encryption software) form has not been accepted; accept it to "
                   "continue the download.";
        case ImageNotice::kEulaFormNotAccepted:
            return "The end user license agreement has not been accepted; accept it to continue "
                   "the download.";
        case ImageNotice::kK9AndEulaUnanswered:
            return "Neither the end user license agreement nor the K9 (encryption software) "
                   "form has been accepted or declined yet; answer both to continue the "
                   "download.";
    }
    return "";
}

// Every notice is listed in each switch: a new one must be decided on, not defaulted.
bool WithholdsDownload(ImageNotice notice) noexcept {
    switch (notice) {
        case ImageNotice::kSoftwareAdvisory:
        case ImageNotice::kDeferralAdvisory:
            return false;
        case ImageNotice::kK9Download:
        case ImageNotice::kK9Rejected:
        case ImageNotice::kK9FormUnanswered:
        case ImageNotice::kEulaFormUnanswered:
        case ImageNotice::kK9FormNotAccepted:
        case ImageNotice::kEulaFormNotAccepted:
        case ImageNotice::kK9AndEulaUnanswered:
            return true;
    }
    return true;
}

bool AwaitsK9Form(ImageNotice notice) noexcept {
    switch (notice) {
        case ImageNotice::kK9Download:
        case ImageNotice::kK9FormUnanswered:
        case ImageNotice::kK9FormNotAccepted:
        case ImageNotice::kK9AndEulaUnanswered:
            return true;
        // A refused K9 answer is not lifted by showing the form again.
        case ImageNotice::kK9Rejected:
        case ImageNotice::kSoftwareAdvisory:
        case ImageNotice::kDeferralAdvisory:
        case ImageNotice::kEulaFormUnanswered:
        case ImageNotice::kEulaFormNotAccepted:
            return false;
    }
    return false;
}

bool AwaitsEula(ImageNotice notice) noexcept {
    switch (notice) {
        case ImageNotice::kEulaFormUnanswered:
        case ImageNotice::kEulaFormNotAccepted:
        case ImageNotice::kK9AndEulaUnanswered:
            return true;
        case ImageNotice::kSoftwareAdvisory:
        case ImageNotice::kDeferralAdvisory:
        case ImageNotice::kK9Download:
        case ImageNotice::kK9Rejected:
        case ImageNotice::kK9FormUnanswered:
        case ImageNotice::kK9FormNotAccepted:
            return false;
    }
    return false;
}

}  // namespace escd::server::swdist
