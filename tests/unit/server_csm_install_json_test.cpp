#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "server/csm/install_json.hpp"
#include "server/csm/install_time.hpp"

namespace escd::server::csm {
namespace {
namespace json = boost::json;
namespace csm = model::csm;
using namespace std::chrono;
using Strings = std::vector<std::string>;
using Query = std::map<std::string, std::string>;

/// A UTC time from its civil parts.
system_clock::time_point Utc(int y, unsigned mo, unsigned d, int h, int mi, int s = 0) {
    return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

constexpr minutes Offset(int h, int m) {
    return hours{h} + minutes{h < 0 ? -m : m};
}

// ---- Time -----------------------------------------------------------------------------------

TEST(CsmInstallJsonTime, OffsetsCarryTheirSignOnTheMinutesToo) {
    EXPECT_EQ(ParseUtcOffset("+05:30"), minutes{330});
    EXPECT_EQ(ParseUtcOffset("-03:30"), minutes{-210});  // CSM: -2 h 30 min
    EXPECT_EQ(ParseUtcOffset("-09:30"), minutes{-570});
    EXPECT_EQ(ParseUtcOffset("+05:45"), minutes{345});
    EXPECT_EQ(ParseUtcOffset("+14:00"), minutes{840});
    EXPECT_EQ(ParseUtcOffset("-12:00"), minutes{-720});
    EXPECT_EQ(ParseUtcOffset("+00:00"), minutes{0});
    EXPECT_EQ(ParseUtcOffset("-00:00"), minutes{0});
}

TEST(CsmInstallJsonTime, AnOffsetWithoutSignIsPositiveAsAQueryStringsPlusArrivesAsASpace) {
    EXPECT_EQ(ParseUtcOffset(" 05:30"), minutes{330});
    EXPECT_EQ(ParseUtcOffset("05:30"), minutes{330});
    EXPECT_EQ(ParseUtcOffset(" -03:30 "), minutes{-210});
}

TEST(CsmInstallJsonTime, OffsetsOutOfRangeOrFormatAreRefused) {
    for (const char* text :
         {"+14:01", "-12:01", "+15:00", "-13:00", "+14:59", "+5:30", "+05:60", "+0530", "+05:30x",
          "05:30 PM", "", "+", "abc", "++05:30", "+-05:30", "+05:30:00", "+05.30", "UTC"})
        EXPECT_EQ(ParseUtcOffset(text), std::nullopt) << text;
}

TEST(CsmInstallJsonTime, ScheduledTimeIsLocalMinusTheOffset) {
    EXPECT_EQ(ParseScheduledTime("06-01-2016 03:15 PM", {}), Utc(2016, 6, 1, 15, 15));
    // -03:30 is 3 h 30 min behind UTC: local 10 PM on new year's eve is 01:30 UTC next year.
    EXPECT_EQ(ParseScheduledTime("12-31-2016 10:00 PM", Offset(-3, 30)), Utc(2017, 1, 1, 1, 30));
    EXPECT_EQ(ParseScheduledTime("02-28-2015 08:00 PM", Offset(-9, 30)), Utc(2015, 3, 1, 5, 30));
    EXPECT_EQ(ParseScheduledTime("01-01-2017 12:10 AM", Offset(5, 45)), Utc(2016, 12, 31, 18, 25));
    EXPECT_EQ(ParseScheduledTime("03-01-2016 01:00 AM", Offset(14, 0)), Utc(2016, 2, 29, 11, 0));
    EXPECT_EQ(ParseScheduledTime("12-31-2016 12:00 PM", Offset(-12, 0)), Utc(2017, 1, 1, 0, 0));
    EXPECT_EQ(ParseScheduledTime("04-30-2016 11:59 PM", Offset(-1, 0)), Utc(2016, 5, 1, 0, 59));
}

TEST(CsmInstallJsonTime, TwelveAmIsMidnightAndTwelvePmNoon) {
    EXPECT_EQ(ParseScheduledTime("06-01-2016 12:00 AM", {}), Utc(2016, 6, 1, 0, 0));
    EXPECT_EQ(ParseScheduledTime("06-01-2016 12:59 AM", {}), Utc(2016, 6, 1, 0, 59));
    EXPECT_EQ(ParseScheduledTime("06-01-2016 12:00 PM", {}), Utc(2016, 6, 1, 12, 0));
    EXPECT_EQ(ParseScheduledTime("06-01-2016 01:00 PM", {}), Utc(2016, 6, 1, 13, 0));
    EXPECT_EQ(ParseScheduledTime("06-01-2016 11:00 AM", {}), Utc(2016, 6, 1, 11, 0));
}

TEST(CsmInstallJsonTime, ScheduledTimeIsReadAsLenientlyAsStrptime) {
    EXPECT_EQ(ParseScheduledTime("6-1-2016 3:05 pm", {}), Utc(2016, 6, 1, 15, 5));
    EXPECT_EQ(ParseScheduledTime("06-01-2016  03:15 \tPm", {}), Utc(2016, 6, 1, 15, 15));
    EXPECT_EQ(ParseScheduledTime("02-29-2016 1:7 am", {}), Utc(2016, 2, 29, 1, 7));
}

TEST(CsmInstallJsonTime, ScheduledTimesThatAreNoRealTimeAreRefused) {
    for (const char* text : {"02-30-2016 01:00 AM",
                             "02-29-2015 01:00 AM",
                             "04-31-2016 01:00 AM",
                             "13-01-2016 01:00 AM",
                             "00-01-2016 01:00 AM",
                             "06-00-2016 01:00 AM",
                             "06-01-16 03:15 PM",
                             "06-01-2016 13:00 PM",
                             "06-01-2016 00:30 AM",
                             "06-01-2016 03:60 PM",
                             "06-01-2016 03:15",
                             "06-01-2016 03:15 XM",
                             "06/01/2016 03:15 PM",
                             " 06-01-2016 03:15 PM",
                             "06-01-2016 03:15 PM x",
                             "06-01-2016T03:15 PM",
                             "06-01-2016 03:15PM",
                             "06-01-2016 03:15:00 PM",
                             "",
                             "06-01-9999 03:15 PM",
                             "06-01-0000 03:15 PM",
                             "123-01-2016 01:00 AM"})
        EXPECT_EQ(ParseScheduledTime(text, {}), std::nullopt) << text;
}

TEST(CsmInstallJsonTime, LocalTimeTextIsUtcPlusTheOffsetInCsmsFormat) {
    EXPECT_EQ(LocalTimeText(Utc(2016, 6, 1, 15, 15, 59), {}), "06-01-2016 03:15 PM");
    EXPECT_EQ(LocalTimeText(Utc(2017, 1, 1, 0, 5), {}), "01-01-2017 12:05 AM");
    EXPECT_EQ(LocalTimeText(Utc(2017, 1, 1, 12, 0), {}), "01-01-2017 12:00 PM");
    EXPECT_EQ(LocalTimeText(Utc(2017, 1, 1, 1, 29), Offset(-3, 30)), "12-31-2016 09:59 PM");
    EXPECT_EQ(LocalTimeText(Utc(2015, 3, 1, 5, 29), Offset(-9, 30)), "02-28-2015 07:59 PM");
    EXPECT_EQ(LocalTimeText(Utc(2016, 12, 31, 18, 15), Offset(5, 45)), "01-01-2017 12:00 AM");
    EXPECT_EQ(LocalTimeText(Utc(2016, 2, 28, 10, 0), Offset(14, 0)), "02-29-2016 12:00 AM");
    EXPECT_EQ(LocalTimeText(Utc(2017, 1, 1, 0, 0), Offset(-12, 0)), "12-31-2016 12:00 PM");
}

TEST(CsmInstallJsonTime, TextAndTimeRoundTripAtEveryQuarterHourOffset) {
    for (int quarter = -48; quarter <= 56; ++quarter) {
        const minutes offset{quarter * 15};
        for (const char* text : {"01-01-2017 12:00 AM", "12-31-2016 11:45 PM",
                                 "02-29-2016 12:30 PM", "07-04-2016 06:07 AM"}) {
            const auto utc = ParseScheduledTime(text, offset);
            ASSERT_TRUE(utc) << text << " " << quarter;
            EXPECT_EQ(LocalTimeText(*utc, offset), text) << quarter;
        }
    }
}

// ---- POST /install, phase 1 -----------------------------------------------------------------

ItemResult<InstallItem> Parse(std::string_view body) {
    return ParseInstallItem(json::parse(body));
}

std::string FailureOf(std::string_view body) {
    const auto result = Parse(body);
    return result ? "(accepted)" : result.failure().message;
}

InstallItem ItemOf(std::string_view body) {
    const auto result = Parse(body);
    EXPECT_TRUE(result) << body << ": " << (result ? "" : result.failure().message);
    return result ? *result : InstallItem{};
}

TEST(CsmInstallJsonItem, ReadsEveryKey) {
    const auto item = ItemOf(R"({"hostname": "R1 ", "install_action": "Add",
        "scheduled_time": "06-01-2016 03:15 PM", "utc_offset": "-03:30",
        "server_repository": "tftp", "server_directory": "smus", "dependency": "Pre-Upgrade",
        "software_packages": [" a.pie ", "b.rpm", ""], "command_profile": "edge"})");
    EXPECT_EQ(item.hostname, "R1 ");  // raw
    EXPECT_EQ(item.action, csm::InstallAction::kAdd);
    EXPECT_EQ(item.scheduled_time, Utc(2016, 6, 1, 18, 45));
    EXPECT_EQ(item.utc_offset, minutes{-210});
    EXPECT_EQ(item.server_repository, "tftp");
    EXPECT_EQ(item.server_directory, "smus");
    EXPECT_EQ(item.dependency, InstallDependency{csm::InstallAction::kPreUpgrade});
    EXPECT_EQ(item.software_packages, (Strings{"a.pie", "b.rpm"}));
    EXPECT_EQ(item.command_profiles, Strings{"edge"});
    EXPECT_EQ(item.original.at("hostname"), "R1 ");
}

TEST(CsmInstallJsonItem, OmittedAndNullKeysAreNotGiven) {
    const auto item = ItemOf(R"({"hostname": "R1", "install_action": "Commit",
        "scheduled_time": null, "utc_offset": null, "dependency": null, "command_profile": null,
        "server_repository": null, "software_packages": null})");
    EXPECT_FALSE(item.scheduled_time || item.utc_offset || item.dependency ||
                 item.server_repository || item.server_directory || item.software_packages);
    EXPECT_TRUE(item.command_profiles.empty());
}

TEST(CsmInstallJsonItem, TheActionComesFirst) {
    EXPECT_EQ(FailureOf(R"({"hostname": "R1"})"), "Missing JSON key: 'install_action'.");
    EXPECT_EQ(FailureOf(R"({"install_action": null, "bogus": 1})"),
              "Missing JSON key: 'install_action'.");
    EXPECT_EQ(FailureOf(R"({"install_action": "Upgrade", "bogus": 1})"),
              "'Upgrade' is an invalid install action.");
    EXPECT_EQ(FailureOf(R"({"install_action": "add", "hostname": "R1"})"),
              "'add' is an invalid install action.");
    EXPECT_EQ(FailureOf(R"({"install_action": 5})"), "'5' is an invalid install action.");
    EXPECT_EQ(FailureOf(R"({"install_action": ["Add"]})"),
              "The value of 'install_action' must be a string.");
}

TEST(CsmInstallJsonItem, FpdUpgradeAndRollbackAreNotRunByEscd) {
    EXPECT_EQ(FailureOf(R"({"install_action": "FPD-Upgrade", "hostname": "R1",
                            "fpd_location": "all", "fpd_type": "all"})"),
              "'FPD-Upgrade' is not supported by escd.");
    EXPECT_EQ(FailureOf(R"({"install_action": "Rollback", "hostname": "R1"})"),
              "'Rollback' is not supported by escd.");
    EXPECT_EQ(FailureOf(R"({"install_action": "Commit", "hostname": "R1", "fpd_type": "all"})"),
              "The following key, 'fpd_type', is invalid.");
}

