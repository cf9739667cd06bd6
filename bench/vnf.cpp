/// @file
/// escd_bench_vnf: how long a deployment of real VNFs takes from POST to SERVICE_ALIVE, and
/// whose time that is (bench/run-vnf.sh runs it inside the network namespace of its libvirtd).
///
/// For each size (--vnfs, e.g. 1,4) and round it deploys that many VNFs (deploy/vnf-image) with
/// an ICMPPing VM_ALIVE KPI, waits for SERVICE_ALIVE, and splits the time of the VM that came
/// alive last (the critical path) into:
///   - VIM: from escd's first call to libvirt for it (config drive, define, start; escd logs
///     "launched: VIM <ms>" when they return) to libvirt's STARTED event for the domain;
///   - boot: from libvirt's STARTED event for the domain to the guest's first answer to an
///     echo, both seen by this program, not by escd: a libvirt event loop of its own and a ping
///     of each VM's address (known from a GET right after the POST) every 5 ms;
///   - escd: from the POST to its first VIM call, and from the guest's first answer to the
///     SERVICE_ALIVE callback (HTTP, database commits, scheduling, noticing the guest is up,
///     callbacks). The four add up to the total; escd's log timestamps (milliseconds) make
///     the first two parts exact to about a millisecond.
/// Then it undeploys and waits for SERVICE_UNDEPLOYED before the next round.
///
/// Needs ESCD_TEST_PG_DSN (a database per run is made from it) and root (the raw ICMP socket).
/// Prints a line per round and a `RESULT` line per size.

#include <arpa/inet.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <pugixml.hpp>

#include "bench/args.hpp"
#include "tests/support/callback_receiver.hpp"
#include "tests/support/escd_process.hpp"
#include "tests/support/test_database.hpp"

