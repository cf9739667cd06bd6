// Group commit against a real PostgreSQL: concurrent writes share commits, and a write whose SQL
// fails never takes its batch neighbours down with it.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <latch>
#include <pqxx/pqxx>
#include <thread>

#include "common/error.hpp"
#include "model/store/pg/group_commit.hpp"
#include "tests/support/test_database.hpp"

namespace escd::model::pg {
namespace {

class GroupCommitTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ESCD_REQUIRE_PG(db_);
        db_.Query("CREATE TABLE items (id integer PRIMARY KEY, note text NOT NULL)");
        commit_ = std::make_unique<GroupCommit>(
            [dsn = db_.dsn()] {
                auto connection = std::make_unique<pqxx::connection>(dsn);
                connection->prepare("insert_item",
                                    "INSERT INTO items (id, note) VALUES ($1, $2) RETURNING id");
                connection->prepare_now("insert_item");
                return connection;
            },
            // One writer: a job that holds it makes every later write wait for the same batch.
            /*writers=*/1, /*max_batch=*/256);
    }
    void TearDown() override { commit_.reset(); }
    long Count() { return db_.Query("SELECT count(*) FROM items")[0][0].as<long>(); }

    escd::test::TestDatabase db_;
    std::unique_ptr<GroupCommit> commit_;
};

TEST_F(GroupCommitTest, ConcurrentStatementsAllCommitAndEachGetsItsOwnResult) {
    constexpr int kThreads = 16, kPerThread = 50;
    std::vector<std::thread> threads;
    std::atomic<int> mismatches{0};
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                int id = t * kPerThread + i;
                auto result = commit_->Execute("insert_item", {std::to_string(id), "n"});
                if (result.at(0)[0].as<int>() != id) ++mismatches;
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(mismatches.load(), 0);
    EXPECT_EQ(Count(), kThreads * kPerThread);
}

TEST_F(GroupCommitTest, AFailingStatementFailsAloneWhileItsBatchCommits) {
    // The first job holds the only writer until every other write is queued, so that the next
    // batch holds the good writes and the bad one together.
    std::latch queued(1);
    std::promise<void> first_done;
    commit_->RunAsync(
        [&](pqxx::work& tx) {
            queued.wait();
            tx.exec_prepared("insert_item", 1000, "first");
        },
        [&](std::exception_ptr, pqxx::result) { first_done.set_value(); });

    db_.Query("INSERT INTO items (id, note) VALUES (7, 'already there')");
    constexpr int kGood = 20;
    std::vector<std::future<bool>> outcomes;
    std::vector<std::promise<bool>> promises(kGood + 1);
    for (int i = 0; i <= kGood; ++i) {
        outcomes.push_back(promises[i].get_future());
        int id = i == kGood ? 7 : 100 + i;  // the last one collides with the existing row
        commit_->ExecuteAsync("insert_item", {std::to_string(id), "n"},
                              [&promises, i](std::exception_ptr error, pqxx::result) {
                                  promises[i].set_value(!error);
                              });
    }
    queued.count_down();
    first_done.get_future().get();
    for (int i = 0; i < kGood; ++i) EXPECT_TRUE(outcomes[i].get()) << "good write " << i;
    EXPECT_FALSE(outcomes[kGood].get()) << "the duplicate key must fail";
    EXPECT_EQ(Count(),
              1 + 1 + kGood);  // the pre-existing row, the first job's row, the good writes
}

TEST_F(GroupCommitTest, AJobThatRefusesBeforeWritingFailsAloneAndLeavesNothing) {
    std::promise<bool> refused, accepted;
    commit_->RunAsync(
        [](pqxx::work&) { throw Error(ErrorCode::kConflict, "refused"); },
        [&](std::exception_ptr error, pqxx::result) { refused.set_value(error != nullptr); });
    commit_->RunAsync(
        [](pqxx::work& tx) { tx.exec_prepared("insert_item", 1, "kept"); },
        [&](std::exception_ptr error, pqxx::result) { accepted.set_value(error == nullptr); });
    EXPECT_TRUE(refused.get_future().get());
    EXPECT_TRUE(accepted.get_future().get());
    EXPECT_EQ(Count(), 1);
}

TEST_F(GroupCommitTest, AnUnreachableDatabaseIsReportedAsUnavailable) {
    GroupCommit broken(
        [] {
            return std::make_unique<pqxx::connection>("host=127.0.0.1 port=1 connect_timeout=2");
        },
        1, 16);
    try {
        broken.Execute("insert_item", {"1", "x"});
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kUnavailable);
    }
}

}  // namespace
}  // namespace escd::model::pg
