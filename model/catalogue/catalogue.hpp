#pragma once
/// @file
/// The software catalogue's domain (docs/catalogue.md): products, their software types and
/// releases, the images of a release with the checksums escd computed itself, and the CSM-style
/// SMU and service-pack items of a platform release. Values arrive from the admin API, a
/// manifest or Cisco's SMU metadata, are parsed once at that edge into these types, and are
/// what the Software Distribution face (server/swdist) and the CSM face answer from.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace escd::model::catalogue {

/// An image's globally unique identifier: 40 upper-case hex characters (the reference's
/// `imageGuid`). Parsed case-insensitively, kept upper-case.
class ImageGuid {
  public:
    static std::optional<ImageGuid> Parse(std::string_view text);
    /// 160 random bits (a new image).
    static ImageGuid Random();
    const std::string& text() const noexcept { return text_; }
    friend bool operator==(const ImageGuid&, const ImageGuid&) = default;
    friend auto operator<=>(const ImageGuid&, const ImageGuid&) = default;

  private:
    explicit ImageGuid(std::string text) : text_(std::move(text)) {}
    std::string text_;
};

/// What escd computed while it stored a file (never what a publisher claimed): size, and the
/// lower-case hex MD5 and SHA-512. The SHA-512 is also the file's address in the catalogue
/// directory (content addressing: one copy per content).
struct FileDigest {
    std::uint64_t size = 0;
    std::string md5;     ///< 32 hex
    std::string sha512;  ///< 128 hex
    friend bool operator==(const FileDigest&, const FileDigest&) = default;
};

/// A device model, by Cisco's product id (PID) and its MDF node.
struct Product {
    std::string pid;               ///< "ASR-9001", "ESCD-VNF"; 1..256 characters
    std::string mdf_id;            ///< numeric string, "286305578"
    std::string mdf_concept_name;  ///< "ASR 9001 Router"
};

/// A kind of software published for products ("IOS XR Software"), by its numeric id.
struct SoftwareType {
    std::string id;  ///< numeric string, "280867577"
    std::string name;
};

/// A document attached to a release or an image (release notes, a readme).
struct Document {
    std::string name;
    std::string type;  ///< "Release Document", "Readme"
    std::string url;
};

/// One release of a software type for a product, on an operating platform.
struct Release {
    std::int64_t id = 0;  ///< escd's key
    std::string pid;
    std::string software_type_id;
    std::string operating_platform;  ///< the `operatingSystems[].name`: "IOS XR", "Linux"
    std::string version;             ///< "7.3.2", "6.2(1)E3"
    std::string lifecycle;           ///< "MD", "ED", "GD", ... ("" when none)
    std::string fcs_date;            ///< yyyy-mm-dd
    bool suggested = false;
    std::string message;
    std::string catalog_message;
    std::string field_notice_url;
    std::string security_advisory_url;
    std::vector<Document> documents;
};

/// One file of a release.
struct Image {
    ImageGuid guid = ImageGuid::Random();
    std::int64_t release_id = 0;
    std::string name;  ///< the file name clients download it as: "asr9k-mini-x64-7.3.2.iso"
    std::string description;
    std::string feature_set;
    std::string min_dram;
    std::string min_flash;
    bool k9 = false;    ///< strong encryption: the K9 form must be accepted before a download
    bool eula = false;  ///< the EULA must be accepted before a download
    bool related = false;
    std::string software_advisory_url;
    std::string deferral_notice_url;
    std::optional<std::string> deleted_date;  ///< yyyy-mm-dd once withdrawn
    std::optional<FileDigest> content;        ///< none until its content was uploaded
    std::vector<Document> documents;
};

/// A release's image with everything above it: one row of a metadata answer.
struct ImageRow {
    Product product;
    SoftwareType software_type;
    Release release;
    Image image;
};

/// Cisco's release versions ("7.3.2", "6.2(1)E3", "17.09.04"): compared as runs of digits (by
/// value, so 17.09.04 == 17.9.4 and 7.10 > 7.9) and runs of other characters (by text).
/// Negative, zero or positive like strcmp.
int CompareVersions(std::string_view a, std::string_view b) noexcept;

/// A client of the Software Distribution face (OAuth2 client credentials). The secret is kept
/// only as a PBKDF2 hash.
struct ApiClient {
    std::string client_id;
    std::string name;
    std::string secret_hash;
    bool revoked = false;
};

/// The two forms a download may wait for.
enum class AgreementForm { kK9, kEula };

/// A client's answer to a form for one file ("" : every file).
struct Agreement {
    AgreementForm form = AgreementForm::kEula;
    std::string file_name;
    bool accepted = false;
};

/// The catalogue image an ESC image's `src` names (docs/catalogue.md, "ESC images from the
/// catalogue"): `catalogue:<GUID>` (also `catalogue://<GUID>`), or a download URL the Software
/// Distribution face handed out (`.../software/v4.0/download/file/<name>?dwnld_code=d1.<GUID>...`).
/// nullopt for any other source.
std::optional<ImageGuid> CatalogueImageOf(std::string_view src);

/// Kinds of SMU metadata items (Cisco's SMU meta file; CSM's /api/v1/cco/software).
enum class SmuKind { kSmu, kServicePack, kSmuInTransit, kTar };

/// One SMU or service pack of a platform release, as CSM read it from `<platform>_<release>.xml`.
struct SmuItem {
    SmuKind kind = SmuKind::kSmu;
    std::string id;      ///< PIMS id, "AA09694"
    std::string name;    ///< "asr9k-px-5.3.3.CSCuy81837"
    std::string status;  ///< "Posted", "Obsoleted", ...
    std::string type;    ///< smuType: "Recommended", "Optional", "PSIRT", ...
    std::string category;
    std::string posted_date;  ///< as published: "MM/DD/YYYY HH:MM:SS ..."
    std::string eta_date;
    std::string ddts;
    std::string description;
    std::string impact;
    std::string cco_file_name;
    std::string package_md5;
    std::uint64_t compressed_size = 0;
    std::uint64_t uncompressed_size = 0;
    std::vector<std::string> functional_areas;
    std::vector<std::string> package_bundles;
    std::vector<std::string> package_names;
    std::vector<std::string> prerequisites;
    std::vector<std::string> supersedes;
    std::vector<std::string> superseded_by;
    std::vector<std::string> composite_ddts;
};

/// The SMU meta file of one platform release.
struct SmuCatalog {
    std::string platform;  ///< "asr9k_px", "ncs5500"
    std::string release;   ///< "6.1.3"
    std::string creation_date;
    std::string smu_suffix;  ///< "pie", "rpm", "tar"
    std::string mdf_id;
    std::string pid;
    std::vector<SmuItem> items;
};

}  // namespace escd::model::catalogue
