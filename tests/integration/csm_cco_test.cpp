// The CSM face's CCO routes through a real escd (docs/csm.md, "CCO"): Cisco SMU metadata
// imported into the catalogue, answered as CSM answered cisco.com's: the catalogs, the optimal
// SMUs (posted, not superseded, plus the prerequisites they need), every posted one, the date
// filter, one entry by name or id, and the 400 and 404 CSM gave.

#include <filesystem>
#include <fstream>

#include "tests/integration/csm_fixture.hpp"

namespace escd::test {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// Five SMUs of asr9k_px 6.1.3: A superseded by B (so A is not optimal), B needing C, C
// superseded by D... which was obsoleted (so C stays), E obsoleted; and a service pack.
constexpr const char* kCcoMetaFile = R"(<?xml version="1.0" encoding="UTF-8"?>
<smuMetaDataFile>
  <creationDate>05/02/2018 10:15:42 PDT</creationDate>
  <smuSuffix>pie</smuSuffix>
  <platformMDFID><pid>ASR-9006</pid><mdfID>282423432</mdfID></platformMDFID>
  <smuList>
    <smu id="AA00001" status="Posted">
      <name>asr9k-px-6.1.3.CSCaa00001</name><smuType>Recommended</smuType>
      <postedDate>01/10/2018 08:00:00 PDT</postedDate><ddts>CSCaa00001</ddts>
      <supercededBy>asr9k-px-6.1.3.CSCbb00002</supercededBy>
    </smu>
    <smu id="AA00002" status="Posted">
      <name>asr9k-px-6.1.3.CSCbb00002</name><smuType>Recommended</smuType>
      <postedDate>03/01/2018 08:00:00 PDT</postedDate><ddts>CSCbb00002</ddts>
      <supercedes>asr9k-px-6.1.3.CSCaa00001</supercedes>
      <pre-requisites>asr9k-px-6.1.3.CSCcc00003</pre-requisites>
      <functionalAreas>QOS,ETHER</functionalAreas><packageBundles>asr9k-mini-px</packageBundles>
      <compressedImageSize>4261807</compressedImageSize>
      <unCompressedImageSize>18851717</unCompressedImageSize>
      <impact>Needs Reboot</impact><description>nV Edge flap</description>
    </smu>
    <smu id="AA00003" status="Posted">
      <name>asr9k-px-6.1.3.CSCcc00003</name><smuType>Optional</smuType>
      <postedDate>02/01/2018 08:00:00 PDT</postedDate><ddts>CSCcc00003</ddts>
      <supercededBy>asr9k-px-6.1.3.CSCdd00004</supercededBy>
    </smu>
    <smu id="AA00004" status="Obsoleted">
      <name>asr9k-px-6.1.3.CSCdd00004</name><smuType>Optional</smuType>
      <postedDate>02/15/2018 08:00:00 PDT</postedDate><ddts>CSCdd00004</ddts>
    </smu>
    <smu id="AA00005" status="Posted">
      <name>asr9k-px-6.1.3.CSCee00005</name><smuType>PSIRT</smuType>
      <postedDate>04/20/2018 08:00:00 PDT</postedDate><ddts>CSCee00005</ddts>
    </smu>
  </smuList>
  <spList>
    <sp id="AA00010" status="Posted">
      <name>asr9k-px-6.1.3.sp1</name><smuType>Recommended</smuType>
      <postedDate>04/01/2018 08:00:00 PDT</postedDate>
    </sp>
  </spList>
</smuMetaDataFile>)";

class CsmCco : public CsmTest {
  protected:
    void SetUp() override {
        CsmTest::SetUp();
        const auto dir = fs::path(escd_->data_dir()) / "files" / "smu";
        fs::create_directories(dir);
        std::ofstream(dir / "catalog.dat") << "asr9k_px_6.1.3\nasr9k_px_6.3.2\nasr9k_px_5.3.4\n";
        std::ofstream(dir / "asr9k_px_6.1.3.xml") << kCcoMetaFile;
        std::string newer = kCcoMetaFile;
        std::ofstream(dir / "asr9k_px_6.3.2.xml") << newer;
        std::ofstream(dir / "asr9k_px_5.3.4.xml") << newer;
        const auto imported =
            client_->Post("/catalogue/v1/import", R"({"directory":")" + dir.string() + R"("})",
                          {{"Content-Type", "application/json"}});
        ASSERT_EQ(imported.status, 200) << imported.body;
    }
    std::vector<std::string> Names(const std::string& query) {
        const auto answer = csm_->Get("/api/v1/cco/software?" + query);
        EXPECT_EQ(answer.status, 200) << answer.body;
        std::vector<std::string> names;
        if (answer.status != 200) return names;
        for (const auto& row : Rows(answer, "software_list")) names.push_back(Text(row, "name"));
        return names;
    }
};

