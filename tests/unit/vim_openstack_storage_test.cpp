// The pure parts of escd's Glance images, Cinder volumes and Keystone projects
// (vim/openstack/glance.hpp, cinder.hpp, projects.hpp, digest.hpp).

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <future>
#include <limits>

#include "common/asio.hpp"
#include "common/error.hpp"
#include "vim/openstack/cinder.hpp"
#include "vim/openstack/digest.hpp"
#include "vim/openstack/glance.hpp"
#include "vim/openstack/projects.hpp"

namespace escd::vim::openstack {
namespace {
namespace json = boost::json;

std::string HexOf(const std::string& algorithm, std::string_view data) {
    Digest digest(algorithm);
    digest.Update(data);
    return digest.Hex();
}

TEST(OpenStackDigest, KnownVectors) {
    // FIPS 180-2 and RFC 1321 test vectors.
    EXPECT_EQ(HexOf("sha512", "abc"),
              "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
              "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
    EXPECT_EQ(HexOf("md5", "abc"), "900150983cd24fb0d6963f7d28e17f72");
    EXPECT_EQ(HexOf("sha256", ""),
              "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(OpenStackDigest, PiecesHashAsTheWhole) {
    Digest pieces("sha512");
    pieces.Update("a");
    pieces.Update("");
    pieces.Update("bc");
    EXPECT_EQ(pieces.Hex(), HexOf("sha512", "abc"));
}

TEST(OpenStackDigest, AnAlgorithmOpenSslLacksIsNotSupported) {
    EXPECT_FALSE(Digest::Known("sha-nothing"));
    EXPECT_TRUE(Digest::Known("sha512"));
    try {
        Digest digest("sha-nothing");
        FAIL() << "no such digest";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotSupported);
    }
}

TEST(OpenStackDigest, AFileIsHashedInChunks) {
    // Over two chunks (1 MiB each) and not a multiple of one.
    std::string content(2 * 1024 * 1024 + 12345, '\0');
    for (std::size_t i = 0; i < content.size(); ++i)
        content[i] = static_cast<char>((i * 7919) % 251);
    char path[] = "/tmp/escd-digest-XXXXXX";
    const int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ::close(fd);
    std::ofstream(path, std::ios::binary) << content;

    asio::io_context ioc;
    asio::thread_pool files(1);
    std::promise<std::string> result;
    asio::co_spawn(ioc, FileDigest(path, "sha512", files),
                   [&](std::exception_ptr e, std::string hex) {
                       if (e) {
                           result.set_exception(e);
                       } else {
                           result.set_value(hex);
                       }
                   });
    ioc.run();
    EXPECT_EQ(result.get_future().get(), HexOf("sha512", content));
    std::remove(path);
}

TEST(GlanceJson, AnImageBeforeAndAfterItsUpload) {
    const auto queued = ParseImage(json::parse(
        R"({"id": "i-1", "name": "escd-img", "status": "queued", "size": null, "checksum": null,
            "os_hash_algo": null, "os_hash_value": null, "escd_id": "img"})"));
    EXPECT_EQ(queued.id, "i-1");
    EXPECT_EQ(queued.status, "queued");
    EXPECT_EQ(queued.size, -1);
    EXPECT_FALSE(DigestToCheck(queued)) << "nothing stored, nothing to compare";

    const auto active = ParseImage(json::parse(
        R"({"id": "i-1", "name": "escd-img", "status": "active", "size": 100000,
            "checksum": "ac30", "os_hash_algo": "sha512", "os_hash_value": "b835"})"));
    EXPECT_EQ(active.size, 100000);
    const auto expected = DigestToCheck(active);
    ASSERT_TRUE(expected);
    EXPECT_EQ(expected->algorithm, "sha512") << "the multihash first";
    EXPECT_EQ(expected->hex, "b835");
}

TEST(GlanceJson, AnAlgorithmOpenSslLacksFallsBackToTheMd5Checksum) {
    GlanceImage image;
    image.checksum = "ac30";
    image.hash_algo = "sha-nothing";
    image.hash_value = "ffff";
    const auto expected = DigestToCheck(image);
    ASSERT_TRUE(expected);
    EXPECT_EQ(expected->algorithm, "md5");
    EXPECT_EQ(expected->hex, "ac30");
}

TEST(CinderJson, SizesAreWholeGibRoundedUpAtLeastOne) {
    constexpr std::uint64_t kGiB = 1ull << 30;
    EXPECT_EQ(VolumeSizeGiB(0), 1u);
    EXPECT_EQ(VolumeSizeGiB(1), 1u);
    EXPECT_EQ(VolumeSizeGiB(kGiB), 1u);
    EXPECT_EQ(VolumeSizeGiB(kGiB + 1), 2u);
    EXPECT_EQ(VolumeSizeGiB(3 * kGiB / 2), 2u);
    EXPECT_EQ(VolumeSizeGiB(10 * kGiB), 10u);
    // No overflow at the top.
    EXPECT_EQ(VolumeSizeGiB(std::numeric_limits<std::uint64_t>::max()), 1ull << 34);
}

TEST(CinderJson, AVolumeAsCinderDescribesIt) {
    const auto volume = ParseVolume(json::parse(
        R"({"id": "v-1", "name": "escd-vol", "status": "available", "size": 2,
            "metadata": {"escd_id": "vol"}, "attachments": []})"));
    EXPECT_EQ(volume.id, "v-1");
    EXPECT_EQ(volume.name, "escd-vol");
    EXPECT_EQ(volume.status, "available");
    EXPECT_EQ(volume.size_gib, 2);
}

TEST(KeystoneProjectJson, AProjectIsFoundByEscdsTag) {
    EXPECT_EQ(ProjectTag("ten-1"), "escd-ten-1");
    const auto project = ParseProject(json::parse(
        R"({"id": "p-1", "name": "Acme", "domain_id": "default", "enabled": false,
            "description": "escd tenant ten-1", "tags": ["escd-ten-1", "other"]})"));
    EXPECT_EQ(project.id, "p-1");
    EXPECT_EQ(project.name, "Acme");
    EXPECT_EQ(project.domain_id, "default");
    EXPECT_FALSE(project.enabled);
    ASSERT_EQ(project.tags.size(), 2u);
    EXPECT_EQ(project.tags[0], "escd-ten-1");
}

TEST(KeystoneProjectJson, TheIdentityEndpointWithOrWithoutItsVersion) {
    EXPECT_EQ(IdentityPath("http://127.0.0.1:5000/v3", "/projects"), "/projects");
    EXPECT_EQ(IdentityPath("http://127.0.0.1:5000/v3/", "/projects"), "/projects");
    EXPECT_EQ(IdentityPath("https://keystone.example:5000", "/projects"), "/v3/projects");
    EXPECT_EQ(IdentityPath("https://example/identity", "/roles"), "/v3/roles");
}

}  // namespace
}  // namespace escd::vim::openstack
