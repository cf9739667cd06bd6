#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <string>

#include <boost/json.hpp>

#include "server/swdist/api_error.hpp"
#include "server/swdist/requests.hpp"

namespace escd::server::swdist {
namespace {

/// The refusal `parse` throws: its code and message; nothing when it parses.
struct Refusal {
    ApiErrorCode code;
    std::string message;
};

std::optional<Refusal> RefusalOf(const std::function<void()>& parse) {
    try {
        parse();
    } catch (const ApiError& e) {
        return Refusal{e.code(), e.message()};
    }
    return std::nullopt;
}

/// The code of the refusal of a pidrelease request; nothing when it parses.
std::optional<ApiErrorCode> PidReleaseRefusal(std::string_view body, std::string_view query = {}) {
    auto refusal = RefusalOf([&] { ParsePidReleaseRequest(body, query); });
    return refusal ? std::optional(refusal->code) : std::nullopt;
}

std::string FortyHex(char digit) {
    return std::string(40, digit);
}

// ---- the error table ----

TEST(SwdistErrors, EveryTokenHasTheReferencesStatus) {
    const std::pair<ApiErrorCode, std::pair<std::string_view, int>> table[] = {
        {ApiErrorCode::kPidInvalid, {"PID_INVALID", 400}},
        {ApiErrorCode::kPidMissing, {"PID_MISSING", 400}},
        {ApiErrorCode::kMdfIdInvalid, {"MDFID_INVALID", 400}},
        {ApiErrorCode::kMdfIdMissing, {"MDFID_MISSING", 400}},
        {ApiErrorCode::kCurrentReleaseMissing, {"CUR_REL_MISSING", 400}},
        {ApiErrorCode::kOutputReleaseMissing, {"OUT_REL_MISSING", 400}},
        {ApiErrorCode::kOutputReleaseInvalid, {"OUTPUT_REL_INVALID", 400}},
        {ApiErrorCode::kImageNameMissing, {"IMG_NM_MISSING", 400}},
        {ApiErrorCode::kImageNameInvalid, {"IMG_NM_INVALID", 400}},
        {ApiErrorCode::kImageLimitExceeded, {"IMAGE_LIMIT_EXCEEDED", 400}},
        {ApiErrorCode::kTransactionIdMissing, {"MTRANSID_MISSING", 400}},
        {ApiErrorCode::kTransactionIdInvalid, {"INVALID_MTRANSID", 400}},
        {ApiErrorCode::kTransactionIdExpired, {"MTRANSID_EXPIRED", 400}},
        {ApiErrorCode::kImageGuidMissing, {"IMAGE_GUID_MISSING", 400}},
        {ApiErrorCode::kImageGuidInvalid, {"IMAGE_GUID_INVALID", 400}},
        {ApiErrorCode::kInvalidInput, {"INVALID_INPUT", 400}},
        {ApiErrorCode::kNoDataFound, {"NO_DATA_FOUND", 404}},
        {ApiErrorCode::kNoDataFoundForPid, {"NO_DATA_FOUND_FOR_PID", 400}},
        {ApiErrorCode::kNotAuthorized, {"NOT_AUTHORIZED", 403}},
        {ApiErrorCode::kUnsupportedMediaType, {"INVALID_MEDIATYPE", 415}},
        {ApiErrorCode::kUnexpectedFailure, {"SER_UNEXPECT_FAIL", 500}},
    };
    for (const auto& [code, expected] : table) {
        EXPECT_EQ(TokenOf(code), expected.first);
        EXPECT_EQ(HttpStatusOf(code), expected.second) << expected.first;
        EXPECT_FALSE(DescriptionOf(code).empty()) << expected.first;
        EXPECT_EQ(ApiError(code).http_status(), expected.second) << expected.first;
    }
}

TEST(SwdistErrors, AnErrorWithoutItsOwnMessageSaysTheReferencesDescription) {
    const ApiError error(ApiErrorCode::kNoDataFound);
    EXPECT_EQ(error.message(), "No Data Found.");
    EXPECT_STREQ(error.what(), "No Data Found.");
}

TEST(SwdistErrors, TheBodyIsAnExceptionArrayOfCodeAndMessage) {
    const ApiError error(ApiErrorCode::kPidInvalid, "pid 'X' is not in the catalogue");
    const auto body = boost::json::parse(boost::json::serialize(ErrorBody(error)));
    ASSERT_EQ(body.at("exception").as_array().size(), 1u);
    EXPECT_EQ(body.at("exception").at(0).at("code").as_string(), "PID_INVALID");
    EXPECT_EQ(body.at("exception").at(0).at("message").as_string(),
              "pid 'X' is not in the catalogue");
}

// ---- metadata/pidrelease ----

TEST(SwdistRequests, PidReleaseTakesTheDocumentedSpelling) {
    const auto request = ParsePidReleaseRequest(
        R"({"PID":"ACS-1800-RM-19=VID:V01","currentReleaseVersion":"6.2(1)E3",)"
        R"("OutputReleaseVersion":"Above","pageIndex":2,"perpage":10})",
        "");
    EXPECT_EQ(request.pid, "ACS-1800-RM-19=VID:V01");
    EXPECT_EQ(request.current_release, "6.2(1)E3");
    EXPECT_EQ(request.output.kind, OutputRelease::Kind::kAbove);
    EXPECT_EQ(request.paging, (Paging{2, 10}));
}

TEST(SwdistRequests, PidReleaseTakesWhatClientsSendWithNumbersAsStrings) {
    // The reference's own sample request.
    const auto request =
        ParsePidReleaseRequest(R"({"pid":"ASR10012XOC3POS-RF","currentReleaseVersion":"5.4.3",)"
                               R"("outputReleaseVersion":"latest","pageIndex":"1","perPage":"1"})",
                               "");
    EXPECT_EQ(request.pid, "ASR10012XOC3POS-RF");
    EXPECT_EQ(request.output.kind, OutputRelease::Kind::kLatest);
    EXPECT_EQ(request.paging, (Paging{1, 1}));
}

TEST(SwdistRequests, OutputReleaseIsLatestAboveOrASpecificVersionInAnyCase) {
    const auto output_of = [](std::string_view value) {
        return ParsePidReleaseRequest(R"({"pid":"P","currentReleaseVersion":"1.0",)"
                                      R"("outputReleaseVersion":")" +
                                          std::string(value) + "\"}",
                                      "")
            .output;
    };
    for (const auto* latest : {"latest", "Latest", "LATEST"})
        EXPECT_EQ(output_of(latest).kind, OutputRelease::Kind::kLatest) << latest;
    for (const auto* above : {"above", "Above"})
        EXPECT_EQ(output_of(above).kind, OutputRelease::Kind::kAbove) << above;
    const auto specific = output_of("1.2(a)");
    EXPECT_EQ(specific.kind, OutputRelease::Kind::kSpecific);
    EXPECT_EQ(specific.version, "1.2(a)");
    EXPECT_TRUE(output_of("Latest").version.empty());
}

TEST(SwdistRequests, PagingDefaultsToTheFirstPageOfTwentyFive) {
    const auto request = ParsePidReleaseRequest(
        R"({"pid":"P","currentReleaseVersion":"1","outputReleaseVersion":"latest"})", "");
    EXPECT_EQ(request.paging, (Paging{1, 25}));
    const auto blank = ParsePidReleaseRequest(R"({"pid":"P","currentReleaseVersion":"1",)"
                                              R"("outputReleaseVersion":"latest","pageIndex":"",)"
                                              R"("perPage":null})",
                                              "");
    EXPECT_EQ(blank.paging, (Paging{1, 25})) << "an empty or null value is an absent one";
}

TEST(SwdistRequests, PagingOutsideItsBoundsIsInvalidInputNamingTheField) {
    const std::string start =
        R"({"pid":"P","currentReleaseVersion":"1","outputReleaseVersion":"latest",)";
    const std::pair<std::string, std::string> bad[] = {
        {R"("pageIndex":0)", "pageIndex"},     {R"("pageIndex":100000)", "pageIndex"},
        {R"("pageIndex":"abc")", "pageIndex"}, {R"("pageIndex":-1)", "pageIndex"},
        {R"("perPage":26)", "perPage"},        {R"("perpage":"0")", "perPage"},
        {R"("perPage":"2x")", "perPage"},      {R"("perPage":1.5)", "perPage"},
        {R"("perPage":true)", "perPage"},      {R"("perPage":[1])", "perPage"},
    };
    for (const auto& [field, name] : bad) {
        const auto refusal = RefusalOf([&] { ParsePidReleaseRequest(start + field + "}", ""); });
        ASSERT_TRUE(refusal) << field;
        EXPECT_EQ(refusal->code, ApiErrorCode::kInvalidInput) << field;
        EXPECT_NE(refusal->message.find(name), std::string::npos) << refusal->message;
    }
    EXPECT_EQ(ParsePidReleaseRequest(start + R"("pageIndex":99999,"perPage":" 25 "})", "").paging,
              (Paging{99999, 25}));
}

TEST(SwdistRequests, AnEmptyBodyFallsBackToTheQueryString) {
    const std::string_view query =
        "PID=ASR-9001&currentReleaseVersion=7.3.1&OutputReleaseVersion=Latest&pageIndex=2&"
        "perpage=5";
    for (const auto* body : {"", "  \r\n"}) {
        const auto request = ParsePidReleaseRequest(body, query);
        EXPECT_EQ(request.pid, "ASR-9001");
        EXPECT_EQ(request.current_release, "7.3.1");
        EXPECT_EQ(request.output.kind, OutputRelease::Kind::kLatest);
        EXPECT_EQ(request.paging, (Paging{2, 5}));
    }
}

TEST(SwdistRequests, TheBodyWinsOverTheQueryAndTheQueryFillsInWhatItLacks) {
    const auto request =
        ParsePidReleaseRequest(R"({"pid":"FROM-BODY","outputReleaseVersion":"above"})",
                               "pid=FROM-QUERY&currentReleaseVersion=7.3.1&perPage=3");
    EXPECT_EQ(request.pid, "FROM-BODY");
    EXPECT_EQ(request.current_release, "7.3.1");
    EXPECT_EQ(request.output.kind, OutputRelease::Kind::kAbove);
    EXPECT_EQ(request.paging.per_page, 3);
}

TEST(SwdistRequests, ValuesAreTrimmedAndATrailingCommaIsForgiven) {
    const auto request = ParsePidReleaseRequest(
        "{\"pid\":\" ASR-9001 \",\"currentReleaseVersion\":\"7.3.1\\t\","
        "\"outputReleaseVersion\":\" 7.3.2 \",}",
        "");
    EXPECT_EQ(request.pid, "ASR-9001");
    EXPECT_EQ(request.current_release, "7.3.1");
    EXPECT_EQ(request.output.version, "7.3.2");
}

TEST(SwdistRequests, PidReleaseRefusalsUseTheReferencesTokens) {
    EXPECT_EQ(PidReleaseRefusal(R"({"currentReleaseVersion":"1","outputReleaseVersion":"latest"})"),
              ApiErrorCode::kPidMissing);
    EXPECT_EQ(PidReleaseRefusal(
                  R"({"pid":"","currentReleaseVersion":"1","outputReleaseVersion":"latest"})"),
              ApiErrorCode::kPidMissing);
    EXPECT_EQ(
        PidReleaseRefusal(R"({"pid":")" + std::string(257, 'P') +
                          R"(","currentReleaseVersion":"1","outputReleaseVersion":"latest"})"),
        ApiErrorCode::kPidInvalid);
    EXPECT_EQ(
        PidReleaseRefusal(R"({"pid":")" + std::string(256, 'P') +
                          R"(","currentReleaseVersion":"1","outputReleaseVersion":"latest"})"),
        std::nullopt);
    EXPECT_EQ(PidReleaseRefusal(
                  R"({"pid":{"a":1},"currentReleaseVersion":"1","outputReleaseVersion":"latest"})"),
              ApiErrorCode::kPidInvalid);
    EXPECT_EQ(PidReleaseRefusal(
                  R"({"pid":"A\u0001B","currentReleaseVersion":"1","outputReleaseVersion":"x"})"),
              ApiErrorCode::kPidInvalid);
    EXPECT_EQ(PidReleaseRefusal(R"({"pid":"P","outputReleaseVersion":"latest"})"),
              ApiErrorCode::kCurrentReleaseMissing);
    EXPECT_EQ(PidReleaseRefusal(R"({"pid":"P","currentReleaseVersion":"1"})"),
              ApiErrorCode::kOutputReleaseMissing);
    EXPECT_EQ(
        PidReleaseRefusal(R"({"pid":"P","currentReleaseVersion":"1","outputReleaseVersion":null})"),
        ApiErrorCode::kOutputReleaseMissing);
    EXPECT_EQ(
        PidReleaseRefusal(R"({"pid":"P","currentReleaseVersion":"1","outputReleaseVersion":" "})"),
        ApiErrorCode::kOutputReleaseInvalid);
    EXPECT_EQ(PidReleaseRefusal("", "pid=P&currentReleaseVersion=1&outputReleaseVersion="),
              ApiErrorCode::kOutputReleaseInvalid);
    EXPECT_EQ(HttpStatusOf(ApiErrorCode::kOutputReleaseInvalid), 400);
}

