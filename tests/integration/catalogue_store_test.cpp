// The catalogue in PostgreSQL (model/stores/catalogue_store.hpp): puts are upserts by natural key
// (an import runs again), an image keeps its GUID and content across puts, releases and images
// refuse a missing parent with kNotFound, content is recorded once per file, the signing key is
// the first one stored (also when another node's is being committed), agreements replace earlier
// answers, SMU catalogs replace their items.

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/sync_wait.hpp"
#include "model/store/pg/pg_store.hpp"
#include "tests/support/test_database.hpp"

namespace escd::model::pg {
namespace {

using namespace catalogue;

class CatalogueStoreTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ESCD_REQUIRE_PG(db_);
        store_ = std::make_unique<PgStore>(db_.dsn(), 1, 1);
    }
    void TearDown() override {
        if (store_) store_->Stop();
    }

    // Product "ESCD-VNF" with software type "1" and release `version` of it: the release's id.
    std::int64_t PutRelease(const std::string& version) {
        SyncWait(store_->PutProduct({"ESCD-VNF", "100", "escd test VNF"}));
        SyncWait(store_->PutSoftwareType({"1", "VNF Software"}));
        catalogue::Release release;
        release.pid = "ESCD-VNF";
        release.software_type_id = "1";
        release.operating_platform = "Linux";
        release.version = version;
        release.fcs_date = "2026-12-01";
        release.documents = {{"notes", "Release Document", "http://127.0.0.1/notes"}};
        return SyncWait(store_->PutRelease(release, std::nullopt));
    }

    static Image NamedImage(std::int64_t release, const std::string& name) {
        Image image;
        image.release_id = release;
        image.name = name;
        image.eula = true;
        return image;
    }

    escd::test::TestDatabase db_{escd::test::TestDatabase::Schema::kEscd};
    std::unique_ptr<PgStore> store_;
};

TEST_F(CatalogueStoreTest, APutAgainUpdatesTheReleaseAndTheImageKeepsItsGuidAndContent) {
    const auto release = PutRelease("1.0");
    EXPECT_EQ(PutRelease("1.0"), release) << "the same release, updated";
    const auto first = SyncWait(store_->PutImage(NamedImage(release, "vnf.qcow2")));
    const FileDigest digest{3, std::string(32, 'a'), std::string(128, 'b')};
    SyncWait(store_->SetImageContent(first.guid, digest));

    auto again = NamedImage(release, "vnf.qcow2");
    again.description = "second put";
    const auto second = SyncWait(store_->PutImage(again));
    EXPECT_EQ(second.guid, first.guid);
    ASSERT_TRUE(second.content.has_value());
    EXPECT_EQ(*second.content, digest);

    const auto row = SyncWait(store_->GetImage(first.guid));
    ASSERT_TRUE(row.has_value());
    EXPECT_EQ(row->image.description, "second put");
    EXPECT_EQ(row->product.mdf_id, "100");
    EXPECT_EQ(row->software_type.name, "VNF Software");
    EXPECT_EQ(row->release.version, "1.0");
    ASSERT_EQ(row->release.documents.size(), 1u);
    EXPECT_EQ(row->release.documents[0].type, "Release Document");
    EXPECT_TRUE(row->image.eula);
    EXPECT_EQ(SyncWait(store_->GetFile(digest.sha512)), digest);
}

TEST_F(CatalogueStoreTest, AMissingParentIsNotFoundAndNothingIsStored) {
    catalogue::Release orphan;
    orphan.pid = "NO-SUCH-PID";
    orphan.software_type_id = "1";
    orphan.version = "1.0";
    try {
        const std::optional<SoftwareType> type = SoftwareType{"9", "named with it"};
        SyncWait(store_->PutRelease(orphan, type));
        FAIL() << "a release of an unknown product was stored";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    }
    try {
        SyncWait(store_->PutImage(NamedImage(4242, "x.bin")));
        FAIL() << "an image of an unknown release was stored";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    }
    const auto stranger = ImageGuid::Random();
    try {
        SyncWait(
            store_->SetImageContent(stranger, {1, std::string(32, 'c'), std::string(128, 'd')}));
        FAIL() << "content of an unknown image was recorded";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound);
    }
    EXPECT_FALSE(SyncWait(store_->GetFile(std::string(128, 'd'))).has_value());
    EXPECT_TRUE(SyncWait(store_->ListProducts()).empty());
    EXPECT_EQ(db_.Query("SELECT count(*) FROM catalogue_software_types")[0][0].as<long>(), 0)
        << "the software type of a refused release was stored";
}

TEST_F(CatalogueStoreTest, AWithdrawnImagePutAgainStaysWithdrawn) {
    const auto image = SyncWait(store_->PutImage(NamedImage(PutRelease("1.0"), "old.bin")));
    EXPECT_TRUE(SyncWait(store_->WithdrawImage(image.guid, "2026-12-06")));
    SyncWait(store_->PutImage(NamedImage(image.release_id, "old.bin")));
    EXPECT_EQ(SyncWait(store_->GetImage(image.guid))->image.deleted_date, "2026-12-06");
}

