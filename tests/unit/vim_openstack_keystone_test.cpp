#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "vim/openstack/api_client.hpp"
#include "vim/openstack/keystone.hpp"

namespace escd::vim::openstack {
namespace {
namespace json = boost::json;
using std::chrono::system_clock;

// A token as Keystone v3 (Zed) answers POST /v3/auth/tokens, trimmed to what escd reads plus
// fields it must ignore.
constexpr const char* kTokenBody = R"({"token": {
  "methods": ["password"],
  "user": {"domain": {"id": "default", "name": "Default"}, "id": "u-1", "name": "escd",
           "password_expires_at": null},
  "audit_ids": ["a1"],
  "expires_at": "2026-11-24T06:25:08.123456Z",
  "issued_at": "2026-11-24T05:25:08.000000Z",
  "project": {"domain": {"id": "default", "name": "Default"}, "id": "p-1", "name": "escd"},
  "is_domain": false,
  "roles": [{"id": "r-1", "name": "admin"}],
  "catalog": [
    {"endpoints": [
       {"id": "e1", "interface": "public", "region_id": "RegionOne", "region": "RegionOne",
        "url": "http://127.0.0.1:8774/v2.1/"},
       {"id": "e2", "interface": "internal", "region_id": "RegionOne", "region": "RegionOne",
        "url": "http://127.0.0.2:8774/v2.1"},
       {"id": "e3", "interface": "public", "region_id": "RegionTwo", "region": "RegionTwo",
        "url": "http://127.0.0.3:8774/v2.1"}],
     "id": "s1", "type": "compute", "name": "nova"},
    {"endpoints": [
       {"id": "e4", "interface": "public", "region_id": "RegionOne", "region": "RegionOne",
        "url": "http://127.0.0.1:8776/v3/p-1"}],
     "id": "s2", "type": "volumev3", "name": "cinder"}]
}})";

TEST(KeystoneAuth, PasswordBodyScopesTheTokenToTheProject) {
    Credentials c;
    c.user = "escd";
    c.password = "s3cret\"quote";
    c.user_domain = "UD";
    c.project = "escd-project";
    c.project_domain = "PD";
    const auto body = json::parse(PasswordAuthBody(c));
    const auto& identity = body.at("auth").at("identity");
    EXPECT_EQ(identity.at("methods").as_array().size(), 1u);
    EXPECT_EQ(identity.at("methods").at(0).as_string(), "password");
    const auto& user = identity.at("password").at("user");
    EXPECT_EQ(user.at("name").as_string(), "escd");
    EXPECT_EQ(user.at("password").as_string(), "s3cret\"quote");
    EXPECT_EQ(user.at("domain").at("name").as_string(), "UD");
    const auto& project = body.at("auth").at("scope").at("project");
    EXPECT_EQ(project.at("name").as_string(), "escd-project");
    EXPECT_EQ(project.at("domain").at("name").as_string(), "PD");

    // A tenant's project escd made: scoped by its id.
    c.project_id = "5e1f";
    const auto scoped = json::parse(PasswordAuthBody(c));
    EXPECT_EQ(json::serialize(scoped.at("auth").at("scope")), R"({"project":{"id":"5e1f"}})");
}

TEST(KeystoneAuth, ATokenCarriesItsExpiryProjectAndCatalog) {
    const auto token = ParseToken("gAAAA-token", kTokenBody);
    EXPECT_EQ(token.id, "gAAAA-token");
    EXPECT_EQ(token.project_id, "p-1");
    EXPECT_EQ(token.project_domain_id, "default");
    EXPECT_EQ(token.user_id, "u-1");
    EXPECT_EQ(token.expires_at, *ParseIsoTime("2026-11-24T06:25:08.123456Z"));
    ASSERT_EQ(token.catalog.size(), 4u);
    EXPECT_EQ(FindEndpoint(token.catalog, "compute", "public", "RegionOne"),
              "http://127.0.0.1:8774/v2.1");  // the trailing slash goes
    EXPECT_EQ(FindEndpoint(token.catalog, "compute", "internal", ""), "http://127.0.0.2:8774/v2.1");
    EXPECT_EQ(FindEndpoint(token.catalog, "compute", "public", "RegionTwo"),
              "http://127.0.0.3:8774/v2.1");
    EXPECT_EQ(FindEndpoint(token.catalog, "volumev3", "public", ""),
              "http://127.0.0.1:8776/v3/p-1");
    EXPECT_FALSE(FindEndpoint(token.catalog, "compute", "admin", ""));
    EXPECT_FALSE(FindEndpoint(token.catalog, "network", "public", ""));
}

TEST(KeystoneAuth, AnAnswerThatIsNotATokenIsAVimError) {
    for (const auto& [header, body] : std::vector<std::pair<std::string, std::string>>{
             {"", kTokenBody},
             {"t", "not json"},
             {"t", R"({"tokens": {}})"},
             {"t", R"({"token": {"expires_at": "tomorrow"}})"}}) {
        try {
            ParseToken(header, body);
            ADD_FAILURE() << "accepted: " << body.substr(0, 40);
        } catch (const Error& e) {
            EXPECT_EQ(e.code(), ErrorCode::kVimError) << e.what();
        }
    }
}

TEST(KeystoneAuth, IsoTimesAsKeystoneWritesThem) {
    const auto whole = ParseIsoTime("2026-11-24T06:25:08Z");
    ASSERT_TRUE(whole);
    EXPECT_EQ(system_clock::to_time_t(*whole), 1795501508);
    EXPECT_EQ(*ParseIsoTime("2026-11-24T06:25:08.5Z") - *whole, std::chrono::milliseconds(500));
    EXPECT_EQ(*ParseIsoTime("2026-11-24T06:25:08.000001+00:00") - *whole,
              std::chrono::microseconds(1));
    EXPECT_FALSE(ParseIsoTime("2026-11-24 06:25"));
    EXPECT_FALSE(ParseIsoTime("2026-11-24T06:25:08+02:00"));
}

