#pragma once
/// @file
/// Group commit: write jobs from many threads share one transaction and one COMMIT.
///
/// With fsync on, a COMMIT costs a WAL flush; one per accepted request would let the disk, not
/// escd, set the accept rate. Callers hand a job to Run() and block; a few writer threads (each
/// with its own connection) take every queued job, run them one after another inside a single
/// transaction, commit once, and wake the callers. The answer to a client still goes out only
/// after the COMMIT that made its request durable.
///
/// Two kinds of work share a batch. A Statement (a prepared statement and its parameters) is
/// pipelined: every statement of the batch goes to the server in one round trip, as
/// `EXECUTE name('p1', ...)`. A Job (code that talks with the database, e.g. lock, check, then
/// write) runs its statements one at a time, before the pipelined ones.
///
/// Contract for jobs: a job may throw (escd::Error: conflict, not found) only BEFORE its first
/// write, so that a refused job leaves nothing behind in the shared transaction. A job whose SQL
/// fails aborts the batch; every job of that batch is then retried alone, so one bad job never
/// fails its neighbours.

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <string>

#include <pqxx/connection>
#include <pqxx/result>
#include <pqxx/transaction>

namespace escd::model::pg {

class GroupCommit {
  public:
    using Job = std::function<void(pqxx::work&)>;
    using Connector = std::function<std::unique_ptr<pqxx::connection>()>;

    GroupCommit(Connector connect, int writers, std::size_t max_batch);
    ~GroupCommit();
    GroupCommit(const GroupCommit&) = delete;
    GroupCommit& operator=(const GroupCommit&) = delete;

    /// Finishes what is queued, then stops the writers; later submissions fail with
    /// kUnavailable. Idempotent; the destructor calls it.
    void Stop();

    /// Runs `job` in a shared transaction and returns once it committed; rethrows what the job
    /// threw, or Error(kUnavailable) when the database could not be reached.
    void Run(Job job);
    /// Executes prepared statement `name` with text `params` (converted by the statement's
    /// parameter types) in a shared transaction; returns its result once committed.
    pqxx::result Execute(std::string name, std::vector<std::string> params);

    /// The same without blocking: `done` runs on a writer thread once the batch committed (or
    /// failed), with the error or the statement's result. It must not block.
    using Completion = std::function<void(std::exception_ptr, pqxx::result)>;
    void ExecuteAsync(std::string name, std::vector<std::string> params, Completion done);
    void RunAsync(Job job, Completion done);

  private:
    struct Pending {
        Job job;                ///< set for a job
        std::string statement;  ///< set for a statement: the prepared statement's name
        std::vector<std::string> params;
        pqxx::result result;
        std::exception_ptr error;
        bool done = false;
        Completion on_done;  ///< set for asynchronous submissions, which own their Pending
    };
    void Submit(Pending& pending);
    void Enqueue(Pending* pending);
    static std::string ExecuteText(pqxx::work& tx, const Pending& pending);
    void WriterLoop();
    void Execute(pqxx::connection& connection, std::vector<Pending*>& batch);

    Connector connect_;
    std::size_t max_batch_;
    std::mutex mutex_;
    std::condition_variable work_;
    std::condition_variable done_;
    std::deque<Pending*> queue_;
    bool stopping_ = false;
    std::vector<std::thread> writers_;
};

}  // namespace escd::model::pg