TEST(CsmInstallJsonItem, UnknownKeysBeforeMissingOnes) {
    EXPECT_EQ(FailureOf(R"({"install_action": "Add", "zeta": 1, "packages": []})"),
              "The following keys, 'zeta,packages', are invalid.");
}

TEST(CsmInstallJsonItem, RequiredKeysPerAction) {
    const std::map<std::string, Strings> required{
        {"Pre-Upgrade", {"hostname"}},
        {"Add", {"hostname", "server_repository", "software_packages"}},
        {"Activate", {"hostname", "software_packages"}},
        {"Post-Upgrade", {"hostname"}},
        {"Commit", {"hostname"}},
        {"Remove", {"hostname", "software_packages"}},
        {"Deactivate", {"hostname", "software_packages"}},
        {"Remove All Inactive", {"hostname"}},  // CSM: a KeyError
    };
    const json::object full{{"hostname", "R1"},
                            {"server_repository", "s"},
                            {"software_packages", json::array{"a.pie"}}};
    for (const auto& [action, keys] : required) {
        json::object item{{"install_action", action}};
        for (const auto& key : keys) item[key] = full.at(key);
        EXPECT_TRUE(ParseInstallItem(item)) << action;
        for (const auto& key : keys) {
            json::object without = item;
            without.erase(key);
            json::object null = item;
            null[key] = nullptr;
            for (const auto& missing : {without, null}) {
                const auto result = ParseInstallItem(missing);
                ASSERT_FALSE(result) << action << " " << key;
                EXPECT_EQ(result.failure().message, "Missing JSON key: '" + key + "'.");
            }
        }
    }
}

