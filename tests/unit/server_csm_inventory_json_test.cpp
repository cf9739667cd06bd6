#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <boost/json.hpp>

#include "server/csm/inventory_json.hpp"

namespace escd::server::csm {
namespace {
namespace json = boost::json;
namespace csm = model::csm;
using Strings = std::vector<std::string>;

/// What a Parse*Item made of an item, the same for the five kinds.
struct Outcome {
    bool ok = false;
    std::string message;  ///< the failure's
    json::object row;     ///< the failure's row, or BulkRowOf(patch)
    std::string raw;      ///< the patch's raw name
    std::string name;     ///< the patch's sanitised name
};

template <class Patch, ItemResult<Patch> (*parse)(const json::value&), auto raw, auto name>
Outcome ParseAs(const json::value& item) {
    const auto result = parse(item);
    if (!result) return {false, result.failure().message, result.failure().row, "", ""};
    return {true, "", BulkRowOf(*result), (*result).*raw, (*result).*name};
}

struct Kind {
    const char* label;
    std::string name_key;
    std::string invalid_head;  ///< the kind's text for a name with nothing acceptable left: head,
    std::string invalid_tail;  ///< the raw name, tail
    Outcome (*parse)(const json::value&);
    json::object minimal = {};  ///< the keys a valid item needs besides its name

