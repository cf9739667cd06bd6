// Callback delivery with the engine in process (tests/engine/engine_harness.hpp; docs/behaviour.md,
// "Callbacks"): a callback the client's receiver (a real HTTP server on loopback) refuses is
// retried once the notifier's backoff has passed on the engine's clock, not before, and is then
// delivered as it was; rows of one transaction handed to the notifier out of id order (parallel
// steps commit theirs together and hand them over from their own strands) are all sent, each
// marked on its own. The integration suite CallbackDelivery covers the backoff's growth, the
// allow-list and restarts against escd itself.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "tests/engine/engine_fixture.hpp"

namespace escd::test {
namespace {

using namespace std::chrono_literals;

// The outbox rows' state changes as PostgreSQL reports them (a trigger of the test's database,
// and LISTEN): a delivery's mark is awaited, not polled.
class OutboxMarks : public pqxx::notification_receiver {
  public:
    explicit OutboxMarks(pqxx::connection& listener)
        : pqxx::notification_receiver(listener, "outbox_state") {}

    void operator()(const std::string& payload, int) override { seen_.insert(payload); }

    // Whether `payload` ("<id> <state>") was reported, waiting up to `timeout` for it.
    bool Await(const std::string& payload, std::chrono::milliseconds timeout) {
        const auto until = std::chrono::steady_clock::now() + timeout;
        while (!seen_.contains(payload)) {
            const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
                until - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            conn().await_notification(left.count() / 1000000, left.count() % 1000000);
        }
        return true;
    }

  private:
    std::set<std::string> seen_;
};

class EngineCallbacks : public EngineTest {
  protected:
    void SetUp() override {
        EngineTest::SetUp();
        if (IsSkipped() || HasFatalFailure()) return;
        db_.Query(
            "CREATE FUNCTION test_outbox_state() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "PERFORM pg_notify('outbox_state', NEW.id || ' ' || NEW.state); RETURN NEW; END $$; "
            "CREATE TRIGGER test_outbox_state AFTER UPDATE OF state ON outbox FOR EACH ROW "
            "EXECUTE FUNCTION test_outbox_state()");
        listener_ = std::make_unique<pqxx::connection>(db_.dsn());
        marks_ = std::make_unique<OutboxMarks>(*listener_);
    }

    void TearDown() override {
        marks_.reset();
        listener_.reset();
    }

    // Rows of one new transaction, as a step's commit writes them: pending, to the receiver,
    // one per event, in id order.
    std::vector<model::OutboxRow> Outbox(const std::vector<std::string>& events) {
        const auto tx = db_.Query("SELECT gen_random_uuid()::text")[0][0].as<std::string>();
        std::vector<model::OutboxRow> rows;
        for (const auto& event : events) {
            model::OutboxRow row;
            row.transaction_id = tx;
            row.message = {harness_->receiver().Url(), event, 200, "ok",
                           "<event><type>" + event + "</type></event>"};
            row.id = db_.Query(
                            "INSERT INTO outbox (transaction_id, url, event, status_code, "
                            "status_message, body) VALUES ('" +
                            tx + "', '" + row.message.url + "', '" + event + "', 200, 'ok', '" +
                            row.message.body + "') RETURNING id")[0][0]
                         .as<std::int64_t>();
            row.created_at = row.next_attempt_at = std::chrono::system_clock::now();
            rows.push_back(row);
        }
        return rows;
    }

    std::string StateOf(const model::OutboxRow& row) {
        return db_.Query("SELECT state FROM outbox WHERE id = " + std::to_string(row.id))[0][0]
            .as<std::string>();
    }

    // Waits (up to 10 s) for the row's delivery to be recorded, which follows the POST.
    bool RecordedDelivered(const model::OutboxRow& row) {
        return marks_->Await(std::to_string(row.id) + " DELIVERED", 10s);
    }
    std::vector<std::string> BodiesOf(const std::vector<ReceivedRequest>& requests) {
        std::vector<std::string> bodies;
        for (const auto& request : requests) bodies.push_back(request.body);
        return bodies;
    }