TEST(CsmInstallJsonItem, ValuesOfTheWrongTypeAreNamed) {
    EXPECT_EQ(ItemOf(R"({"install_action": "Commit", "hostname": 42})").hostname, "42");
    EXPECT_EQ(FailureOf(R"({"install_action": "Commit", "hostname": true})"),
              "The value of 'hostname' must be a string.");
    EXPECT_EQ(
        FailureOf(R"({"install_action": "Commit", "hostname": "R1", "server_repository": {}})"),
        "The value of 'server_repository' must be a string.");
    EXPECT_EQ(
        FailureOf(R"({"install_action": "Commit", "hostname": "R1", "command_profile": [[]]})"),
        "The value of 'command_profile' must be a string or a list of strings.");
    EXPECT_EQ(
        FailureOf(R"({"install_action": "Commit", "hostname": "R1", "server_directory": []})"),
        "The value of 'server_directory' must be a string.");
}

TEST(CsmInstallJsonItem, CommandProfilesAreAListOrOneNameTrimmedEachOnce) {
    const auto item = ItemOf(R"({"install_action": "Pre-Upgrade", "hostname": "R1",
        "command_profile": [" a ", "b,c", "a", ""]})");
    EXPECT_EQ(item.command_profiles, (Strings{"a", "b,c"}));
}