    std::string InvalidName(const std::string& raw) const {
        return invalid_head + raw + invalid_tail;
    }
};

std::vector<Kind> Kinds() {
    using H = HostPatch;
    using J = JumpHostPatch;
    using R = RegionPatch;
    using S = ServerRepositoryPatch;
    using C = CommandProfilePatch;
    return {
        {"host", "hostname", "'", "' is an invalid hostname.",
         ParseAs<H, ParseHostItem, &H::raw_hostname, &H::hostname>},
        {"jump host", "hostname", "'", "' is an invalid jump hostname.",
         ParseAs<J, ParseJumpHostItem, &J::raw_hostname, &J::hostname>},
        {"region", "region_name", "'", "' is an invalid region name.",
         ParseAs<R, ParseRegionItem, &R::raw_region_name, &R::region_name>},
        {"repository",
         "hostname",
         "Server repository name '",
         "' is not valid.",
         ParseAs<S, ParseServerRepositoryItem, &S::raw_hostname, &S::hostname>,
         {{"server_type", "LOCAL"}, {"device_path", "harddisk:"}}},
        {"profile", "profile_name", "Invalid custom command profile name '", "'.",
         ParseAs<C, ParseCommandProfileItem, &C::raw_profile_name, &C::profile_name>},
    };
}

/// The kind's minimal item with `extra` added (a null value adds the key with null).
json::object Item(const Kind& kind, json::object extra) {
    json::object item = kind.minimal;
    for (auto& member : extra) item[member.key()] = member.value();
    return item;
}

/// The row a failure after the name was read carries.
json::object NameRow(const Kind& kind, const std::string& name) {
    json::object row{{kind.name_key, name}};
    if (kind.name_key == "hostname" && kind.minimal.contains("server_type"))
        row["server_type"] = "LOCAL";
    return row;
}

// ---- What the five kinds share ------------------------------------------------------------------

TEST(CsmJsonItems, MissingOrNullNameIsAMissingKey) {
    for (const auto& kind : Kinds()) {
        for (json::object item : {Item(kind, {}), Item(kind, {{kind.name_key, nullptr}})}) {
            const auto outcome = kind.parse(item);
            EXPECT_FALSE(outcome.ok) << kind.label;
            EXPECT_EQ(outcome.message, "Missing JSON key: '" + kind.name_key + "'.") << kind.label;
            EXPECT_TRUE(outcome.row.empty()) << kind.label;
        }
    }
}

TEST(CsmJsonItems, NameOfNothingAcceptableIsTheKindsInvalidNameText) {
    for (const auto& kind : Kinds()) {
        for (const std::string raw : {"", "   ", "!#$%&'{|}~", "\xc3\xa9\xc3\xa9"}) {
            const auto outcome = kind.parse(Item(kind, {{kind.name_key, raw}}));
            EXPECT_FALSE(outcome.ok) << kind.label;
            EXPECT_EQ(outcome.message, kind.InvalidName(raw)) << kind.label;
            // CSM's row echoes the sanitised name: "".
            EXPECT_EQ(outcome.row, (json::object{{kind.name_key, ""}})) << kind.label;
        }
    }
}

TEST(CsmJsonItems, NameIsSanitisedAndTheRawOneKept) {
    for (const auto& kind : Kinds()) {
        const auto outcome = kind.parse(Item(kind, {{kind.name_key, "  My   Host#1! (a) "}}));
        ASSERT_TRUE(outcome.ok) << kind.label << ": " << outcome.message;
        EXPECT_EQ(outcome.raw, "  My   Host#1! (a) ") << kind.label;
        EXPECT_EQ(outcome.name, "My Host1 (a)") << kind.label;
        EXPECT_EQ(outcome.row, NameRow(kind, "My Host1 (a)")) << kind.label;
    }
}

TEST(CsmJsonItems, NumberNameIsItsTextOtherTypesAreRefused) {
    for (const auto& kind : Kinds()) {
        const auto number = kind.parse(Item(kind, {{kind.name_key, 42}}));
        ASSERT_TRUE(number.ok) << kind.label;
        EXPECT_EQ(number.name, "42");
        for (json::value bad : {json::value(true), json::value(json::array{"a"}),
                                json::value(json::object{{"a", 1}})}) {
            const auto outcome = kind.parse(Item(kind, {{kind.name_key, bad}}));
            EXPECT_FALSE(outcome.ok) << kind.label;
            EXPECT_EQ(outcome.message, "The value of '" + kind.name_key + "' must be a string.");
            EXPECT_TRUE(outcome.row.empty());
        }
    }
}

TEST(CsmJsonItems, UnknownKeysAreListedInTheItemsOrder) {
    for (const auto& kind : Kinds()) {
        auto one = kind.parse(Item(kind, {{kind.name_key, "n"}, {"bogus", 1}}));
        EXPECT_EQ(one.message, "The following key, 'bogus', is invalid.") << kind.label;
        EXPECT_EQ(one.row, NameRow(kind, "n")) << kind.label;
        auto two = kind.parse(Item(kind, {{kind.name_key, "n"}, {"zeta", nullptr}, {"alpha", 2}}));
        EXPECT_EQ(two.message, "The following keys, 'zeta,alpha', are invalid.") << kind.label;
    }
}

TEST(CsmJsonItems, NameIsCheckedBeforeTheKeys) {
    for (const auto& kind : Kinds()) {
        const auto outcome = kind.parse(Item(kind, {{kind.name_key, "!"}, {"bogus", 1}}));
        EXPECT_EQ(outcome.message, kind.InvalidName("!")) << kind.label;
    }
}

TEST(CsmJsonItems, AnItemThatIsNoObjectFailsAlone) {
    for (const auto& kind : Kinds()) {
        const auto outcome = kind.parse(json::value("text"));
        EXPECT_FALSE(outcome.ok);
        EXPECT_EQ(outcome.message, "Each item must be a JSON object.") << kind.label;
    }
}

// ---- Hosts --------------------------------------------------------------------------------------

HostPatch HostPatchOf(std::string_view body) {
    const auto result = ParseHostItem(json::parse(body));
    EXPECT_TRUE(result) << (result ? "" : result.failure().message);
    return result ? *result : HostPatch{};
}

std::string HostFailureOf(std::string_view body) {
    const auto result = ParseHostItem(json::parse(body));
    return result ? "(accepted)" : result.failure().message;
}

TEST(CsmJsonHosts, ParsesEveryKey) {
    const auto patch = HostPatchOf(R"({"hostname": "R1", "region": "SJ Labs", "location": "b20",
        "roles": "PE", "software_profile": "p", "connection_type": "telnet",
        "ts_or_ip": ["172.28.98.2", "172.28.98.3"], "port_number": [2017, "2018"],
        "username": "cisco", "password": "pw", "enable_password": "en", "jump_host": "jh"})");
    EXPECT_EQ(patch.hostname, "R1");
    EXPECT_EQ(patch.region, "SJ Labs");
    EXPECT_EQ(patch.location, "b20");
    EXPECT_EQ(patch.roles, Strings{"PE"});
    EXPECT_EQ(patch.software_profile, "p");
    EXPECT_EQ(patch.connection_type, csm::ConnectionType::kTelnet);
    EXPECT_EQ(patch.ts_or_ip, (Strings{"172.28.98.2", "172.28.98.3"}));
    EXPECT_EQ(patch.port_number, (Strings{"2017", "2018"}));
    EXPECT_EQ(patch.username, "cisco");
    EXPECT_EQ(patch.password, "pw");
    EXPECT_EQ(patch.enable_password, "en");
    EXPECT_EQ(patch.jump_host, "jh");
}

TEST(CsmJsonHosts, OmittedAndNullKeysAreNotGiven) {
    const auto patch = HostPatchOf(R"({"hostname": "R1", "region": null, "roles": null})");
    EXPECT_FALSE(patch.region || patch.location || patch.roles || patch.software_profile ||
                 patch.connection_type || patch.ts_or_ip || patch.port_number || patch.username ||
                 patch.password || patch.enable_password || patch.jump_host);
}

TEST(CsmJsonHosts, ListKeysTakeAScalarAndSplitAtCommasAsCsmStoredThem) {
    const auto patch = HostPatchOf(R"({"hostname": "R1", "roles": "PE, P",
        "ts_or_ip": "10.0.0.1,10.0.0.2", "port_number": 22})");
    EXPECT_EQ(patch.roles, (Strings{"PE", "P"}));
    EXPECT_EQ(patch.ts_or_ip, (Strings{"10.0.0.1", "10.0.0.2"}));
    EXPECT_EQ(patch.port_number, Strings{"22"});
    const auto empty = HostPatchOf(R"({"hostname": "R1", "roles": [], "port_number": ["", " "]})");
    EXPECT_EQ(empty.roles, Strings{});
    EXPECT_EQ(empty.port_number, Strings{});
}

