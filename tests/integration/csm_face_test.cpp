// The CSM face's door through a real escd (docs/csm.md, "The listener", "Answers", "Users,
// tokens and roles"): its own listener, tokens as the Basic user name, CSM's 401 shapes, the
// roles, the users escd's admin manages, and CSM's error envelope for what a client got wrong.

#include "tests/integration/csm_fixture.hpp"

namespace escd::test {
namespace {

namespace json = boost::json;

class CsmFace : public CsmTest {};

void ExpectUnauthenticated(const HttpResponse& answer) {
    EXPECT_EQ(answer.status, 401) << answer.body;
    EXPECT_EQ(answer.body, "Unauthorized Access");
    EXPECT_EQ(answer.Header("WWW-Authenticate"), "Basic realm=\"Authentication Required\"");
}

TEST_F(CsmFace, ATokenIsTheBasicUserNameWithAnyPasswordAndFetchesAFreshOne) {
    const auto answer = csm_->Get("/api/v1/token");
    ASSERT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(answer.Header("Content-Type"), "application/json");
    const auto token = std::string(Parsed(answer).at("token").as_string());
    // A JWS as CSM's: its header says HS256 and when it expires, one hour after it was issued.
    const auto header = json::parse(*Base64UrlDecode(token.substr(0, token.find('.'))));
    EXPECT_EQ(header.at("alg").as_string(), "HS256");
    EXPECT_EQ(header.at("exp").as_int64() - header.at("iat").as_int64(), 3600);

    auto by_token = Csm(token, "unused");
    EXPECT_EQ(by_token.Get("/api/v1/hosts").status, 200);
    const auto fresh = by_token.Get("/api/v1/token");
    ASSERT_EQ(fresh.status, 200) << fresh.body;
    EXPECT_EQ(
        Csm(std::string(Parsed(fresh).at("token").as_string()), "x").Get("/api/v1/regions").status,
        200);
}

TEST_F(CsmFace, CredentialsThatDoNotVerifyGetCsmsPlainTextChallenge) {
    ExpectUnauthenticated(Csm("admin", "wrong").Get("/api/v1/hosts"));
    HttpClient anonymous("127.0.0.1", escd_->csm_port());
    ExpectUnauthenticated(anonymous.Get("/api/v1/hosts"));
    ExpectUnauthenticated(anonymous.Get("/api/v1/token"));
    ExpectUnauthenticated(Csm("nobody", "x").Get("/api/v1/token"));
    // A token of another key, and one altered after signing.
    const auto token = std::string(Parsed(csm_->Get("/api/v1/token")).at("token").as_string());
    auto altered = token;
    altered[altered.size() / 2] = altered[altered.size() / 2] == 'A' ? 'B' : 'A';
    ExpectUnauthenticated(Csm(altered, "unused").Get("/api/v1/hosts"));
    ExpectUnauthenticated(
        Csm("eyJhbGciOiJIUzI1NiJ9.eyJpZCI6MH0.c2lnbmVkIGVsc2V3aGVyZQ", "x").Get("/api/v1/hosts"));
}

TEST_F(CsmFace, EachRoleDoesWhatTheReferenceGivesIt) {
    CreateUsers({{"ada", "Network Admin"}, {"oscar", "Operator"}, {"vera", "Viewer"}});
    auto network_admin = Csm("ada", "pw-ada");
    auto operator_user = Csm("OSCAR ", "pw-oscar");  // stripped and lower-cased, as CSM did
    auto viewer = Csm("vera", "pw-vera");
    const std::string region = R"({"region_name": "west"})";

    EXPECT_EQ(viewer.Get("/api/v1/regions").status, 200);
    EXPECT_EQ(operator_user.Get("/api/v1/regions").status, 200);
    for (auto* reader : {&viewer, &operator_user}) {
        const auto refused = reader->Post("/api/v1/regions", region, Json());
        EXPECT_EQ(refused.status, 401);
        EXPECT_EQ(Message(refused), "Not Authorized");
    }
    EXPECT_EQ(viewer.Get("/api/v1/install/logs/1").status, 401) << "logs are an operator's";
    EXPECT_EQ(network_admin.Post("/api/v1/regions", region, Json()).status, 200);
    EXPECT_EQ(viewer.Delete("/api/v1/regions/west/delete").status, 401);
    EXPECT_EQ(network_admin.Delete("/api/v1/regions/west/delete").status, 200);
    // Users are the Admin's alone.
    EXPECT_EQ(network_admin.Get("/api/v1/users").status, 401);
    EXPECT_EQ(csm_->Get("/api/v1/users").status, 200);
}

TEST_F(CsmFace, ADeactivatedOrDeletedUsersTokensStopAtOnce) {
    CreateUsers({{"ada", "Admin"}, {"bob", "Viewer"}});
    const auto token_of = [this](const std::string& user) {
        return std::string(
            Parsed(Csm(user, "pw-" + user).Get("/api/v1/token")).at("token").as_string());
    };
    auto ada = Csm(token_of("ada"), "unused");
    auto bob = Csm(token_of("bob"), "unused");
    ASSERT_EQ(ada.Get("/api/v1/hosts").status, 200);
    ASSERT_EQ(bob.Get("/api/v1/hosts").status, 200);

    ASSERT_EQ(csm_->Post("/api/v1/users", R"({"username": "ada", "active": false})", Json()).status,
              200);
    ExpectUnauthenticated(ada.Get("/api/v1/hosts"));
    ExpectUnauthenticated(Csm("ada", "pw-ada").Get("/api/v1/hosts"));
    ASSERT_EQ(csm_->Delete("/api/v1/users/bob/delete").status, 200);
    ExpectUnauthenticated(bob.Get("/api/v1/hosts"));
}

TEST_F(CsmFace, UsersAreManagedInBulkAndNeverShowAPassword) {
    const auto answer = csm_->Post("/api/v1/users", R"([
        {"username": "Carol", "password": "s3cret-carol", "role": "operator", "fullname": "C"},
        {"username": "dan", "password": "x", "role": "Superuser"},
        {"username": "erin", "role": "Viewer"},
        {"username": "admin", "password": "x", "role": "Admin"},
        {"username": "fay", "password": "x", "role": "Viewer", "shoe_size": 38}])",
                                   Json());
    ASSERT_EQ(answer.status, 207) << answer.body;
    const auto rows = Rows(answer, "user_list");
    ASSERT_EQ(rows.size(), 5u);
    EXPECT_EQ(Text(rows[0], "username"), "carol");
    EXPECT_EQ(Text(rows[0], "status"), "SUCCESS");
    EXPECT_EQ(Text(rows[1], "status_message"), "'Superuser' is an invalid role.");
    EXPECT_EQ(Text(rows[2], "status_message"), "Missing JSON key: 'password'.");
    EXPECT_EQ(Text(rows[3], "status_message"), "'admin' is escd's administrator.");
    EXPECT_EQ(Text(rows[4], "status_message"), "The following key, 'shoe_size', is invalid.");