namespace escd::bench {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
using test::ReceivedRequest;

double Ms(Clock::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

std::string XmlText(const std::string& xml, const char* name) {
    pugi::xml_document doc;
    if (!doc.load_string(xml.c_str())) return {};
    auto node = doc.select_node((std::string("//") + name).c_str());
    return node ? node.node().child_value() : "";
}

std::string StageOf(const ReceivedRequest& cb) {
    auto stage = XmlText(cb.body, "deployment_stage");
    return stage.empty() ? XmlText(cb.body, "event_type") : stage;
}

void Quiet(void*, virErrorPtr) {}

/// libvirt's lifecycle events, timed here: when each domain was STARTED.
class DomainWatch {
  public:
    explicit DomainWatch(const std::string& uri) {
        virSetErrorFunc(nullptr, Quiet);
        if (virEventRegisterDefaultImpl() != 0) throw std::runtime_error("no libvirt event loop");
        conn_ = virConnectOpen(uri.c_str());
        if (!conn_)
            throw std::runtime_error("cannot open " + uri + ": " + virGetLastErrorMessage());
        callback_ = virConnectDomainEventRegisterAny(
            conn_, nullptr, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
            VIR_DOMAIN_EVENT_CALLBACK(&DomainWatch::OnLifecycle), this, nullptr);
        if (callback_ < 0) throw std::runtime_error("cannot watch lifecycle events");
        loop_ = std::thread([this] {
            while (!stop_) virEventRunDefaultImpl();
        });
    }
    ~DomainWatch() {
        virConnectDomainEventDeregisterAny(conn_, callback_);
        stop_ = true;
        virEventAddTimeout(
            0, [](int timer, void*) { virEventRemoveTimeout(timer); }, nullptr, nullptr);
        loop_.join();
        virConnectClose(conn_);
    }

    std::optional<Clock::time_point> Started(const std::string& name) const {
        std::lock_guard lock(mutex_);
        auto it = started_.find(name);
        if (it == started_.end()) return std::nullopt;
        return it->second;
    }

  private:
    static int OnLifecycle(virConnectPtr, virDomainPtr domain, int event, int, void* self) {
        if (event != VIR_DOMAIN_EVENT_STARTED) return 0;
        auto* watch = static_cast<DomainWatch*>(self);
        std::lock_guard lock(watch->mutex_);
        watch->started_[virDomainGetName(domain)] = Clock::now();  // the latest start counts
        return 0;
    }

    virConnectPtr conn_ = nullptr;
    int callback_ = -1;
    std::atomic<bool> stop_{false};
    std::thread loop_;
    mutable std::mutex mutex_;
    std::map<std::string, Clock::time_point> started_;
};

/// Pings every watched address each `period` until it first answers; remembers when.
class FirstAnswers {
  public:
    explicit FirstAnswers(Clock::duration period) : period_(period) {
        fd_ = ::socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
        if (fd_ < 0) throw std::runtime_error("no raw ICMP socket (run as root)");
        thread_ = std::thread([this] { Run(); });
    }
    ~FirstAnswers() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    /// Forgets every answer and address: the next deployment's guests are new.
    void Reset() {
        std::lock_guard lock(mutex_);
        answered_.clear();
        addresses_.clear();
    }
    void Watch(const std::string& address) {
        std::lock_guard lock(mutex_);
        addresses_.insert(address);
    }
    std::optional<Clock::time_point> Answered(const std::string& address) const {
        std::lock_guard lock(mutex_);
        auto it = answered_.find(address);
        if (it == answered_.end()) return std::nullopt;
        return it->second;
    }

  private:
    static std::uint16_t Checksum(const unsigned char* data, std::size_t size) {
        std::uint32_t sum = 0;
        for (std::size_t i = 0; i + 1 < size; i += 2) sum += (data[i] << 8) | data[i + 1];
        while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
        return static_cast<std::uint16_t>(~sum);
    }

    void Send(const std::string& address, std::uint16_t seq) {
        sockaddr_in to{};
        to.sin_family = AF_INET;
        ::inet_pton(AF_INET, address.c_str(), &to.sin_addr);
        unsigned char packet[16] = {ICMP_ECHO,
                                    0,
                                    0,
                                    0,
                                    static_cast<unsigned char>(id_ >> 8),
                                    static_cast<unsigned char>(id_ & 0xff),
                                    static_cast<unsigned char>(seq >> 8),
                                    static_cast<unsigned char>(seq & 0xff)};
        const auto sum = Checksum(packet, sizeof packet);
        packet[2] = sum >> 8;
        packet[3] = sum & 0xff;
        // An address without a guest yet fails (no ARP answer): that is the point.
        ::sendto(fd_, packet, sizeof packet, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&to),
                 sizeof to);
    }

    void Run() {
        std::uint16_t seq = 0;
        auto next = Clock::now();
        while (!stop_) {
            if (Clock::now() >= next) {
                ++seq;
                std::vector<std::string> targets;
                {
                    std::lock_guard lock(mutex_);
                    for (const auto& address : addresses_)
                        if (!answered_.contains(address)) targets.push_back(address);
                }
                for (const auto& address : targets) Send(address, seq);
                next += period_;
            }
            pollfd pfd{fd_, POLLIN, 0};
            const auto wait = std::max<long>(
                0,
                std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count());
            if (::poll(&pfd, 1, static_cast<int>(wait)) <= 0) continue;
            unsigned char packet[1500];
            sockaddr_in from{};
            socklen_t size = sizeof from;
            const auto n = ::recvfrom(fd_, packet, sizeof packet, MSG_DONTWAIT,
                                      reinterpret_cast<sockaddr*>(&from), &size);
            const auto at = Clock::now();
            if (n < 28) continue;
            const unsigned char* icmp = packet + (packet[0] & 0x0f) * 4;
            if (icmp[0] != ICMP_ECHOREPLY || ((icmp[4] << 8) | icmp[5]) != id_) continue;
            char text[INET_ADDRSTRLEN];
            ::inet_ntop(AF_INET, &from.sin_addr, text, sizeof text);
            std::lock_guard lock(mutex_);
            answered_.emplace(text, at);
        }
    }

    Clock::duration period_;
    int fd_ = -1;
    std::uint16_t id_ = static_cast<std::uint16_t>(::getpid() ^ 0x5a5a);
    std::atomic<bool> stop_{false};
    std::thread thread_;
    mutable std::mutex mutex_;
    std::set<std::string> addresses_;
    std::map<std::string, Clock::time_point> answered_;
};

struct Split {
    double total_ms = 0, vim_ms = 0, boot_ms = 0, escd_ms = 0;
};

class Bench {
  public:
    Bench(std::string uri, std::string image, std::string storage)
        : uri_(std::move(uri)), image_(std::move(image)), storage_(std::move(storage)) {
        if (!db_.available()) throw std::runtime_error("ESCD_TEST_PG_DSN is not set");
        test::EscdOptions options;
        options.dsn = db_.dsn();
        options.extra_args = {
            "--vim.uri=" + uri_,
            "--vim.storage_pool=escd-bench-vnf",
            "--vim.storage_dir=" + storage_,
            "--files.root=" + std::filesystem::path(image_).parent_path().string(),
            "--monitor.allowed_cidrs=192.0.2.0/24",
            "--log.level=info"};
        escd_ = std::make_unique<test::EscdProcess>(options);
        client_.emplace(escd_->Client());
    }