TEST(CsmJsonHosts, ConnectionTypeIsExactlyTelnetOrSsh) {
    EXPECT_EQ(HostPatchOf(R"({"hostname": "R1", "connection_type": "ssh"})").connection_type,
              csm::ConnectionType::kSsh);
    for (const char* value :
         {R"("SSH")", R"("Telnet")", R"("")", R"(" ssh")", "22", "true", R"(["ssh"])"})
        EXPECT_EQ(
            HostFailureOf(std::string(R"({"hostname": "R1", "connection_type": )") + value + "}"),
            "Connection Type must be either telnet or ssh")
            << value;
}

TEST(CsmJsonHosts, WrongTypesNameTheKey) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {R"("region": ["a"])", "The value of 'region' must be a string."},
        {R"("location": {"a": 1})", "The value of 'location' must be a string."},
        {R"("password": true)", "The value of 'password' must be a string."},
        {R"("jump_host": [])", "The value of 'jump_host' must be a string."},
        {R"("roles": {"a": 1})", "The value of 'roles' must be a string or a list of strings."},
        {R"("ts_or_ip": ["1.1.1.1", null])",
         "The value of 'ts_or_ip' must be a string or a list of strings."},
        {R"("port_number": [[22]])",
         "The value of 'port_number' must be a string or a list of strings."},
        {R"("port_number": false)",
         "The value of 'port_number' must be a string or a list of strings."},
    };
    for (const auto& [member, message] : cases) {
        const auto result = ParseHostItem(json::parse(R"({"hostname": "R 1", )" + member + "}"));
        ASSERT_FALSE(result) << member;
        EXPECT_EQ(result.failure().message, message);
        EXPECT_EQ(result.failure().row, (json::object{{"hostname", "R 1"}}));
    }
}

TEST(CsmJsonHosts, NumbersAreTheirDecimalText) {
    const auto patch =
        HostPatchOf(R"({"hostname": 7, "username": 100, "port_number": [22, 2.5, -1]})");
    EXPECT_EQ(patch.hostname, "7");
    EXPECT_EQ(patch.username, "100");
    EXPECT_EQ(patch.port_number, (Strings{"22", "2.5", "-1"}));
}

TEST(CsmJsonHosts, NewHostNeedsRegionConnectionTypeAndAddressesInCsmsOrder) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {R"({"hostname": "R1"})", "Missing JSON key: 'region'."},
        {R"({"hostname": "R1", "region": "r", "ts_or_ip": "1.1.1.1"})",
         "Missing JSON key: 'connection_type'."},
        {R"({"hostname": "R1", "region": "r", "connection_type": "ssh"})",
         "Missing JSON key: 'ts_or_ip'."},
        {R"({"hostname": "R1", "region": "r", "connection_type": "ssh", "ts_or_ip": null})",
         "Missing JSON key: 'ts_or_ip'."},
    };
    for (const auto& [body, message] : cases) {
        const auto merged = MergeHost(std::nullopt, HostPatchOf(body), "admin");
        ASSERT_FALSE(merged) << body;
        EXPECT_EQ(merged.failure().message, message);
        EXPECT_EQ(merged.failure().row, (json::object{{"hostname", "R1"}}));
    }
}

