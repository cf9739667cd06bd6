#pragma once
/// @file
/// model::CatalogueStore — the role of the store that keeps the software catalogue
/// (docs/catalogue.md): what is published, which file holds each image's content, the API
/// clients and their answers to the K9 and EULA forms, the SMU metadata imported. Conventions:
/// model/stores/resource_store.hpp. The files themselves are on disk
/// (orchestrator/catalogue/content_store.hpp); a row of catalogue_files is written only once its
/// file is durable.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/asio.hpp"
#include "model/catalogue/catalogue.hpp"

namespace escd::model {

class CatalogueStore {
  public:
    virtual ~CatalogueStore() = default;

    // Publishing. Each put is an upsert by its natural key, so an import can run again.
    virtual asio::awaitable<void> PutProduct(const catalogue::Product& product) = 0;
    virtual asio::awaitable<std::vector<catalogue::Product>> ListProducts() = 0;
    virtual asio::awaitable<void> PutSoftwareType(const catalogue::SoftwareType& type) = 0;
    /// Inserts or updates the release of (pid, software type, platform, version): its id.
    /// `type`, when given, is put with it (its id must be the release's). kNotFound, and nothing
    /// stored, when the product or the software type is not in the catalogue.
    virtual asio::awaitable<std::int64_t> PutRelease(
        const catalogue::Release& release, const std::optional<catalogue::SoftwareType>& type) = 0;
    /// Inserts or updates the image `name` of its release (an existing image keeps its GUID and
    /// content): the image as stored. kNotFound when the release is not in the catalogue.
    virtual asio::awaitable<catalogue::Image> PutImage(const catalogue::Image& image) = 0;
    /// The image's content is the file of `digest` (stored and durable already). kNotFound when
    /// there is no such image.
    virtual asio::awaitable<void> SetImageContent(const catalogue::ImageGuid& guid,
                                                  const catalogue::FileDigest& digest) = 0;
    /// Marks the image withdrawn on `date` (yyyy-mm-dd): false when there is no such image.
    virtual asio::awaitable<bool> WithdrawImage(const catalogue::ImageGuid& guid,
                                                const std::string& date) = 0;

    // Reads, each one statement.
    virtual asio::awaitable<std::optional<catalogue::ImageRow>> GetImage(
        const catalogue::ImageGuid& guid) = 0;
    /// Every image of every release of `pid`.
    virtual asio::awaitable<std::vector<catalogue::ImageRow>> ImagesOfProduct(
        const std::string& pid) = 0;
    /// The images with one of `names` (of any product).
    virtual asio::awaitable<std::vector<catalogue::ImageRow>> ImagesNamed(
        const std::vector<std::string>& names) = 0;
    /// Whether a file of this content is recorded (the file is then on disk).
    virtual asio::awaitable<std::optional<catalogue::FileDigest>> GetFile(
        const std::string& sha512) = 0;

    // API clients.
    virtual asio::awaitable<void> CreateClient(const catalogue::ApiClient& client) = 0;
    virtual asio::awaitable<std::vector<catalogue::ApiClient>> ListClients() = 0;
    virtual asio::awaitable<std::optional<catalogue::ApiClient>> GetClient(
        const std::string& client_id) = 0;
    /// False when there is no such client.
    virtual asio::awaitable<bool> RevokeClient(const std::string& client_id) = 0;
    /// The catalogue's signing key: `candidate` when none was stored yet, else the stored one
    /// (every node signs and verifies with the same key).
    virtual asio::awaitable<std::string> SigningKey(const std::string& candidate) = 0;

    // Agreements.
    /// Records the client's answer for each of `file_names` (none: every file); a later answer
    /// replaces an earlier one. `details` (JSON) is what the form carried.
    virtual asio::awaitable<void> RecordAgreement(const std::string& client_id,
                                                  catalogue::AgreementForm form,
                                                  const std::vector<std::string>& file_names,
                                                  bool accepted,
                                                  const std::string& details) = 0;
    virtual asio::awaitable<std::vector<catalogue::Agreement>> AgreementsOf(
        const std::string& client_id) = 0;

    // SMU metadata.
    /// Replaces what was imported for the catalog's platform and release.
    virtual asio::awaitable<void> PutSmuCatalog(const catalogue::SmuCatalog& catalog) = 0;
    /// Every (platform, release) imported, without items.
    virtual asio::awaitable<std::vector<catalogue::SmuCatalog>> ListSmuCatalogs() = 0;
    /// The catalog of a platform release with its items; nullopt when not imported.
    virtual asio::awaitable<std::optional<catalogue::SmuCatalog>> GetSmuCatalog(
        const std::string& platform, const std::string& release) = 0;
};

}  // namespace escd::model