TEST(KeystoneAuth, EndpointSettingsOfTheReferenceNameV3Interfaces) {
    EXPECT_EQ(InterfaceNamed("publicURL"), "public");
    EXPECT_EQ(InterfaceNamed("internalURL"), "internal");
    EXPECT_EQ(InterfaceNamed("adminURL"), "admin");
    EXPECT_EQ(InterfaceNamed("admin"), "admin");
    EXPECT_FALSE(InterfaceNamed("privateURL"));
}

TEST(OpenStackApi, FailedAnswersMapToEscdsErrorCategories) {
    const std::vector<std::pair<int, ErrorCode>> cases{
        {400, ErrorCode::kVimError},     {401, ErrorCode::kUnauthorized},
        {403, ErrorCode::kUnauthorized}, {404, ErrorCode::kNotFound},
        {409, ErrorCode::kConflict},     {413, ErrorCode::kUnavailable},
        {429, ErrorCode::kUnavailable},  {500, ErrorCode::kUnavailable},
        {503, ErrorCode::kUnavailable}};
    for (const auto& [status, code] : cases) {
        ApiResponse response;
        response.status = status;
        EXPECT_EQ(ApiError(response, "x").code(), code) << status;
        EXPECT_EQ(ApiError(response, "x").origin(), ErrorOrigin::kVim) << status;
    }
}

TEST(OpenStackApi, ErrorMessagesCarryTheServicesOwnWords) {
    ApiResponse nova;
    nova.status = 404;
    nova.body = R"({"itemNotFound": {"code": 404, "message": "Flavor f1 could not be found."}})";
    EXPECT_NE(std::string(ApiError(nova, "GET flavor").what()).find("Flavor f1 could not be found"),
              std::string::npos);
    ApiResponse neutron;
    neutron.status = 409;
    neutron.body =
        R"({"NeutronError": {"type": "IpAddressInUse", "message": "IP in use", "detail": ""}})";
    EXPECT_NE(std::string(ApiError(neutron, "POST port").what()).find("IP in use"),
              std::string::npos);
    ApiResponse keystone;
    keystone.status = 401;
    keystone.body =
        R"({"error": {"code": 401, "message": "The request you have made requires authentication.", "title": "Unauthorized"}})";
    EXPECT_NE(std::string(ApiError(keystone, "auth").what()).find("requires authentication"),
              std::string::npos);
    ApiResponse glance;
    glance.status = 400;
    glance.body = "400 Bad Request\n\nInvalid disk format";
    EXPECT_NE(std::string(ApiError(glance, "image").what()).find("Invalid disk format"),
              std::string::npos);
}

TEST(OpenStackApi, RetryAfterIsHonouredOnlyWhenItIsSeconds) {
    ApiResponse busy;
    busy.status = 429;
    EXPECT_TRUE(Retryable(busy));
    busy.headers["retry-after"] = "7";
    EXPECT_EQ(RetryAfter(busy, std::chrono::seconds(1)), std::chrono::seconds(7));
    busy.headers["retry-after"] = "Wed, 21 Oct 2026 07:28:00 GMT";
    EXPECT_EQ(RetryAfter(busy, std::chrono::seconds(1)), std::chrono::seconds(1));
    ApiResponse conflict;
    conflict.status = 409;
    EXPECT_FALSE(Retryable(conflict));
}

TEST(OpenStackApi, AnOutageNamesTheServiceForTheClient) {
    EXPECT_EQ(ServiceName("network"), "network service (Neutron)");
    EXPECT_EQ(ServiceName("compute"), "compute service (Nova)");
    EXPECT_EQ(ServiceName("identity"), "identity service (Keystone)");
    EXPECT_EQ(ServiceName("volumev3"), "volumev3 service (Cinder)");
    EXPECT_EQ(ServiceName("dns"), "dns service");
    const auto outage = Outage("network",
                               "GET http://127.0.0.1:9696/v2.0/networks: connect: "
                               "Connection refused");
    EXPECT_EQ(outage.code(), ErrorCode::kUnavailable);
    EXPECT_EQ(outage.service(), "network service (Neutron)");
    EXPECT_EQ(std::string(outage.what()),
              "the VIM's network service (Neutron) is unavailable: GET "
              "http://127.0.0.1:9696/v2.0/networks: connect: Connection refused");
    // Down for now: a proxy without its backend, a service starting or stopping. A 500 is the
    // service's failure, not an outage.
    for (int status : {502, 503, 504}) {
        ApiResponse down;
        down.status = status;
        EXPECT_TRUE(ServiceDown(down)) << status;
    }
    ApiResponse failed;
    failed.status = 500;
    EXPECT_FALSE(ServiceDown(failed));
}

TEST(OpenStackKeystoneUnit, TheRenewalMarginIsTheDefaultUnlessGiven) {
    ssl::context tls(ssl::context::tls_client);
    ApiClient client(tls, std::chrono::seconds(1), CidrList::Parse("127.0.0.0/8"));
    Credentials credentials;
    EXPECT_EQ(Keystone(client, credentials).renew_before(), Keystone::kRenewBefore);
    EXPECT_EQ(Keystone(client, credentials, std::chrono::seconds(30)).renew_before(),
              std::chrono::seconds(30));
}

}  // namespace
}  // namespace escd::vim::openstack
