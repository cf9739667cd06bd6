#include <gtest/gtest.h>

#include "model/catalogue/smu_selection.hpp"

namespace escd::model::catalogue {
namespace {

using namespace std::chrono;

SmuItem Item(std::string name,
             std::string status = "Posted",
             std::string posted = "04/19/2016 17:14:11 PDT") {
    SmuItem item;
    item.name = std::move(name);
    item.status = std::move(status);
    item.posted_date = std::move(posted);
    return item;
}

std::vector<std::string> Names(const std::vector<SmuItem>& items) {
    std::vector<std::string> names;
    for (const auto& item : items) names.push_back(item.name);
    return names;
}

TEST(SmuSelection, OptimalDropsWhatAPostedItemSupersedesAndWhatIsNotPosted) {
    SmuCatalog catalog;
    auto old_smu = Item("p-5.3.3.CSCold");
    old_smu.superseded_by = {"p-5.3.3.CSCnew"};
    auto new_smu = Item("p-5.3.3.CSCnew");
    new_smu.supersedes = {"p-5.3.3.CSCold"};
    auto obsolete = Item("p-5.3.3.CSCobs", "Obsoleted");
    catalog.items = {old_smu, new_smu, obsolete};
    EXPECT_EQ(Names(SelectSoftware(catalog, true, std::nullopt)),
              (std::vector<std::string>{"p-5.3.3.CSCnew"}));
}

TEST(SmuSelection, AnItemSupersededOnlyByOneNotPostedStaysOptimal) {
    SmuCatalog catalog;
    auto smu = Item("p-5.3.3.CSCa");
    smu.superseded_by = {"p-5.3.3.CSCb"};
    catalog.items = {smu, Item("p-5.3.3.CSCb", "Deferred")};
    EXPECT_EQ(Names(SelectSoftware(catalog, true, std::nullopt)),
              (std::vector<std::string>{"p-5.3.3.CSCa"}));
}

TEST(SmuSelection, OptimalAddsTheMissingPrerequisitesTransitively) {
    SmuCatalog catalog;
    auto base = Item("p-5.3.3.CSCbase");
    base.superseded_by = {"p-5.3.3.CSCmid"};
    auto mid = Item("p-5.3.3.CSCmid");
    mid.superseded_by = {"p-5.3.3.CSCtop"};
    mid.prerequisites = {"p-5.3.3.CSCbase"};
    auto top = Item("p-5.3.3.CSCtop");
    top.prerequisites = {"p-5.3.3.CSCmid", "p-5.3.3.CSCunknown"};
    catalog.items = {base, mid, top};
    EXPECT_EQ(Names(SelectSoftware(catalog, true, std::nullopt)),
              (std::vector<std::string>{"p-5.3.3.CSCbase", "p-5.3.3.CSCmid", "p-5.3.3.CSCtop"}));
}

TEST(SmuSelection, NotOptimalListsEveryPostedSmuAndServicePackOnly) {
    SmuCatalog catalog;
    auto old_smu = Item("p-5.3.3.CSCold");
    old_smu.superseded_by = {"p-5.3.3.CSCnew"};
    auto sp = Item("p-5.3.3.sp1");
    sp.kind = SmuKind::kServicePack;
    auto tar = Item("p-5.3.3.tar");
    tar.kind = SmuKind::kTar;
    catalog.items = {old_smu, Item("p-5.3.3.CSCnew"), Item("p-5.3.3.CSCobs", "Obsoleted"), sp, tar};
    EXPECT_EQ(Names(SelectSoftware(catalog, false, std::nullopt)),
              (std::vector<std::string>{"p-5.3.3.CSCold", "p-5.3.3.CSCnew", "p-5.3.3.sp1"}));
}

TEST(SmuSelection, ADateKeepsWhatWasPostedThatDayOrLater) {
    SmuCatalog catalog;
    catalog.items = {Item("a", "Posted", "12/19/2015 23:59:00 PST"),
                     Item("b", "Posted", "12/20/2015 00:01:00 PST"),
                     Item("c", "Posted", "01/02/2016 10:00:00 PST"), Item("d", "Posted", "soon")};
    EXPECT_EQ(Names(SelectSoftware(catalog, true, 2015y / December / 20d)),
              (std::vector<std::string>{"b", "c"}));
}

TEST(SmuSelection, DaysAreReadAsTheirFormatsSay) {
    EXPECT_EQ(ParseMonthDayYear("12-20-2015"), 2015y / December / 20d);
    EXPECT_FALSE(ParseMonthDayYear("2015-12-20"));
    EXPECT_FALSE(ParseMonthDayYear("13-01-2015"));
    EXPECT_FALSE(ParseMonthDayYear("02-30-2016"));
    EXPECT_FALSE(ParseMonthDayYear("12-20-2015x"));
    EXPECT_EQ(PostedDay("04/27/2016 21:39:38 PDT"), 2016y / April / 27d);
}

TEST(SmuSelection, PlatformsAndReleasesAsClientsWriteThem) {
    EXPECT_EQ(CatalogPlatform("asr9k_px"), "asr9k_px");
    EXPECT_EQ(CatalogPlatform("ASR9K"), "asr9k_px");
    EXPECT_EQ(CatalogPlatform("ASR9K-X64"), "asr9k_x64");
    EXPECT_EQ(CatalogPlatform("NCS5500"), "ncs5500");
    EXPECT_EQ(CatalogRelease("6.1.3.16I"), "6.1.3");
    EXPECT_EQ(CatalogRelease("5.3.3"), "5.3.3");
    EXPECT_EQ(CatalogRelease("latest"), "latest");
}

}  // namespace
}  // namespace escd::model::catalogue