    void Seed() {
        Mutate("POST", "/v0/tenants/bten",
               "<tenant xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><name>bten</name>"
               "</tenant>");
        Mutate("POST", "/v0/bten/networks/bnet",
               "<network xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><name>bnet</name>"
               "<shared>false</shared><admin_state_up>true</admin_state_up></network>");
        Mutate("POST", "/v0/bten/subnets/bsub",
               "<subnet xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><name>bsub</name>"
               "<internal_network_id>bnet</internal_network_id><cidr>192.0.2.0/24</cidr>"
               "</subnet>");
        Mutate("POST", "/v0/images/bimg",
               "<image><name>escd-vnf</name><src>file://" + image_ +
                   "</src><disk_format>raw</disk_format></image>");
        Mutate("POST", "/v0/flavors/bflavor",
               "<flavor><name>bflavor</name><vcpus>1</vcpus><memory_mb>128</memory_mb></flavor>");
    }

    Split Round(int vnfs, int round, DomainWatch& domains, FirstAnswers& pings) {
        name_ = "bench-vnf-" + std::to_string(vnfs) + "-" + std::to_string(round);
        const auto& name = name_;
        pings.Reset();
        const auto posted = Clock::now();
        auto post = client_->Post("/v0/deployments/" + name, Datamodel(name, vnfs),
                                  {{"Callback", receiver_.Url()}});
        if (post.status != 200) throw std::runtime_error("POST: " + post.body);
        const auto tx = post.Header("ESC-Transaction-Id");
        // escd allocates the addresses before it asks the VIM for anything; the guests take
        // seconds to boot: watched from the first GET that shows them all.
        for (std::size_t known = 0; known < static_cast<std::size_t>(vnfs);) {
            const auto addresses = Addresses(name);
            for (const auto& address : addresses) pings.Watch(address);
            known = addresses.size();
            if (known < static_cast<std::size_t>(vnfs)) std::this_thread::sleep_for(10ms);
        }
        const auto callbacks = Await(tx, "SERVICE_ALIVE");
        const auto& service = callbacks.back();
        if (service.Header("ESC-Status-Code") != "200")
            throw std::runtime_error("SERVICE_ALIVE failed: " + service.body);

        // The critical path is the VM whose guest answered last.
        std::string vm, address;
        std::optional<Clock::time_point> started, answered;
        for (const auto& cb : callbacks) {
            if (StageOf(cb) != "VM_ALIVE") continue;
            const auto alive_vm = XmlText(cb.body, "vm_name");
            const auto ip = AddressOf(name_, alive_vm);
            const auto first = pings.Answered(ip);
            if (!first) throw std::runtime_error("no answer seen from " + alive_vm + " at " + ip);
            if (!answered || *first > *answered) {
                vm = alive_vm;
                address = ip;
                answered = first;
                started = domains.Started(alive_vm);
            }
        }
        if (!started) throw std::runtime_error("no VM_ALIVE, or no STARTED event for " + vm);
        // Every part on the critical VM's path, end to end: escd until it calls the VIM;
        // the VIM until the domain runs (the STARTED event: what the VIM does after it
        // overlaps the boot); the boot until the first answer; escd from there to the
        // SERVICE_ALIVE callback.
        const auto launch_started = VimLaunchStart(vm);
        Split split;
        split.total_ms = Ms(service.received_at - posted);
        split.vim_ms = Ms(*started - launch_started);
        split.boot_ms = Ms(*answered - *started);
        const double before_vim = Ms(launch_started - posted);
        const double after_boot = Ms(service.received_at - *answered);
        split.escd_ms = before_vim + after_boot;
        std::printf(
            "vnfs=%d round=%d total_ms=%.0f vim_ms=%.0f boot_ms=%.0f escd_ms=%.0f escd_pct=%.2f "
            "(critical VM %s: escd %.0f ms before the VIM call, %.0f ms after the first "
            "answer)\n",
            vnfs, round, split.total_ms, split.vim_ms, split.boot_ms, split.escd_ms,
            100 * split.escd_ms / split.total_ms, vm.c_str(), before_vim, after_boot);
        std::fflush(stdout);

        auto del = client_->Delete("/v0/deployments/" + name, {{"Callback", receiver_.Url()}});
        if (del.status != 200) throw std::runtime_error("DELETE: " + del.body);
        Await(del.Header("ESC-Transaction-Id"), "SERVICE_UNDEPLOYED");
        return split;
    }

