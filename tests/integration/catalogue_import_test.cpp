// Loading the catalogue from a directory (docs/catalogue.md, "Import"), on request and at
// start-up: a manifest with its files (stored, checksums compared with the publisher's) and
// Cisco SMU metadata as CSM read it; a refused import records nothing.

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "tests/integration/escd_fixture.hpp"

namespace escd::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr const char* kMetaFile = R"(<?xml version="1.0" encoding="UTF-8"?>
<smuMetaDataFile>
  <creationDate>05/02/2018 10:15:42 PDT</creationDate>
  <smuSuffix>pie</smuSuffix>
  <platformMDFID><pid>ASR-9006</pid><mdfID>282423432</mdfID></platformMDFID>
  <smuList>
    <smu id="AA90001" status="Posted">
      <name>asr9k-px-6.1.3.CSCzz10001</name>
      <smuType>Recommended</smuType>
      <postedDate>04/11/2018 08:00:05 PDT</postedDate>
      <ddts>CSCzz10001</ddts>
      <compressedImageSize>1024</compressedImageSize>
      <unCompressedImageSize>4096</unCompressedImageSize>
    </smu>
  </smuList>
</smuMetaDataFile>)";

class CatalogueImportTest : public EscdTest {
  protected:
    // A directory below files.root with `manifest` and the file vnf.qcow2 ("v" x 4096).
    fs::path ImportDir(const std::string& name, const std::string& manifest) {
        const auto dir = fs::path(escd_->data_dir()) / "files" / name;
        fs::create_directories(dir);
        std::ofstream(dir / "manifest.json") << manifest;
        std::ofstream(dir / "vnf.qcow2") << std::string(4096, 'v');
        return dir;
    }
    static std::string Manifest(const std::string& image_extra) {
        return R"({"products":[{"pid":"ESCD-VNF","mdfId":"286000001","mdfConceptName":"escd VNF"}],
                   "softwareTypes":[{"softwareTypeId":"280000001","name":"VNF Software"}],
                   "releases":[{"pid":"ESCD-VNF","softwareTypeId":"280000001","version":"2.1",
                                "operatingPlatform":"Linux","fcsDate":"2026-11-30",
                                "images":[{"name":"vnf.qcow2","file":"vnf.qcow2","eula":true)" +
               image_extra + "}]}]}";
    }
    HttpResponse Import(const fs::path& dir) {
        return client_->Post("/catalogue/v1/import", R"({"directory":")" + dir.string() + R"("})",
                             {{"Content-Type", "application/json"}});
    }
};

TEST_F(CatalogueImportTest, AManifestAndSmuMetadataAreImportedAndAgainChangesNothing) {
    const auto dir = ImportDir("release-2.1", Manifest(""));
    std::ofstream(dir / "catalog.dat") << "asr9k_px_6.1.3\nncs5500_7.0.1\n";
    std::ofstream(dir / "asr9k_px_6.1.3.xml") << kMetaFile;
    auto imported = Import(dir);
    ASSERT_EQ(imported.status, 200) << imported.body;
    const auto report = json::parse(imported.body).as_object();
    EXPECT_EQ(report.at("images").as_int64(), 1);
    EXPECT_EQ(report.at("files").as_int64(), 1);
    EXPECT_EQ(report.at("smuCatalogs").as_int64(), 1);
    EXPECT_EQ(report.at("smuMissing").as_int64(), 1) << "ncs5500_7.0.1.xml is not there";
    const auto guid = db_.Query("SELECT guid FROM catalogue_images")[0][0].as<std::string>();
    const auto image = json::parse(client_->Get("/catalogue/v1/images/" + guid).body).as_object();
    EXPECT_EQ(image.at("size").as_int64(), 4096);
    EXPECT_TRUE(image.at("eula").as_bool());
    EXPECT_EQ(Count("catalogue_smu_items"), 1);

    ASSERT_EQ(Import(dir).status, 200);
    EXPECT_EQ(Count("catalogue_images"), 1);
    EXPECT_EQ(Count("catalogue_files"), 1);
    EXPECT_EQ(db_.Query("SELECT guid FROM catalogue_images")[0][0].as<std::string>(), guid)
        << "an image imported again keeps its GUID";
}

TEST_F(CatalogueImportTest, ARefusedImportRecordsNothingAndSaysWhy) {
    auto mismatch =
        Import(ImportDir("bad-sum", Manifest(R"(,"md5":"00000000000000000000000000000000")")));
    EXPECT_EQ(mismatch.status, 400);
    EXPECT_NE(mismatch.body.find("does not match the manifest's checksums"), std::string::npos)
        << mismatch.body;
    auto escape = Import(ImportDir("escape", R"({"releases":[{"pid":"P","softwareTypeId":"1",
        "version":"1","images":[{"name":"x","file":"../../escd.log"}]}]})"));
    EXPECT_EQ(escape.status, 400);
    EXPECT_NE(escape.body.find("outside the import directory"), std::string::npos) << escape.body;
    auto outside = client_->Post("/catalogue/v1/import", R"({"directory":"/etc"})",
                                 {{"Content-Type", "application/json"}});
    EXPECT_EQ(outside.status, 400);
    EXPECT_NE(outside.body.find("below files.root"), std::string::npos) << outside.body;
    EXPECT_EQ(Count("catalogue_products"), 0);
    EXPECT_EQ(Count("catalogue_images"), 0);
}

TEST_F(CatalogueImportTest, TheImportDirectoryIsImportedAtStartUp) {
    const auto dir = ImportDir("at-start", Manifest(""));
    StartEscd({"--catalogue.import_dir=" + dir.string()});
    ASSERT_TRUE(escd_->WaitForLog("imported " + dir.string(), 1, std::chrono::seconds(30)))
        << escd_->Log();
    EXPECT_EQ(Count("catalogue_images"), 1);
    EXPECT_EQ(Count("catalogue_files"), 1);
}

}  // namespace
}  // namespace escd::test
