#pragma once
/// @file
/// Cisco's IOS XR SMU metadata, as Cisco Software Manager (CSM Server) reads it from
/// www.cisco.com/web/Cisco_IOS_XR_Software/SMUMetaFile/:
/// - `catalog.dat`: one `<platform>_<release>` a line, the platform releases that have a meta
///   file;
/// - `<platform>_<release>.xml`: the SMU meta file of one platform release, its SMUs, service
///   packs, SMUs not yet posted ("in transit") and release tar files.
/// Both are parsed once here into the catalogue's types; anything malformed is refused with
/// Error(kBadRequest) naming the problem and where it is.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "model/catalogue/catalogue.hpp"

namespace escd::model::catalogue {

/// One line of catalog.dat.
struct CatalogEntry {
    std::string platform;  ///< "asr9k_px", "ncs6k_sysadmin"
    std::string release;   ///< "6.1.3"
    friend bool operator==(const CatalogEntry&, const CatalogEntry&) = default;
};

/// The lines of catalog.dat in file order. Each is split at its last underscore (platforms
/// contain underscores, releases do not). Blank lines and the whitespace around a line are
/// ignored. Throws Error(kBadRequest) naming the line number for a line without an underscore,
/// with an empty platform or release, or with characters outside A-Z a-z 0-9 . _ - (the two
/// parts name a file, `<platform>_<release>.xml`).
std::vector<CatalogEntry> ParseCatalogDat(std::string_view text);

/// Releases by platform, as CSM's GET /api/v1/cco/catalog answers: platforms sorted, each
/// platform's releases in the reverse of their file order (Cisco lists a platform's releases
/// oldest first; CSM puts the latest first). Duplicate lines stay duplicated, as in CSM.
std::map<std::string, std::vector<std::string>> GroupCatalog(
    const std::vector<CatalogEntry>& entries);

/// Parses the SMU meta file `<platform>_<release>.xml`; `platform` and `release` come from the
/// file's name and are copied into the result.
///
/// As CSM does, elements are looked up by name anywhere in the document (the file's nesting is
/// not relied on): the header's first <creationDate>, <smuSuffix> and <platformMDFID> (with its
/// <pid> and <mdfID>), and every <smu>, <smuIntransit>, <sp> and <tar> element as an item. An
/// item's fields are the first elements of their name below it. Items come in CSM's order:
/// SMUs, in-transit SMUs, service packs, tars, each kind in document order.
///
/// Lists (functionalAreas, packageBundles, packageNames, pre-requisites, supercedes,
/// supercededBy, compositeDDTS) are comma-separated: each part trimmed, empty parts dropped.
/// Defaults, as CSM: no packageNames gives `<name>.<smuSuffix>`, while a tar is always its own
/// one package `<name>`; no ccoFileName gives `<name>.tar`; no size gives 0.
///
/// Throws Error(kBadRequest) naming the file, the item and the field for: XML that does not
/// parse, an item without an `id` or `status` attribute or without a <name>, a size that is not
/// a non-negative integer, and an item without packageNames in a file without <smuSuffix>.
SmuCatalog ParseSmuMetaFile(std::string_view xml, std::string platform, std::string release);

}  // namespace escd::model::catalogue
