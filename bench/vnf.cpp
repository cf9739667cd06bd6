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
/// Then (--rolling N, default 4; 0 = not) a rolling image upgrade per round: N VNFs deployed,
/// a PUT giving their group release 2 (published in escd's catalogue) with min_active N - 1,
/// PUT to SERVICE_UPDATED split over the VMs remade one after another (Bench::Rolling).
///
/// Needs ESCD_TEST_PG_DSN (a database per run is made from it) and root (the raw ICMP socket).
/// Prints a line per round and a `RESULT kind=deploy|rolling` line per size.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <pugixml.hpp>

#include "bench/args.hpp"
#include "bench/vnf_watch.hpp"
#include "tests/support/callback_receiver.hpp"
#include "tests/support/escd_process.hpp"
#include "tests/support/test_database.hpp"

namespace escd::bench {
namespace {

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

    /// Release 2 of the VNF, published in the catalogue and made the ESC image brel2: the same
    /// guest with other bytes after its file system (another file with its own checksums, as a
    /// rebuilt release is).
    void SeedReleaseTwo() {
        std::ifstream in(image_, std::ios::binary);
        std::string content((std::istreambuf_iterator<char>(in)), {});
        content.append("escd-vnf release 2\n");
        content.resize(content.size() + 4096 - content.size() % 4096, '\0');
        const std::map<std::string, std::string> json{{"Content-Type", "application/json"}};
        const auto check = [](const test::HttpResponse& response, const char* what) {
            if (response.status / 100 != 2)
                throw std::runtime_error(std::string(what) + ": " + response.body);
            return response.body;
        };
        check(client_->Put("/catalogue/v1/products/ESCD-VNF", R"({"mdfId":"1"})", json), "product");
        const auto release =
            check(client_->Post("/catalogue/v1/releases",
                                R"({"pid":"ESCD-VNF","softwareTypeId":"1",)"
                                R"("softwareTypeName":"VNF Software","version":"2.0"})",
                                json),
                  "release");
        std::smatch id;
        if (!std::regex_search(release, id, std::regex("\"releaseId\":([0-9]+)")))
            throw std::runtime_error("no releaseId in " + release);
        const auto image = check(client_->Post("/catalogue/v1/releases/" + id[1].str() + "/images",
                                               R"({"name":"escd-vnf-2.0.img"})", json),
                                 "image");
        std::smatch guid;
        if (!std::regex_search(image, guid, std::regex("\"imageGuid\":\"([0-9A-Fa-f]{40})\"")))
            throw std::runtime_error("no imageGuid in " + image);
        check(client_->Put("/catalogue/v1/images/" + guid[1].str() + "/content", content,
                           {{"Content-Type", "application/octet-stream"}}),
              "content");
        Mutate("POST", "/v0/images/brel2",
               "<image><name>escd-vnf-2</name><src>catalogue:" + guid[1].str() +
                   "</src><disk_format>raw</disk_format></image>");
    }

    Split Round(int vnfs, int round, DomainWatch& domains, FirstAnswers& pings) {
        name_ = "bench-vnf-" + std::to_string(vnfs) + "-" + std::to_string(round);
        const auto [posted, callbacks] = Deploy(vnfs, pings);
        const auto& service = callbacks.back();

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
        Undeploy();
        return split;
    }