TEST(SwdistRequests, ARefusalNamesTheFieldAndTheValue) {
    const auto refusal = RefusalOf([] {
        ParsePidReleaseRequest(
            R"({"pid":"P","currentReleaseVersion":"1","outputReleaseVersion":"latest","perPage":"99"})",
            "");
    });
    ASSERT_TRUE(refusal);
    EXPECT_EQ(refusal->message, "perPage '99' is not a whole number from 1 to 25");
}

TEST(SwdistRequests, ABodyThatIsNotAJsonObjectIsInvalidInput) {
    for (const auto* body : {"[1,2]", "not json", "null", "\"pid\"", "42", "{\"pid\":"}) {
        const auto refusal = RefusalOf([&] { ParsePidReleaseRequest(body, ""); });
        ASSERT_TRUE(refusal) << body;
        EXPECT_EQ(refusal->code, ApiErrorCode::kInvalidInput) << body;
    }
    EXPECT_EQ(PidReleaseRefusal("", "pid=%zz"), ApiErrorCode::kInvalidInput)
        << "a malformed query string too";
}

// ---- metadata/pidimage and metadata/images ----

TEST(SwdistRequests, PidImageTakesAnArrayOrACommaJoinedListOfNames) {
    const auto from_array = ParsePidImageRequest(
        R"({"pid":"ASR10012XOC3POS-RF","imageNames":["testfile1.exe","testVPN_3.bin"],)"
        R"("pageIndex":"1","perPage":"1"})",
        "");
    EXPECT_EQ(from_array.pid, "ASR10012XOC3POS-RF");
    EXPECT_EQ(from_array.image_names, (std::vector<std::string>{"testfile1.exe", "testVPN_3.bin"}));
    EXPECT_EQ(from_array.paging, (Paging{1, 1}));

    const auto from_text = ParsePidImageRequest(R"({"PID":"P","ImageNames":"a.bin, b.bin,"})", "");
    EXPECT_EQ(from_text.image_names, (std::vector<std::string>{"a.bin", "b.bin"}));
    EXPECT_EQ(from_text.paging, (Paging{1, 25}));

    const auto from_query = ParsePidImageRequest("", "pid=P&imageNames=a.bin%2Cb.bin&perpage=2");
    EXPECT_EQ(from_query.image_names, (std::vector<std::string>{"a.bin", "b.bin"}));
    EXPECT_EQ(from_query.paging.per_page, 2);
}

