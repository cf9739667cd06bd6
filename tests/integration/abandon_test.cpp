// An operation that can never succeed ends at once with a failure callback (Engine::Abandon),
// rather than keeping its target busy for ever: here an unfinished operation of a kind this escd
// does not know (as another version of escd could leave in the table) meets a restart. Its
// target ends as a failed VIM call leaves it, by the resource table's VimFailed row from the
// state the operation left it in (docs/errors.md).
#include "tests/integration/escd_fixture.hpp"

namespace escd::test {
namespace {

class Abandon : public EscdTest {
  protected:
    /// Gives the unfinished operation of `target_id` a kind no escd knows; escd must not run.
    void MakeKindUnknown(const std::string& target_id) {
        db_.Query(
            "UPDATE operations SET kind = 'FROM_THE_FUTURE' WHERE finished_at IS NULL AND "
            "target_id = '" +
            target_id + "'");
    }
    /// The `count`th callback, which must be the failure callback (500) of transaction `tx`.
    ReceivedRequest FailureCallback(std::size_t count, const std::string& tx) {
        auto delivered = receiver_.WaitForDelivered(count, kCallbackWait);
        if (delivered.size() != count) {
            ADD_FAILURE() << delivered.size() << " callbacks, not " << count;
            return {};
        }
        const auto& callback = delivered.back();
        EXPECT_EQ(callback.Header("ESC-Transaction-Id"), tx);
        EXPECT_EQ(callback.Header("ESC-Status-Code"), "500");
        return callback;
    }
    long Unfinished() {
        return db_.Query("SELECT count(*) FROM operations WHERE finished_at IS NULL")[0][0]
            .as<long>();
    }
};

TEST_F(Abandon, AnUnknownCreateEndsWithAFailureCallbackAndNoTenant) {
    StartEscd({"--engine.paused_for_test=true"});
    auto response = CreateTenant("t-abandoned");
    ASSERT_EQ(response.status, 200) << response.body;
    escd_->Kill();
    MakeKindUnknown("t-abandoned");

    StartEscd();
    auto delivered = receiver_.WaitForDelivered(1, kCallbackWait);
    ASSERT_EQ(delivered.size(), 1u);
    EXPECT_EQ(delivered[0].Header("ESC-Transaction-Id"), response.Header("ESC-Transaction-Id"));
    EXPECT_EQ(delivered[0].Header("ESC-Status-Code"), "500");
    EXPECT_NE(
        delivered[0].Header("ESC-Status-Message").find("unknown operation kind FROM_THE_FUTURE"),
        std::string::npos)
        << delivered[0].Header("ESC-Status-Message");
    // A create that failed leaves nothing, and nothing is left to resume.
    EXPECT_EQ(client_->Get("/v0/tenants/t-abandoned").status, 404);
    EXPECT_EQ(Unfinished(), 0);
    EXPECT_TRUE(escd_->WaitForLog("failed for good", 1, kCallbackWait));
}

TEST_F(Abandon, AnUnknownDeleteEndsWithAFailureCallbackAndTheTenantActive) {
    ASSERT_EQ(CreateTenant("t-kept").status, 200);
    ASSERT_EQ(receiver_.WaitForDelivered(1, kCallbackWait).size(), 1u);
    StartEscd({"--engine.paused_for_test=true"});
    auto response = client_->Delete("/v0/tenants/t-kept", WithCallback());
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(db_.Query("SELECT state FROM resources WHERE internal_id = 't-kept'")[0][0]
                  .as<std::string>(),
              "DELETING");
    escd_->Kill();
    MakeKindUnknown("t-kept");

    StartEscd();
    const auto failed = FailureCallback(2, response.Header("ESC-Transaction-Id"));
    // The callback carries the tenant as it stays: active, and usable again.
    EXPECT_EQ(XmlText(failed.body, "name"), "example-tenant") << failed.body;
    EXPECT_EQ(db_.Query("SELECT state FROM resources WHERE internal_id = 't-kept'")[0][0]
                  .as<std::string>(),
              "ACTIVE");
    EXPECT_EQ(Unfinished(), 0);
    auto again = client_->Delete("/v0/tenants/t-kept", WithCallback());
    EXPECT_EQ(again.status, 200) << again.body;
}

}  // namespace
}  // namespace escd::test
