// PgStore: the software catalogue (model/stores/catalogue_store.hpp, docs/catalogue.md). Every
// write is one statement or one group-commit job; every read is one statement. Documents and
// SMU items are stored as JSON, in the form of this file's codecs.

#include <boost/json.hpp>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "model/store/pg/pg_internal.hpp"
#include "model/store/pg/pg_store.hpp"

namespace escd::model::pg {
namespace {

namespace json = boost::json;
using namespace catalogue;

std::string DocumentsJson(const std::vector<Document>& documents) {
    json::array out;
    for (const auto& document : documents)
        out.push_back({{"name", document.name}, {"type", document.type}, {"url", document.url}});
    return json::serialize(out);
}

std::string Text(const json::object& object, std::string_view key) {
    const auto* value = object.if_contains(key);
    return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

std::vector<Document> DocumentsFrom(const std::string& stored) {
    std::vector<Document> documents;
    const auto parsed = json::parse(stored);
    for (const auto& entry : parsed.as_array()) {
        const auto& object = entry.as_object();
        documents.push_back({Text(object, "name"), Text(object, "type"), Text(object, "url")});
    }
    return documents;
}

json::array TextList(const std::vector<std::string>& values) {
    json::array out;
    for (const auto& value : values) out.emplace_back(value);
    return out;
}

std::vector<std::string> TextListFrom(const json::object& object, std::string_view key) {
    std::vector<std::string> out;
    if (const auto* list = object.if_contains(key); list && list->is_array())
        for (const auto& value : list->as_array()) out.emplace_back(value.as_string());
    return out;
}

constexpr std::pair<SmuKind, std::string_view> kSmuKinds[] = {
    {SmuKind::kSmu, "smu"},
    {SmuKind::kServicePack, "sp"},
    {SmuKind::kSmuInTransit, "smuIntransit"},
    {SmuKind::kTar, "tar"},
};

json::object SmuItemJson(const SmuItem& item) {
    std::string_view kind;
    for (const auto& [value, text] : kSmuKinds)
        if (value == item.kind) kind = text;
    return {{"kind", kind},
            {"id", item.id},
            {"name", item.name},
            {"status", item.status},
            {"type", item.type},
            {"category", item.category},
            {"posted_date", item.posted_date},
            {"eta_date", item.eta_date},
            {"ddts", item.ddts},
            {"description", item.description},
            {"impact", item.impact},
            {"cco_file_name", item.cco_file_name},
            {"package_md5", item.package_md5},
            {"compressed_size", item.compressed_size},
            {"uncompressed_size", item.uncompressed_size},
            {"functional_areas", TextList(item.functional_areas)},
            {"package_bundles", TextList(item.package_bundles)},
            {"package_names", TextList(item.package_names)},
            {"prerequisites", TextList(item.prerequisites)},
            {"supersedes", TextList(item.supersedes)},
            {"superseded_by", TextList(item.superseded_by)},
            {"composite_ddts", TextList(item.composite_ddts)}};
}

SmuItem SmuItemFrom(const std::string& stored) {
    const auto parsed = json::parse(stored);
    const auto& object = parsed.as_object();
    SmuItem item;
    const auto kind = Text(object, "kind");
    for (const auto& [value, text] : kSmuKinds)
        if (text == kind) item.kind = value;
    item.id = Text(object, "id");
    item.name = Text(object, "name");
    item.status = Text(object, "status");
    item.type = Text(object, "type");
    item.category = Text(object, "category");
    item.posted_date = Text(object, "posted_date");
    item.eta_date = Text(object, "eta_date");
    item.ddts = Text(object, "ddts");
    item.description = Text(object, "description");
    item.impact = Text(object, "impact");
    item.cco_file_name = Text(object, "cco_file_name");
    item.package_md5 = Text(object, "package_md5");
    item.compressed_size = json::value_to<std::uint64_t>(object.at("compressed_size"));
    item.uncompressed_size = json::value_to<std::uint64_t>(object.at("uncompressed_size"));
    item.functional_areas = TextListFrom(object, "functional_areas");
    item.package_bundles = TextListFrom(object, "package_bundles");
    item.package_names = TextListFrom(object, "package_names");
    item.prerequisites = TextListFrom(object, "prerequisites");
    item.supersedes = TextListFrom(object, "supersedes");
    item.superseded_by = TextListFrom(object, "superseded_by");
    item.composite_ddts = TextListFrom(object, "composite_ddts");
    return item;
}

std::optional<FileDigest> DigestFrom(const pqxx::row& row, int first) {
    if (row[first].is_null()) return std::nullopt;
    return FileDigest{row[first + 2].as<std::uint64_t>(), row[first + 1].as<std::string>(),
                      row[first].as<std::string>()};
}

ImageGuid GuidFrom(const pqxx::field& field) {
    auto guid = ImageGuid::Parse(field.as<std::string>());
    if (!guid) throw Error(ErrorCode::kInternal, "a stored image GUID is malformed");
    return *guid;
}

ImageRow ImageRowFrom(const pqxx::row& row) {
    ImageRow out;
    out.product = {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>()};
    out.software_type = {row[3].as<std::string>(), row[4].as<std::string>()};
    auto& release = out.release;
    release.id = row[5].as<std::int64_t>();
    release.pid = out.product.pid;
    release.software_type_id = out.software_type.id;
    release.operating_platform = row[6].as<std::string>();
    release.version = row[7].as<std::string>();
    release.lifecycle = row[8].as<std::string>();
    release.fcs_date = row[9].as<std::string>();
    release.suggested = row[10].as<bool>();
    release.message = row[11].as<std::string>();
    release.catalog_message = row[12].as<std::string>();
    release.field_notice_url = row[13].as<std::string>();
    release.security_advisory_url = row[14].as<std::string>();
    release.documents = DocumentsFrom(row[15].as<std::string>());
    auto& image = out.image;
    image.guid = GuidFrom(row[16]);
    image.release_id = release.id;
    image.name = row[17].as<std::string>();
    image.description = row[18].as<std::string>();
    image.feature_set = row[19].as<std::string>();
    image.min_dram = row[20].as<std::string>();
    image.min_flash = row[21].as<std::string>();
    image.k9 = row[22].as<bool>();
    image.eula = row[23].as<bool>();
    image.related = row[24].as<bool>();
    image.software_advisory_url = row[25].as<std::string>();
    image.deferral_notice_url = row[26].as<std::string>();
    if (!row[27].is_null()) image.deleted_date = row[27].as<std::string>();
    image.documents = DocumentsFrom(row[28].as<std::string>());
    image.content = DigestFrom(row, 29);
    return out;
}

ApiClient ClientFrom(const pqxx::row& row) {
    return {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
            row[3].as<bool>()};
}

SmuCatalog SmuCatalogFrom(const pqxx::row& row) {
    SmuCatalog catalog;
    catalog.platform = row[0].as<std::string>();
    catalog.release = row[1].as<std::string>();
    catalog.creation_date = row[2].as<std::string>();
    catalog.smu_suffix = row[3].as<std::string>();
    catalog.mdf_id = row[4].as<std::string>();
    catalog.pid = row[5].as<std::string>();
    return catalog;
}

std::string_view FormText(AgreementForm form) {
    return form == AgreementForm::kK9 ? "k9" : "eula";
}

const char* Flag(bool value) {
    return value ? "true" : "false";
}

}  // namespace

asio::awaitable<void> PgStore::PutProduct(const Product& product) {
    std::vector<std::string> params{product.pid, product.mdf_id, product.mdf_concept_name};
    co_await Write("catalogue_put_product", params);
}

asio::awaitable<std::vector<Product>> PgStore::ListProducts() {
    return OnPool([this] {
        return AllRows("catalogue_list_products", [](const pqxx::row& row) {
            return Product{row[0].as<std::string>(), row[1].as<std::string>(),
                           row[2].as<std::string>()};
        });
    });
}

asio::awaitable<void> PgStore::PutSoftwareType(const SoftwareType& type) {
    std::vector<std::string> params{type.id, type.name};
    co_await Write("catalogue_put_software_type", params);
}

asio::awaitable<std::int64_t> PgStore::PutRelease(const Release& release,
                                                  const std::optional<SoftwareType>& type) {
    std::optional<std::int64_t> id;
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                // The refusal first: a group-commit job writes nothing before it may refuse.
                if (tx.exec_prepared("catalogue_product_exists", release.pid).empty()) return;
                if (type) tx.exec_prepared0("catalogue_put_software_type", type->id, type->name);
                const auto row = tx.exec_prepared(
                    "catalogue_put_release", release.pid, release.software_type_id,
                    release.operating_platform, release.version, release.lifecycle,
                    release.fcs_date, Flag(release.suggested), release.message,
                    release.catalog_message, release.field_notice_url,
                    release.security_advisory_url, DocumentsJson(release.documents));
                if (!row.empty()) id = row[0][0].as<std::int64_t>();
            },
            std::move(done));
    });
    if (!id) {
        throw Error(ErrorCode::kNotFound, "product '" + release.pid + "' or software type '" +
                                              release.software_type_id +
                                              "' is not in the catalogue");
    }
    co_return *id;
}

