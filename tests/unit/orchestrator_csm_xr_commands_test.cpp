// What the install jobs type on each command set (orchestrator/csm/xr_commands.hpp), and the
// `install add source` of each repository type.

#include <gtest/gtest.h>

#include "common/error.hpp"
#include "orchestrator/csm/xr_commands.hpp"

namespace escd::orchestrator::csm {
namespace {

using model::csm::RepositoryType;
using model::csm::ServerRepository;

ServerRepository Repository(RepositoryType type) {
    ServerRepository repository;
    repository.hostname = "lab";
    repository.type = type;
    repository.address = "198.18.1.2";
    repository.directory = "/srv/repo/";
    repository.username = "xfer";
    repository.password = "s3cret";
    return repository;
}

TEST(XrCommands, TheCommandSetFollowsTheDiscoveredOs) {
    model::csm::DeviceFacts facts;
    EXPECT_FALSE(CommandSetOf(facts)) << "Unknown";
    facts.os_type = "eXR";
    EXPECT_EQ(CommandSetOf(facts), XrCommandSet::kExr);
    facts.os_type = "Calvados";
    EXPECT_EQ(CommandSetOf(facts), XrCommandSet::kExr);
    facts.os_type = "XR";
    EXPECT_EQ(CommandSetOf(facts), XrCommandSet::kClassicXr);
    facts.os_type = "XE";
    EXPECT_FALSE(CommandSetOf(facts));
}

TEST(XrCommands, ExrTypesInstallCommandsThatRunInTheBackground) {
    const XrCommands exr(XrCommandSet::kExr);
    const std::vector<std::string> packages{"xrv9k-mgbl-3.0.0.0-r621", "xrv9k-xr-6.2.1"};
    EXPECT_EQ(exr.Add("tftp://198.18.1.2/repo", {"a.rpm", "b.iso"}),
              "install add source tftp://198.18.1.2/repo a.rpm b.iso");
    EXPECT_EQ(exr.Activate(packages), "install activate xrv9k-mgbl-3.0.0.0-r621 xrv9k-xr-6.2.1");
    EXPECT_EQ(exr.Deactivate(packages),
              "install deactivate xrv9k-mgbl-3.0.0.0-r621 xrv9k-xr-6.2.1");
    EXPECT_EQ(exr.Remove(packages), "install remove xrv9k-mgbl-3.0.0.0-r621 xrv9k-xr-6.2.1");
    EXPECT_EQ(exr.RemoveAllInactive(), "install remove inactive all");
    EXPECT_EQ(exr.Commit(), "install commit");
    EXPECT_EQ(exr.ShowPlatform(), "show platform");
    EXPECT_EQ(exr.ShowPackages(PackageList::kInactive), "show install inactive");
    EXPECT_EQ(exr.ShowRequest(), "show install request");
    EXPECT_EQ(exr.ShowLogDetail(12), "show install log 12 detail");
    EXPECT_EQ(exr.ShowStartedOperations(),
              R"(show install log reverse | utility egrep "Install operation [0-9]+ started")");
}

TEST(XrCommands, ClassicXrTypesAdminCommandsAsynchronously) {
    const XrCommands classic(XrCommandSet::kClassicXr);
    const std::vector<std::string> packages{"asr9k-mpls-px-5.3.3"};
    EXPECT_EQ(classic.Add("tftp://10.0.0.1/r", {"asr9k-mpls-px.pie-5.3.3"}),
              "admin install add source tftp://10.0.0.1/r asr9k-mpls-px.pie-5.3.3 async");
    EXPECT_EQ(classic.Activate(packages),
              "admin install activate asr9k-mpls-px-5.3.3 prompt-level none async");
    EXPECT_EQ(classic.Deactivate(packages),
              "admin install deactivate asr9k-mpls-px-5.3.3 prompt-level none async");
    EXPECT_EQ(classic.Remove(packages),
              "admin install remove asr9k-mpls-px-5.3.3 prompt-level none async");
    EXPECT_EQ(classic.RemoveAllInactive(), "admin install remove inactive async");
    EXPECT_EQ(classic.Commit(), "admin install commit");
    EXPECT_EQ(classic.ShowPlatform(), "admin show platform");
    EXPECT_EQ(classic.ShowPackages(PackageList::kCommitted),
              "admin show install committed summary");
    EXPECT_EQ(classic.ShowLogDetail(7), "admin show install log 7 detail");
}

TEST(XrCommands, TftpSourceWithItsVrfBeforeThePath) {
    auto tftp = Repository(RepositoryType::kTftp);
    tftp.address = "198.18.1.2/repo";
    tftp.vrf = "MGMT";
    const auto source = SourceOf(tftp, "6.2.1/", XrCommandSet::kExr);
    EXPECT_EQ(source.text, "tftp://198.18.1.2;MGMT/repo/6.2.1");
    EXPECT_EQ(source.password, "");
    tftp.vrf.clear();
    EXPECT_EQ(SourceOf(tftp, "", XrCommandSet::kExr).text, "tftp://198.18.1.2/repo");
}

TEST(XrCommands, ExrAsksForThePasswordClassicXrTakesItInTheUrl) {
    const auto ftp = Repository(RepositoryType::kFtp);
    const auto exr = SourceOf(ftp, "smus", XrCommandSet::kExr);
    EXPECT_EQ(exr.text, "ftp://xfer@198.18.1.2/srv/repo/smus");
    EXPECT_EQ(exr.password, "s3cret");
    const auto classic = SourceOf(ftp, "smus", XrCommandSet::kClassicXr);
    EXPECT_EQ(classic.text, "ftp://xfer:s3cret@198.18.1.2/srv/repo/smus");
    EXPECT_EQ(classic.password, "");
    EXPECT_EQ(SourceOf(Repository(RepositoryType::kSftp), "", XrCommandSet::kExr).text,
              "sftp://xfer@198.18.1.2/srv/repo");
    EXPECT_EQ(SourceOf(Repository(RepositoryType::kScp), "x", XrCommandSet::kExr).text,
              "scp://xfer@198.18.1.2/srv/repo/x");
}

TEST(XrCommands, LocalIsTheDevicePathAndScpOnClassicXrIsRefused) {
    auto local = Repository(RepositoryType::kLocal);
    local.address = "harddisk:";
    EXPECT_EQ(SourceOf(local, "ignored", XrCommandSet::kExr).text, "harddisk:");
    try {
        SourceOf(Repository(RepositoryType::kScp), "", XrCommandSet::kClassicXr);
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotSupported);
        EXPECT_STREQ(e.what(), "SCP repositories are supported for IOS XR 64-bit devices only.");
    }
    auto nowhere = Repository(RepositoryType::kFtp);
    nowhere.address.clear();
    EXPECT_THROW(SourceOf(nowhere, "", XrCommandSet::kExr), Error);
}

}  // namespace
}  // namespace escd::orchestrator::csm
