#include "model/store/pg/group_commit.hpp"

#include <chrono>

#include <pqxx/except>
#include <pqxx/pipeline>

#include "common/error.hpp"
#include "common/log.hpp"

namespace escd::model::pg {

GroupCommit::GroupCommit(Connector connect, int writers, std::size_t max_batch)
    : connect_(std::move(connect)), max_batch_(std::max<std::size_t>(1, max_batch)) {
    for (int i = 0; i < std::max(1, writers); ++i) writers_.emplace_back([this] { WriterLoop(); });
}

GroupCommit::~GroupCommit() {
    Stop();
}

void GroupCommit::Stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    work_.notify_all();
    for (auto& writer : writers_) {
        if (writer.joinable()) writer.join();
    }
}

void GroupCommit::Run(Job job) {
    Pending pending;
    pending.job = std::move(job);
    Submit(pending);
}

pqxx::result GroupCommit::Execute(std::string name, std::vector<std::string> params) {
    Pending pending;
    pending.statement = std::move(name);
    pending.params = std::move(params);
    Submit(pending);
    return std::move(pending.result);
}

void GroupCommit::ExecuteAsync(std::string name, std::vector<std::string> params, Completion done) {
    auto pending = std::make_unique<Pending>();
    pending->statement = std::move(name);
    pending->params = std::move(params);
    pending->on_done = std::move(done);
    Enqueue(pending.release());
}

void GroupCommit::RunAsync(Job job, Completion done) {
    auto pending = std::make_unique<Pending>();
    pending->job = std::move(job);
    pending->on_done = std::move(done);
    Enqueue(pending.release());
}

void GroupCommit::Enqueue(Pending* pending) {
    {
        std::lock_guard lock(mutex_);
        if (!stopping_) {
            queue_.push_back(pending);
            work_.notify_one();
            return;
        }
    }
    std::unique_ptr<Pending> owned(pending);
    owned->on_done(std::make_exception_ptr(DatabaseError("database writer stopped")), {});
}

void GroupCommit::Submit(Pending& pending) {
    {
        std::unique_lock lock(mutex_);
        if (stopping_) throw DatabaseError("database writer stopped");
        queue_.push_back(&pending);
        work_.notify_one();
        done_.wait(lock, [&] { return pending.done; });
    }
    if (pending.error) std::rethrow_exception(pending.error);
}

// g++ 12 reports a -Wrestrict false positive (GCC PR 105651) inside libpqxx's quote(), inlined
// here; the warning is about std::string's own operator+.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wrestrict"
std::string GroupCommit::ExecuteText(pqxx::work& tx, const Pending& pending) {
    std::string text = "EXECUTE " + pending.statement + "(";
    for (std::size_t i = 0; i < pending.params.size(); ++i) {
        if (i) text += ", ";
        text += tx.quote(pending.params[i]);
    }
    text += ")";
    return text;
}
#pragma GCC diagnostic pop

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
        const auto start = std::chrono::steady_clock::now();
        try {
            if (!connection || !connection->is_open()) connection = connect_();
            try {
                Execute(*connection, batch);
            } catch (const pqxx::broken_connection&) {
                // A connection the server ended (a failover, a restart) shows it at its first
                // use. The batch did not reach its COMMIT (a COMMIT cut short is in doubt, not
                // broken): it runs once more on a new connection.
                connection = connect_();
                for (auto* pending : batch) pending->error = nullptr;
                Execute(*connection, batch);
            }
            ESCD_DEBUG("store") << "group commit of " << batch.size() << " jobs in "
                                << std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::steady_clock::now() - start)
                                       .count()
                                << "us";
        } catch (const std::exception& e) {
            // No connection: every job of the batch fails alike, nothing was written. (A failed
            // connect is a DatabaseError already, which says so.)
            connection.reset();
            auto error = dynamic_cast<const DatabaseError*>(&e)
                             ? std::current_exception()
                             : std::make_exception_ptr(
                                   DatabaseError(std::string("database unavailable: ") + e.what()));
            for (auto* pending : batch) pending->error = error;
        }
        // Asynchronous submissions are completed (and freed) here; synchronous ones are woken and
        // must not be touched after the lock is released, since their owners return at once.
        std::vector<std::unique_ptr<Pending>> owned;
        {
            std::lock_guard lock(mutex_);
            for (auto* pending : batch) {
                if (pending->on_done) {
                    owned.emplace_back(pending);
                } else {
                    pending->done = true;
                }
            }
        }
        done_.notify_all();
        for (auto& pending : owned) pending->on_done(pending->error, std::move(pending->result));
        batch.clear();
    }
}

void GroupCommit::Execute(pqxx::connection& connection, std::vector<Pending*>& batch) {
    try {
        pqxx::work tx(connection);
        std::vector<Pending*> statements;
        for (auto* pending : batch) {
            if (!pending->job) {
                statements.push_back(pending);
                continue;
            }
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
        if (!statements.empty()) {
            // One round trip for all of them: the server runs them in order and answers in order.
            pqxx::pipeline pipe(tx);
            pipe.retain(static_cast<int>(statements.size()));
            std::vector<pqxx::pipeline::query_id> ids;
            ids.reserve(statements.size());
            for (auto* pending : statements) ids.push_back(pipe.insert(ExecuteText(tx, *pending)));
            pipe.complete();
            for (std::size_t i = 0; i < statements.size(); ++i)
                statements[i]->result = pipe.retrieve(ids[i]);
        }
        tx.commit();
        return;
    } catch (const pqxx::broken_connection&) {
        throw;
    } catch (const pqxx::in_doubt_error&) {
        throw;  // the commit's outcome is unknown: report the database as unavailable
    } catch (const pqxx::sql_error& e) {
        // A server that takes no writes (a replica being promoted that HAProxy already sends
        // clients to: 25006) or is shutting down (57P..) is no primary: nothing committed, and
        // the batch runs again on a new connection like one the server ended (WriterLoop).
        const std::string state = e.sqlstate();
        if (state == "25006" || state.starts_with("57P"))
            throw pqxx::broken_connection(std::string("not a primary: ") + e.what());
        if (batch.size() == 1) {
            batch.front()->error = std::current_exception();
            return;
        }
        ESCD_DEBUG("store") << "batch of " << batch.size() << " aborted (" << e.what()
                            << "); retrying one by one";
    }
    for (auto* pending : batch) {
        pending->error = nullptr;
        try {
            pqxx::work tx(connection);
            if (pending->job) {
                pending->job(tx);
            } else {
                pending->result = tx.exec(ExecuteText(tx, *pending));
            }
            tx.commit();
        } catch (const pqxx::broken_connection&) {
            throw;
        } catch (...) {
            pending->error = std::current_exception();
        }
    }
}

}  // namespace escd::model::pg