TEST(CsmJsonHosts, NewHostIsCreatedByTheUserAndUndiscovered) {
    const auto merged = MergeHost(std::nullopt, HostPatchOf(R"({"hostname": "R1", "region": "r",
        "connection_type": "telnet", "ts_or_ip": ["1.1.1.1"], "jump_host": "j"})"),
                                  "alice");
    ASSERT_TRUE(merged);
    EXPECT_EQ(merged->hostname, "R1");
    EXPECT_EQ(merged->region, "r");
    EXPECT_EQ(merged->connection_type, csm::ConnectionType::kTelnet);
    EXPECT_EQ(merged->ts_or_ip, Strings{"1.1.1.1"});
    EXPECT_EQ(merged->jump_host, "j");
    EXPECT_EQ(merged->created_by, "alice");
    EXPECT_EQ(merged->facts, csm::DeviceFacts{});
    EXPECT_EQ(merged->facts.family, "Unknown");
}

csm::Host StoredHost() {
    csm::Host host;
    host.hostname = "R1";
    host.region = "old region";
    host.location = "b20";
    host.roles = {"PE"};
    host.software_profile = "prof";
    host.connection_type = csm::ConnectionType::kSsh;
    host.ts_or_ip = {"10.0.0.1", "10.0.0.2"};
    host.port_number = {"22"};
    host.username = "cisco";
    host.password = "secret";
    host.enable_password = "enable-secret";
    host.jump_host = "jh";
    host.facts = {"ASR9K", "ASR-9006", "ASR9K", "6.1.3", "XR"};
    host.created_by = "bob";
    host.created_time = std::chrono::sys_days{std::chrono::year{2016} / 6 / 1} +
                        std::chrono::hours{15} + std::chrono::minutes{15};
    return host;
}

TEST(CsmJsonHosts, UpdateReplacesWhatIsGivenAndKeepsTheRest) {
    const auto merged = MergeHost(StoredHost(), HostPatchOf(R"({"hostname": "R1",
        "region": "new", "ts_or_ip": "10.9.9.9", "password": "", "software_profile": ""})"),
                                  "alice");
    ASSERT_TRUE(merged);
    csm::Host expected = StoredHost();
    expected.region = "new";
    expected.ts_or_ip = {"10.9.9.9"};
    expected.password = "";
    expected.software_profile = "";  // "" removes it
    EXPECT_EQ(HostRow(*merged), HostRow(expected));
    EXPECT_EQ(merged->password, "");
    EXPECT_EQ(merged->enable_password, "enable-secret");
    EXPECT_EQ(merged->created_by, "bob");
    EXPECT_EQ(merged->created_time, expected.created_time);
}

TEST(CsmJsonHosts, RowHasCsmsKeysAndNoPassword) {
    const auto row = HostRow(StoredHost());
    EXPECT_EQ(row, json::parse(R"({"hostname": "R1", "region": "old region", "roles": ["PE"],
        "family": "ASR9K", "chassis": "ASR-9006", "software_platform": "ASR9K",
        "software_version": "6.1.3", "os_type": "XR", "location": "b20",
        "software_profile": "prof", "created_by": "bob",
        "created_time": "Wed, 01 Jun 2016 15:15:00 GMT", "ts_or_ip": ["10.0.0.1", "10.0.0.2"],
        "connection_type": "ssh", "username": "cisco", "port_number": ["22"],
        "jump_host": "jh"})"));
    const auto text = SortedPrettyJson(row);
    EXPECT_EQ(text.find("secret"), std::string::npos);
    EXPECT_EQ(text.find("password\""), std::string::npos);
}

TEST(CsmJsonHosts, UndiscoveredHostRowSaysUnknownAndEmptyStrings) {
    csm::Host host;
    host.hostname = "R2";
    const auto row = HostRow(host);
    for (const char* key :
         {"family", "chassis", "software_platform", "software_version", "os_type"})
        EXPECT_EQ(row.at(key), "Unknown") << key;
    EXPECT_EQ(row.at("jump_host"), "");
    EXPECT_EQ(row.at("port_number"), json::array{});
}

