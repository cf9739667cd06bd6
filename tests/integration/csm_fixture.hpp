#pragma once
// What the CSM face's integration tests share: a client of escd's CSM listener (its own port)
// and the JSON of its answers.

#include <boost/json.hpp>
#include <string>

#include "common/crypto.hpp"
#include "tests/integration/escd_fixture.hpp"

namespace escd::test {

class CsmTest : public EscdTest {
  protected:
    void SetUp() override {
        EscdTest::SetUp();
        ASSERT_NE(escd_->csm_port(), 0) << "escd printed no CSM port";
        csm_.emplace(Csm("admin", escd_->admin_password()));
    }

    /// A client of the CSM listener as `user`.
    HttpClient Csm(const std::string& user, const std::string& password) const {
        HttpClient client("127.0.0.1", escd_->csm_port());
        client.SetBasicAuth(user, password);
        return client;
    }

    static std::map<std::string, std::string> Json() {
        return {{"Content-Type", "application/json"}};
    }
    static boost::json::value Parsed(const HttpResponse& response) {
        return boost::json::parse(response.body);
    }
    /// api_response of an answer.
    static boost::json::object Inner(const HttpResponse& response) {
        return Parsed(response).at("api_response").as_object();
    }
    /// The status_message of a failed answer.
    static std::string Message(const HttpResponse& response) {
        const auto inner = Inner(response);
        EXPECT_EQ(inner.at("status").as_string(), "FAILED") << response.body;
        return std::string(inner.at("status_message").as_string());
    }
    /// The rows of a bulk answer.
    static boost::json::array Rows(const HttpResponse& response, const std::string& list_key) {
        return Inner(response).at(list_key).as_array();
    }
    static std::string Text(const boost::json::value& row, const char* key) {
        return std::string(row.at(key).as_string());
    }

    /// Creates the users (role by name) with password "pw-<name>".
    void CreateUsers(const std::vector<std::pair<std::string, std::string>>& users) {
        boost::json::array items;
        for (const auto& [name, role] : users)
            items.push_back({{"username", name}, {"password", "pw-" + name}, {"role", role}});
        const auto answer = csm_->Post("/api/v1/users", boost::json::serialize(items), Json());
        ASSERT_EQ(answer.status, 200) << answer.body;
    }

    std::optional<HttpClient> csm_;
};

}  // namespace escd::test
