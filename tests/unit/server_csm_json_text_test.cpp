#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "server/csm/csm_json_text.hpp"

namespace escd::server::csm {
namespace {
namespace json = boost::json;

/// The message of the CsmRequestError `call` throws; "" when it throws none.
template <class Call>
std::string RequestErrorOf(Call call) {
    try {
        call();
    } catch (const CsmRequestError& error) {
        return error.what();
    }
    return "";
}

// ---- The serializer ---------------------------------------------------------------------------

TEST(CsmJsonText, SortsKeysAtEveryLevelAndIndentsAsAsked) {
    const auto value = json::parse(
        R"({"zeta": 1, "alpha": {"b": [1, "x", {"d": null, "c": true}], "a": false}, "mid": []})");
    EXPECT_EQ(SortedPrettyJson(value, 4),
              "{\n"
              "    \"alpha\": {\n"
              "        \"a\": false,\n"
              "        \"b\": [\n"
              "            1,\n"
              "            \"x\",\n"
              "            {\n"
              "                \"c\": true,\n"
              "                \"d\": null\n"
              "            }\n"
              "        ]\n"
              "    },\n"
              "    \"mid\": [],\n"
              "    \"zeta\": 1\n"
              "}");
}

TEST(CsmJsonText, IndentsTwoSpacesAsCsmDid) {
    // Two spaces: what CSM's Flask 0.10.1 wrote.
    EXPECT_EQ(SortedPrettyJson(json::parse(R"({"b": [2], "a": {}})")),
              "{\n  \"a\": {},\n  \"b\": [\n    2\n  ]\n}");
}

TEST(CsmJsonText, WritesScalarsAsPythonDid) {
    EXPECT_EQ(SortedPrettyJson(json::value(nullptr)), "null");
    EXPECT_EQ(SortedPrettyJson(json::value(-12)), "-12");
    EXPECT_EQ(SortedPrettyJson(json::value(std::uint64_t{18446744073709551615u})),
              "18446744073709551615");
    EXPECT_EQ(SortedPrettyJson(json::value(1.0)), "1.0");
    EXPECT_EQ(SortedPrettyJson(json::value(2.5)), "2.5");
    EXPECT_EQ(SortedPrettyJson(json::object{}), "{}");
    EXPECT_EQ(SortedPrettyJson(json::array{}), "[]");
}

TEST(CsmJsonText, EscapesControlsAndEveryNonAsciiCharacter) {
    const std::string text = "q\"b\\n\nr\rt\tb\bf\f\x01/\x7f caf\xc3\xa9 \xf0\x9f\x98\x80";
    EXPECT_EQ(SortedPrettyJson(json::value(text)), R"("q\"b\\n\nr\rt\tb\bf\f\u0001/)"
                                                   "\x7f"
                                                   R"( caf\u00e9 \ud83d\ude00")");
}

TEST(CsmJsonText, InvalidUtf8BecomesReplacementCharacters) {
    // A lone continuation byte, a truncated sequence, an overlong '/' and a surrogate.
    const std::string text = "a\x80 b\xc3 c\xc0\xaf d\xed\xa0\x80";
    EXPECT_EQ(SortedPrettyJson(json::value(text)),
              R"("a\ufffd b\ufffd c\ufffd\ufffd d\ufffd\ufffd\ufffd")");
}

TEST(CsmJsonText, SortsKeysByCodePoint) {
    // Upper case before lower case, and a non-ASCII key after both (Python's order).
    const auto text = SortedPrettyJson(json::parse("{\"\xc3\xa9\": 1, \"b\": 2, \"B\": 3}"));
    EXPECT_EQ(text, "{\n  \"B\": 3,\n  \"b\": 2,\n  \"\\u00e9\": 1\n}");
}

// ---- Envelopes --------------------------------------------------------------------------------

TEST(CsmJsonEnvelope, ApiResponseWrapsTheInnerObject) {
    EXPECT_EQ(ApiResponse({{"status", "SUCCESS"}, {"hostname", "r1"}}),
              "{\n  \"api_response\": {\n    \"hostname\": \"r1\",\n"
              "    \"status\": \"SUCCESS\"\n  }\n}");
}

TEST(CsmJsonEnvelope, FailedIsStatusAndMessage) {
    EXPECT_EQ(Failed("Not Authorized"),
              "{\n  \"api_response\": {\n    \"status\": \"FAILED\",\n"
              "    \"status_message\": \"Not Authorized\"\n  }\n}");
}

TEST(CsmJsonEnvelope, HostListPageKeepsThePageNumbersBesideApiResponse) {
    json::array rows{json::object{{"hostname", "r1"}}};
    EXPECT_EQ(HostListPage(rows, 2, 3),
              "{\n"
              "  \"api_response\": {\n"
              "    \"host_list\": [\n"
              "      {\n"
              "        \"hostname\": \"r1\"\n"
              "      }\n"
              "    ]\n"
              "  },\n"
              "  \"current_page\": 2,\n"
              "  \"total_pages\": 3\n"
              "}");
    EXPECT_EQ(json::parse(HostListPage({}, 1, 0)),
              json::parse(R"({"api_response": {"host_list": []}, "current_page": 1,
                              "total_pages": 0})"));
}

TEST(CsmJsonEnvelope, BulkRowsAndTheirStatus) {
    const json::array rows{
        SucceededRow({{"hostname", "r1"}}),
        FailedRow({{"hostname", "r2"}}, "Connection Type must be either telnet or ssh"),
        FailedRow(ItemFailure{"Missing JSON key: 'hostname'.", {}})};
    EXPECT_EQ(json::parse(BulkResponse("host_list", rows)),
              json::parse(R"({"api_response": {"host_list": [
                  {"hostname": "r1", "status": "SUCCESS"},
                  {"hostname": "r2", "status": "FAILED",
                   "status_message": "Connection Type must be either telnet or ssh"},
                  {"status": "FAILED", "status_message": "Missing JSON key: 'hostname'."}]}})"));
    EXPECT_EQ(BulkHttpStatus(rows), 207);
    EXPECT_EQ(BulkHttpStatus({rows[1], rows[2]}), 207);  // all failed: still 207, never 400
    EXPECT_EQ(BulkHttpStatus({rows[0]}), 200);
    EXPECT_EQ(BulkHttpStatus({}), 200);
}