TEST_F(CsmCco, TheCatalogListsEachPlatformsReleasesNewestFirst) {
    const auto answer = csm_->Get("/api/v1/cco/catalog");
    ASSERT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(Inner(answer), (json::object{{"asr9k_px", json::array{"6.3.2", "6.1.3", "5.3.4"}}}));
}

TEST_F(CsmCco, OptimalIsWhatNoPostedItemSupersedesPlusTheNeededPrerequisites) {
    EXPECT_EQ(Names("platform=asr9k_px&release=6.1.3"),
              (std::vector<std::string>{"asr9k-px-6.1.3.CSCbb00002", "asr9k-px-6.1.3.CSCcc00003",
                                        "asr9k-px-6.1.3.CSCee00005", "asr9k-px-6.1.3.sp1"}));
    // The same through CSM's software platform and a longer release text.
    EXPECT_EQ(Names("platform=ASR9K&release=6.1.3.16I").size(), 4u);
    EXPECT_EQ(Names("platform=asr9k_px&release=6.1.3&optimal=false"),
              (std::vector<std::string>{"asr9k-px-6.1.3.CSCaa00001", "asr9k-px-6.1.3.CSCbb00002",
                                        "asr9k-px-6.1.3.CSCcc00003", "asr9k-px-6.1.3.CSCee00005",
                                        "asr9k-px-6.1.3.sp1"}));
    EXPECT_EQ(Names("platform=asr9k_px&release=6.1.3&date=03-01-2018"),
              (std::vector<std::string>{"asr9k-px-6.1.3.CSCbb00002", "asr9k-px-6.1.3.CSCee00005",
                                        "asr9k-px-6.1.3.sp1"}));
}

TEST_F(CsmCco, ARowHasCsmsKeysWithSizesAsStringsAndListsAsLists) {
    const auto answer =
        csm_->Get("/api/v1/cco/software/asr9k-px-6.1.3.CSCbb00002?platform=asr9k_px&release=6.1.3");
    ASSERT_EQ(answer.status, 200) << answer.body;
    EXPECT_EQ(Inner(answer), (json::object{
                                 {"id", "AA00002"},
                                 {"name", "asr9k-px-6.1.3.CSCbb00002"},
                                 {"status", "Posted"},
                                 {"type", "Recommended"},
                                 {"posted_date", "03/01/2018 08:00:00 PDT"},
                                 {"ddts", "CSCbb00002"},
                                 {"description", "nV Edge flap"},
                                 {"functional_areas", json::array{"QOS", "ETHER"}},
                                 {"impact", "Needs Reboot"},
                                 {"package_bundles", json::array{"asr9k-mini-px"}},
                                 {"compressed_image_size", "4261807"},
                                 {"uncompressed_image_size", "18851717"},
                                 {"prerequisites", json::array{"asr9k-px-6.1.3.CSCcc00003"}},
                                 {"supersedes", json::array{"asr9k-px-6.1.3.CSCaa00001"}},
                                 {"superseded_by", json::array{}},
                                 {"composite_DDTS", json::array{}},
                             }));
    const auto by_id = csm_->Get("/api/v1/cco/software/AA00005?platform=asr9k_px&release=6.1.3");
    ASSERT_EQ(by_id.status, 200);
    EXPECT_EQ(Inner(by_id).at("name"), "asr9k-px-6.1.3.CSCee00005");
}

TEST_F(CsmCco, WhatIsNotThereIsA404ForAnEntryAndA400ForACatalog) {
    auto answer = csm_->Get("/api/v1/cco/software/CSCzz99999?platform=asr9k_px&release=6.1.3");
    EXPECT_EQ(answer.status, 404);
    EXPECT_EQ(Message(answer), "Unable to locate CSCzz99999");
    answer = csm_->Get("/api/v1/cco/software?platform=ncs5500&release=7.0.1");
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(Message(answer),
              "Unable to get software information for platform ncs5500 and release 7.0.1");
    answer = csm_->Get("/api/v1/cco/software?platform=asr9k_px&release=6.1.3&date=2018-03-01");
    EXPECT_EQ(answer.status, 400);
    EXPECT_EQ(Message(answer), "Invalid date: '2018-03-01' must be in 'mm-dd-yyyy' format.");
    answer = csm_->Get("/api/v1/cco/software?platform=asr9k_px");
    EXPECT_EQ(answer.status, 400);
    answer = csm_->Get("/api/v1/cco/catalog?platform=asr9k_px");
    EXPECT_EQ(Message(answer), "Following parameter, 'platform', is not allowed.");
}

}  // namespace
}  // namespace escd::test