TEST(CsmInstallJsonItem, SoftwarePackagesMustBeANonEmptyList) {
    const std::string head = R"({"install_action": "Activate", "hostname": "R1", )";
    for (const char* empty : {R"([])", R"("")", R"("  ")", R"([" ", ""])"})
        EXPECT_EQ(FailureOf(head + R"("software_packages": )" + empty + "}"),
                  "Software packages when specified cannot be empty.")
            << empty;
    // The format of CSM's 2016 guide: CSM created the jobs before it and then answered 207.
    for (const char* not_list : {R"("a.pie,b.pie")", R"({"a": 1})", R"(7)", R"(false)"})
        EXPECT_EQ(FailureOf(head + R"("software_packages": )" + not_list + "}"),
                  "software_packages must be a list type.")
            << not_list;
    EXPECT_EQ(FailureOf(head + R"("software_packages": ["a.pie", {}]})"),
              "software_packages must be a list of strings.");
    // Not split at commas (CSM's #71/#79), numbers as their text.
    EXPECT_EQ(ItemOf(head + R"("software_packages": ["a.pie,b.pie", 7]})").software_packages,
              (Strings{"a.pie,b.pie", "7"}));
    // Given to an action that does not use them: checked all the same, as CSM.
    EXPECT_EQ(
        FailureOf(R"({"install_action": "Commit", "hostname": "R1", "software_packages": []})"),
        "Software packages when specified cannot be empty.");
}

TEST(CsmInstallJsonItem, TimeTexts) {
    const std::string head = R"({"install_action": "Commit", "hostname": "R1", )";
    EXPECT_EQ(FailureOf(head + R"("scheduled_time": "06-01-2016 03:15 PM"})"),
              "Missing utc_offset. If scheduled_time is submitted, utc_offset is also required.");
    const std::string bad_offset =
        "Invalid utc_offset: Must be in '<+|->dd:dd' format and be between -12:00 and +14:00.";
    for (const char* offset : {R"("+14:30")", R"("5:30")", R"(5)", R"([])"})
        EXPECT_EQ(FailureOf(head + R"("scheduled_time": "06-01-2016 03:15 PM", "utc_offset": )" +
                            offset + "}"),
                  bad_offset)
            << offset;
    // Checked without a time too (CSM ignored it).
    EXPECT_EQ(FailureOf(head + R"("utc_offset": "+25:00"})"), bad_offset);
    EXPECT_EQ(FailureOf(head + R"("scheduled_time": "2016-06-01 15:15", "utc_offset": "+00:00"})"),
              "Invalid scheduled_time: 2016-06-01 15:15 must be in 'mm-dd-yyyy hh:mm AM|PM' "
              "format.");
    EXPECT_EQ(FailureOf(head + R"("scheduled_time": 1464794100, "utc_offset": "+00:00"})"),
              "Invalid scheduled_time: 1464794100 must be in 'mm-dd-yyyy hh:mm AM|PM' format.");
    EXPECT_EQ(FailureOf(head + R"("scheduled_time": "", "utc_offset": "+00:00"})"),
              "Invalid scheduled_time:  must be in 'mm-dd-yyyy hh:mm AM|PM' format.");
    const auto offset_only = ItemOf(head + R"("utc_offset": "-09:30"})");
    EXPECT_EQ(offset_only.utc_offset, minutes{-570});
    EXPECT_EQ(offset_only.scheduled_time, std::nullopt);
}

TEST(CsmInstallJsonItem, ChecksRunInCsmsOrder) {
    // Packages before time, time before dependency, types before packages.
    EXPECT_EQ(FailureOf(R"({"install_action": "Activate", "hostname": "R1", "software_packages": [],
                            "scheduled_time": "x", "dependency": "x"})"),
              "Software packages when specified cannot be empty.");
    EXPECT_EQ(FailureOf(R"({"install_action": "Commit", "hostname": "R1", "dependency": "x",
                            "scheduled_time": "x", "utc_offset": "+00:00"})"),
              "Invalid scheduled_time: x must be in 'mm-dd-yyyy hh:mm AM|PM' format.");
    EXPECT_EQ(
        FailureOf(R"({"install_action": "Activate", "hostname": [], "software_packages": []})"),
        "The value of 'hostname' must be a string.");
}