asio::awaitable<Image> PgStore::PutImage(const Image& image) {
    std::vector<std::string> params{image.guid.text(),
                                    std::to_string(image.release_id),
                                    image.name,
                                    image.description,
                                    image.feature_set,
                                    image.min_dram,
                                    image.min_flash,
                                    Flag(image.k9),
                                    Flag(image.eula),
                                    Flag(image.related),
                                    image.software_advisory_url,
                                    image.deferral_notice_url,
                                    image.deleted_date.value_or(""),
                                    DocumentsJson(image.documents)};
    const auto result = co_await Write("catalogue_put_image", params);
    if (result.empty()) {
        throw Error(ErrorCode::kNotFound,
                    "release " + std::to_string(image.release_id) + " is not in the catalogue");
    }
    Image stored = image;
    stored.guid = GuidFrom(result[0][0]);
    stored.content = DigestFrom(result[0], 1);
    co_return stored;
}

asio::awaitable<void> PgStore::SetImageContent(const ImageGuid& guid, const FileDigest& digest) {
    bool found = false;
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                // The image first: a refusal must come before the job's first write.
                if (tx.exec_prepared("catalogue_image_by_guid", guid.text()).empty()) return;
                found = true;
                tx.exec_prepared0("catalogue_record_file", digest.sha512, digest.md5,
                                  std::to_string(digest.size));
                tx.exec_prepared1("catalogue_set_image_content", guid.text(), digest.sha512);
            },
            std::move(done));
    });
    if (!found)
        throw Error(ErrorCode::kNotFound, "image " + guid.text() + " is not in the catalogue");
}