    /// A rolling upgrade of `vnfs` VNFs from bimg to brel2, one VM at a time (min_active
    /// vnfs - 1): PUT to SERVICE_UPDATED. The VMs are remade one after the other, so the parts
    /// of each never overlap another's: per VM the VIM's removal (escd logs its time) and its
    /// launch until libvirt's STARTED event, then the boot until the new guest's first answer;
    /// what is left of the total is escd's own time (commits, alive checks, callbacks).
    Split Rolling(int vnfs, int round, DomainWatch& domains, FirstAnswers& pings) {
        name_ = "bench-rolling-" + std::to_string(vnfs) + "-" + std::to_string(round);
        const auto deployed = Deploy(vnfs, pings).second;
        std::map<std::string, std::string> address_of;
        for (const auto& cb : deployed)
            if (StageOf(cb) == "VM_ALIVE") {
                const auto vm = XmlText(cb.body, "vm_name");
                address_of[vm] = AddressOf(name_, vm);
            }
        // A remade guest is pinged again from its domain's start.
        domains.OnStarted([&](const std::string& vm) {
            if (auto it = address_of.find(vm); it != address_of.end()) pings.Rearm(it->second);
        });
        const auto asked = Clock::now();
        auto put =
            client_->Put("/v0/deployments/" + name_, Datamodel(name_, vnfs, "brel2", vnfs - 1),
                         {{"Callback", receiver_.Url()}});
        if (put.status != 200) throw std::runtime_error("PUT: " + put.body);
        const auto callbacks = Await(put.Header("ESC-Transaction-Id"), "SERVICE_UPDATED");
        domains.OnStarted(nullptr);
        const auto& service = callbacks.back();
        if (service.Header("ESC-Status-Code") != "200")
            throw std::runtime_error("SERVICE_UPDATED failed: " + service.body);

        Split split;
        split.total_ms = Ms(service.received_at - asked);
        std::size_t remade = 0;
        for (const auto& cb : callbacks) {
            if (StageOf(cb) != "VM_UPDATED") continue;
            const auto vm = XmlText(cb.body, "vm_name");
            const auto started = domains.Started(vm);
            const auto answered = pings.Answered(address_of.at(vm));
            if (!started || *started < asked || !answered || *answered < *started)
                throw std::runtime_error("no new start, or no answer after it, seen for " + vm);
            split.vim_ms +=
                LoggedMs(vm, "removed for image \\S+: VIM") + Ms(*started - VimLaunchStart(vm));
            split.boot_ms += Ms(*answered - *started);
            ++remade;
        }
        if (remade != address_of.size())
            throw std::runtime_error(std::to_string(remade) + " of " +
                                     std::to_string(address_of.size()) + " VMs remade");
        split.escd_ms = split.total_ms - split.vim_ms - split.boot_ms;
        std::printf(
            "rolling vnfs=%d round=%d total_ms=%.0f vim_ms=%.0f boot_ms=%.0f escd_ms=%.0f "
            "escd_pct=%.2f\n",
            vnfs, round, split.total_ms, split.vim_ms, split.boot_ms, split.escd_ms,
            100 * split.escd_ms / split.total_ms);
        std::fflush(stdout);
        Undeploy();
        return split;
    }

  private:
    static std::string Datamodel(const std::string& name,
                                 int vnfs,
                                 const std::string& image = "bimg",
                                 int min_active = 0) {
        const auto count = std::to_string(vnfs);
        const auto min = std::to_string(min_active > 0 ? min_active : vnfs);
        return R"(<esc_datamodel xmlns="http://www.cisco.com/esc/esc"><tenants><tenant>
            <name>bten</name><deployments><deployment><name>)" +
               name + R"(</name>
            <vm_group><name>g</name><image>)" +
               image + R"(</image><flavor>bflavor</flavor>
              <bootup_time>300</bootup_time>
              <interfaces><interface><nicid>0</nicid><network>bnet</network></interface>
              </interfaces>
              <kpi_data><kpi><event_name>VM_ALIVE</event_name><metric_value>1</metric_value>
                <metric_cond>GT</metric_cond><metric_type>UINT32</metric_type>
                <metric_collector><type>ICMPPing</type><nicid>0</nicid>
                  <poll_frequency>3</poll_frequency><polling_unit>seconds</polling_unit>
                  <continuous_alarm>false</continuous_alarm></metric_collector></kpi></kpi_data>
              <scaling><min_active>)" +
               min + "</min_active><max_active>" + count +
               R"(</max_active><elastic>false</elastic></scaling>
              <config_data><configuration><dst>escd-vnf.conf</dst><data>hostname $VM_NAME