    std::unique_ptr<pqxx::connection> listener_;
    std::unique_ptr<OutboxMarks> marks_;
};

TEST_F(EngineCallbacks, ACallbackTheReceiverRefusesIsSentAgainOnceTheRetryWaitHasPassed) {
    auto& receiver = harness_->receiver();
    auto& clock = harness_->clock();
    const auto before = receiver.Requests().size();
    receiver.SetResponseStatus(503);
    const auto tx = harness_->Accept(
        http::verb::post, "/v0/flavors/big",
        "<flavor><name>big</name><vcpus>2</vcpus><memory_mb>512</memory_mb></flavor>");
    const auto refused = receiver.WaitForAttempts(before + 1, 10s);
    ASSERT_EQ(refused.size(), before + 1);
    EXPECT_EQ(refused.back().answered_status, 503);
    EXPECT_EQ(refused.back().Header("ESC-Transaction-Id"), tx);

    // The first retry waits the backoff's first delay (one minute in the harness) on the clock.
    ASSERT_TRUE(clock.WaitForWaiters(1, 10s)) << "the retry does not wait on the engine's clock";
    clock.Advance(59s);
    EXPECT_EQ(clock.Waiting(), 1u) << "retried before its wait had passed";
    EXPECT_EQ(receiver.Requests().size(), before + 1);

    receiver.SetResponseStatus(200);
    clock.Advance(1s);
    const auto delivered = harness_->CallbacksOf(tx, 1);
    ASSERT_EQ(delivered.size(), 1u);
    EXPECT_EQ(delivered[0].Header("ESC-Status-Code"), "200");
    EXPECT_EQ(delivered[0].body, refused.back().body) << "the same callback, sent again";
    EXPECT_EQ(receiver.Requests().size(), before + 2) << "one refused attempt, one retry";
    EXPECT_TRUE(harness_->vim().HasFlavor("big"));
}

TEST_F(EngineCallbacks, ARowHandedOverBehindALaterRowStillQueuedIsSentToo) {
    auto& receiver = harness_->receiver();
    const auto rows = Outbox({"FIRST", "SECOND"});
    const auto before = receiver.Requests().size();
    // The later row goes out first and is refused: it stays queued, waiting for its retry.
    receiver.SetResponseStatus(503);
    harness_->notifier().Enqueue({rows[1]});
    ASSERT_EQ(receiver.WaitForAttempts(before + 1, 10s).size(), before + 1);
    harness_->notifier().Enqueue({rows[0]});

    receiver.SetResponseStatus(200);
    ASSERT_TRUE(harness_->clock().WaitForWaiters(1, 10s));
    harness_->clock().Advance(1min);
    const auto delivered = receiver.WaitForDelivered(before + 2, 10s);
    ASSERT_EQ(delivered.size(), before + 2) << "a late row was dropped";
    EXPECT_EQ(BodiesOf({delivered.end() - 2, delivered.end()}),
              (std::vector<std::string>{rows[1].message.body, rows[0].message.body}))
        << "the row in flight finishes first, the late one goes next";
    EXPECT_TRUE(RecordedDelivered(rows[0]));
    EXPECT_TRUE(RecordedDelivered(rows[1]));
}

TEST_F(EngineCallbacks, MarkingARowDeliveredLeavesAnEarlierRowNotYetSentPending) {
    auto& receiver = harness_->receiver();
    const auto rows = Outbox({"FIRST", "SECOND"});
    const auto before = receiver.Requests().size();
    harness_->notifier().Enqueue({rows[1]});
    ASSERT_EQ(receiver.WaitForDelivered(before + 1, 10s).size(), before + 1);
    ASSERT_TRUE(RecordedDelivered(rows[1]));
    EXPECT_EQ(StateOf(rows[0]), "PENDING") << "a crash now would lose a callback never sent";

    harness_->notifier().Enqueue({rows[0]});
    const auto delivered = receiver.WaitForDelivered(before + 2, 10s);
    ASSERT_EQ(delivered.size(), before + 2);
    EXPECT_EQ(delivered.back().body, rows[0].message.body);
    EXPECT_TRUE(RecordedDelivered(rows[0]));
}

TEST_F(EngineCallbacks, ARowHandedOverTwiceIsSentOnce) {
    auto& receiver = harness_->receiver();
    const auto rows = Outbox({"ONLY"});
    const auto before = receiver.Requests().size();
    receiver.SetResponseStatus(503);
    harness_->notifier().Enqueue({rows[0]});
    ASSERT_EQ(receiver.WaitForAttempts(before + 1, 10s).size(), before + 1);
    harness_->notifier().Enqueue({rows[0]});  // a takeover hands back a row still queued
    receiver.SetResponseStatus(200);
    ASSERT_TRUE(harness_->clock().WaitForWaiters(1, 10s));
    harness_->clock().Advance(1min);
    ASSERT_EQ(receiver.WaitForDelivered(before + 1, 10s).size(), before + 1);
    ASSERT_TRUE(RecordedDelivered(rows[0]));
    EXPECT_EQ(receiver.Requests().size(), before + 2) << "one refused attempt, one delivery";
    EXPECT_EQ(harness_->notifier().Backlog(), 0u);
}

}  // namespace
}  // namespace escd::test