TEST(CsmInstallJsonItem, DependencyIsAnIdOrAnAction) {
    const std::string head = R"({"install_action": "Commit", "hostname": "R1", "dependency": )";
    EXPECT_EQ(ItemOf(head + "118}").dependency,
              InstallDependency{std::int64_t{118}});  // CSM: crash
    EXPECT_EQ(ItemOf(head + R"("118"})").dependency, InstallDependency{std::int64_t{118}});
    EXPECT_EQ(ItemOf(head + "0}").dependency, InstallDependency{std::int64_t{0}});
    EXPECT_EQ(ItemOf(head + R"("Remove All Inactive"})").dependency,
              InstallDependency{csm::InstallAction::kRemoveAllInactive});
    const std::string tail =
        " is an invalid dependency: it must be an install job id or an "
        "install action.";
    for (const char* bad :
         {"-1", R"("-1")", R"("abc")", R"("")", R"(" 118")", R"("add")", R"("FPD-Upgrade")",
          "18446744073709551615", R"("99999999999999999999")"}) {
        const auto value = json::parse(bad);
        const std::string shown =
            value.is_string() ? std::string(value.get_string()) : json::serialize(value);
        EXPECT_EQ(FailureOf(head + bad + "}"), "'" + shown + "'" + tail) << bad;
    }
    for (const char* bad : {"1.5", "true", "[118]", "{}"})
        EXPECT_EQ(FailureOf(head + bad + "}"),
                  "The value of 'dependency' must be an install job id or an install action.")
            << bad;
}

TEST(CsmInstallJsonItem, FailureRowIsTheItemAsPosted) {
    const auto posted = json::parse(R"({"install_action": "Nope", "hostname": "R1", "x": [1]})");
    const auto result = ParseInstallItem(posted);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.failure().row, posted.get_object());
    const auto text = ParseInstallItem(json::value("text"));
    ASSERT_FALSE(text);
    EXPECT_EQ(text.failure().message, "Each item must be a JSON object.");
}

TEST(CsmInstallJsonItem, StoreCheckTexts) {
    EXPECT_EQ(InvalidHostnameMessage("R9"), "'R9' is an invalid hostname.");
    EXPECT_EQ(InvalidServerRepositoryMessage("s"), "'s' is an invalid server repository.");
    EXPECT_EQ(InvalidCommandProfileMessage("p"), "'p' is an invalid custom command profile.");
}

TEST(CsmInstallJsonDuplicates, EveryItemOfAGroupIsMarkedFailedOnesAreSkipped) {
    const auto a = ItemOf(R"({"install_action": "Commit", "hostname": "R1"})");
    const auto b = ItemOf(R"({"install_action": "Commit", "hostname": "r1"})");
    const auto c = ItemOf(R"({"install_action": "Pre-Upgrade", "hostname": "R1"})");
    const std::string text =
        "More than one entry with the same hostname: 'R1' and install_action: 'Commit'. Remove "
        "any duplicate and resubmit.";
    const auto messages = DuplicateMessages({&a, &b, &c, nullptr, &a});
    ASSERT_EQ(messages.size(), 5U);
    EXPECT_EQ(messages[0], text);
    EXPECT_EQ(messages[1], std::nullopt);  // hostnames are compared as given
    EXPECT_EQ(messages[2], std::nullopt);
    EXPECT_EQ(messages[3], std::nullopt);
    EXPECT_EQ(messages[4], text);
    EXPECT_EQ(DuplicateMessages({&a, nullptr, &b}), (std::vector<std::optional<std::string>>(3)));
}

TEST(CsmInstallJsonAnswers, ValidationFailedBodyEchoesEveryItemInRequestOrder) {
    const auto items = json::parse(R"([{"hostname": "R1", "install_action": "Nope"},
                                       {"hostname": "R2", "install_action": "Commit"}])");
    const auto body = json::parse(ValidationFailedBody(
        items.get_array(), {std::string("'Nope' is an invalid install action."), std::nullopt}));
    EXPECT_EQ(body, json::parse(R"({"api_response": {"install_job_list": [
        {"hostname": "R1", "install_action": "Nope", "status": "FAILED",
         "status_message": "'Nope' is an invalid install action."},
        {"hostname": "R2", "install_action": "Commit", "status": "FAILED",
         "status_message": "Not submitted. Check other jobs for error message."}]}})"));
}

TEST(CsmInstallJsonAnswers, CreationRows) {
    const auto item = ItemOf(R"({"install_action": "Commit", "hostname": "R1"})");
    const json::array rows{CreatedRow(item, 7), CreationFailedRow(item, "why")};
    EXPECT_EQ(rows[0], json::parse(R"({"hostname": "R1", "install_action": "Commit", "id": 7,
                                       "status": "SUCCESS"})"));
    EXPECT_EQ(rows[1], json::parse(R"({"hostname": "R1", "install_action": "Commit",
                                       "status": "FAILED", "status_message": "why"})"));
    EXPECT_EQ(BulkHttpStatus(rows), 207);
    EXPECT_EQ(
        json::parse(BulkResponse(kInstallJobList, rows)).at("api_response").at("install_job_list"),
        rows);
}

