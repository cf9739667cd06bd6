#include "vim/libvirt/libvirt_events.hpp"

#include <atomic>
#include <thread>

#include <libvirt/libvirt.h>

#include "common/log.hpp"

namespace escd::vim::libvirt {
namespace {
class EventLoop {
  public:
    EventLoop() {
        if (virEventRegisterDefaultImpl() != 0) return;
        // A periodic no-op timer bounds each virEventRunDefaultImpl() wait, so the thread sees
        // `stop_` when the process ends.
        timer_ = virEventAddTimeout(
            500, [](int, void*) {}, nullptr, nullptr);
        thread_ = std::thread([this] {
            while (!stop_) {
                if (virEventRunDefaultImpl() != 0) {
                    ESCD_WARN("vim") << "libvirt event loop failed; lifecycle events stop";
                    break;
                }
            }
        });
        running_ = true;
    }
    ~EventLoop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
        if (timer_ >= 0) virEventRemoveTimeout(timer_);
    }
    bool running() const { return running_; }

  private:
    std::atomic<bool> stop_{false};
    bool running_ = false;
    int timer_ = -1;
    std::thread thread_;
};
}  // namespace

bool EnsureEventLoop() {
    static EventLoop loop;
    return loop.running();
}

}  // namespace escd::vim::libvirt
