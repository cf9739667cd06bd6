#pragma once
// An iptables rule that makes one address stop answering ICMP echo requests sent out of
// `interface` (loopback by default; "" for any), for as long as the object lives (or until
// Lift()). Tests use it to make a VM "down" for escd's pings without touching anything else on
// the machine (the VNF tests: in their own network namespace).

#include <cstdlib>
#include <string>

namespace escd::test {

class PingBlock {
  public:
    explicit PingBlock(std::string address, std::string interface = "lo")
        : address_(std::move(address)), interface_(std::move(interface)) {
        ok_ = Run("-I") == 0;
    }
    ~PingBlock() {
        if (ok_) Run("-D");
    }
    bool ok() const { return ok_; }
    void Lift() {
        if (ok_ && Run("-D") == 0) ok_ = false;
    }

  private:
    int Run(const char* verb) const {
        const std::string out = interface_.empty() ? "" : " -o " + interface_;
        const std::string command = std::string("iptables -w ") + verb + " OUTPUT" + out + " -d " +
                                    address_ +
                                    "/32 -p icmp --icmp-type echo-request -j DROP 2>/dev/null";
        return std::system(command.c_str());
    }
    std::string address_;
    std::string interface_;
    bool ok_ = false;
};

}  // namespace escd::test
