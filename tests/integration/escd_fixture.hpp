#pragma once
// The fixture of escd's integration tests: a fresh database (escd's schema already in it), a
// callback receiver on loopback and a real escd child process, plus helpers to read XML answers.

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <pugixml.hpp>
#include <regex>
#include <string>

#include "tests/support/callback_receiver.hpp"
#include "tests/support/escd_process.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/test_database.hpp"

namespace escd::test {

inline constexpr auto kCallbackWait = std::chrono::seconds(20);

inline const char* kTenantBody =
    R"(<tenant xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">
  <name>example-tenant</name>
  <managed_resource>true</managed_resource>
</tenant>)";

inline std::string TenantBody(const std::string& name) {
    return "<tenant xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><name>" + name +
           "</name></tenant>";
}

/// The text of the first element named `name` anywhere in `xml` ("" if none).
inline std::string XmlText(const std::string& xml, const char* name) {
    pugi::xml_document doc;
    if (!doc.load_string(xml.c_str())) return "<malformed>";
    auto node = doc.select_node((std::string("//") + name).c_str());
    return node ? node.node().child_value() : "";
}

inline bool IsUuid(const std::string& text) {
    static const std::regex kUuid(
        "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
    return std::regex_match(text, kUuid);
}

class EscdTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ESCD_REQUIRE_PG(db_);
        StartEscd();
    }

    /// (Re)starts escd on this test's database with the default test flags, the fixture's
    /// `escd_args_`, then `extra`.
    void StartEscd(std::vector<std::string> extra = {}) {
        auto options = OptionsFor(extra);
        if (escd_) options.data_dir = escd_->data_dir();
        previous_.push_back(std::move(escd_));
        escd_ = std::make_unique<EscdProcess>(options);
        client_.emplace(escd_->Client());
    }

    /// An escd on this test's database with the default test flags, `escd_args_`, then `extra`.
    EscdOptions OptionsFor(const std::vector<std::string>& extra) const {
        EscdOptions options;
        options.dsn = db_.dsn();
        options.extra_args = escd_args_;
        options.extra_args.insert(options.extra_args.end(), extra.begin(), extra.end());
        return options;
    }

    std::map<std::string, std::string> WithCallback() const {
        return {{"Callback", receiver_.Url()}};
    }

    HttpResponse CreateTenant(const std::string& id, const std::string& body = kTenantBody) {
        return client_->Post("/ESCManager/v0/tenants/" + id, body, WithCallback());
    }

    long Count(const std::string& table) {
        return db_.Query("SELECT count(*) FROM " + table)[0][0].as<long>();
    }

    /// Flags of every escd this fixture starts (a fixture sets them in its constructor).
    std::vector<std::string> escd_args_;
    /// How long the fixture's helpers wait for the next callback: a bound, not a pause (a
    /// fixture whose VIM is slower, OpenStack's, sets a longer one in its constructor).
    std::chrono::seconds callback_wait_ = kCallbackWait;
    TestDatabase db_{TestDatabase::Schema::kEscd};
    CallbackReceiver receiver_;
    std::vector<std::unique_ptr<EscdProcess>> previous_;  // earlier processes keep their data dir
    std::unique_ptr<EscdProcess> escd_;
    std::optional<HttpClient> client_;
};

}  // namespace escd::test
