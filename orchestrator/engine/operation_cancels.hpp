#pragma once
/// @file
/// The operations this node runs that an undeploy may cancel (model::UndeployCancels: a recovery,
/// a scale), each with the flag its workflow reads (docs/behaviour.md, "Undeploy"). An undeploy
/// accepted on this node sets the flag at once; one accepted on another node is seen by the
/// operation's watch of its own row (Engine::WatchCancel). Thread safe.

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "common/cancel_flag.hpp"

namespace escd::orchestrator {

class OperationCancels {
  public:
    /// The registration of one running operation; it ends with this object.
    class Tracking {
      public:
        Tracking() = default;
        Tracking(OperationCancels* owner,
                 std::string transaction_id,
                 std::shared_ptr<CancelFlag> flag)
            : owner_(owner), transaction_id_(std::move(transaction_id)), flag_(std::move(flag)) {}
        Tracking(Tracking&& other) noexcept { *this = std::move(other); }
        Tracking& operator=(Tracking&& other) noexcept;
        Tracking(const Tracking&) = delete;
        Tracking& operator=(const Tracking&) = delete;
        ~Tracking();

        /// Null when nothing is tracked (an operation no undeploy cancels).
        const std::shared_ptr<CancelFlag>& flag() const { return flag_; }

      private:
        OperationCancels* owner_ = nullptr;
        std::string transaction_id_;
        std::shared_ptr<CancelFlag> flag_;
    };

    /// Registers operation `transaction_id` as running here, with a fresh flag.
    Tracking Track(const std::string& transaction_id);
    /// Sets the flag of `transaction_id` when it runs here; whether it does.
    bool Cancel(const std::string& transaction_id);
    /// Whether `flag` is still the one of a running operation `transaction_id` (its watch ends
    /// otherwise).
    bool StillTracked(const std::string& transaction_id, const CancelFlag* flag) const;

  private:
    void Untrack(const std::string& transaction_id, const CancelFlag* flag);

    mutable std::mutex mutex_;
    std::map<std::string, std::shared_ptr<CancelFlag>> running_;
};

}  // namespace escd::orchestrator
