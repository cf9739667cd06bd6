#pragma once
// The fixture of the VNF tests whose VNFs are IOS XR devices and hosts of escd's CSM face
// (deploy/vnf-image/README.md, "The IOS XR device"; docs/csm.md, "escd's VNFs as hosts"): the
// group's day-0 configuration makes each guest a device with the credentials cisco /
// cisco-vnf-pw (a day-0 variable), its state on a 64 MiB ephemeral volume, and its csm_host
// extension registers it as a host; escd may log in to the guests' subnet only.

#include <boost/json.hpp>
#include <cstdio>

#include "tests/vnf/vnf_fixture.hpp"

namespace escd::test {

class VnfDeviceTest : public VnfTest {
  protected:
    /// What a test adds to escd's arguments before SetUp (the CSM job settings).
    virtual Strings CsmArgs() const { return {}; }

    void SetUp() override {
        escd_args_ = {std::string("--csm.device_allowed_cidrs=") + kVnfSubnet};
        for (auto& arg : CsmArgs()) escd_args_.push_back(arg);
        VnfTest::SetUp();
        // The password is a variable of the day-0 configuration the CSM host's comes from too.
        day0_extra_ = "device cisco $DEVICE_PW\n";
        config_extra_ = "<variable><name>DEVICE_PW</name><val>cisco-vnf-pw</val></variable>";
        group_extra_ =
            "<volumes><volume><name>xr-state</name><volid>0</volid><size>64</size>"
            "<sizeunit>MiB</sizeunit></volume></volumes><extensions><extension><name>csm_host"
            "</name><properties><property><name>username</name><value>cisco</value></property>"
            "<property><name>password</name><value>$DEVICE_PW</value></property></properties>"
            "</extension></extensions>";
    }

    /// A client of escd's CSM face, as its admin.
    std::unique_ptr<HttpClient> CsmClient() {
        auto csm = std::make_unique<HttpClient>("127.0.0.1", escd_->csm_port());
        csm->SetBasicAuth("admin", escd_->admin_password());
        return csm;
    }

    /// The CSM face's host `hostname` once escd discovered it the `nth` time (awaited on escd's
    /// log line "discovered <hostname>"); an empty object if it did not within kVnfWait.
    boost::json::object DiscoveredHost(const std::string& hostname, std::size_t nth) {
        if (!escd_->WaitForLog("discovered " + hostname, nth, kVnfWait)) return {};
        const auto got = CsmClient()->Get("/api/v1/hosts?hostname=" + hostname);
        if (got.status != 200) return {};
        const auto answer = boost::json::parse(got.body);
        const auto* list = answer.at("api_response").as_object().if_contains("host_list");
        if (!list || list->as_array().empty()) return {};
        return list->as_array().at(0).as_object();
    }

    /// Whether the CSM face lists host `hostname`.
    bool Listed(const std::string& hostname) {
        const auto got = CsmClient()->Get("/api/v1/hosts?hostname=" + hostname);
        return got.status == 200 && got.body.find("\"" + hostname + "\"") != std::string::npos;
    }

    /// The output of `command` (sh -c), stdout only.
    static std::string Run(const std::string& command) {
        std::string out;
        FILE* pipe = ::popen(command.c_str(), "r");
        if (!pipe) return out;
        char buffer[4096];
        for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
            out.append(buffer, n);
        ::pclose(pipe);
        return out;
    }

    /// One CLI command over SSH with the day-0 credentials.
    static std::string OverSsh(const std::string& address, const std::string& command) {
        return Run(
            "sshpass -p cisco-vnf-pw ssh -o StrictHostKeyChecking=no "
            "-o UserKnownHostsFile=/dev/null -o ConnectTimeout=20 -o LogLevel=ERROR cisco@" +
            address + " '" + command + "' 2>&1");
    }
};

}  // namespace escd::test