// ---- POST /install, phase 2 -----------------------------------------------------------------

TEST(CsmInstallJsonCreate, OrderIsHostnameThenCsmsActionOrderStable) {
    std::vector<InstallItem> items;
    for (const auto& [host, action] :
         std::vector<std::pair<const char*, const char*>>{{"r2", "Commit"},
                                                          {"r1", "Remove"},
                                                          {"r1", "Pre-Upgrade"},
                                                          {"r10", "Add"},
                                                          {"r1", "Activate"},
                                                          {"r1", "Add"}}) {
        json::object object{{"hostname", host}, {"install_action", action}};
        if (std::string_view(action) != "Commit" && std::string_view(action) != "Pre-Upgrade")
            object["software_packages"] = json::array{"a.pie"};
        if (std::string_view(action) == "Add") object["server_repository"] = "s";
        items.push_back(ItemOf(json::serialize(object)));
    }
    EXPECT_EQ(CreationOrder(items), (std::vector<std::size_t>{2, 5, 4, 1, 3, 0}));
}

TEST(CsmInstallJsonCreate, AddKeepsOnlyInstallableFileNames) {
    EXPECT_EQ(
        AddablePackages({"a.pie", "b.rpm", "c.tar", "d.smu", "e.iso", "f.pkg", "g.bin", "h.pie.md5",
                         "readme.txt", "x.PIE", "asr9k-px-5.3.3.CSCuz05961"}),
        (Strings{"a.pie", "b.rpm", "c.tar", "d.smu", "e.iso", "f.pkg", "g.bin", "h.pie.md5"}));
}

TEST(CsmInstallJsonCreate, JobToCreateKeepsWhatEachActionUses) {
    const auto now = Utc(2016, 6, 1, 15, 15, 42);
    const auto add = JobToCreate(ItemOf(R"({"install_action": "Add", "hostname": "R1",
        "server_repository": "s", "server_directory": "d", "command_profile": "p",
        "software_packages": ["a.pie", "notes.txt"]})"),
                                 now, 5, "admin");
    EXPECT_EQ(add.hostname, "R1");
    EXPECT_EQ(add.action, csm::InstallAction::kAdd);
    EXPECT_EQ(add.scheduled_time, Utc(2016, 6, 1, 15, 15));  // now, to the minute
    EXPECT_EQ(add.dependency, 5);
    EXPECT_EQ(add.status, csm::JobStatus::kScheduled);
    EXPECT_EQ(add.created_by, "admin");
    EXPECT_EQ(add.server_repository, "s");
    EXPECT_EQ(add.server_directory, "d");
    EXPECT_EQ(add.software_packages, Strings{"a.pie"});
    EXPECT_TRUE(add.command_profiles.empty());

    const auto activate = JobToCreate(ItemOf(R"({"install_action": "Activate", "hostname": "R1",
        "server_repository": "s", "software_packages": ["asr9k-px-5.3.3.CSCuz05961"],
        "scheduled_time": "06-01-2016 03:15 PM", "utc_offset": "+02:00"})"),
                                      now, std::nullopt, "admin");
    EXPECT_EQ(activate.scheduled_time, Utc(2016, 6, 1, 13, 15));
    EXPECT_EQ(activate.software_packages, Strings{"asr9k-px-5.3.3.CSCuz05961"});
    EXPECT_EQ(activate.server_repository, "");
    EXPECT_EQ(activate.dependency, std::nullopt);

    const auto pre = JobToCreate(ItemOf(R"({"install_action": "Pre-Upgrade", "hostname": "R1",
        "command_profile": ["p", "q"], "software_packages": ["a.pie"]})"),
                                 now, std::nullopt, "u");
    EXPECT_EQ(pre.command_profiles, (Strings{"p", "q"}));
    EXPECT_TRUE(pre.software_packages.empty());
    const auto commit = JobToCreate(ItemOf(R"({"install_action": "Commit", "hostname": "R1",
        "command_profile": "p", "server_repository": "s"})"),
                                    now, std::nullopt, "u");
    EXPECT_TRUE(commit.command_profiles.empty() && commit.server_repository.empty());
    EXPECT_EQ(ScheduledTimeOf(ItemOf(R"({"install_action": "Commit", "hostname": "R1"})"), now),
              Utc(2016, 6, 1, 15, 15));
}

