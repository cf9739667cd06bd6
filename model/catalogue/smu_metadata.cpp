#include "model/catalogue/smu_metadata.hpp"

#include <array>
#include <charconv>
#include <cstdint>

#include <pugixml.hpp>

#include "common/error.hpp"
#include "common/text.hpp"
#include "model/xml/xml_doc.hpp"

namespace escd::model::catalogue {
namespace {

constexpr std::string_view kSpace = " \t\r\n";

[[noreturn]] void Bad(const std::string& message) {
    throw Error(ErrorCode::kBadRequest, message);
}

std::string_view Trim(std::string_view text) {
    const auto begin = text.find_first_not_of(kSpace);
    if (begin == std::string_view::npos) return {};
    return text.substr(begin, text.find_last_not_of(kSpace) - begin + 1);
}

bool IsNameCharacter(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == '-';
}

// ---- catalog.dat ----------------------------------------------------------------------------

CatalogEntry ParseCatalogLine(std::string_view line, std::size_t number) {
    const std::string where =
        "catalog.dat line " + std::to_string(number) + " '" + Shown(line) + "'";
    for (char c : line) {
        if (!IsNameCharacter(c)) Bad(where + " has characters outside A-Z a-z 0-9 . _ -");
    }
    const auto underscore = line.rfind('_');
    if (underscore == std::string_view::npos)
        Bad(where + " has no underscore between platform and release");
    CatalogEntry entry{std::string(line.substr(0, underscore)),
                       std::string(line.substr(underscore + 1))};
    if (entry.platform.empty()) Bad(where + " has an empty platform before its last underscore");
    if (entry.release.empty()) Bad(where + " has an empty release after its last underscore");
    return entry;
}

// ---- the SMU meta file ----------------------------------------------------------------------

struct ItemTag {
    SmuKind kind;
    std::string_view name;
};

// CSM's order of loading, kept so that a listing reads as CSM's does.
constexpr std::array<ItemTag, 4> kItemTags{{{SmuKind::kSmu, "smu"},
                                            {SmuKind::kSmuInTransit, "smuIntransit"},
                                            {SmuKind::kServicePack, "sp"},
                                            {SmuKind::kTar, "tar"}}};

// Calls `visit` on the elements below `top` in document order until it returns false.
// Iterative: a hostile file may nest deeper than the stack allows.
template <class Visit>
void ForEachElementBelow(const pugi::xml_node& top, Visit visit) {
    pugi::xml_node node = top.first_child();
    while (node) {
        if (node.type() == pugi::node_element && !visit(node)) return;
        if (node.first_child()) {
            node = node.first_child();
            continue;
        }
        while (node != top && !node.next_sibling()) node = node.parent();
        if (node == top) return;
        node = node.next_sibling();
    }
}

// The first element named `name` below `top`: minidom's getElementsByTagName(name)[0], which is
// how CSM reads every field.
pugi::xml_node FirstBelow(const pugi::xml_node& top, std::string_view name) {
    pugi::xml_node found;
    ForEachElementBelow(top, [&](const pugi::xml_node& node) {
        if (xml::LocalName(node) == name) found = node;
        return !found;
    });
    return found;
}

// An element's own text, trimmed; a comment or CDATA section may split it into several nodes.
std::string OwnText(const pugi::xml_node& element) {
    std::string text;
    for (auto child : element.children()) {
        if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata)
            text += child.value();
    }
    return std::string(Trim(text));
}

std::string TextBelow(const pugi::xml_node& top, std::string_view name) {
    const auto element = FirstBelow(top, name);
    return element ? OwnText(element) : std::string();
}

std::vector<std::string> SplitList(std::string_view text) {
    std::vector<std::string> parts;
    while (true) {
        const auto comma = text.find(',');
        const auto part = Trim(text.substr(0, comma));
        if (!part.empty()) parts.emplace_back(part);
        if (comma == std::string_view::npos) return parts;
        text.remove_prefix(comma + 1);
    }
}

// Reads one item, refusing what CSM would have stored broken or choked on.
class ItemReader {
  public:
    ItemReader(const pugi::xml_node& node, const ItemTag& tag, const std::string& file)
        : node_(node), tag_(tag), file_(file) {}