asio::awaitable<bool> PgStore::WithdrawImage(const ImageGuid& guid, const std::string& date) {
    std::vector<std::string> params{guid.text(), date};
    const auto result = co_await Write("catalogue_withdraw_image", params);
    co_return !result.empty();
}

asio::awaitable<std::optional<ImageRow>> PgStore::GetImage(const ImageGuid& guid) {
    return OnPool([this, guid = guid.text()] {
        return FirstRow("catalogue_image_by_guid", ImageRowFrom, guid);
    });
}

asio::awaitable<std::vector<ImageRow>> PgStore::ImagesOfProduct(const std::string& pid) {
    return OnPool(
        [this, pid] { return AllRows("catalogue_images_of_product", ImageRowFrom, pid); });
}

asio::awaitable<std::vector<ImageRow>> PgStore::ImagesNamed(const std::vector<std::string>& names) {
    return OnPool([this, names = TextArray(names)] {
        return AllRows("catalogue_images_named", ImageRowFrom, names);
    });
}

asio::awaitable<std::optional<FileDigest>> PgStore::GetFile(const std::string& sha512) {
    return OnPool([this, sha512] {
        return FirstRow(
            "catalogue_get_file", [](const pqxx::row& row) { return *DigestFrom(row, 0); }, sha512);
    });
}