TEST_F(CatalogueStoreTest, ImagesAreFoundByProductAndByName) {
    const auto one = PutRelease("1.0");
    const auto two = PutRelease("2.0");
    SyncWait(store_->PutImage(NamedImage(one, "a.bin")));
    SyncWait(store_->PutImage(NamedImage(two, "a.bin")));
    SyncWait(store_->PutImage(NamedImage(two, "b.bin")));
    EXPECT_EQ(SyncWait(store_->ImagesOfProduct("ESCD-VNF")).size(), 3u);
    EXPECT_TRUE(SyncWait(store_->ImagesOfProduct("OTHER")).empty());
    const auto named = SyncWait(store_->ImagesNamed({"a.bin", "zzz"}));
    ASSERT_EQ(named.size(), 2u);
    EXPECT_EQ(named[0].image.name, "a.bin");
    EXPECT_NE(named[0].release.version, named[1].release.version);
}

TEST_F(CatalogueStoreTest, TheFirstSigningKeyStoredIsEveryonesKey) {
    EXPECT_EQ(SyncWait(store_->SigningKey("first")), "first");
    PgStore other(db_.dsn(), 1, 1);
    EXPECT_EQ(SyncWait(other.SigningKey("second")), "first");
    other.Stop();
}

// Nodes starting at once on a new database: one node's key is being committed while another
// stores its own. The second waits for the first's commit and returns the first's key (a
// DO NOTHING followed by a SELECT in one statement returned no row there, and escd stopped).
TEST_F(CatalogueStoreTest, AKeyCommittedWhileAnotherNodeStoresItsOwnIsTheOneBothUse) {
    for (const std::string key : {"catalogue.signing_key", "csm.token_key", "escd.instance_id"}) {
        pqxx::connection first(db_.dsn());
        pqxx::work committing(first);
        committing.exec0("INSERT INTO settings (key, value) VALUES ('" + key + "', 'first')");
        auto second = std::async(std::launch::async, [&]() -> std::string {
            if (key == "catalogue.signing_key") return SyncWait(store_->SigningKey("second"));
            if (key == "csm.token_key") return SyncWait(store_->TokenKey("second"));
            return SyncWait(store_->SettingOrPut(key, "second"));
        });
        ASSERT_TRUE(db_.AwaitLockWaiter(std::chrono::seconds(10))) << key << " did not wait";
        committing.commit();
        EXPECT_EQ(second.get(), "first") << key;
    }
}

TEST_F(CatalogueStoreTest, ClientsAreRevokedAndALaterAgreementReplacesAnEarlierOne) {
    SyncWait(store_->CreateClient({"c1", "lab tools", "hash", false}));
    SyncWait(store_->RecordAgreement("c1", AgreementForm::kEula, {}, false, "{}"));
    SyncWait(store_->RecordAgreement("c1", AgreementForm::kEula, {}, true, "{}"));
    SyncWait(store_->RecordAgreement("c1", AgreementForm::kK9, {"a.bin", "b.bin"}, true, "{}"));
    const auto answers = SyncWait(store_->AgreementsOf("c1"));
    ASSERT_EQ(answers.size(), 3u);
    EXPECT_EQ(answers[0].form, AgreementForm::kEula);
    EXPECT_TRUE(answers[0].accepted);
    EXPECT_EQ(answers[1].file_name, "a.bin");
    EXPECT_TRUE(SyncWait(store_->RevokeClient("c1")));
    EXPECT_TRUE(SyncWait(store_->GetClient("c1"))->revoked);
    EXPECT_FALSE(SyncWait(store_->RevokeClient("nobody")));
}

TEST_F(CatalogueStoreTest, AnSmuCatalogImportedAgainReplacesItsItems) {
    SmuCatalog catalog;
    catalog.platform = "asr9k_px";
    catalog.release = "6.1.3";
    catalog.smu_suffix = "pie";
    SmuItem smu;
    smu.id = "AA1";
    smu.name = "asr9k-px-6.1.3.CSCaa00001";
    smu.prerequisites = {"asr9k-px-6.1.3.CSCaa00000"};
    smu.compressed_size = 12;
    catalog.items = {smu, smu};
    catalog.items[1].id = "AA2";
    catalog.items[1].kind = SmuKind::kServicePack;
    SyncWait(store_->PutSmuCatalog(catalog));
    catalog.items.pop_back();
    SyncWait(store_->PutSmuCatalog(catalog));
    const auto stored = SyncWait(store_->GetSmuCatalog("asr9k_px", "6.1.3"));
    ASSERT_TRUE(stored.has_value());
    ASSERT_EQ(stored->items.size(), 1u);
    EXPECT_EQ(stored->items[0].prerequisites, smu.prerequisites);
    EXPECT_EQ(stored->items[0].compressed_size, 12u);
    EXPECT_EQ(SyncWait(store_->ListSmuCatalogs()).size(), 1u);
    EXPECT_FALSE(SyncWait(store_->GetSmuCatalog("asr9k_px", "7.0.0")).has_value());
}

}  // namespace
}  // namespace escd::model::pg