    const auto listed = csm_->Get("/api/v1/users");
    ASSERT_EQ(listed.status, 200);
    EXPECT_EQ(listed.body.find("s3cret"), std::string::npos);
    EXPECT_EQ(listed.body.find("pbkdf2"), std::string::npos);
    const auto users = Rows(listed, "user_list");
    ASSERT_EQ(users.size(), 1u) << listed.body;
    EXPECT_EQ(Text(users[0], "role"), "Operator");
    EXPECT_EQ(Text(users[0], "fullname"), "C");
    EXPECT_EQ(Csm("carol", "s3cret-carol").Get("/api/v1/hosts").status, 200);

    const auto missing = csm_->Delete("/api/v1/users/zed/delete");
    EXPECT_EQ(missing.status, 400);
    EXPECT_EQ(Message(missing), "User 'zed' does not exist in the database.");
}

TEST_F(CsmFace, ClientMistakesAreCsmsEnvelopeWithAMessage) {
    auto answer = csm_->Post("/api/v1/regions", "{\"region_name\": ", Json());
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(Message(answer), "Data in the HTTP Request is an invalid JSON.");
    answer = csm_->Get("/api/v1/regions?color=red&size=9&region_name=x");
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(Message(answer), "Following parameters, 'color,size', are not allowed.");
    answer = csm_->Get("/api/v1/nothing/here");
    EXPECT_EQ(answer.status, 404);
    EXPECT_EQ(Inner(answer).at("status").as_string(), "FAILED");
    answer = csm_->Put("/api/v1/regions", "{}", Json());
    EXPECT_EQ(answer.status, 405);
    EXPECT_EQ(Inner(answer).at("status").as_string(), "FAILED");
    EXPECT_EQ(answer.Header("Allow").find("GET") != std::string::npos, true)
        << answer.Header("Allow");
}

TEST_F(CsmFace, TheCsmListenerServesOnlyTheCsmFaceAndTheEscOnesNotIt) {
    EXPECT_EQ(csm_->Get("/v0/tenants").status, 404);
    EXPECT_EQ(csm_->Get("/catalogue/v1/products").status, 404);
    EXPECT_EQ(client_->Get("/api/v1/hosts").status, 404);
    // The answers are written as CSM's server wrote them: keys sorted, two-space indent.
    const auto answer = csm_->Get("/api/v1/regions");
    EXPECT_EQ(answer.body, "{\n  \"api_response\": {\n    \"region_list\": []\n  }\n}");
}

}  // namespace
}  // namespace escd::test