TEST(CsmInstallJsonCreate, DependencyTexts) {
    const InstallDependency id{std::int64_t{118}};
    const InstallDependency add{csm::InstallAction::kAdd};
    EXPECT_EQ(DependencyText(id), "118");
    EXPECT_EQ(DependencyText(add), "Add");
    EXPECT_EQ(DependencyMissingMessage(id), "Dependency '118' does not exist in the database.");
    EXPECT_EQ(DependencyOtherHostMessage(id),
              "The dependency '118' requested belongs to a different host.");
    EXPECT_EQ(DependencyLaterMessage(add),
              "The dependency 'Add' requested has a later scheduled time.");
    EXPECT_EQ(DependencyNotFoundMessage(add),
              "'Add' is an invalid dependency or dependency does not belong to the same host.");
}

// ---- GET /install ---------------------------------------------------------------------------

std::string JobQueryFailure(const Query& query) {
    try {
        ParseJobQuery(query);
        return "(accepted)";
    } catch (const CsmRequestError& error) {
        return error.what();
    }
}

TEST(CsmInstallJsonJobQuery, ReadsEveryParameterEmptyOnesAreNotGiven) {
    const auto none = ParseJobQuery({{"hostname", ""}, {"status", ""}, {"utc_offset", ""}});
    EXPECT_FALSE(none.id || none.hostname || none.action || none.status || none.scheduled_since ||
                 none.utc_offset);
    const auto all = ParseJobQuery({{"hostname", "R1"},
                                    {"install_action", "Remove All Inactive"},
                                    {"status", "in-progress"},
                                    {"scheduled_time", "06-01-2016 03:15 PM"},
                                    {"utc_offset", " 05:30"}});  // '+' arrived as a space
    EXPECT_EQ(all.hostname, "R1");
    EXPECT_EQ(all.action, csm::InstallAction::kRemoveAllInactive);
    EXPECT_EQ(all.status, csm::JobStatus::kInProgress);
    EXPECT_EQ(all.scheduled_since, Utc(2016, 6, 1, 9, 45));
    EXPECT_EQ(all.utc_offset, minutes{330});
}

TEST(CsmInstallJsonJobQuery, AnIdIgnoresTheOtherParametersButTheOffset) {
    const auto query = ParseJobQuery({{"id", "17"}, {"status", "bogus"}, {"utc_offset", "-03:30"}});
    EXPECT_EQ(query.id, 17);
    EXPECT_FALSE(query.status || query.hostname);
    EXPECT_EQ(query.utc_offset, minutes{-210});
    EXPECT_EQ(JobQueryFailure({{"id", "x17"}}), "Install id 'x17' must be an integer.");
    EXPECT_EQ(JobQueryFailure({{"id", "99999999999999999999"}}),
              "Install id '99999999999999999999' does not exist in the database.");
    EXPECT_EQ(InstallIdMissingMessage(17), "Install id '17' does not exist in the database.");
}

TEST(CsmInstallJsonJobQuery, Texts) {
    EXPECT_EQ(JobQueryFailure({{"page", "2"}}), "Following parameter, 'page', is not allowed.");
    EXPECT_EQ(JobQueryFailure({{"status", "done"}}), "'done' is an invalid job status.");
    EXPECT_EQ(JobQueryFailure({{"install_action", "Upgrade"}}),
              "'Upgrade' is an invalid install action.");
    EXPECT_EQ(JobQueryFailure({{"install_action", "FPD-Upgrade"}}),
              "'FPD-Upgrade' is not supported by escd.");
    EXPECT_EQ(JobQueryFailure({{"scheduled_time", "06-01-2016 03:15 PM"}}),
              "utc_offset must be specified if scheduled_time is specified.");
    const std::string bad_offset =
        "Invalid utc_offset: Must be in '<+|->dd:dd' format and be between -12:00 and +14:00.";
    EXPECT_EQ(JobQueryFailure({{"scheduled_time", "06-01-2016 03:15 PM"}, {"utc_offset", "+15"}}),
              bad_offset);
    EXPECT_EQ(JobQueryFailure({{"utc_offset", "EST"}}), bad_offset);
    EXPECT_EQ(JobQueryFailure({{"scheduled_time", "today"}, {"utc_offset", "+01:00"}}),
              "Invalid scheduled_time: today must be in 'mm-dd-yyyy hh:mm AM|PM' format.");
    EXPECT_EQ(HostMissingMessage("R9"), "Host 'R9' does not exist in the database.");
    EXPECT_EQ(kTooManyResults, "Too many results; please refine your request.");
}

csm::InstallJob SampleJob() {
    csm::InstallJob job;
    job.id = 42;
    job.hostname = "R1";
    job.action = csm::InstallAction::kAdd;
    job.scheduled_time = Utc(2016, 6, 1, 15, 15);
    job.dependency = 41;
    job.server_repository = "tftp";
    job.server_directory = "smus";
    job.software_packages = {"a.pie", "b.pie"};
    job.command_profiles = {};
    job.status = csm::JobStatus::kFailed;
    job.start_time = Utc(2016, 6, 1, 15, 16, 20);
    job.status_message = "Connecting to device";
    job.trace = "% Invalid input";
    job.warnings_or_errors = {"WARNING: a", "ERROR: b"};
    job.package_change_list = {"a.pie"};
    job.created_by = "admin";
    return job;
}