asio::awaitable<void> PgStore::CreateClient(const ApiClient& client) {
    std::vector<std::string> params{client.client_id, client.name, client.secret_hash};
    co_await Write("catalogue_create_client", params);
}

asio::awaitable<std::vector<ApiClient>> PgStore::ListClients() {
    return OnPool([this] { return AllRows("catalogue_list_clients", ClientFrom); });
}

asio::awaitable<std::optional<ApiClient>> PgStore::GetClient(const std::string& client_id) {
    return OnPool(
        [this, client_id] { return FirstRow("catalogue_get_client", ClientFrom, client_id); });
}

asio::awaitable<bool> PgStore::RevokeClient(const std::string& client_id) {
    std::vector<std::string> params{client_id};
    const auto result = co_await Write("catalogue_revoke_client", params);
    co_return !result.empty();
}

asio::awaitable<std::string> PgStore::SigningKey(const std::string& candidate) {
    std::vector<std::string> params{candidate};
    const auto result = co_await Write("catalogue_signing_key", params);
    co_return result.at(0)[0].as<std::string>();
}

asio::awaitable<void> PgStore::RecordAgreement(const std::string& client_id,
                                               AgreementForm form,
                                               const std::vector<std::string>& file_names,
                                               bool accepted,
                                               const std::string& details) {
    std::vector<std::string> params{
        client_id, std::string(FormText(form)),
        TextArray(file_names.empty() ? std::vector<std::string>{""} : file_names), Flag(accepted),
        details};
    co_await Write("catalogue_record_agreement", params);
}

asio::awaitable<std::vector<Agreement>> PgStore::AgreementsOf(const std::string& client_id) {
    return OnPool([this, client_id] {
        return AllRows(
            "catalogue_agreements_of",
            [](const pqxx::row& row) {
                return Agreement{
                    row[0].as<std::string>() == "k9" ? AgreementForm::kK9 : AgreementForm::kEula,
                    row[1].as<std::string>(), row[2].as<bool>()};
            },
            client_id);
    });
}

asio::awaitable<void> PgStore::PutSmuCatalog(const SmuCatalog& catalog) {
    json::array items;
    for (const auto& item : catalog.items) items.push_back(SmuItemJson(item));
    const auto items_json = json::serialize(items);
    co_await AwaitCommit([&](GroupCommit::Completion done) {
        writes_.RunAsync(
            [&](pqxx::work& tx) {
                tx.exec_prepared0("catalogue_delete_smu_catalog", catalog.platform,
                                  catalog.release);
                tx.exec_prepared0("catalogue_insert_smu_catalog", catalog.platform, catalog.release,
                                  catalog.creation_date, catalog.smu_suffix, catalog.mdf_id,
                                  catalog.pid);
                tx.exec_prepared0("catalogue_insert_smu_items", catalog.platform, catalog.release,
                                  items_json);
            },
            std::move(done));
    });
}

asio::awaitable<std::vector<SmuCatalog>> PgStore::ListSmuCatalogs() {
    return OnPool([this] { return AllRows("catalogue_list_smu_catalogs", SmuCatalogFrom); });
}

asio::awaitable<std::optional<SmuCatalog>> PgStore::GetSmuCatalog(const std::string& platform,
                                                                  const std::string& release) {
    return OnPool([this, platform, release] {
        return Read([&](pqxx::connection& c) -> std::optional<SmuCatalog> {
            pqxx::nontransaction tx(c);
            const auto head = tx.exec_prepared("catalogue_get_smu_catalog", platform, release);
            if (head.empty()) return std::nullopt;
            auto catalog = SmuCatalogFrom(head[0]);
            for (const auto& row : tx.exec_prepared("catalogue_smu_items", platform, release))
                catalog.items.push_back(SmuItemFrom(row[0].as<std::string>()));
            return catalog;
        });
    });
}

}  // namespace escd::model::pg