// ---- Request bodies ---------------------------------------------------------------------------

TEST(CsmJsonBulkItems, AListOfObjectsOrOneObject) {
    EXPECT_EQ(BulkItems(R"([{"hostname": "a"}, {"hostname": "b"}])"),
              json::parse(R"([{"hostname": "a"}, {"hostname": "b"}])"));
    EXPECT_EQ(BulkItems(R"({"hostname": "a"})"), json::parse(R"([{"hostname": "a"}])"));
    EXPECT_TRUE(BulkItems(" [ ] ").empty());
}

TEST(CsmJsonBulkItems, MalformedJsonIsCsmsMessage) {
    for (const std::string body : {"", "{", "[{\"a\": 1},", "{'a': 1}", "[1, 2] x"})
        EXPECT_EQ(RequestErrorOf([&] { BulkItems(body); }),
                  "Data in the HTTP Request is an invalid JSON.")
            << body;
}

TEST(CsmJsonBulkItems, JsonThatIsNoObjectNorListOfObjectsIsRefusedAsAWhole) {
    for (const std::string body : {"null", "12", "\"text\"", "true"})
        EXPECT_EQ(RequestErrorOf([&] { BulkItems(body); }),
                  "The request body must be a JSON object or a list of JSON objects.")
            << body;
    for (const std::string body : {"[{\"a\": 1}, 2]", "[null]", "[[{}]]"})
        EXPECT_EQ(RequestErrorOf([&] { BulkItems(body); }),
                  "Every item of the request body's list must be a JSON object.")
            << body;
}

TEST(CsmJsonBulkItems, MissingKeyAndInvalidKeysTexts) {
    EXPECT_EQ(MissingKey("region"), "Missing JSON key: 'region'.");
    const auto item = json::parse(R"({"b": 1, "zz": 2, "a": 3, "yy": null})").as_object();
    EXPECT_EQ(InvalidKeys(item, {"a", "b", "zz", "yy"}), std::nullopt);
    EXPECT_EQ(InvalidKeys(item, {"a", "b", "yy"}), "The following key, 'zz', is invalid.");
    // The item's order; a null value is a key all the same.
    EXPECT_EQ(InvalidKeys(item, {"a"}), "The following keys, 'b,zz,yy', are invalid.");
}

