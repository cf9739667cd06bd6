#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "server/swdist/answers.hpp"

namespace escd::server::swdist {
namespace {
namespace json = boost::json;
namespace catalogue = model::catalogue;

catalogue::ImageGuid GuidOf(char digit) {
    return *catalogue::ImageGuid::Parse(std::string(40, digit));
}

/// An image row of the ASR 9001's IOS XR software: the release `version` (escd's key
/// `release_id`), image `guid_digit`.
catalogue::ImageRow XrRow(std::int64_t release_id, std::string version, char guid_digit) {
    catalogue::ImageRow row;
    row.product = {"ASR-9001", "286305578", "ASR 9001 Router"};
    row.software_type = {"280867577", "IOS XR Software"};
    row.release.id = release_id;
    row.release.pid = "ASR-9001";
    row.release.software_type_id = "280867577";
    row.release.operating_platform = "IOS XR";
    row.release.version = std::move(version);
    row.release.lifecycle = "MD";
    row.release.fcs_date = "2021-11-02";
    row.image.guid = GuidOf(guid_digit);
    row.image.release_id = release_id;
    row.image.name = "asr9k-mini-x64-" + row.release.version + "-" + guid_digit + ".iso";
    row.image.content = catalogue::FileDigest{1048197, std::string(32, 'a'), std::string(128, 'b')};
    return row;
}

/// The answer as a client reads it: serialized and parsed again.
json::value AsClientReadsIt(const json::object& answer) {
    return json::parse(json::serialize(answer));
}

const json::array& ReleasesOf(const json::value& answer, std::size_t type = 0) {
    return answer.at("metadata")
        .at(0)
        .at("products")
        .at(0)
        .at("softwareTypes")
        .at(type)
        .at("operatingSystems")
        .at(0)
        .at("releases")
        .as_array();
}

MetadataPage PageOfRows(std::vector<catalogue::ImageRow> rows) {
    MetadataPage page;
    page.metadata_trans_id = "823140486791381248";
    page.total_records = rows.size();
    page.rows = std::move(rows);
    page.self_link = "https://escd.example/software/v4.0/metadata/pidrelease";
    return page;
}

ComplianceSettings EscdComplianceSettings() {
    ComplianceSettings forms;
    forms.k9_web_form = "https://escd.example:8443/software/v4.0/compliance/k9";
    forms.eula_web_form = "https://escd.example:8443/software/v4.0/compliance/eula";
    forms.eula_version = "3";
    return forms;
}

// ---- the metadata tree ----

TEST(SwdistAnswers, RowsOfOneReleaseShareOneReleaseNodeNewestReleaseFirst) {
    const auto answer = AsClientReadsIt(PidReleaseAnswer(
        PageOfRows({XrRow(2, "7.3.2", '1'), XrRow(2, "7.3.2", '2'), XrRow(1, "7.3.1", '3')})));
    ASSERT_EQ(answer.at("metadata").as_array().size(), 1u);
    EXPECT_EQ(answer.at("metadata").at(0).at("pid").as_string(), "ASR-9001");
    const auto& product = answer.at("metadata").at(0).at("products").at(0);
    EXPECT_EQ(answer.at("metadata").at(0).at("products").as_array().size(), 1u);
    EXPECT_EQ(product.at("mdfConceptName").as_string(), "ASR 9001 Router");
    EXPECT_EQ(product.at("softwareTypes").as_array().size(), 1u);
    EXPECT_EQ(product.at("softwareTypes").at(0).at("softwareTypeName").as_string(),
              "IOS XR Software");
    EXPECT_EQ(product.at("softwareTypes").at(0).at("operatingSystems").at(0).at("name").as_string(),
              "IOS XR");
    const auto& releases = ReleasesOf(answer);
    ASSERT_EQ(releases.size(), 2u);
    EXPECT_EQ(releases.at(0).at("version").as_string(), "7.3.2") << "releases[0] is the latest";
    EXPECT_EQ(releases.at(0).at("images").as_array().size(), 2u);
    EXPECT_EQ(releases.at(0).at("images").at(0).at("imageGuid").as_string(), std::string(40, '1'));
    EXPECT_EQ(releases.at(0).at("images").at(1).at("imageGuid").as_string(), std::string(40, '2'));
    EXPECT_EQ(releases.at(1).at("version").as_string(), "7.3.1");
    EXPECT_EQ(releases.at(1).at("images").as_array().size(), 1u);
}

TEST(SwdistAnswers, OnlyConsecutiveRowsAreGroupedSoTheCallersOrderIsKept) {
    auto rommon = XrRow(5, "1.05", '5');
    rommon.software_type = {"280805694", "ROMMON"};
    const auto answer = AsClientReadsIt(
        PidReleaseAnswer(PageOfRows({XrRow(2, "7.3.2", '1'), rommon, XrRow(1, "7.3.1", '3')})));
    const auto& types = answer.at("metadata").at(0).at("products").at(0).at("softwareTypes");
    ASSERT_EQ(types.as_array().size(), 3u);
    EXPECT_EQ(types.at(0).at("softwareTypeId").as_string(), "280867577");
    EXPECT_EQ(types.at(1).at("softwareTypeId").as_string(), "280805694");
    EXPECT_EQ(types.at(2).at("softwareTypeId").as_string(), "280867577");
    EXPECT_EQ(ReleasesOf(answer, 2).at(0).at("version").as_string(), "7.3.1");
}

TEST(SwdistAnswers, EachLevelStartsANewNodeWhenItsKeyChanges) {
    auto other_product = XrRow(3, "7.3.2", '4');
    other_product.product = {"ASR-9006", "282423189", "ASR 9006 Router"};
    auto other_platform = XrRow(2, "7.3.2", '2');
    other_platform.release.operating_platform = "Linux";
    const auto answer = AsClientReadsIt(
        PidReleaseAnswer(PageOfRows({XrRow(2, "7.3.2", '1'), other_platform, other_product})));
    ASSERT_EQ(answer.at("metadata").as_array().size(), 2u) << "another pid";
    const auto& types = answer.at("metadata").at(0).at("products").at(0).at("softwareTypes");
    const auto& platforms = types.at(0).at("operatingSystems").as_array();
    ASSERT_EQ(platforms.size(), 2u);
    EXPECT_EQ(platforms.at(1).at("name").as_string(), "Linux");
    EXPECT_EQ(answer.at("metadata").at(1).at("products").at(0).at("mdfId").as_string(),
              "282423189");
}

TEST(SwdistAnswers, IdsAndSizesAreStringsAndFlagsAreYOrN) {
    auto row = XrRow(2, "7.3.2", '1');
    row.release.suggested = true;
    row.release.field_notice_url = "https://example.com/fn";
    row.release.security_advisory_url = "https://example.com/psirt";
    row.release.documents = {{"Release notes", "Release Document", "https://example.com/rn"}};
    row.image.k9 = true;
    row.image.deleted_date = "2023-01-31";
    row.image.description = "IOS XR mini";
    const auto answer = AsClientReadsIt(PidReleaseAnswer(PageOfRows({row})));
    const auto& product = answer.at("metadata").at(0).at("products").at(0);
    EXPECT_EQ(product.at("mdfId").as_string(), "286305578");
    EXPECT_EQ(product.at("softwareTypes").at(0).at("softwareTypeId").as_string(), "280867577");
    EXPECT_EQ(answer.at("metadataTransId").as_string(), "823140486791381248");

    const auto& release = ReleasesOf(answer).at(0);
    EXPECT_EQ(release.at("releaseVersion").as_string(), "7.3.2");
    EXPECT_EQ(release.at("fcsDate").as_string(), "2021-11-02");
    EXPECT_EQ(release.at("lifeCycle").as_string(), "MD");
    EXPECT_EQ(release.at("lifecycle").as_string(), "MD");
    EXPECT_EQ(release.at("fieldNotice").as_string(), "https://example.com/fn");
    EXPECT_EQ(release.at("fieldNoticeUrl").as_string(), "https://example.com/fn");
    EXPECT_EQ(release.at("isSuggested").as_string(), "Y");
    EXPECT_EQ(release.at("docs").at(0).at("type").as_string(), "Release Document");

    const auto& image = release.at("images").at(0);
    EXPECT_EQ(image.at("size").as_string(), "1048197");
    EXPECT_EQ(image.at("imageSize").as_string(), "1048197");
    EXPECT_EQ(image.at("name").as_string(), image.at("imageName").as_string());
    EXPECT_EQ(image.at("md5").as_string(), std::string(32, 'a'));
    EXPECT_EQ(image.at("sha512").as_string(), std::string(128, 'b'));
    EXPECT_EQ(image.at("encryptionSoftwareIndicator").as_string(), "Y");
    EXPECT_EQ(image.at("isDeleted").as_string(), "Y");
    EXPECT_EQ(image.at("deletedDate").as_string(), "2023-01-31");
    EXPECT_EQ(image.at("releaseDate").as_string(), "2021-11-02");
    EXPECT_EQ(image.at("isRelated").as_string(), "N");
    EXPECT_EQ(image.at("psirtIndicator").as_string(), "Y");
    EXPECT_EQ(image.at("additionalEntitlement").as_string(), "N");
    EXPECT_TRUE(image.at("exception").as_array().empty());

    const auto plain = AsClientReadsIt(PidReleaseAnswer(PageOfRows({XrRow(2, "7.3.2", '1')})));
    const auto& plain_image = ReleasesOf(plain).at(0).at("images").at(0);
    EXPECT_EQ(plain_image.at("isDeleted").as_string(), "N");
    EXPECT_EQ(plain_image.at("deletedDate").as_string(), "");
    EXPECT_EQ(plain_image.at("encryptionSoftwareIndicator").as_string(), "N");
}

TEST(SwdistAnswers, PaginationIsGivenUnderBothNames) {
    auto page = PageOfRows({XrRow(2, "7.3.2", '1'), XrRow(1, "7.3.1", '2')});
    page.paging = {2, 25};
    page.total_records = 27;
    const auto answer = AsClientReadsIt(PidReleaseAnswer(page));
    const auto& pagination = answer.at("pagination");
    EXPECT_EQ(pagination.at("pageIndex").to_number<int>(), 2);
    EXPECT_EQ(pagination.at("lastIndex").to_number<int>(), 2);
    EXPECT_EQ(pagination.at("totalRecords").to_number<int>(), 27);
    EXPECT_EQ(pagination.at("pageRecords").to_number<int>(), 2);
    EXPECT_EQ(answer.at("paginationResponseRecord"), pagination);
    EXPECT_EQ(answer.at("selfLink").as_string(),
              "https://escd.example/software/v4.0/metadata/pidrelease");
    EXPECT_FALSE(answer.at("title").as_string().empty());
}

TEST(SwdistAnswers, LastIndexCountsWholePagesAndIsOneWhenNothingMatched) {
    EXPECT_EQ(Pagination::Of({1, 25}, 25, 25).last_index, 1u);
    EXPECT_EQ(Pagination::Of({1, 25}, 26, 25).last_index, 2u);
    EXPECT_EQ(Pagination::Of({3, 1}, 5, 1).last_index, 5u);
    EXPECT_EQ(Pagination::Of({1, 25}, 0, 0).last_index, 1u);
    const auto empty = AsClientReadsIt(PidReleaseAnswer(PageOfRows({})));
    EXPECT_TRUE(empty.at("metadata").as_array().empty());
    EXPECT_EQ(empty.at("pagination").at("totalRecords").to_number<int>(), 0);
}

TEST(SwdistAnswers, NoticesGoIntoTheirImagesExceptionArray) {
    auto page = PageOfRows({XrRow(2, "7.3.2", '1'), XrRow(2, "7.3.2", '2')});
    page.notices[GuidOf('2')] = {ImageNotice::kK9Download, ImageNotice::kSoftwareAdvisory};
    const auto answer = AsClientReadsIt(PidReleaseAnswer(page));
    const auto& images = ReleasesOf(answer).at(0).at("images");
    EXPECT_TRUE(images.at(0).at("exception").as_array().empty());
    const auto& notices = images.at(1).at("exception").as_array();
    ASSERT_EQ(notices.size(), 2u);
    EXPECT_EQ(notices.at(0).at("code").as_string(), "K9_IMG_DWLD");
    EXPECT_FALSE(notices.at(0).at("message").as_string().empty());
    EXPECT_EQ(notices.at(1).at("code").as_string(), "SW_ADV_IMAGE");
}

TEST(SwdistAnswers, PidImageListsTheNamesThatMatchedNothing) {
    auto page = PageOfRows({XrRow(2, "7.3.2", '1')});
    const auto answer = AsClientReadsIt(PidImageAnswer(page, {"nothing.bin"}));
    EXPECT_EQ(answer.at("invalidImages").at(0).as_string(), "nothing.bin");
    EXPECT_EQ(answer.at("metadataTransId").as_string(), "823140486791381248");
    EXPECT_EQ(ReleasesOf(answer).at(0).at("images").as_array().size(), 1u);
    EXPECT_NE(answer.at("title"), AsClientReadsIt(PidReleaseAnswer(page)).at("title"));
    EXPECT_FALSE(AsClientReadsIt(PidReleaseAnswer(page)).as_object().contains("invalidImages"));
}

// ---- metadata/images ----

TEST(SwdistAnswers, ImagesStatusWritesTheSizeAndTypeIdAsNumbers) {
    auto row = XrRow(2, "7.3.2", '1');
    row.image.documents = {{"notes label", "Image Document", "https://example.com/notes.txt"}};
    std::vector<catalogue::ImageRow> rows{row};
    NoticesByImage notices{{GuidOf('1'), {ImageNotice::kDeferralAdvisory}}};
    const auto answer = AsClientReadsIt(
        ImagesAnswer(rows, {"unknown.bin"}, notices, "https://escd.example/metadata/images"));
    EXPECT_EQ(answer.at("invalidImages").at(0).as_string(), "unknown.bin");
    const auto& image = answer.at("metadata").at(0);
    EXPECT_EQ(image.at("imageName").as_string(), row.image.name);
    EXPECT_EQ(image.at("imageSize").to_number<std::uint64_t>(), 1048197u);
    EXPECT_EQ(image.at("softwareTypeId").to_number<std::uint64_t>(), 280867577u);
    EXPECT_EQ(image.at("softwareTypeName").as_string(), "IOS XR Software");
    EXPECT_EQ(image.at("releaseFcsDate").as_string(), "2021-11-02");
    EXPECT_EQ(image.at("isDeleted").as_string(), "N");
    EXPECT_EQ(image.at("md5").as_string(), std::string(32, 'a'));
    EXPECT_EQ(image.at("imageDocs").at(0).at("name").as_string(), "notes label");
    EXPECT_EQ(image.at("exception").at(0).at("code").as_string(), "DEF_ADV_IMAGE");
    EXPECT_EQ(answer.at("selfLink").as_string(), "https://escd.example/metadata/images");
}

// ---- download/pidimage ----

DownloadLink LinkTo(char guid_digit, std::vector<ImageNotice> notices = {}) {
    return DownloadLink{GuidOf(guid_digit),
                        std::string("image-") + guid_digit + ".bin",
                        std::string("https://escd.example/files/") + guid_digit,
                        std::string("token-") + guid_digit,
                        "205785277984030082",
                        std::move(notices)};
}

TEST(SwdistAnswers, ADownloadWithoutPendingAgreementsGivesEveryUrl) {
    const auto answer =
        AsClientReadsIt(DownloadAnswer("205785277984030082", {LinkTo('1'), LinkTo('2')},
                                       EscdComplianceSettings(), "https://escd.example/dl"));
    EXPECT_EQ(answer.at("sessionId").as_string(), "205785277984030082");
    EXPECT_TRUE(answer.at("acceptanceForm").as_object().empty());
    EXPECT_EQ(answer.at("pagination").at("totalRecords").to_number<int>(), 2);
    EXPECT_EQ(answer.at("pagination").at("lastIndex").to_number<int>(), 1);
    const auto& downloads = answer.at("downloads").as_array();
    ASSERT_EQ(downloads.size(), 2u);
    EXPECT_EQ(downloads.at(0).at("imageGuid").as_string(), std::string(40, '1'));
    EXPECT_EQ(downloads.at(0).at("imageName").as_string(), "image-1.bin");
    EXPECT_EQ(downloads.at(0).at("url").as_string(), "https://escd.example/files/1");
    EXPECT_EQ(downloads.at(0).at("token").as_string(), "token-1");
    EXPECT_EQ(downloads.at(0).at("sessionId").as_string(), "205785277984030082");
    EXPECT_TRUE(downloads.at(0).at("exception").as_array().empty());
}

TEST(SwdistAnswers, APendingEulaWithholdsItsImagesUrlAndCarriesTheEula) {
    const auto forms = EscdComplianceSettings();
    const auto answer = AsClientReadsIt(DownloadAnswer(
        "s", {LinkTo('1', {ImageNotice::kEulaFormUnanswered}), LinkTo('2')}, forms, "self"));
    const auto& downloads = answer.at("downloads");
    EXPECT_EQ(downloads.at(0).at("url").as_string(), "");
    EXPECT_EQ(downloads.at(0).at("token").as_string(), "");
    EXPECT_EQ(downloads.at(0).at("exception").at(0).at("code").as_string(), "EULA_FORM_AR");
    EXPECT_EQ(downloads.at(1).at("url").as_string(), "https://escd.example/files/2")
        << "an image without a pending agreement keeps its URL";
    const auto& form = answer.at("acceptanceForm").as_object();
    ASSERT_TRUE(form.contains("eulaContent"));
    EXPECT_FALSE(form.contains("k9Content"));
    EXPECT_EQ(form.at("eulaContent").at("content").as_string(), forms.eula_text);
    EXPECT_EQ(form.at("webForm").as_string(), forms.eula_web_form);
    EXPECT_EQ(form.at("subAppVersion").as_string(), "3");
}

TEST(SwdistAnswers, PendingK9AndEulaCarryBothFormsWithTheK9WebForm) {
    const auto forms = EscdComplianceSettings();
    const auto answer = AsClientReadsIt(
        DownloadAnswer("s", {LinkTo('1', {ImageNotice::kK9AndEulaUnanswered})}, forms, "self"));
    const auto& form = answer.at("acceptanceForm").as_object();
    EXPECT_EQ(form.at("k9Content").at("confirmationValue").as_string(), "CONFIRM_CHECKED");
    EXPECT_TRUE(form.contains("eulaContent"));
    EXPECT_EQ(form.at("webForm").as_string(), forms.k9_web_form);
    EXPECT_EQ(answer.at("downloads").at(0).at("url").as_string(), "");
}

TEST(SwdistAnswers, ARejectedK9WithholdsTheUrlWithoutOfferingTheFormAgain) {
    const auto answer = AsClientReadsIt(DownloadAnswer(
        "s", {LinkTo('1', {ImageNotice::kK9Rejected})}, EscdComplianceSettings(), "self"));
    EXPECT_EQ(answer.at("downloads").at(0).at("url").as_string(), "");
    EXPECT_EQ(answer.at("downloads").at(0).at("exception").at(0).at("code").as_string(),
              "K9_REJECTED");
    EXPECT_TRUE(answer.at("acceptanceForm").as_object().empty());
}

TEST(SwdistAnswers, AnAdvisoryInformsWithoutWithholdingTheUrl) {
    const auto answer = AsClientReadsIt(DownloadAnswer(
        "s", {LinkTo('1', {ImageNotice::kSoftwareAdvisory})}, EscdComplianceSettings(), "self"));
    EXPECT_EQ(answer.at("downloads").at(0).at("url").as_string(), "https://escd.example/files/1");
    EXPECT_TRUE(answer.at("acceptanceForm").as_object().empty());
}

TEST(SwdistAnswers, NoticeTokensAreTheReferences) {
    const std::pair<ImageNotice, std::string_view> table[] = {
        {ImageNotice::kSoftwareAdvisory, "SW_ADV_IMAGE"},
        {ImageNotice::kDeferralAdvisory, "DEF_ADV_IMAGE"},
        {ImageNotice::kK9Download, "K9_IMG_DWLD"},
        {ImageNotice::kK9Rejected, "K9_REJECTED"},
        {ImageNotice::kK9FormUnanswered, "K9_FORM_AR"},
        {ImageNotice::kEulaFormUnanswered, "EULA_FORM_AR"},
        {ImageNotice::kK9FormNotAccepted, "K9_FORM_ACC"},
        {ImageNotice::kEulaFormNotAccepted, "EULA_FORM_ACC"},
        {ImageNotice::kK9AndEulaUnanswered, "K9_EULA_FORM_AR"},
    };
    for (const auto& [notice, token] : table) {
        EXPECT_EQ(TokenOf(notice), token);
        EXPECT_FALSE(MessageOf(notice).empty()) << token;
        EXPECT_EQ(AwaitsK9Form(notice) || AwaitsEula(notice) || notice == ImageNotice::kK9Rejected,
                  WithholdsDownload(notice))
            << token;
    }
}

// ---- compliance ----

TEST(SwdistAnswers, TheK9FormAnswerIsTheReferencesShapeWithEscdsWebForm) {
    const auto forms = EscdComplianceSettings();
    const auto answer = AsClientReadsIt(K9FormAnswer(forms, "client-7"));
    EXPECT_EQ(answer.at("statusCode").as_string(), "0");
    EXPECT_EQ(answer.at("statusMessage").as_string(), "success");
    EXPECT_EQ(answer.at("subAppVersion").as_string(), "1");
    EXPECT_EQ(answer.at("webForm").as_string(), forms.k9_web_form);
    EXPECT_EQ(answer.at("userDetails").at("userId").as_string(), "client-7");
    const auto& content = answer.at("k9Content");
    EXPECT_EQ(content.at("CommercialCivilianValue").as_string(), "COMM_OR_CIVIL");
    EXPECT_EQ(content.at("govMilitaryValue").as_string(), "GOV_OR_MIL");
    EXPECT_EQ(content.at("govMilitaryYesValue").as_string(), "GOV_OR_MIL_COUNTRIES_YES");
    EXPECT_EQ(content.at("govMilitaryNoValue").as_string(), "GOV_OR_MIL_COUNTRIES_NO");
    EXPECT_EQ(content.at("confirmationValue").as_string(), "CONFIRM_CHECKED");
    EXPECT_EQ(content.at("acceptValue").as_string(), "Accepted");
    EXPECT_EQ(content.at("declineValue").as_string(), "Declined");
    EXPECT_FALSE(content.at("k9Form").as_string().empty());
    EXPECT_EQ(json::serialize(answer).find("Cisco"), std::string::npos) << "escd speaks for itself";
}

TEST(SwdistAnswers, TheEulaAnswerSaysThePublishersTermsApplyUnlessConfigured) {
    const auto answer = AsClientReadsIt(EulaFormAnswer(EscdComplianceSettings()));
    EXPECT_EQ(answer.at("statusCode").as_string(), "0");
    EXPECT_EQ(answer.at("statusMessage").as_string(), "success");
    EXPECT_EQ(answer.at("subAppVersion").as_string(), "3");
    EXPECT_EQ(answer.at("webForm").as_string(),
              "https://escd.example:8443/software/v4.0/compliance/eula");
    const auto& content = answer.at("eulaContent");
    EXPECT_NE(content.at("content").as_string().find("publisher"), std::string::npos);
    EXPECT_EQ(content.at("acceptButtonValue").as_string(), "Accepted");
    EXPECT_EQ(content.at("declineButtonValue").as_string(), "Declined");

    auto custom = EscdComplianceSettings();
    custom.eula_text = "<p>The ACME EULA applies.</p>";
    EXPECT_EQ(EulaFormAnswer(custom).at("eulaContent").at("content").as_string(),
              "<p>The ACME EULA applies.</p>");
}

TEST(SwdistAnswers, AnAgreementIsAcknowledgedWithStatusCodeZero) {
    EXPECT_EQ(AgreementRecordedAnswer(),
              (json::object{{"statusCode", "0"}, {"statusMessage", "success"}}));
}

}  // namespace
}  // namespace escd::server::swdist