  private:
    static std::string Datamodel(const std::string& name, int vnfs) {
        const auto count = std::to_string(vnfs);
        return R"(<esc_datamodel xmlns="http://www.cisco.com/esc/esc"><tenants><tenant>
            <name>bten</name><deployments><deployment><name>)" +
               name + R"(</name>
            <vm_group><name>g</name><image>bimg</image><flavor>bflavor</flavor>
              <bootup_time>300</bootup_time>
              <interfaces><interface><nicid>0</nicid><network>bnet</network></interface>
              </interfaces>
              <kpi_data><kpi><event_name>VM_ALIVE</event_name><metric_value>1</metric_value>
                <metric_cond>GT</metric_cond><metric_type>UINT32</metric_type>
                <metric_collector><type>ICMPPing</type><nicid>0</nicid>
                  <poll_frequency>3</poll_frequency><polling_unit>seconds</polling_unit>
                  <continuous_alarm>false</continuous_alarm></metric_collector></kpi></kpi_data>
              <scaling><min_active>)" +
               count + "</min_active><max_active>" + count +
               R"(</max_active><elastic>false</elastic></scaling>
              <config_data><configuration><dst>escd-vnf.conf</dst><data>hostname $VM_NAME
interface $NICID_0_MAC_ADDRESS $NICID_0_IP_ADDRESS $NICID_0_NETMASK $NICID_0_GATEWAY
</data></configuration></config_data>
            </vm_group></deployment></deployments></tenant></tenants></esc_datamodel>)";
    }

    void Mutate(const std::string& method, const std::string& path, const std::string& body) {
        auto response = client_->Request(method, path, body, {{"Callback", receiver_.Url()}});
        if (response.status != 200) throw std::runtime_error(path + ": " + response.body);
        auto done = Await(response.Header("ESC-Transaction-Id"), "");
        if (done.back().Header("ESC-Status-Code") != "200")
            throw std::runtime_error(path + " failed: " + done.back().body);
    }

    /// The callbacks of `tx` once one of stage `last` came ("" = any).
    std::vector<ReceivedRequest> Await(const std::string& tx, const std::string& last) {
        const auto deadline = Clock::now() + 600s;
        for (std::size_t seen = seen_;; ++seen) {
            auto all = receiver_.WaitForDelivered(
                seen + 1,
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
            std::vector<ReceivedRequest> mine;
            for (const auto& cb : all) {
                if (cb.Header("ESC-Transaction-Id") != tx) continue;
                mine.push_back(cb);
                if (last.empty() || StageOf(cb) == last) {
                    seen_ = all.size();
                    return mine;
                }
            }
            if (all.size() <= seen) throw std::runtime_error("timed out waiting for " + last);
        }
    }

    /// The addresses of the deployment's VMs so far (GET).
    std::vector<std::string> Addresses(const std::string& deployment) {
        std::vector<std::string> out;
        auto got = client_->Get("/v0/deployments/" + deployment);
        pugi::xml_document doc;
        doc.load_string(got.body.c_str());
        for (const auto& node : doc.select_nodes("//vm_instance//interface/ip_address"))
            if (*node.node().child_value()) out.push_back(node.node().child_value());
        return out;
    }

    std::string AddressOf(const std::string& deployment, const std::string& vm) {
        auto got = client_->Get("/v0/deployments/" + deployment);
        pugi::xml_document doc;
        doc.load_string(got.body.c_str());
        for (const auto& node : doc.select_nodes("//vm_instance"))
            if (vm == node.node().child_value("vm_name"))
                return node.node().select_node(".//interface/ip_address").node().child_value();
        throw std::runtime_error("no address for " + vm);
    }

    /// When escd began launching `vm` on the VIM, on this program's clock: its log line
    /// "<UTC timestamp> ... VM <vm> launched: VIM <ms> ms" is written when the launch ends.
    Clock::time_point VimLaunchStart(const std::string& vm) const {
        const std::regex line(
            "(\\d{4})-(\\d{2})-(\\d{2})T(\\d{2}):(\\d{2}):(\\d{2})\\.(\\d{3})Z[^\\n]*VM " + vm +
            " launched: VIM ([0-9]+) ms");
        const auto log = escd_->Log();
        std::smatch last;
        for (std::sregex_iterator it(log.begin(), log.end(), line), end; it != end; ++it)
            last = *it;
        if (last.empty()) throw std::runtime_error("escd did not log the launch of " + vm);
        std::tm utc{};
        utc.tm_year = std::stoi(last[1]) - 1900;
        utc.tm_mon = std::stoi(last[2]) - 1;
        utc.tm_mday = std::stoi(last[3]);
        utc.tm_hour = std::stoi(last[4]);
        utc.tm_min = std::stoi(last[5]);
        utc.tm_sec = std::stoi(last[6]);
        const auto ended = std::chrono::system_clock::from_time_t(::timegm(&utc)) +
                           std::chrono::milliseconds(std::stoi(last[7]));
        const auto started = ended - std::chrono::milliseconds(std::stoi(last[8]));
        // The same instant on both clocks, to carry escd's wall time over.
        const auto steady_now = Clock::now();
        const auto system_now = std::chrono::system_clock::now();
        return steady_now - std::chrono::duration_cast<Clock::duration>(system_now - started);
    }

    std::string uri_, image_, storage_;
    test::TestDatabase db_;
    test::CallbackReceiver receiver_;
    std::unique_ptr<test::EscdProcess> escd_;
    std::optional<test::HttpClient> client_;
    std::size_t seen_ = 0;
    std::string name_;  ///< the deployment of the current round
};

