#include "orchestrator/catalogue/catalogue_import.hpp"

#include <fstream>
#include <sstream>
#include <vector>

#include "common/error.hpp"
#include "common/log.hpp"
#include "common/offload.hpp"
#include "model/catalogue/catalogue_json.hpp"
#include "model/catalogue/smu_metadata.hpp"

namespace escd::orchestrator {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using namespace model::catalogue;

constexpr const char* kManifest = "manifest.json";
constexpr const char* kSmuCatalog = "catalog.dat";

[[noreturn]] void Refuse(const std::string& message) {
    throw Error(ErrorCode::kBadRequest, message);
}

// An image of the manifest with the file that holds it (empty: metadata only).
struct ManifestImage {
    Image image;
    fs::path file;
    std::string md5;     ///< as the publisher gave it ("" : not given)
    std::string sha512;  ///< idem
    std::optional<FileDigest> stored;
};

struct ManifestRelease {
    ReleaseInput input;
    std::vector<ManifestImage> images;
};

struct Manifest {
    std::vector<Product> products;
    std::vector<SoftwareType> software_types;
    std::vector<ManifestRelease> releases;
};

const json::array& ArrayOf(const json::object& object, std::string_view key) {
    static const json::array kNone;
    const auto* value = object.if_contains(key);
    if (!value || value->is_null()) return kNone;
    if (!value->is_array()) Refuse(std::string(key) + " must be an array");
    return value->get_array();
}

const json::object& ObjectIn(const json::value& value, std::string_view what) {
    if (!value.is_object()) Refuse("each of " + std::string(what) + " must be an object");
    return value.get_object();
}

// The file `name` of the manifest, which must lie below `dir` (symlinks resolved).
fs::path FileBelow(const fs::path& dir, const std::string& name) {
    if (name.empty()) return {};
    const auto path = fs::weakly_canonical(dir / name);
    const auto root = fs::weakly_canonical(dir);
    const auto relative = path.lexically_relative(root);
    if (relative.empty() || *relative.begin() == "..")
        Refuse("file '" + name + "' lies outside the import directory");
    if (!fs::is_regular_file(path)) Refuse("file '" + name + "' is not in the import directory");
    return path;
}

// Blocking (the file pool): reads and checks the whole manifest and its files' presence.
Manifest ReadManifest(const fs::path& dir) {
    std::ifstream in(dir / kManifest, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    Manifest manifest;
    try {
        const auto root = ParseObject(text.str());
        for (const auto& entry : ArrayOf(root, "products")) {
            const auto& object = ObjectIn(entry, "products");
            manifest.products.push_back(ProductFrom(object, TextOf(object, "pid", 256)));
        }
        for (const auto& entry : ArrayOf(root, "softwareTypes")) {
            const auto& object = ObjectIn(entry, "softwareTypes");
            manifest.software_types.push_back(
                SoftwareTypeFrom(object, TextOf(object, "softwareTypeId", 20)));
        }
        for (const auto& entry : ArrayOf(root, "releases")) {
            const auto& object = ObjectIn(entry, "releases");
            ManifestRelease release{ReleaseFrom(object), {}};
            for (const auto& image_entry : ArrayOf(object, "images")) {
                const auto& image = ObjectIn(image_entry, "images");
                ManifestImage item{ImageFrom(image, 0), FileBelow(dir, TextOf(image, "file", 1024)),
                                   TextOf(image, "md5", 32), TextOf(image, "sha512", 128),
                                   std::nullopt};
                release.images.push_back(std::move(item));
            }
            manifest.releases.push_back(std::move(release));
        }
    } catch (const Error& e) {
        Refuse((dir / kManifest).string() + ": " + e.what());
    }
    return manifest;
}

// The bytes of `path`, read on the file pool: an import's upload.
ContentStore::Source FileSource(asio::thread_pool& pool, const fs::path& path) {
    auto in = std::make_shared<std::ifstream>(path, std::ios::binary);
    return [&pool, in](asio::mutable_buffer into) -> asio::awaitable<std::size_t> {
        const auto n = co_await Offload(pool, [&in, into] {
            in->read(static_cast<char*>(into.data()), static_cast<std::streamsize>(into.size()));
            return static_cast<std::size_t>(in->gcount());
        });
        co_return n;
    };
}

std::string ReadText(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

asio::awaitable<ImportReport> CatalogueImport::Import(fs::path dir) {
    const auto [has_manifest, has_smu] = co_await Offload(pool_, [&dir] {
        return std::pair{fs::is_regular_file(dir / kManifest),
                         fs::is_regular_file(dir / kSmuCatalog)};
    });
    if (!has_manifest && !has_smu) {
        throw Error(ErrorCode::kNotFound,
                    dir.string() + " holds neither " + kManifest + " nor " + kSmuCatalog);
    }
    ImportReport report;
    if (has_manifest) co_await ImportManifest(dir, report);
    if (has_smu) co_await ImportSmuMetadata(dir, report);
    ESCD_INFO("catalogue") << "imported " << dir.string() << ": " << report.products
                           << " product(s), " << report.releases << " release(s), " << report.images
                           << " image(s), " << report.files << " file(s), " << report.smu_catalogs
                           << " SMU catalog(s)";
    co_return report;
}

asio::awaitable<void> CatalogueImport::ImportManifest(const fs::path& dir, ImportReport& report) {
    auto manifest = co_await Offload(pool_, [&dir] { return ReadManifest(dir); });
    // Every file first: stored (one copy per content) and compared with what the publisher says.
    for (auto& release : manifest.releases) {
        for (auto& item : release.images) {
            if (item.file.empty()) continue;
            const auto digest = co_await content_.Store(FileSource(pool_, item.file),
                                                        max_file_bytes_, std::nullopt);
            if ((!item.md5.empty() && item.md5 != digest.md5) ||
                (!item.sha512.empty() && item.sha512 != digest.sha512)) {
                Refuse("file '" + item.file.string() +
                       "' does not match the manifest's checksums: " + "md5 " + digest.md5 +
                       ", sha512 " + digest.sha512.substr(0, 32) + "...");
            }
            item.stored = digest;
        }
    }
    for (const auto& product : manifest.products) {
        co_await store_.PutProduct(product);
        ++report.products;
    }
    for (const auto& type : manifest.software_types) {
        co_await store_.PutSoftwareType(type);
        ++report.software_types;
    }
    for (auto& release : manifest.releases) {
        std::optional<SoftwareType> type;
        if (!release.input.software_type_name.empty())
            type = SoftwareType{release.input.release.software_type_id,
                                release.input.software_type_name};
        const auto id = co_await store_.PutRelease(release.input.release, type);
        ++report.releases;
        for (auto& item : release.images) {
            item.image.release_id = id;
            const auto stored = co_await store_.PutImage(item.image);
            ++report.images;
            if (item.stored) {
                co_await store_.SetImageContent(stored.guid, *item.stored);
                ++report.files;
            }
        }
    }
}

asio::awaitable<void> CatalogueImport::ImportSmuMetadata(const fs::path& dir,
                                                         ImportReport& report) {
    // Read and parse everything before the first write.
    auto catalogs = co_await Offload(pool_, [&dir, &report] {
        std::vector<SmuCatalog> parsed;
        for (const auto& entry : ParseCatalogDat(ReadText(dir / kSmuCatalog))) {
            const auto file = dir / (entry.platform + "_" + entry.release + ".xml");
            if (!fs::is_regular_file(file)) {
                ++report.smu_missing;
                continue;
            }
            parsed.push_back(ParseSmuMetaFile(ReadText(file), entry.platform, entry.release));
        }
        return parsed;
    });
    for (const auto& catalog : catalogs) {
        co_await store_.PutSmuCatalog(catalog);
        ++report.smu_catalogs;
    }
}

}  // namespace escd::orchestrator
