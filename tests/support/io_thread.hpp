#pragma once
/// @file
/// An io_context run by a thread of its own for as long as the object lives, as escd's are: the
/// test thread stays free to act (release a hold, advance a clock) while coroutines wait on it.

#include <thread>

#include "common/asio.hpp"

namespace escd::test {

class IoThread {
  public:
    IoThread() : thread_([this] { ioc_.run(); }) {}
    ~IoThread() {
        work_.reset();
        ioc_.stop();
        thread_.join();
    }
    IoThread(const IoThread&) = delete;
    IoThread& operator=(const IoThread&) = delete;

    asio::io_context& ioc() { return ioc_; }

  private:
    asio::io_context ioc_;
    asio::executor_work_guard<asio::io_context::executor_type> work_{ioc_.get_executor()};
    std::thread thread_;
};

}  // namespace escd::test
