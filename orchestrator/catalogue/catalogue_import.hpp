#pragma once
/// @file
/// Loading a catalogue from a directory (docs/catalogue.md, "Import"), at start-up
/// (`catalogue.import_dir`) or on the admin's request: its `manifest.json` (products, software
/// types, releases with their images and the files of the directory that hold them, with the
/// checksums the publisher gives), and Cisco's SMU metadata as CSM read it (`catalog.dat` and the
/// `<platform>_<release>.xml` files it names that are present). The manifest is checked whole,
/// and every file stored and its checksums compared, before the first row is written: a
/// refused import records nothing. Importing again is harmless (the puts are upserts, a
/// content is stored once).

#include <cstdint>
#include <filesystem>
#include <string>

#include "common/asio.hpp"
#include "model/stores/catalogue_store.hpp"
#include "orchestrator/catalogue/content_store.hpp"

namespace escd::orchestrator {

struct ImportReport {
    int products = 0;
    int software_types = 0;
    int releases = 0;
    int images = 0;
    int files = 0;         ///< image files stored (or found stored already)
    int smu_catalogs = 0;  ///< platform releases of SMU metadata
    int smu_missing = 0;   ///< catalog.dat entries without their XML file here
};

class CatalogueImport {
  public:
    CatalogueImport(model::CatalogueStore& store,
                    ContentStore& content,
                    asio::thread_pool& file_pool,
                    std::uint64_t max_file_bytes)
        : store_(store), content_(content), pool_(file_pool), max_file_bytes_(max_file_bytes) {}

    /// Imports `dir`. escd::Error kBadRequest naming the file and field for a bad manifest or
    /// meta file, a file outside `dir` or missing, or checksums that do not match; kNotFound
    /// when `dir` holds neither a manifest nor catalog.dat.
    asio::awaitable<ImportReport> Import(std::filesystem::path dir);

  private:
    asio::awaitable<void> ImportManifest(const std::filesystem::path& dir, ImportReport& report);
    asio::awaitable<void> ImportSmuMetadata(const std::filesystem::path& dir, ImportReport& report);

    model::CatalogueStore& store_;
    ContentStore& content_;
    asio::thread_pool& pool_;
    std::uint64_t max_file_bytes_;
};

}  // namespace escd::orchestrator
