#pragma once
/// @file
/// Which SMUs and service packs of a platform release CSM's `GET /api/v1/cco/software` lists
/// (docs/csm.md, "CCO"), and the names its clients may use for a platform and a release.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/catalogue/catalogue.hpp"

namespace escd::model::catalogue {

/// The items of `catalog` to list, in the catalog's order. `optimal`: the SMUs and service
/// packs that are posted and superseded by no posted item, then every prerequisite of those
/// (transitively) that is in the catalog but not yet listed, since installing the optimal set
/// needs them. Not `optimal`: every posted SMU and service pack (the reference's "all posted
/// software"). `posted_since`: only items posted on or after that day.
std::vector<SmuItem> SelectSoftware(const SmuCatalog& catalog,
                                    bool optimal,
                                    std::optional<std::chrono::year_month_day> posted_since);

/// The day of an item's `posted_date` ("04/19/2016 17:14:11 PDT"); nullopt when unreadable.
std::optional<std::chrono::year_month_day> PostedDay(std::string_view posted_date);
/// A day as CSM's clients write it, "mm-dd-yyyy"; nullopt when it is not one.
std::optional<std::chrono::year_month_day> ParseMonthDayYear(std::string_view text);

/// The SMU catalog's platform for `platform`: the catalog's own name ("asr9k_px") as it is, or
/// a CSM software platform mapped to it ("ASR9K" → "asr9k_px", "ASR9K-X64" → "asr9k_x64").
std::string CatalogPlatform(std::string_view platform);
/// The catalog's release for `release`: its first "d.d.d" ("6.1.3.16I" → "6.1.3"); the text as
/// it is when it has none.
std::string CatalogRelease(std::string_view release);

}  // namespace escd::model::catalogue