TEST(CsmInstallJsonRows, InstallJobRowWithHttpDates) {
    EXPECT_EQ(InstallJobRow(SampleJob(), std::nullopt), json::parse(R"({
        "id": 42, "install_action": "Add", "dependency": 41,
        "scheduled_time": "Wed, 01 Jun 2016 15:15:00 GMT",
        "start_time": "Wed, 01 Jun 2016 15:16:20 GMT", "status_time": "",
        "software_packages": ["a.pie", "b.pie"], "status": "failed", "trace": "% Invalid input",
        "created_by": "admin", "hostname": "R1", "warnings_or_errors": "WARNING: a\nERROR: b",
        "package_change_list": [], "server_repository": "tftp", "server_directory": "smus",
        "command_profile": [], "status_message": "Connecting to device"})"));
}

TEST(CsmInstallJsonRows, InstallJobRowWithLocalTimes) {
    auto job = SampleJob();
    job.dependency.reset();
    job.status = csm::JobStatus::kCompleted;
    job.status_time = Utc(2016, 6, 1, 16, 0);
    job.command_profiles = {"p"};
    const auto row = InstallJobRow(job, Offset(-3, 30));
    EXPECT_EQ(row.at("dependency"), "");
    EXPECT_EQ(row.at("scheduled_time"), "06-01-2016 11:45 AM");
    EXPECT_EQ(row.at("start_time"), "06-01-2016 11:46 AM");
    EXPECT_EQ(row.at("status_time"), "06-01-2016 12:30 PM");
    EXPECT_EQ(row.at("status"), "completed");
    EXPECT_EQ(row.at("package_change_list"), (json::array{"a.pie"}));
    EXPECT_EQ(row.at("command_profile"), (json::array{"p"}));
    // escd's own key beside CSM's: what the job does, or why it failed.
    EXPECT_EQ(row.at("status_message"), "Connecting to device");
    job.start_time.reset();
    EXPECT_EQ(InstallJobRow(job, minutes{0}).at("start_time"), "");
}

// ---- DELETE /install/delete -----------------------------------------------------------------

std::string DeleteQueryFailure(const Query& query) {
    try {
        ParseDeleteQuery(query);
        return "(accepted)";
    } catch (const CsmRequestError& error) {
        return error.what();
    }
}

TEST(CsmInstallJsonDelete, Parameters) {
    const auto none = ParseDeleteQuery({});
    EXPECT_FALSE(none.id || none.hostname || none.status);
    const auto both = ParseDeleteQuery({{"hostname", "R1"}, {"status", "failed"}});
    EXPECT_EQ(both.hostname, "R1");
    EXPECT_EQ(both.status, csm::JobStatus::kFailed);
    EXPECT_EQ(ParseDeleteQuery({{"status", "scheduled"}, {"hostname", ""}}).status,
              csm::JobStatus::kScheduled);
    const auto id = ParseDeleteQuery({{"id", "9"}, {"hostname", "R1"}, {"status", "x"}});
    EXPECT_EQ(id.id, 9);
    EXPECT_FALSE(id.hostname || id.status);  // so the cascade runs, as for an id alone
}

TEST(CsmInstallJsonDelete, Texts) {
    for (const char* status : {"in-progress", "completed", "bogus"})
        EXPECT_EQ(DeleteQueryFailure({{"status", status}}),
                  "Invalid value for status: must be 'failed' or 'scheduled'.");
    EXPECT_EQ(DeleteQueryFailure({{"id", "1"}, {"x", "1"}, {"y", ""}}),
              "Following parameters, 'x,y', are not allowed.");
    EXPECT_EQ(DeleteQueryFailure({{"id", "one"}}), "Install job id 'one' must be an integer.");
    EXPECT_EQ(InstallJobIdMissingMessage(9), "Install job id '9' does not exist in the database.");
    EXPECT_EQ(SessionLogMissingMessage(9), "Session log does not exist for install job id '9'.");
    EXPECT_EQ(InProgressMessage(9), "Unable to delete install job '9' as it is in progress.");
}

TEST(CsmInstallJsonDelete, Rows) {
    const auto job = SampleJob();
    EXPECT_EQ(DeletedRow(job, {}), json::parse(R"({"id": 42, "install_action": "Add",
                                                   "hostname": "R1", "status": "SUCCESS"})"));
    EXPECT_EQ(DeletedRow(job, {43, 44}).at("deleted_dependencies"), (json::array{43, 44}));
    EXPECT_EQ(NotDeletedRow(job, InProgressMessage(42)),
              json::parse(R"({"id": 42, "install_action": "Add", "hostname": "R1",
                              "status": "FAILED", "status_message":
                              "Unable to delete install job '42' as it is in progress."})"));
}

}  // namespace
}  // namespace escd::server::csm
