#pragma once
/// @file
/// An ESC image made from a catalogue image (docs/catalogue.md, "ESC images from the
/// catalogue"): the file is read in place from the catalogue directory, after escd checked that
/// its MD5 and SHA-512 are still the ones it recorded when the file was stored. A file altered
/// on disk fails the image, with both digests in the callback.

#include "common/asio.hpp"
#include "model/catalogue/catalogue.hpp"
#include "model/stores/catalogue_store.hpp"
#include "orchestrator/catalogue/content_store.hpp"
#include "orchestrator/resources/file_fetcher.hpp"

namespace escd::orchestrator {

class CatalogueFiles {
  public:
    CatalogueFiles(model::CatalogueStore& store,
                   ContentStore& content,
                   asio::thread_pool& file_pool)
        : store_(store), content_(content), pool_(file_pool) {}

    /// The file of image `guid`, checked. kNotFound: no such image, or it has no content yet;
    /// kInternal: the file is missing or does not match its recorded digests.
    asio::awaitable<FetchedFile> Fetch(const model::catalogue::ImageGuid& guid);

  private:
    model::CatalogueStore& store_;
    ContentStore& content_;
    asio::thread_pool& pool_;
};

}  // namespace escd::orchestrator
