#include "orchestrator/engine/operation_cancels.hpp"

#include <utility>

namespace escd::orchestrator {

OperationCancels::Tracking& OperationCancels::Tracking::operator=(Tracking&& other) noexcept {
    if (this == &other) return *this;
    if (owner_) owner_->Untrack(transaction_id_, flag_.get());
    owner_ = std::exchange(other.owner_, nullptr);
    transaction_id_ = std::move(other.transaction_id_);
    flag_ = std::move(other.flag_);
    return *this;
}

OperationCancels::Tracking::~Tracking() {
    if (owner_) owner_->Untrack(transaction_id_, flag_.get());
}

OperationCancels::Tracking OperationCancels::Track(const std::string& transaction_id) {
    auto flag = std::make_shared<CancelFlag>();
    std::lock_guard lock(mutex_);
    running_[transaction_id] = flag;
    return Tracking(this, transaction_id, std::move(flag));
}

bool OperationCancels::Cancel(const std::string& transaction_id) {
    std::lock_guard lock(mutex_);
    const auto found = running_.find(transaction_id);
    if (found == running_.end()) return false;
    found->second->Cancel();
    return true;
}

bool OperationCancels::StillTracked(const std::string& transaction_id,
                                    const CancelFlag* flag) const {
    std::lock_guard lock(mutex_);
    const auto found = running_.find(transaction_id);
    return found != running_.end() && found->second.get() == flag;
}

void OperationCancels::Untrack(const std::string& transaction_id, const CancelFlag* flag) {
    std::lock_guard lock(mutex_);
    // A relaunch of the same operation may have registered anew meanwhile: its entry stays.
    const auto found = running_.find(transaction_id);
    if (found != running_.end() && found->second.get() == flag) running_.erase(found);
}

}  // namespace escd::orchestrator