interface $NICID_0_MAC_ADDRESS $NICID_0_IP_ADDRESS $NICID_0_NETMASK $NICID_0_GATEWAY
</data></configuration></config_data>
            </vm_group></deployment></deployments></tenant></tenants></esc_datamodel>)";
    }

    /// Deploys `vnfs` VNFs as name_ and waits for SERVICE_ALIVE: when it was posted, and its
    /// callbacks (SERVICE_ALIVE last).
    std::pair<Clock::time_point, std::vector<ReceivedRequest>> Deploy(int vnfs,
                                                                      FirstAnswers& pings) {
        pings.Reset();
        const auto posted = Clock::now();
        auto post = client_->Post("/v0/deployments/" + name_, Datamodel(name_, vnfs),
                                  {{"Callback", receiver_.Url()}});
        if (post.status != 200) throw std::runtime_error("POST: " + post.body);
        const auto tx = post.Header("ESC-Transaction-Id");
        // escd allocates the addresses before it asks the VIM for anything; the guests take
        // seconds to boot: watched from the first GET that shows them all.
        for (std::size_t known = 0; known < static_cast<std::size_t>(vnfs);) {
            const auto addresses = Addresses(name_);
            for (const auto& address : addresses) pings.Watch(address);
            known = addresses.size();
            if (known < static_cast<std::size_t>(vnfs)) std::this_thread::sleep_for(10ms);
        }
        auto callbacks = Await(tx, "SERVICE_ALIVE");
        if (callbacks.back().Header("ESC-Status-Code") != "200")
            throw std::runtime_error("SERVICE_ALIVE failed: " + callbacks.back().body);
        return {posted, std::move(callbacks)};
    }

    void Undeploy() {
        auto del = client_->Delete("/v0/deployments/" + name_, {{"Callback", receiver_.Url()}});
        if (del.status != 200) throw std::runtime_error("DELETE: " + del.body);
        Await(del.Header("ESC-Transaction-Id"), "SERVICE_UNDEPLOYED");
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

    /// The milliseconds of escd's last log line "VM <vm> <what> <ms> ms" (`what` a regex).
    double LoggedMs(const std::string& vm, const std::string& what) const {
        const std::regex line("VM " + vm + " " + what + " ([0-9]+) ms");
        const auto log = escd_->Log();
        std::smatch last;
        for (std::sregex_iterator it(log.begin(), log.end(), line), end; it != end; ++it)
            last = *it;
        if (last.empty()) throw std::runtime_error("escd did not log '" + what + "' for " + vm);
        return std::stod(last[1]);
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
    const int rolling = args.GetCount("rolling", 4, 0, 64);
    args.CheckAllUsed();

    if (rolling == 1) throw std::runtime_error("--rolling: 0 (none) or at least 2 VNFs");

    std::vector<int> counts;
    std::stringstream list(sizes);
    for (std::string item; std::getline(list, item, ',');) counts.push_back(std::stoi(item));
    DomainWatch domains(uri);
    FirstAnswers pings(5ms);
    Bench bench(uri, image, storage);
    bench.Seed();
    // The median round by total, and the worst escd share of any round.
    const auto summarize = [&](const char* kind, int vnfs, std::vector<Split> splits) {
        std::sort(splits.begin(), splits.end(),
                  [](const Split& a, const Split& b) { return a.total_ms < b.total_ms; });
        const auto& median = splits[splits.size() / 2];
        double worst_pct = 0;
        for (const auto& s : splits) worst_pct = std::max(worst_pct, 100 * s.escd_ms / s.total_ms);
        std::printf(
            "RESULT kind=%s vnfs=%d rounds=%d median_total_ms=%.0f vim_ms=%.0f boot_ms=%.0f "
            "escd_ms=%.0f escd_pct=%.2f worst_escd_pct=%.2f\n",
            kind, vnfs, rounds, median.total_ms, median.vim_ms, median.boot_ms, median.escd_ms,
            100 * median.escd_ms / median.total_ms, worst_pct);
        std::fflush(stdout);
    };
    for (const int vnfs : counts) {
        std::vector<Split> splits;
        for (int round = 1; round <= rounds; ++round)
            splits.push_back(bench.Round(vnfs, round, domains, pings));
        summarize("deploy", vnfs, std::move(splits));
    }
    if (rolling > 0) {
        bench.SeedReleaseTwo();
        std::vector<Split> splits;
        for (int round = 1; round <= rounds; ++round)
            splits.push_back(bench.Rolling(rolling, round, domains, pings));
        summarize("rolling", rolling, std::move(splits));
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