TEST(SwdistRequests, RepeatedImageNamesCountOnce) {
    const auto request =
        ParsePidImageRequest(R"({"pid":"P","imageNames":["a","b","a","c","d","e","b"]})", "");
    EXPECT_EQ(request.image_names, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
}

TEST(SwdistRequests, ImageNameRefusalsUseTheReferencesTokens) {
    const auto code_of = [](std::string_view names) -> std::optional<ApiErrorCode> {
        const auto body = R"({"pid":"P","imageNames":)" + std::string(names) + "}";
        auto pid_image = RefusalOf([&] { ParsePidImageRequest(body, ""); });
        auto images = RefusalOf([&] { ParseImagesRequest(body, ""); });
        EXPECT_EQ(pid_image.has_value(), images.has_value()) << names;
        if (pid_image && images) {
            EXPECT_EQ(pid_image->code, images->code) << names;
        }
        return pid_image ? std::optional(pid_image->code) : std::nullopt;
    };
    EXPECT_EQ(code_of("[]"), ApiErrorCode::kImageNameMissing);
    EXPECT_EQ(code_of(R"("")"), ApiErrorCode::kImageNameMissing);
    EXPECT_EQ(code_of("null"), ApiErrorCode::kImageNameMissing);
    EXPECT_EQ(code_of(R"(["a","b","c","d","e","f"])"), ApiErrorCode::kImageLimitExceeded);
    EXPECT_EQ(code_of(R"("a,b,c,d,e,f")"), ApiErrorCode::kImageLimitExceeded);
    EXPECT_EQ(code_of(R"(["a","b","c","d","e"])"), std::nullopt);
    EXPECT_EQ(code_of(R"(["a",{"b":1}])"), ApiErrorCode::kImageNameInvalid);
    EXPECT_EQ(code_of(R"(["a",")" + std::string(257, 'n') + R"("])"),
              ApiErrorCode::kImageNameInvalid);
    EXPECT_EQ(code_of(R"({"a":1})"), ApiErrorCode::kImageNameInvalid);
    EXPECT_EQ(RefusalOf([] { ParseImagesRequest("{}", ""); })->code,
              ApiErrorCode::kImageNameMissing);
    EXPECT_EQ(RefusalOf([] { ParsePidImageRequest(R"({"imageNames":["a"]})", ""); })->code,
              ApiErrorCode::kPidMissing);

    const auto invalid =
        RefusalOf([] { ParseImagesRequest(R"({"imageNames":["bad\u0007name"]})", ""); });
    ASSERT_TRUE(invalid);
    EXPECT_NE(invalid->message.find("imageNames holds 'bad"), std::string::npos)
        << invalid->message;
}

TEST(SwdistRequests, ImagesTakesNamesFromTheBodyOrTheQuery) {
    EXPECT_EQ(ParseImagesRequest(R"({"imageNames":["c1700-y-mz.124-13a.bin"]})", "").image_names,
              (std::vector<std::string>{"c1700-y-mz.124-13a.bin"}));
    EXPECT_EQ(ParseImagesRequest("", "imagenames=x.bin").image_names,
              (std::vector<std::string>{"x.bin"}));
}

// ---- download/pidimage ----

TEST(SwdistRequests, DownloadTakesTheMdfIdAsANumberOrAString) {
    const auto as_string = ParseDownloadRequest(
        R"({"pid":"ACS-1800-RM-19=","mdfId":"286305578","metadataTransId":"617462102359722937",)"
        R"("imageGuids":["25856C5890AE73F8EDBEEDA441EC901F8FC8362E"]})",
        "");
    EXPECT_EQ(as_string.pid, "ACS-1800-RM-19=");
    EXPECT_EQ(as_string.mdf_id, "286305578");
    EXPECT_EQ(as_string.metadata_trans_id, "617462102359722937");
    ASSERT_EQ(as_string.guids.size(), 1u);
    EXPECT_EQ(as_string.guids[0].text(), "25856C5890AE73F8EDBEEDA441EC901F8FC8362E");

    const auto as_number =
        ParseDownloadRequest(R"({"PID":"P","MDFID":286305578,"metadataTransId":617462102359722937,)"
                             R"("imageGuids":"25856c5890ae73f8edbeeda441ec901f8fc8362e"})",
                             "");
    EXPECT_EQ(as_number.mdf_id, "286305578");
    EXPECT_EQ(as_number.metadata_trans_id, "617462102359722937");
    ASSERT_EQ(as_number.guids.size(), 1u);
    EXPECT_EQ(as_number.guids[0].text(), "25856C5890AE73F8EDBEEDA441EC901F8FC8362E")
        << "a GUID is kept upper-case";

    const auto from_query = ParseDownloadRequest(
        "", "pid=P&mdfId=1&metadataTransId=2&imageGuids=" + FortyHex('a') + "," + FortyHex('b'));
    EXPECT_EQ(from_query.guids.size(), 2u);
}

TEST(SwdistRequests, DownloadRefusalsUseTheReferencesTokens) {
    const auto code_of = [](std::string_view pid, std::string_view mdf_id,
                            std::string_view transaction,
                            std::string_view guids) -> std::optional<ApiErrorCode> {
        std::string body = "{";
        const auto add = [&body](std::string_view key, std::string_view json_value) {
            if (json_value.empty()) return;
            if (body.size() > 1) body += ",";
            body += "\"" + std::string(key) + "\":" + std::string(json_value);
        };
        add("pid", pid);
        add("mdfId", mdf_id);
        add("metadataTransId", transaction);
        add("imageGuids", guids);
        body += "}";
        auto refusal = RefusalOf([&] { ParseDownloadRequest(body, ""); });
        return refusal ? std::optional(refusal->code) : std::nullopt;
    };
    const std::string one = "[\"" + FortyHex('1') + "\"]";
    EXPECT_EQ(code_of(R"("P")", "1", R"("2")", one), std::nullopt);
    EXPECT_EQ(code_of("", "1", R"("2")", one), ApiErrorCode::kPidMissing);
    EXPECT_EQ(code_of(R"("P")", "", R"("2")", one), ApiErrorCode::kMdfIdMissing);
    EXPECT_EQ(code_of(R"("P")", R"("")", R"("2")", one), ApiErrorCode::kMdfIdMissing);
    EXPECT_EQ(code_of(R"("P")", R"("abc")", R"("2")", one), ApiErrorCode::kMdfIdInvalid);
    EXPECT_EQ(code_of(R"("P")", "-5", R"("2")", one), ApiErrorCode::kMdfIdInvalid);
    EXPECT_EQ(code_of(R"("P")", "2.5", R"("2")", one), ApiErrorCode::kMdfIdInvalid);
    EXPECT_EQ(code_of(R"("P")", "1", "", one), ApiErrorCode::kTransactionIdMissing);
    EXPECT_EQ(code_of(R"("P")", "1", R"("12a")", one), ApiErrorCode::kTransactionIdInvalid);
    EXPECT_EQ(code_of(R"("P")", "1", "\"" + std::string(41, '9') + "\"", one),
              ApiErrorCode::kTransactionIdInvalid);
    EXPECT_EQ(code_of(R"("P")", "1", "\"" + std::string(40, '9') + "\"", one), std::nullopt);
    EXPECT_EQ(code_of(R"("P")", "1", R"("2")", ""), ApiErrorCode::kImageGuidMissing);
    EXPECT_EQ(code_of(R"("P")", "1", R"("2")", "[]"), ApiErrorCode::kImageGuidMissing);
    std::string six = "[";
    for (char digit : std::string("123456"))
        six += (six.size() > 1 ? ",\"" : "\"") + FortyHex(digit) + "\"";
    six += "]";
    EXPECT_EQ(code_of(R"("P")", "1", R"("2")", six), ApiErrorCode::kImageLimitExceeded);
    EXPECT_EQ(code_of(R"("P")", "1", R"("2")", R"(["XYZ"])"), ApiErrorCode::kImageGuidInvalid);
    EXPECT_EQ(code_of(R"("P")", "1", R"("2")", "[\"" + FortyHex('G') + "\"]"),
              ApiErrorCode::kImageGuidInvalid);

    const auto named = RefusalOf([] {
        ParseDownloadRequest(R"({"pid":"P","mdfId":1,"metadataTransId":"2","imageGuids":["XYZ"]})",
                             "");
    });
    ASSERT_TRUE(named);
    EXPECT_NE(named->message.find("'XYZ'"), std::string::npos) << named->message;
}

// ---- compliance/eula and compliance/k9 ----

TEST(SwdistRequests, EulaAnswerStatusIsCaseInsensitiveAndFileNamesAreCommaJoined) {
    const auto accepted = ParseEulaAnswer(
        R"json({"status":"accepted","declineComments":"(mandatory when status is Declined)",)json"
        R"json("fileNames":"anyconnect.tar.gz,b.bin"})json",
        "");
    EXPECT_EQ(accepted.choice, AgreementAnswer::Choice::kAccepted);
    EXPECT_EQ(accepted.file_names, (std::vector<std::string>{"anyconnect.tar.gz", "b.bin"}));
    EXPECT_TRUE(accepted.decline_comments.empty()) << "only a declining answer's comment counts";

    const auto as_array = ParseEulaAnswer(R"({"Status":"ACCEPTED","FileNames":["a","b"]})", "");
    EXPECT_EQ(as_array.file_names, (std::vector<std::string>{"a", "b"}));

    const auto no_files = ParseEulaAnswer(R"({"status":"Accepted"})", "");
    EXPECT_TRUE(no_files.file_names.empty());
}

TEST(SwdistRequests, ADeclinedAnswerNeedsCommentsGivenAsTextOrNumber) {
    const auto as_text =
        ParseEulaAnswer(R"({"status":"Declined","declineComments":"not needed"})", "");
    EXPECT_EQ(as_text.choice, AgreementAnswer::Choice::kDeclined);
    EXPECT_EQ(as_text.decline_comments, "not needed");
    EXPECT_EQ(
        ParseEulaAnswer(R"({"status":"declined","declineComments":3654559})", "").decline_comments,
        "3654559");
    EXPECT_EQ(
        ParseEulaAnswer(R"({"status":"declined","declineComments":1.5})", "").decline_comments,
        "1.5");
    EXPECT_EQ(ParseEulaAnswer("", "status=Declined&declineComments=no+thanks").decline_comments,
              "no thanks");
    for (const auto* body :
         {R"({"status":"Declined"})", R"({"status":"Declined","declineComments":""})",
          R"({"status":"Declined","declineComments":{}})"}) {
        const auto refusal = RefusalOf([&] { ParseEulaAnswer(body, ""); });
        ASSERT_TRUE(refusal) << body;
        EXPECT_EQ(refusal->code, ApiErrorCode::kInvalidInput);
        EXPECT_NE(refusal->message.find("declineComments"), std::string::npos) << refusal->message;
    }
}

TEST(SwdistRequests, AnAgreementAnswerWithoutAKnownStatusIsInvalidInput) {
    for (const auto* body : {"{}", R"({"status":"maybe"})", R"({"status":true})"}) {
        const auto refusal = RefusalOf([&] { ParseEulaAnswer(body, ""); });
        ASSERT_TRUE(refusal) << body;
        EXPECT_EQ(refusal->code, ApiErrorCode::kInvalidInput) << body;
        EXPECT_NE(refusal->message.find("status"), std::string::npos) << refusal->message;
    }
    EXPECT_EQ(RefusalOf([] { ParseEulaAnswer("[]", ""); })->code, ApiErrorCode::kInvalidInput);
}

TEST(SwdistRequests, K9AnswerTakesTheReferencesSampleWithItsTrailingComma) {
    const auto answer = ParseK9Answer(R"json({
        "status": "Accepted",
        "declineComments": "(mandatory when status is Declined)",
        "fileNames": "anyconnect-linux64-4.8.03052-predeploy-k9.tar.gz",
        "confirm": "CONFIRM_CHECKED",
        "busFunction": "COMM_OR_CIVIL",
        "govMilCountries": "GOV_OR_MIL_COUNTRIES_NO",
    })json",
                                      "");
    EXPECT_EQ(answer.choice, AgreementAnswer::Choice::kAccepted);
    EXPECT_TRUE(answer.confirmed);
    EXPECT_EQ(answer.business_function, AgreementAnswer::BusinessFunction::kCommercialOrCivilian);
    EXPECT_EQ(answer.gov_mil_countries, AgreementAnswer::GovMilCountries::kNotListed);
    EXPECT_EQ(answer.file_names,
              (std::vector<std::string>{"anyconnect-linux64-4.8.03052-predeploy-k9.tar.gz"}));
    EXPECT_EQ(TokenOf(answer.business_function), "COMM_OR_CIVIL");
    EXPECT_EQ(TokenOf(answer.gov_mil_countries), "GOV_OR_MIL_COUNTRIES_NO");
    EXPECT_EQ(TokenOf(answer.choice), "Accepted");
}

