#include "model/store/pg/group_commit.hpp"

#include <pqxx/except>

#include "common/error.hpp"
#include "common/log.hpp"

namespace escd::model::pg {

GroupCommit::GroupCommit(Connector connect, int writers, std::size_t max_batch)
    : connect_(std::move(connect)), max_batch_(std::max<std::size_t>(1, max_batch)) {
    for (int i = 0; i < std::max(1, writers); ++i) writers_.emplace_back([this] { WriterLoop(); });
}

GroupCommit::~GroupCommit() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    work_.notify_all();
    for (auto& writer : writers_) writer.join();
}

void GroupCommit::Run(Job job) {
    Pending pending{std::move(job), nullptr, false};
    {
        std::unique_lock lock(mutex_);
        if (stopping_) throw Error(ErrorCode::kUnavailable, "database writer stopped");
        queue_.push_back(&pending);
        work_.notify_one();
        done_.wait(lock, [&] { return pending.done; });
    }
    if (pending.error) std::rethrow_exception(pending.error);
}

void GroupCommit::WriterLoop() {
    std::unique_ptr<pqxx::connection> connection;
    std::vector<Pending*> batch;
    for (;;) {
        {
            std::unique_lock lock(mutex_);
            work_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping and drained
            while (!queue_.empty() && batch.size() < max_batch_) {
                batch.push_back(queue_.front());
                queue_.pop_front();
            }
        }
        try {
            if (!connection || !connection->is_open()) connection = connect_();
            Execute(*connection, batch);
        } catch (const std::exception& e) {
            // No connection: every job of the batch fails alike, nothing was written.
            connection.reset();
            auto error = std::make_exception_ptr(Error(ErrorCode::kUnavailable, std::string("database unavailable: ") + e.what()));
            for (auto* pending : batch) pending->error = error;
        }
        {
            std::lock_guard lock(mutex_);
            for (auto* pending : batch) pending->done = true;
        }
        done_.notify_all();
        batch.clear();
    }
}

void GroupCommit::Execute(pqxx::connection& connection, std::vector<Pending*>& batch) {
    try {
        pqxx::work tx(connection);
        for (auto* pending : batch) {
            try {
                pending->job(tx);
            } catch (const pqxx::sql_error&) {
                throw;  // the transaction is aborted: retry each job alone below
            } catch (const pqxx::broken_connection&) {
                throw;
            } catch (...) {
                pending->error = std::current_exception();  // refused before any write
            }
        }
        tx.commit();
        return;
    } catch (const pqxx::broken_connection&) {
        throw;
    } catch (const pqxx::in_doubt_error&) {
        throw;  // the commit's outcome is unknown: report the database as unavailable
    } catch (const pqxx::sql_error& e) {
        if (batch.size() == 1) {
            batch.front()->error = std::current_exception();
            return;
        }
        ESCD_DEBUG("store") << "batch of " << batch.size() << " aborted (" << e.what() << "); retrying one by one";
    }
    for (auto* pending : batch) {
        pending->error = nullptr;
        try {
            pqxx::work tx(connection);
            pending->job(tx);
            tx.commit();
        } catch (const pqxx::broken_connection&) {
            throw;
        } catch (...) {
            pending->error = std::current_exception();
        }
    }
}

}  // namespace escd::model::pg