    SmuItem Read(std::size_t position, const std::string& smu_suffix) {
        SmuItem item;
        item.kind = tag_.kind;
        const auto id = node_.attribute("id");
        if (!id || Trim(id.value()).empty()) {
            const std::string name = Text("name");
            Bad(file_ + ": <" + std::string(tag_.name) + "> number " + std::to_string(position) +
                (name.empty() ? "" : " (" + Shown(name) + ")") + " has no id attribute");
        }
        item.id = std::string(Trim(id.value()));
        where_ = file_ + ": <" + std::string(tag_.name) + " id=\"" + Shown(item.id) + "\">";

        const auto status = node_.attribute("status");
        if (!status) Bad(where_ + " has no status attribute");
        item.status = std::string(Trim(status.value()));
        item.name = Text("name");
        if (item.name.empty()) Bad(where_ + " has no <name>");

        item.type = Text("smuType");
        item.category = Text("smuCategory");
        item.posted_date = Text("postedDate");
        item.eta_date = Text("customerETA");
        item.ddts = Text("ddts");
        item.description = Text("description");
        item.impact = Text("impact");
        item.package_md5 = Text("packageMD5");
        // Cisco's own spelling of "supersede".
        item.supersedes = List("supercedes");
        item.superseded_by = List("supercededBy");
        item.prerequisites = List("pre-requisites");
        item.functional_areas = List("functionalAreas");
        item.package_bundles = List("packageBundles");
        item.composite_ddts = List("compositeDDTS");
        item.compressed_size = Size("compressedImageSize");
        item.uncompressed_size = Size("unCompressedImageSize");

        // PIMS leaves ccoFileName empty for some items; CSM downloads those as <name>.tar.
        item.cco_file_name = Text("ccoFileName");
        if (item.cco_file_name.empty()) item.cco_file_name = item.name + ".tar";

        // CSM takes a tar, a whole release, as the one package it is and ignores packageNames.
        if (tag_.kind == SmuKind::kTar) {
            item.package_names = {item.name};
        } else {
            item.package_names = List("packageNames");
            // Not every meta file lists packages; the item is then its one file, <name>.<suffix>.
            if (item.package_names.empty()) {
                if (smu_suffix.empty())
                    Bad(where_ + " has no packageNames and the file has no <smuSuffix>");
                item.package_names = {item.name + "." + smu_suffix};
            }
        }
        return item;
    }

  private:
    std::string Text(std::string_view name) const { return TextBelow(node_, name); }
    std::vector<std::string> List(std::string_view name) const { return SplitList(Text(name)); }

    std::uint64_t Size(std::string_view name) const {
        const std::string text = Text(name);
        if (text.empty()) return 0;
        std::uint64_t value = 0;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size()) {
            Bad(where_ + " " + std::string(name) + " '" + Shown(text) + "' is not a number");
        }
        return value;
    }

    pugi::xml_node node_;
    const ItemTag& tag_;
    const std::string& file_;
    std::string where_;
};

}  // namespace

std::vector<CatalogEntry> ParseCatalogDat(std::string_view text) {
    // A file saved by a Windows editor may start with a UTF-8 byte order mark.
    constexpr std::string_view kBom = "\xEF\xBB\xBF";
    if (text.starts_with(kBom)) text.remove_prefix(kBom.size());

    std::vector<CatalogEntry> entries;
    std::size_t number = 0;
    while (!text.empty()) {
        ++number;
        const auto newline = text.find('\n');
        const auto line = Trim(text.substr(0, newline));
        text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
        if (!line.empty()) entries.push_back(ParseCatalogLine(line, number));
    }
    return entries;
}

std::map<std::string, std::vector<std::string>> GroupCatalog(
    const std::vector<CatalogEntry>& entries) {
    std::map<std::string, std::vector<std::string>> releases;
    for (auto it = entries.rbegin(); it != entries.rend(); ++it)
        releases[it->platform].push_back(it->release);
    return releases;
}

SmuCatalog ParseSmuMetaFile(std::string_view xml, std::string platform, std::string release) {
    const std::string file = "SMU meta file " + platform + "_" + release;
    if (Trim(xml).empty()) Bad(file + " is empty");
    pugi::xml_document doc;
    // parse_default expands no external entities and fetches nothing.
    const auto parsed =
        doc.load_buffer(xml.data(), xml.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!parsed) {
        Bad(file + ": malformed XML: " + parsed.description() + " at offset " +
            std::to_string(parsed.offset));
    }
    if (!doc.document_element()) Bad(file + ": malformed XML: no root element");

    SmuCatalog catalog;
    catalog.platform = std::move(platform);
    catalog.release = std::move(release);
    catalog.creation_date = TextBelow(doc, "creationDate");
    catalog.smu_suffix = TextBelow(doc, "smuSuffix");
    if (const auto mdf = FirstBelow(doc, "platformMDFID")) {
        catalog.pid = TextBelow(mdf, "pid");
        catalog.mdf_id = TextBelow(mdf, "mdfID");
    }

    std::array<std::vector<pugi::xml_node>, kItemTags.size()> found;
    ForEachElementBelow(doc, [&](const pugi::xml_node& node) {
        const auto name = xml::LocalName(node);
        for (std::size_t i = 0; i < kItemTags.size(); ++i) {
            if (name == kItemTags[i].name) found[i].push_back(node);
        }
        return true;
    });
    for (std::size_t i = 0; i < kItemTags.size(); ++i) {
        for (std::size_t n = 0; n < found[i].size(); ++n) {
            catalog.items.push_back(
                ItemReader(found[i][n], kItemTags[i], file).Read(n + 1, catalog.smu_suffix));
        }
    }
    return catalog;
}

}  // namespace escd::model::catalogue