TEST(SwdistRequests, K9AnswerTakesTheOtherClientsSpellings) {
    // One client's spelling: Confirm_Checked, busfunction, and the reference table's GOV_OR_MIL
    // placeholder for the countries.
    const auto answer = ParseK9Answer(
        R"({"status":"Accepted","confirm":"Confirm_Checked","busfunction":"comm_or_civil",)"
        R"("govMilCountries":"GOV_OR_MIL","fileNames":"a-k9.bin"})",
        "");
    EXPECT_TRUE(answer.confirmed);
    EXPECT_EQ(answer.business_function, AgreementAnswer::BusinessFunction::kCommercialOrCivilian);
    EXPECT_EQ(answer.gov_mil_countries, AgreementAnswer::GovMilCountries::kNotSaid);

    const auto government = ParseK9Answer(
        R"({"status":"Accepted","confirm":"CONFIRM_CHECKED","busFunction":"GOV_OR_MIL",)"
        R"("govMilCountries":"gov_or_mil_countries_yes"})",
        "");
    EXPECT_EQ(government.business_function,
              AgreementAnswer::BusinessFunction::kGovernmentOrMilitary);
    EXPECT_EQ(government.gov_mil_countries, AgreementAnswer::GovMilCountries::kListed);
}

TEST(SwdistRequests, AcceptingTheK9FormNeedsItFilledIn) {
    const std::pair<const char*, const char*> bad[] = {
        {R"({"status":"Accepted","busFunction":"COMM_OR_CIVIL"})", "confirm"},
        {R"({"status":"Accepted","confirm":"yes","busFunction":"COMM_OR_CIVIL"})", "confirm"},
        {R"({"status":"Accepted","confirm":"CONFIRM_CHECKED"})", "busFunction"},
        {R"({"status":"Accepted","confirm":"CONFIRM_CHECKED","busFunction":"PRIVATE"})",
         "busFunction"},
        {R"({"status":"Accepted","confirm":"CONFIRM_CHECKED","busFunction":"GOV_OR_MIL"})",
         "govMilCountries"},
        {R"({"status":"Accepted","confirm":"CONFIRM_CHECKED","busFunction":"GOV_OR_MIL",)"
         R"("govMilCountries":"GOV_OR_MIL"})",
         "govMilCountries"},
        {R"({"status":"Accepted","confirm":"CONFIRM_CHECKED","busFunction":"COMM_OR_CIVIL",)"
         R"("govMilCountries":"MAYBE"})",
         "govMilCountries"},
    };
    for (const auto& [body, field] : bad) {
        const auto refusal = RefusalOf([&] { ParseK9Answer(body, ""); });
        ASSERT_TRUE(refusal) << body;
        EXPECT_EQ(refusal->code, ApiErrorCode::kInvalidInput) << body;
        EXPECT_NE(refusal->message.find(field), std::string::npos) << refusal->message;
    }
}

TEST(SwdistRequests, DecliningTheK9FormNeedsOnlyAComment) {
    const auto answer = ParseK9Answer(R"({"status":"Declined","declineComments":"no"})", "");
    EXPECT_EQ(answer.choice, AgreementAnswer::Choice::kDeclined);
    EXPECT_FALSE(answer.confirmed);
    EXPECT_EQ(answer.business_function, AgreementAnswer::BusinessFunction::kNotSaid);
    EXPECT_EQ(RefusalOf([] { ParseK9Answer(R"({"status":"Declined"})", ""); })->code,
              ApiErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace escd::server::swdist