// ---- Query parameters -------------------------------------------------------------------------

TEST(CsmJsonParameters, DisallowedParametersNamesTheOthersOnceInTheGivenOrder) {
    EXPECT_EQ(DisallowedParameters({}, {"hostname"}), std::nullopt);
    EXPECT_EQ(DisallowedParameters({"hostname", "page"}, {"hostname", "region", "family", "page"}),
              std::nullopt);
    EXPECT_EQ(DisallowedParameters({"hostname", "optimal"}, {"hostname"}),
              "Following parameter, 'optimal', is not allowed.");
    EXPECT_EQ(DisallowedParameters({"z", "hostname", "a", "z"}, {"hostname"}),
              "Following parameters, 'z,a', are not allowed.");
    EXPECT_EQ(DisallowedParameters({"name"}, {}), "Following parameter, 'name', is not allowed.");
}

TEST(CsmJsonParameters, DisallowedParametersBoundsAClientsLongNames) {
    const auto message = DisallowedParameters({std::string(500, 'x')}, {"hostname"});
    ASSERT_TRUE(message);
    EXPECT_EQ(*message, "Following parameter, '" + std::string(80, 'x') + "...', is not allowed.");
}

TEST(CsmJsonParameters, PageAsCsmReadIt) {
    const std::vector<std::pair<std::string, std::int64_t>> cases{
        {"", 1},
        {"1", 1},
        {"3", 3},
        {"0", 1},
        {"-2", 1},
        {" 7\t", 7},
        {"+4", 4},
        {"007", 7},
        {"-0", 1},
        {"2147483647", 2147483647},
        {"99999999999999999999999", 2147483647}};
    for (const auto& [text, page] : cases) EXPECT_EQ(ParsePage(text), page) << text;
}

TEST(CsmJsonParameters, PageThatIsNoNumberIsRefusedWithCsmsText) {
    for (const std::string text : {"abc", "1.5", "  ", "+", "-", "1e3", "0x10", "1 2", "12abc"})
        EXPECT_EQ(RequestErrorOf([&] { ParsePage(text); }), "page must be an numeric value")
            << text;
}

TEST(CsmJsonParameters, TotalPagesRoundsUp) {
    EXPECT_EQ(kRecordsPerPage, 1000);
    EXPECT_EQ(TotalPages(0), 0);
    EXPECT_EQ(TotalPages(1), 1);
    EXPECT_EQ(TotalPages(1000), 1);
    EXPECT_EQ(TotalPages(1001), 2);
    EXPECT_EQ(TotalPages(2500), 3);
}

// ---- Dates ------------------------------------------------------------------------------------

std::chrono::system_clock::time_point At(int y, unsigned m, unsigned d, int hh, int mm, int ss) {
    using namespace std::chrono;
    return sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm} + seconds{ss};
}

TEST(CsmJsonDates, HttpDateAsFlaskWroteIt) {
    using namespace std::chrono;
    EXPECT_EQ(HttpDate(At(2016, 6, 1, 15, 15, 0)), "Wed, 01 Jun 2016 15:15:00 GMT");
    EXPECT_EQ(HttpDate(At(2024, 2, 29, 23, 59, 59) + milliseconds{999}),
              "Thu, 29 Feb 2024 23:59:59 GMT");
    EXPECT_EQ(HttpDate(At(2017, 12, 31, 0, 0, 7)), "Sun, 31 Dec 2017 00:00:07 GMT");
    EXPECT_EQ(HttpDate(system_clock::time_point{}), "Thu, 01 Jan 1970 00:00:00 GMT");
    // Before the epoch: still the second that has begun, not the next one.
    EXPECT_EQ(HttpDate(system_clock::time_point{} - milliseconds{500}),
              "Wed, 31 Dec 1969 23:59:59 GMT");
}

}  // namespace
}  // namespace escd::server::csm