// ---- Jump hosts ---------------------------------------------------------------------------------

TEST(CsmJsonJumpHosts, ParsesScalarsAndAPortNumber) {
    const auto patch = ParseJumpHostItem(json::parse(R"({"hostname": "Jump_Host_1",
        "connection_type": "telnet", "host_or_ip": "1.1.1.1", "port_number": 5000,
        "username": "root", "password": "root"})"));
    ASSERT_TRUE(patch);
    EXPECT_EQ(patch->connection_type, csm::ConnectionType::kTelnet);
    EXPECT_EQ(patch->host_or_ip, "1.1.1.1");
    EXPECT_EQ(patch->port_number, "5000");
    EXPECT_EQ(patch->username, "root");
    EXPECT_EQ(patch->password, "root");
}

TEST(CsmJsonJumpHosts, RefusesListsBadTypesAndConnectionTypes) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {R"("port_number": [22])", "The value of 'port_number' must be a string."},
        {R"("host_or_ip": ["1.1.1.1"])", "The value of 'host_or_ip' must be a string."},
        {R"("connection_type": "rlogin")", "Connection Type must be either telnet or ssh"},
        {R"("ts_or_ip": "1.1.1.1")", "The following key, 'ts_or_ip', is invalid."},
    };
    for (const auto& [member, message] : cases) {
        const auto result = ParseJumpHostItem(json::parse(R"({"hostname": "j", )" + member + "}"));
        ASSERT_FALSE(result) << member;
        EXPECT_EQ(result.failure().message, message);
    }
}

TEST(CsmJsonJumpHosts, NewNeedsConnectionTypeAndHostOrIpUpdateKeepsTheRest) {
    const auto patch_of = [](std::string_view body) {
        return *ParseJumpHostItem(json::parse(body));
    };
    EXPECT_EQ(MergeJumpHost(std::nullopt, patch_of(R"({"hostname": "j", "host_or_ip": "h"})"), "a")
                  .failure()
                  .message,
              "Missing JSON key: 'connection_type'.");
    EXPECT_EQ(
        MergeJumpHost(std::nullopt, patch_of(R"({"hostname": "j", "connection_type": "ssh"})"), "a")
            .failure()
            .message,
        "Missing JSON key: 'host_or_ip'.");
    const auto created = MergeJumpHost(
        std::nullopt, patch_of(R"({"hostname": "j", "connection_type": "ssh", "host_or_ip": "h",
                                   "password": "pw"})"),
        "alice");
    ASSERT_TRUE(created);
    EXPECT_EQ(created->created_by, "alice");
    const auto updated =
        MergeJumpHost(*created, patch_of(R"({"hostname": "j", "port_number": "2222"})"), "bob");
    ASSERT_TRUE(updated);
    EXPECT_EQ(updated->host_or_ip, "h");
    EXPECT_EQ(updated->password, "pw");
    EXPECT_EQ(updated->created_by, "alice");
    EXPECT_EQ(JumpHostRow(*updated),
              json::parse(R"({"hostname": "j", "connection_type": "ssh", "host_or_ip": "h",
                              "port_number": "2222", "username": ""})"));
}

// ---- Regions ------------------------------------------------------------------------------------

TEST(CsmJsonRegions, RepositoriesAreAListOrOneNameEachOnceCommasIncluded) {
    const std::vector<std::pair<std::string, Strings>> cases{
        {R"("Repository1")", {"Repository1"}},
        {R"(["Repository1", "Repository2"])", {"Repository1", "Repository2"}},
        {R"("a,b")", {"a,b"}},  // a repository's name may contain a comma
        {R"(["a", "b", "a"])", {"a", "b"}},
        {R"([])", {}},
    };
    for (const auto& [value, names] : cases) {
        const auto patch = ParseRegionItem(
            json::parse(R"({"region_name": "Region_1", "server_repositories": )" + value + "}"));
        ASSERT_TRUE(patch) << value;
        EXPECT_EQ(patch->server_repositories, names) << value;
    }
    EXPECT_EQ(ParseRegionItem(json::parse(R"({"region_name": "r", "server_repositories": {}})"))
                  .failure()
                  .message,
              "The value of 'server_repositories' must be a string or a list of strings.");
    // The in-code docstring's key names are refused, as CSM's validator did.
    EXPECT_EQ(ParseRegionItem(json::parse(R"({"region_name": "r", "server_repository": "a"})"))
                  .failure()
                  .message,
              "The following key, 'server_repository', is invalid.");
}

