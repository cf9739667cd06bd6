#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error.hpp"
#include "model/catalogue/catalogue.hpp"
#include "model/catalogue/smu_metadata.hpp"

namespace escd::model::catalogue {
namespace {

using Strings = std::vector<std::string>;

// The message of the Error(kBadRequest, from the client) that `fn` throws; "no error" otherwise.
template <class Fn>
std::string RefusalOf(Fn fn) {
    try {
        fn();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kBadRequest) << e.what();
        EXPECT_EQ(e.origin(), ErrorOrigin::kClient) << e.what();
        return e.what();
    }
    return "no error";
}

bool Mentions(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// ---- catalog.dat ----------------------------------------------------------------------------

TEST(CatalogDat, SplitsEachLineAtItsLastUnderscore) {
    const auto entries = ParseCatalogDat(
        "asr9k_px_6.1.3\n"
        "ncs6k_sysadmin_5.0.1\n"
        "asr9k_x64_sysadmin_6.2.2\n"
        "xrv9k_6.3.1\n");
    const std::vector<CatalogEntry> expected = {{"asr9k_px", "6.1.3"},
                                                {"ncs6k_sysadmin", "5.0.1"},
                                                {"asr9k_x64_sysadmin", "6.2.2"},
                                                {"xrv9k", "6.3.1"}};
    EXPECT_EQ(entries, expected);
}

TEST(CatalogDat, IgnoresBlankLinesSurroundingWhitespaceCarriageReturnsAndAByteOrderMark) {
    const auto entries =
        ParseCatalogDat("\xEF\xBB\xBF  asr9k_px_6.1.3 \r\n\r\n\t\n ncs5500_6.2.3\t\r\n   ");
    const std::vector<CatalogEntry> expected = {{"asr9k_px", "6.1.3"}, {"ncs5500", "6.2.3"}};
    EXPECT_EQ(entries, expected);
    EXPECT_TRUE(ParseCatalogDat("").empty());
    EXPECT_TRUE(ParseCatalogDat("\n \r\n").empty());
}

TEST(CatalogDat, RefusesALineWithoutUnderscoreNamingItsLineNumber) {
    const auto message = RefusalOf([] { ParseCatalogDat("asr9k_px_6.1.3\n\nasr9k-6.1.3\n"); });
    EXPECT_TRUE(Mentions(message, "line 3")) << message;
    EXPECT_TRUE(Mentions(message, "asr9k-6.1.3")) << message;
    EXPECT_TRUE(Mentions(message, "underscore")) << message;
}

TEST(CatalogDat, RefusesAnEmptyPlatformOrRelease) {
    const auto no_platform = RefusalOf([] { ParseCatalogDat("_6.1.3"); });
    EXPECT_TRUE(Mentions(no_platform, "line 1")) << no_platform;
    EXPECT_TRUE(Mentions(no_platform, "empty platform")) << no_platform;

    const auto no_release = RefusalOf([] { ParseCatalogDat("ncs5500_6.2.3\nasr9k_px_\n"); });
    EXPECT_TRUE(Mentions(no_release, "line 2")) << no_release;
    EXPECT_TRUE(Mentions(no_release, "empty release")) << no_release;
}

TEST(CatalogDat, RefusesCharactersThatCannotNameTheMetaFile) {
    for (const char* bad :
         {"asr9k px_6.1.3", "../etc_passwd", "asr9k_px_6.1.3/x", "asr9k_px_6.1.3;"}) {
        const auto message = RefusalOf([&] { ParseCatalogDat(bad); });
        EXPECT_TRUE(Mentions(message, "line 1")) << message;
        EXPECT_TRUE(Mentions(message, "characters outside")) << message;
    }
}

TEST(CatalogDat, GroupsByPlatformSortedWithEachPlatformsLatestReleaseFirst) {
    const auto grouped =
        GroupCatalog(ParseCatalogDat("ncs6k_sysadmin_5.0.0\n"
                                     "crs_px_4.2.1\n"
                                     "asr9k_px_4.2.1\n"
                                     "ncs6k_sysadmin_5.0.1\n"
                                     "asr9k_px_4.2.3\n"
                                     "crs_px_4.2.3\n"
                                     "crs_px_4.3.0\n"));
    ASSERT_EQ(grouped.size(), 3U);
    auto it = grouped.begin();
    EXPECT_EQ(it->first, "asr9k_px");
    EXPECT_EQ(it->second, (Strings{"4.2.3", "4.2.1"}));
    ++it;
    EXPECT_EQ(it->first, "crs_px");
    EXPECT_EQ(it->second, (Strings{"4.3.0", "4.2.3", "4.2.1"}));
    ++it;
    EXPECT_EQ(it->first, "ncs6k_sysadmin");
    EXPECT_EQ(it->second, (Strings{"5.0.1", "5.0.0"}));
    EXPECT_TRUE(GroupCatalog({}).empty());
}

// ---- the SMU meta file ----------------------------------------------------------------------

// A meta file of one platform release, hand-written: header, then one item of each kind. The
// items sit under list elements of their kind, and a tar one level deeper still: the parser
// must not depend on the nesting, which CSM never relied on.
const char* kMetaFile = R"(<?xml version="1.0" encoding="UTF-8"?>
<smuMetaDataFile>
  <platform>asr9k_px</platform>
  <release>6.1.3</release>
  <creationDate>05/02/2018 10:15:42 PDT</creationDate>
  <smuSuffix>pie</smuSuffix>
  <smuSoftwareTypeID>280805694</smuSoftwareTypeID>
  <spSoftwareTypeID>280805694</spSoftwareTypeID>
  <tarSoftwareTypeID>280867577</tarSoftwareTypeID>
  <platformMDFID>
    <pid>ASR-9006</pid>
    <mdfID>282423432</mdfID>
  </platformMDFID>
  <smuList>
    <smu id="AA90001" status="Posted">
      <name>asr9k-px-6.1.3.CSCzz10001</name>
      <smuType>Recommended</smuType>
      <smuCategory>Reload</smuCategory>
      <postedDate>04/11/2018 08:00:05 PDT</postedDate>
      <customerETA></customerETA>
      <ddts>CSCzz10001</ddts>
      <description>BGP &amp; OSPF flap after &lt;RP&gt; switchover</description>
      <impact>Reload</impact>
      <supercedes>asr9k-px-6.1.3.CSCzz00007, asr9k-px-6.1.3.CSCzz00008</supercedes>
      <supercededBy/>
      <pre-requisites>asr9k-px-6.1.3.CSCzz00042</pre-requisites>
      <ccoFileName>asr9k-px-6.1.3.CSCzz10001.tar</ccoFileName>
      <functionalAreas>Routing,,Infra ,</functionalAreas>
      <packageBundles>asr9k-mini-px,asr9k-mpls-px</packageBundles>
      <packageNames>asr9k-px-6.1.3.CSCzz10001.pie</packageNames>
      <packageMD5>0f3e1c22a5b4d6e7f8091a2b3c4d5e6f</packageMD5>
      <compressedImageSize>2834432</compressedImageSize>
      <unCompressedImageSize>2856960</unCompressedImageSize>
    </smu>
  </smuList>
  <spList>
    <sp id="AA90100" status="Posted">
      <name>asr9k-px-6.1.3.sp2</name>
      <smuType>Optional</smuType>
      <postedDate>03/20/2018 11:42:10 PDT</postedDate>
      <ddts>CSCzz20002</ddts>
      <description><![CDATA[Service pack 2 for 6.1.3]]></description>
      <supercedes>asr9k-px-6.1.3.sp1</supercedes>
      <compositeDDTS>CSCzz10001,CSCzz10002,CSCzz10003</compositeDDTS>
      <compressedImageSize>411238400</compressedImageSize>
      <unCompressedImageSize>415481856</unCompressedImageSize>
    </sp>
  </spList>
  <smuIntransitList>
    <smuIntransit id="AA90200" status="In Transit">
      <name>asr9k-px-6.1.3.CSCzz30003</name>
      <smuType>PSIRT</smuType>
      <customerETA>06/01/2018</customerETA>
      <ddts>CSCzz30003</ddts>
    </smuIntransit>
  </smuIntransitList>
  <software>
    <tarList>
      <tar id="AA90300" status="Posted">
        <name>ASR9K-iosxr-px-k9-6.1.3.tar</name>
        <ccoFileName>ASR9K-iosxr-px-k9-6.1.3.tar</ccoFileName>
        <packageNames>asr9k-mini-px.pie-6.1.3</packageNames>
        <compressedImageSize>1503283200</compressedImageSize>
      </tar>
    </tarList>
  </software>
</smuMetaDataFile>
)";

// The same header with `items` in place of the lists.
std::string MetaFileWith(const std::string& items, const std::string& suffix = "pie") {
    return "<smuMetaDataFile><creationDate>05/02/2018</creationDate><smuSuffix>" + suffix +
           "</smuSuffix>" + items + "</smuMetaDataFile>";
}

SmuCatalog Parse(const std::string& xml) {
    return ParseSmuMetaFile(xml, "asr9k_px", "6.1.3");
}

TEST(SmuMetaFile, ReadsTheHeaderAndTakesPlatformAndReleaseFromTheFileName) {
    const auto catalog = ParseSmuMetaFile(kMetaFile, "asr9k_px", "6.1.3");
    EXPECT_EQ(catalog.platform, "asr9k_px");
    EXPECT_EQ(catalog.release, "6.1.3");
    EXPECT_EQ(catalog.creation_date, "05/02/2018 10:15:42 PDT");
    EXPECT_EQ(catalog.smu_suffix, "pie");
    EXPECT_EQ(catalog.pid, "ASR-9006");
    EXPECT_EQ(catalog.mdf_id, "282423432");
}

TEST(SmuMetaFile, ListsSmusThenInTransitSmusThenServicePacksThenTars) {
    const auto catalog = Parse(kMetaFile);
    ASSERT_EQ(catalog.items.size(), 4U);
    EXPECT_EQ(catalog.items[0].kind, SmuKind::kSmu);
    EXPECT_EQ(catalog.items[1].kind, SmuKind::kSmuInTransit);
    EXPECT_EQ(catalog.items[2].kind, SmuKind::kServicePack);
    EXPECT_EQ(catalog.items[3].kind, SmuKind::kTar);
}

TEST(SmuMetaFile, ReadsEveryFieldOfAnSmu) {
    const auto smu = Parse(kMetaFile).items.at(0);
    EXPECT_EQ(smu.id, "AA90001");
    EXPECT_EQ(smu.status, "Posted");
    EXPECT_EQ(smu.name, "asr9k-px-6.1.3.CSCzz10001");
    EXPECT_EQ(smu.type, "Recommended");
    EXPECT_EQ(smu.category, "Reload");
    EXPECT_EQ(smu.posted_date, "04/11/2018 08:00:05 PDT");
    EXPECT_EQ(smu.eta_date, "");
    EXPECT_EQ(smu.ddts, "CSCzz10001");
    EXPECT_EQ(smu.description, "BGP & OSPF flap after <RP> switchover");
    EXPECT_EQ(smu.impact, "Reload");
    EXPECT_EQ(smu.cco_file_name, "asr9k-px-6.1.3.CSCzz10001.tar");
    EXPECT_EQ(smu.package_md5, "0f3e1c22a5b4d6e7f8091a2b3c4d5e6f");
    EXPECT_EQ(smu.compressed_size, 2834432U);
    EXPECT_EQ(smu.uncompressed_size, 2856960U);
    EXPECT_EQ(smu.supersedes, (Strings{"asr9k-px-6.1.3.CSCzz00007", "asr9k-px-6.1.3.CSCzz00008"}));
    EXPECT_TRUE(smu.superseded_by.empty());
    EXPECT_EQ(smu.prerequisites, (Strings{"asr9k-px-6.1.3.CSCzz00042"}));
    EXPECT_EQ(smu.package_bundles, (Strings{"asr9k-mini-px", "asr9k-mpls-px"}));
    EXPECT_EQ(smu.package_names, (Strings{"asr9k-px-6.1.3.CSCzz10001.pie"}));
    EXPECT_TRUE(smu.composite_ddts.empty());
}

TEST(SmuMetaFile, SplitsListsAtCommasTrimmingEachPartAndDroppingEmptyOnes) {
    const auto smu = Parse(kMetaFile).items.at(0);
    EXPECT_EQ(smu.functional_areas, (Strings{"Routing", "Infra"}));

    const auto listed = Parse(MetaFileWith(
        "<smu id='AA1' status='Posted'><name>n</name>"
        "<supercededBy>\n  a ,\tb\n,c,, </supercededBy><pre-requisites> , </pre-requisites>"
        "</smu>"));
    EXPECT_EQ(listed.items.at(0).superseded_by, (Strings{"a", "b", "c"}));
    EXPECT_TRUE(listed.items.at(0).prerequisites.empty());
}

TEST(SmuMetaFile, ReadsAServicePackWithItsCompositeDdts) {
    const auto sp = Parse(kMetaFile).items.at(2);
    EXPECT_EQ(sp.id, "AA90100");
    EXPECT_EQ(sp.name, "asr9k-px-6.1.3.sp2");
    EXPECT_EQ(sp.description, "Service pack 2 for 6.1.3");
    EXPECT_EQ(sp.supersedes, (Strings{"asr9k-px-6.1.3.sp1"}));
    EXPECT_EQ(sp.composite_ddts, (Strings{"CSCzz10001", "CSCzz10002", "CSCzz10003"}));
    EXPECT_EQ(sp.compressed_size, 411238400U);
    EXPECT_EQ(sp.uncompressed_size, 415481856U);
}

TEST(SmuMetaFile, AnItemWithoutPackagesOrFileNameIsOneFileNamedAfterItWithTheFilesSuffix) {
    const auto in_transit = Parse(kMetaFile).items.at(1);
    EXPECT_EQ(in_transit.status, "In Transit");
    EXPECT_EQ(in_transit.type, "PSIRT");
    EXPECT_EQ(in_transit.eta_date, "06/01/2018");
    EXPECT_EQ(in_transit.package_names, (Strings{"asr9k-px-6.1.3.CSCzz30003.pie"}));
    EXPECT_EQ(in_transit.cco_file_name, "asr9k-px-6.1.3.CSCzz30003.tar");
    EXPECT_EQ(in_transit.compressed_size, 0U);
    EXPECT_EQ(in_transit.uncompressed_size, 0U);
    EXPECT_TRUE(in_transit.functional_areas.empty());

    const auto rpm = Parse(MetaFileWith(
        "<smu id='AA2' status='Posted'><name>ncs5500-6.1.3.CSCzz40004</name></smu>", "rpm"));
    EXPECT_EQ(rpm.items.at(0).package_names, (Strings{"ncs5500-6.1.3.CSCzz40004.rpm"}));
}

TEST(SmuMetaFile, ATarIsItsOwnOnePackage) {
    const auto tar = Parse(kMetaFile).items.at(3);
    EXPECT_EQ(tar.id, "AA90300");
    EXPECT_EQ(tar.name, "ASR9K-iosxr-px-k9-6.1.3.tar");
    EXPECT_EQ(tar.package_names, (Strings{"ASR9K-iosxr-px-k9-6.1.3.tar"}));
    EXPECT_EQ(tar.compressed_size, 1503283200U);
}

TEST(SmuMetaFile, AcceptsItemsAnywhereBelowTheRootAndAFileWithoutItems) {
    const auto flat = Parse(MetaFileWith(
        "<smu id='AA1' status='Posted'><name>a</name></smu>"
        "<deep><deeper><smu id='AA2' status='Obsoleted'><name>b</name></smu></deeper></deep>"));
    ASSERT_EQ(flat.items.size(), 2U);
    EXPECT_EQ(flat.items[0].name, "a");
    EXPECT_EQ(flat.items[1].name, "b");
    EXPECT_EQ(flat.items[1].status, "Obsoleted");

    const auto empty = Parse(MetaFileWith(""));
    EXPECT_TRUE(empty.items.empty());
    EXPECT_EQ(empty.creation_date, "05/02/2018");
    EXPECT_EQ(empty.pid, "");
}

TEST(SmuMetaFile, RefusesMalformedOrEmptyXmlNamingTheFile) {
    const auto malformed = RefusalOf([] { Parse("<smuMetaDataFile><smu></smuMetaDataFile>"); });
    EXPECT_TRUE(Mentions(malformed, "SMU meta file asr9k_px_6.1.3")) << malformed;
    EXPECT_TRUE(Mentions(malformed, "malformed XML")) << malformed;

    const auto empty = RefusalOf([] { Parse(" \n"); });
    EXPECT_TRUE(Mentions(empty, "SMU meta file asr9k_px_6.1.3 is empty")) << empty;
}

TEST(SmuMetaFile, RefusesAnItemWithoutIdOrStatusOrName) {
    const auto no_id = RefusalOf([] {
        Parse(
            MetaFileWith("<smu id='AA1' status='Posted'><name>a</name></smu>"
                         "<smu status='Posted'><name>asr9k-px-6.1.3.CSCzz1</name></smu>"));
    });
    EXPECT_TRUE(Mentions(no_id, "<smu> number 2")) << no_id;
    EXPECT_TRUE(Mentions(no_id, "asr9k-px-6.1.3.CSCzz1")) << no_id;
    EXPECT_TRUE(Mentions(no_id, "no id attribute")) << no_id;

    const auto no_status =
        RefusalOf([] { Parse(MetaFileWith("<sp id='AA7'><name>a.sp1</name></sp>")); });
    EXPECT_TRUE(Mentions(no_status, "<sp id=\"AA7\"> has no status attribute")) << no_status;

    const auto no_name = RefusalOf(
        [] { Parse(MetaFileWith("<tar id='AA8' status='Posted'><name> </name></tar>")); });
    EXPECT_TRUE(Mentions(no_name, "<tar id=\"AA8\"> has no <name>")) << no_name;
}

TEST(SmuMetaFile, RefusesASizeThatIsNotANumberNamingItemAndField) {
    const auto letters = RefusalOf([] {
        Parse(
            MetaFileWith("<smu id='AA1' status='Posted'><name>a</name>"
                         "<compressedImageSize>x</compressedImageSize></smu>"));
    });
    EXPECT_EQ(letters,
              "SMU meta file asr9k_px_6.1.3: <smu id=\"AA1\"> compressedImageSize 'x' is not a "
              "number");
    for (const char* bad : {"-1", "12 MB", "1.5", "99999999999999999999999"}) {
        const auto message = RefusalOf([&] {
            Parse(MetaFileWith(std::string("<smuIntransit id='AA2' status='In Transit'><name>b") +
                               "</name><unCompressedImageSize>" + bad +
                               "</unCompressedImageSize></smuIntransit>"));
        });
        EXPECT_TRUE(Mentions(message, "<smuIntransit id=\"AA2\"> unCompressedImageSize"))
            << message;
    }
}

TEST(SmuMetaFile, RefusesAnItemWithoutPackagesInAFileWithoutSuffix) {
    const auto message = RefusalOf(
        [] { Parse(MetaFileWith("<smu id='AA1' status='Posted'><name>a</name></smu>", "")); });
    EXPECT_TRUE(Mentions(message, "<smu id=\"AA1\"> has no packageNames")) << message;
    EXPECT_TRUE(Mentions(message, "smuSuffix")) << message;

    // A tar needs no suffix: it is its own package.
    EXPECT_EQ(Parse(MetaFileWith("<tar id='AA3' status='Posted'><name>t.tar</name></tar>", ""))
                  .items.at(0)
                  .package_names,
              (Strings{"t.tar"}));
}

}  // namespace
}  // namespace escd::model::catalogue
