#include "server/swdist/requests.hpp"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <map>
#include <optional>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "common/error.hpp"
#include "common/text.hpp"
#include "server/query.hpp"
#include "server/swdist/api_error.hpp"

namespace escd::server::swdist {
namespace {
namespace json = boost::json;

using model::catalogue::ImageGuid;

/// A free-text comment is not a name: longer than the reference's 256, but still bounded.
constexpr std::size_t kMaxCommentLength = 1000;

std::string_view TrimBlanks(std::string_view text) {
    constexpr std::string_view kBlanks = " \t\r\n";
    const auto first = text.find_first_not_of(kBlanks);
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(kBlanks);
    return text.substr(first, last - first + 1);
}

bool HasControlCharacters(std::string_view text) {
    return std::any_of(text.begin(), text.end(), [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0x7f;
    });
}

bool IsDigits(std::string_view text) {
    return !text.empty() &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// How a value the client sent appears in an error message.
std::string ShownValue(const json::value& value) {
    if (value.is_string()) return Shown(value.get_string());
    return Shown(json::serialize(value));
}

/// A scalar's text: a string trimmed, an integer in decimal. Nothing for an object, an array, a
/// boolean or a fraction, none of which any field of this face can mean.
std::optional<std::string> ScalarText(const json::value& value) {
    if (value.is_string()) return std::string(TrimBlanks(value.get_string()));
    if (value.is_int64()) return std::to_string(value.get_int64());
    if (value.is_uint64()) return std::to_string(value.get_uint64());
    return std::nullopt;
}

/// A request's fields by lower-cased key: the body's members first, then the query parameters
/// the body does not have (old clients send them there, with no body).
class RequestFields {
  public:
    RequestFields(std::string_view body, std::string_view query) {
        body = TrimBlanks(body);
        if (!body.empty()) AddBody(body);
        AddQuery(query);
    }

    /// The field named `name` (any case); nullptr when absent or null.
    const json::value* Find(std::string_view name) const {
        const auto* value = by_key_.if_contains(Lower(name));
        return value && !value->is_null() ? value : nullptr;
    }

    /// The field's text; nothing when absent, null or empty. Throws `invalid` when it is not a
    /// scalar.
    std::optional<std::string> Text(std::string_view name, ApiErrorCode invalid) const {
        const auto* value = Find(name);
        if (!value) return std::nullopt;
        auto text = ScalarText(*value);
        if (!text) {
            throw ApiError(invalid, std::string(name) + " must be a text or a number, not " +
                                        ShownValue(*value));
        }
        if (text->empty()) return std::nullopt;
        return text;
    }

  private:
    void AddBody(std::string_view body) {
        json::parse_options options;
        options.allow_trailing_commas = true;
        boost::system::error_code error;
        auto parsed = json::parse(body, error, {}, options);
        if (error) {
            throw ApiError(ApiErrorCode::kInvalidInput,
                           "the body is not valid JSON: " + error.message());
        }
        if (!parsed.is_object())
            throw ApiError(ApiErrorCode::kInvalidInput, "the body is not a JSON object");
        // Of two keys differing only in case the first is kept: no client is known to send
        // both, and neither is more right than the other.
        for (auto& member : parsed.as_object())
            by_key_.emplace(Lower(member.key()), std::move(member.value()));
    }

    void AddQuery(std::string_view query) {
        std::map<std::string, std::string> parameters;
        try {
            parameters = ParseQuery(query);
        } catch (const Error& e) {
            throw ApiError(ApiErrorCode::kInvalidInput, e.what());
        }
        for (auto& [key, value] : parameters) by_key_.emplace(Lower(key), json::string(value));
    }

    json::object by_key_;
};

/// A required text of 1..kMaxTextLength characters without control characters.
std::string RequiredText(const RequestFields& fields,
                         std::string_view name,
                         ApiErrorCode missing,
                         ApiErrorCode invalid) {
    auto text = fields.Text(name, invalid);
    if (!text) throw ApiError(missing, std::string(name) + " is missing");
    if (text->size() > kMaxTextLength) {
        throw ApiError(invalid, std::string(name) + " '" + Shown(*text) + "' is longer than " +
                                    std::to_string(kMaxTextLength) + " characters");
    }
    if (HasControlCharacters(*text)) {
        throw ApiError(invalid,
                       std::string(name) + " '" + Shown(*text) + "' holds control characters");
    }
    return std::move(*text);
}

std::string Pid(const RequestFields& fields) {
    return RequiredText(fields, "pid", ApiErrorCode::kPidMissing, ApiErrorCode::kPidInvalid);
}

/// An optional whole number in [low, high]; `fallback` when absent or empty.
int BoundedNumber(
    const RequestFields& fields, std::string_view name, int low, int high, int fallback) {
    const auto bad = [&](const std::string& shown) {
        return ApiError(ApiErrorCode::kInvalidInput,
                        std::string(name) + " '" + shown + "' is not a whole number from " +
                            std::to_string(low) + " to " + std::to_string(high));
    };
    const auto* value = fields.Find(name);
    if (!value) return fallback;
    long long number = 0;
    if (value->is_int64()) {
        number = value->get_int64();
    } else if (value->is_string()) {
        const auto text = TrimBlanks(value->get_string());
        if (text.empty()) return fallback;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
        if (error != std::errc{} || end != text.data() + text.size()) throw bad(Shown(text));
    } else {
        throw bad(ShownValue(*value));
    }
    if (number < low || number > high) throw bad(std::to_string(number));
    return static_cast<int>(number);
}

Paging PagingOf(const RequestFields& fields) {
    Paging paging;
    paging.page_index = BoundedNumber(fields, "pageIndex", 1, kMaxPageIndex, paging.page_index);
    paging.per_page = BoundedNumber(fields, "perPage", 1, kMaxPerPage, paging.per_page);
    return paging;
}

/// A list field's items: a JSON array of scalars or one comma-joined text. Items are trimmed
/// and empty ones skipped (a trailing comma, `"a.bin, b.bin"`). Nothing when the field is
/// absent; an item that is not a scalar throws `invalid`.
std::vector<std::string> ListItems(const RequestFields& fields,
                                   std::string_view name,
                                   ApiErrorCode invalid) {
    std::vector<std::string> items;
    const auto add_joined = [&items](std::string_view joined) {
        while (true) {
            const auto comma = joined.find(',');
            const auto item = TrimBlanks(joined.substr(0, comma));
            if (!item.empty()) items.emplace_back(item);
            if (comma == std::string_view::npos) break;
            joined.remove_prefix(comma + 1);
        }
    };
    const auto* value = fields.Find(name);
    if (!value) return items;
    if (!value->is_array()) {
        auto text = fields.Text(name, invalid);
        if (text) add_joined(*text);
        return items;
    }
    for (const auto& element : value->get_array()) {
        auto text = ScalarText(element);
        if (!text) {
            throw ApiError(invalid, std::string(name) + " holds " + ShownValue(element) +
                                        ", which is not a text");
        }
        if (!text->empty()) items.push_back(std::move(*text));
    }
    return items;
}

template <typename T>
void DropRepeats(std::vector<T>& items) {
    std::vector<T> kept;
    for (auto& item : items)
        if (std::find(kept.begin(), kept.end(), item) == kept.end())
            kept.push_back(std::move(item));
    items = std::move(kept);
}

void CheckImageCount(std::size_t count, std::string_view name) {
    if (count > kMaxImagesPerRequest) {
        throw ApiError(ApiErrorCode::kImageLimitExceeded,
                       std::string(name) + " has " + std::to_string(count) + " entries; at most " +
                           std::to_string(kMaxImagesPerRequest) + " are allowed");
    }
}

/// A file name given in `name`: 1..256 characters without control characters.
void CheckFileName(std::string_view file_name, std::string_view name, ApiErrorCode invalid) {
    if (file_name.size() > kMaxTextLength) {
        throw ApiError(invalid, std::string(name) + " holds '" + Shown(file_name) +
                                    "', which is longer than " + std::to_string(kMaxTextLength) +
                                    " characters");
    }
    if (HasControlCharacters(file_name)) {
        throw ApiError(invalid, std::string(name) + " holds '" + Shown(file_name) +
                                    "', which has control characters");
    }
}

std::vector<std::string> ImageNames(const RequestFields& fields) {
    constexpr std::string_view kName = "imageNames";
    auto names = ListItems(fields, kName, ApiErrorCode::kImageNameInvalid);
    if (names.empty()) throw ApiError(ApiErrorCode::kImageNameMissing, "imageNames is missing");
    for (const auto& name : names) CheckFileName(name, kName, ApiErrorCode::kImageNameInvalid);
    DropRepeats(names);
    CheckImageCount(names.size(), kName);
    return names;
}

std::vector<ImageGuid> ImageGuids(const RequestFields& fields) {
    constexpr std::string_view kName = "imageGuids";
    const auto texts = ListItems(fields, kName, ApiErrorCode::kImageGuidInvalid);
    if (texts.empty()) throw ApiError(ApiErrorCode::kImageGuidMissing, "imageGuids is missing");
    std::vector<ImageGuid> guids;
    for (const auto& text : texts) {
        auto guid = ImageGuid::Parse(text);
        if (!guid) {
            throw ApiError(
                ApiErrorCode::kImageGuidInvalid,
                "imageGuids holds '" + Shown(text) + "', which is not 40 hexadecimal characters");
        }
        guids.push_back(std::move(*guid));
    }
    DropRepeats(guids);
    CheckImageCount(guids.size(), kName);
    return guids;
}

/// A required string of digits of at most `max_length` (mdfId, metadataTransId).
std::string RequiredDigits(const RequestFields& fields,
                           std::string_view name,
                           std::size_t max_length,
                           ApiErrorCode missing,
                           ApiErrorCode invalid) {
    auto text = fields.Text(name, invalid);
    if (!text) throw ApiError(missing, std::string(name) + " is missing");
    if (!IsDigits(*text) || text->size() > max_length) {
        throw ApiError(invalid, std::string(name) + " '" + Shown(*text) + "' is not a number of " +
                                    "at most " + std::to_string(max_length) + " digits");
    }
    return std::move(*text);
}

OutputRelease OutputReleaseOf(const RequestFields& fields) {
    constexpr std::string_view kName = "outputReleaseVersion";
    const auto invalid = ApiErrorCode::kOutputReleaseInvalid;
    if (!fields.Find(kName))
        throw ApiError(ApiErrorCode::kOutputReleaseMissing, "outputReleaseVersion is missing");
    // Present but empty is the client's mistake in the value, not a forgotten field.
    auto text = fields.Text(kName, invalid);
    if (!text) {
        throw ApiError(invalid,
                       "outputReleaseVersion is empty; it must be latest, above or a release "
                       "version");
    }
    if (text->size() > kMaxTextLength || HasControlCharacters(*text)) {
        throw ApiError(invalid, "outputReleaseVersion '" + Shown(*text) +
                                    "' is not latest, above or a release version");
    }
    const auto folded = Lower(*text);
    if (folded == "latest") return {OutputRelease::Kind::kLatest, {}};
    if (folded == "above") return {OutputRelease::Kind::kAbove, {}};
    return {OutputRelease::Kind::kSpecific, std::move(*text)};
}

/// A client's spelling of a domain value: compared without regard to case.
template <typename T>
struct Spelling {
    std::string_view token;
    T value;
};

/// The value the field spells; nothing when absent or empty. Throws INVALID_INPUT naming the
/// field and the spellings allowed.
template <typename T>
std::optional<T> OneOf(const RequestFields& fields,
                       std::string_view name,
                       std::initializer_list<Spelling<T>> spellings) {
    const auto text = fields.Text(name, ApiErrorCode::kInvalidInput);
    if (!text) return std::nullopt;
    const auto folded = Lower(*text);
    std::string allowed;
    for (const auto& spelling : spellings) {
        if (folded == Lower(spelling.token)) return spelling.value;
        allowed += (allowed.empty() ? "" : " or ") + std::string(spelling.token);
    }
    throw ApiError(ApiErrorCode::kInvalidInput,
                   std::string(name) + " '" + Shown(*text) + "' is not " + allowed);
}

/// What the EULA and the K9 answers share: `status`, `fileNames`, `declineComments`.
AgreementAnswer AgreementBasics(const RequestFields& fields) {
    using Choice = AgreementAnswer::Choice;
    AgreementAnswer answer;
    const auto choice = OneOf<Choice>(
        fields, "status", {{"Accepted", Choice::kAccepted}, {"Declined", Choice::kDeclined}});
    if (!choice) {
        throw ApiError(ApiErrorCode::kInvalidInput,
                       "status is missing; it must be Accepted or Declined");
    }
    answer.choice = *choice;
    answer.file_names = ListItems(fields, "fileNames", ApiErrorCode::kInvalidInput);
    for (const auto& name : answer.file_names)
        CheckFileName(name, "fileNames", ApiErrorCode::kInvalidInput);
    DropRepeats(answer.file_names);
    // Clients copy the reference's sample, which sends a placeholder comment with Accepted too:
    // only a declining answer's comment means anything.
    if (answer.choice == Choice::kAccepted) return answer;
    const auto* comments = fields.Find("declineComments");
    std::optional<std::string> text;
    if (comments && comments->is_double()) {
        // One client types the field as a number; a fraction is still a comment.
        char digits[32];
        const auto end = std::to_chars(digits, digits + sizeof digits, comments->get_double()).ptr;
        text.emplace(digits, end);
    } else {
        text = fields.Text("declineComments", ApiErrorCode::kInvalidInput);
    }
    if (!text) {
        throw ApiError(ApiErrorCode::kInvalidInput,
                       "declineComments is required when status is Declined");
    }
    if (text->size() > kMaxCommentLength) {
        throw ApiError(
            ApiErrorCode::kInvalidInput,
            "declineComments is longer than " + std::to_string(kMaxCommentLength) + " characters");
    }
    answer.decline_comments = std::move(*text);
    return answer;
}

}  // namespace

PidReleaseRequest ParsePidReleaseRequest(std::string_view body, std::string_view query) {
    const RequestFields fields(body, query);
    PidReleaseRequest request;
    request.pid = Pid(fields);
    request.current_release =
        RequiredText(fields, "currentReleaseVersion", ApiErrorCode::kCurrentReleaseMissing,
                     ApiErrorCode::kInvalidInput);
    request.output = OutputReleaseOf(fields);
    request.paging = PagingOf(fields);
    return request;
}

PidImageRequest ParsePidImageRequest(std::string_view body, std::string_view query) {
    const RequestFields fields(body, query);
    PidImageRequest request;
    request.pid = Pid(fields);
    request.image_names = ImageNames(fields);
    request.paging = PagingOf(fields);
    return request;
}

ImagesRequest ParseImagesRequest(std::string_view body, std::string_view query) {
    const RequestFields fields(body, query);
    return ImagesRequest{ImageNames(fields)};
}

DownloadRequest ParseDownloadRequest(std::string_view body, std::string_view query) {
    const RequestFields fields(body, query);
    DownloadRequest request;
    request.pid = Pid(fields);
    request.mdf_id = RequiredDigits(fields, "mdfId", kMaxMdfIdLength, ApiErrorCode::kMdfIdMissing,
                                    ApiErrorCode::kMdfIdInvalid);
    request.metadata_trans_id =
        RequiredDigits(fields, "metadataTransId", kMaxTransactionIdLength,
                       ApiErrorCode::kTransactionIdMissing, ApiErrorCode::kTransactionIdInvalid);
    request.guids = ImageGuids(fields);
    return request;
}

AgreementAnswer ParseEulaAnswer(std::string_view body, std::string_view query) {
    return AgreementBasics(RequestFields(body, query));
}

AgreementAnswer ParseK9Answer(std::string_view body, std::string_view query) {
    using BusinessFunction = AgreementAnswer::BusinessFunction;
    using GovMilCountries = AgreementAnswer::GovMilCountries;
    const RequestFields fields(body, query);
    auto answer = AgreementBasics(fields);
    answer.confirmed = OneOf<bool>(fields, "confirm", {{"CONFIRM_CHECKED", true}}).value_or(false);
    answer.business_function =
        OneOf<BusinessFunction>(fields, "busFunction",
                                {{"COMM_OR_CIVIL", BusinessFunction::kCommercialOrCivilian},
                                 {"GOV_OR_MIL", BusinessFunction::kGovernmentOrMilitary}})
            .value_or(BusinessFunction::kNotSaid);
    // GOV_OR_MIL is what the reference's field table offers here, and one client sends it: a
    // placeholder that answers nothing about the countries.
    answer.gov_mil_countries =
        OneOf<GovMilCountries>(fields, "govMilCountries",
                               {{"GOV_OR_MIL_COUNTRIES_YES", GovMilCountries::kListed},
                                {"GOV_OR_MIL_COUNTRIES_NO", GovMilCountries::kNotListed},
                                {"GOV_OR_MIL", GovMilCountries::kNotSaid}})
            .value_or(GovMilCountries::kNotSaid);
    // A declining caller need not fill in the form; an accepting one must, as on the web form.
    if (answer.choice == AgreementAnswer::Choice::kDeclined) return answer;
    if (!answer.confirmed) {
        throw ApiError(ApiErrorCode::kInvalidInput,
                       "confirm is missing; accepting the K9 form needs confirm CONFIRM_CHECKED");
    }
    if (answer.business_function == BusinessFunction::kNotSaid) {
        throw ApiError(ApiErrorCode::kInvalidInput,
                       "busFunction is missing; it must be COMM_OR_CIVIL or GOV_OR_MIL");
    }
    if (answer.business_function == BusinessFunction::kGovernmentOrMilitary &&
        answer.gov_mil_countries == GovMilCountries::kNotSaid) {
        throw ApiError(ApiErrorCode::kInvalidInput,
                       "govMilCountries must be GOV_OR_MIL_COUNTRIES_YES or "
                       "GOV_OR_MIL_COUNTRIES_NO when busFunction is GOV_OR_MIL");
    }
    return answer;
}

std::string_view TokenOf(AgreementAnswer::Choice choice) noexcept {
    switch (choice) {
        case AgreementAnswer::Choice::kAccepted:
            return "Accepted";
        case AgreementAnswer::Choice::kDeclined:
            return "Declined";
    }
    return "Declined";
}

std::string_view TokenOf(AgreementAnswer::BusinessFunction function) noexcept {
    switch (function) {
        case AgreementAnswer::BusinessFunction::kNotSaid:
            return "";
        case AgreementAnswer::BusinessFunction::kCommercialOrCivilian:
            return "COMM_OR_CIVIL";
        case AgreementAnswer::BusinessFunction::kGovernmentOrMilitary:
            return "GOV_OR_MIL";
    }
    return "";
}

std::string_view TokenOf(AgreementAnswer::GovMilCountries countries) noexcept {
    switch (countries) {
        case AgreementAnswer::GovMilCountries::kNotSaid:
            return "";
        case AgreementAnswer::GovMilCountries::kListed:
            return "GOV_OR_MIL_COUNTRIES_YES";
        case AgreementAnswer::GovMilCountries::kNotListed:
            return "GOV_OR_MIL_COUNTRIES_NO";
    }
    return "";
}

}  // namespace escd::server::swdist