TEST(CsmJsonRegions, MergeKeepsOrReplacesTheRepositories) {
    const auto patch_of = [](std::string_view body) { return *ParseRegionItem(json::parse(body)); };
    const auto created = MergeRegion(std::nullopt, patch_of(R"({"region_name": "r"})"), "alice");
    ASSERT_TRUE(created);
    EXPECT_EQ(created->name, "r");
    EXPECT_TRUE(created->server_repositories.empty());
    EXPECT_EQ(created->created_by, "alice");
    csm::Region stored{"r", {"a", "b"}, "bob"};
    EXPECT_EQ(MergeRegion(stored, patch_of(R"({"region_name": "r"})"), "x")->server_repositories,
              (Strings{"a", "b"}));
    const auto replaced =
        MergeRegion(stored, patch_of(R"({"region_name": "r", "server_repositories": ["c"]})"), "x");
    EXPECT_EQ(replaced->server_repositories, Strings{"c"});
    EXPECT_EQ(replaced->created_by, "bob");
    EXPECT_EQ(RegionRow(stored),
              json::parse(R"({"region_name": "r", "server_repositories": ["a", "b"]})"));
}

// ---- Custom command profiles --------------------------------------------------------------------

TEST(CsmJsonCommandProfiles, CommandsAreAListOrOneAndKeepTheirCommas) {
    const std::vector<std::pair<std::string, Strings>> cases{
        {R"("show platform")", {"show platform"}},
        {R"(["show platform", "show install inactive"])",
         {"show platform", "show install inactive"}},
        {R"(["show run | include a,b", " ", ""])", {"show run | include a,b"}},
        {R"([])", {}},
    };
    for (const auto& [value, commands] : cases) {
        const auto patch = ParseCommandProfileItem(
            json::parse(R"({"profile_name": "Profile_1", "command_list": )" + value + "}"));
        ASSERT_TRUE(patch) << value;
        EXPECT_EQ(patch->command_list, commands) << value;
    }
    EXPECT_EQ(ParseCommandProfileItem(json::parse(R"({"profile_name": "p", "command_list": [{}]})"))
                  .failure()
                  .message,
              "The value of 'command_list' must be a string or a list of strings.");
}

TEST(CsmJsonCommandProfiles, MergeKeepsOrReplacesTheCommands) {
    const auto patch_of = [](std::string_view body) {
        return *ParseCommandProfileItem(json::parse(body));
    };
    const auto created =
        MergeCommandProfile(std::nullopt, patch_of(R"({"profile_name": "p"})"), "alice");
    ASSERT_TRUE(created);
    EXPECT_TRUE(created->commands.empty());
    EXPECT_EQ(created->created_by, "alice");
    csm::CommandProfile stored{"p", {"show version"}, "bob"};
    EXPECT_EQ(MergeCommandProfile(stored, patch_of(R"({"profile_name": "p"})"), "x")->commands,
              Strings{"show version"});
    const auto replaced = MergeCommandProfile(
        stored, patch_of(R"({"profile_name": "p", "command_list": "show platform"})"), "x");
    EXPECT_EQ(replaced->commands, Strings{"show platform"});
    EXPECT_EQ(replaced->created_by, "bob");
    EXPECT_EQ(CommandProfileRow(*replaced),
              json::parse(R"({"profile_name": "p", "command_list": ["show platform"],
                              "created_by": "bob"})"));
}

TEST(CsmJsonCollections, NameAndListKeys) {
    EXPECT_EQ(kHosts.list_key, "host_list");
    EXPECT_EQ(kJumpHosts.list_key, "jump_host_list");
    EXPECT_EQ(kRegions.name_key, "region_name");
    EXPECT_EQ(kServerRepositories.list_key, "server_repository_list");
    EXPECT_EQ(kCommandProfiles.name_key, "profile_name");
    EXPECT_EQ(kCommandProfiles.list_key, "custom_command_profile_list");
}

}  // namespace
}  // namespace escd::server::csm