int Main(int argc, char** argv) {
    Args args(argc, argv, 1);
    const auto uri = args.GetString("uri", "qemu:///system");
    const auto image = args.Require("image");
    const auto storage = args.Require("storage-dir");
    const auto sizes = args.GetString("vnfs", "1,4");
    const int rounds = args.GetCount("rounds", 3, 1, 100);
    args.CheckAllUsed();

    std::vector<int> counts;
    std::stringstream list(sizes);
    for (std::string item; std::getline(list, item, ',');) counts.push_back(std::stoi(item));
    DomainWatch domains(uri);
    FirstAnswers pings(5ms);
    Bench bench(uri, image, storage);
    bench.Seed();
    for (const int vnfs : counts) {
        std::vector<Split> splits;
        for (int round = 1; round <= rounds; ++round)
            splits.push_back(bench.Round(vnfs, round, domains, pings));
        // The median round by total.
        std::sort(splits.begin(), splits.end(),
                  [](const Split& a, const Split& b) { return a.total_ms < b.total_ms; });
        const auto& median = splits[splits.size() / 2];
        double worst_pct = 0;
        for (const auto& s : splits) worst_pct = std::max(worst_pct, 100 * s.escd_ms / s.total_ms);
        std::printf(
            "RESULT vnfs=%d rounds=%d median_total_ms=%.0f vim_ms=%.0f boot_ms=%.0f escd_ms=%.0f "
            "escd_pct=%.2f worst_escd_pct=%.2f\n",
            vnfs, rounds, median.total_ms, median.vim_ms, median.boot_ms, median.escd_ms,
            100 * median.escd_ms / median.total_ms, worst_pct);
        std::fflush(stdout);
    }
    return 0;
}

}  // namespace
}  // namespace escd::bench

int main(int argc, char** argv) {
    try {
        return escd::bench::Main(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "escd_bench_vnf: " << e.what() << "\n";
        return 1;
    }
}
