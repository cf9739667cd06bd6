// The catalogue's files on disk (orchestrator/catalogue/content_store.hpp): escd's own digests,
// one copy per content however many store it at once, nothing at an address from an upload
// that broke off or went over its limit, leftovers of a killed run removed at start.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <string>
#include <vector>

#include "common/crypto.hpp"
#include "common/error.hpp"
#include "common/sync_wait.hpp"
#include "orchestrator/catalogue/content_store.hpp"

namespace escd::orchestrator {
namespace {

namespace fs = std::filesystem;

constexpr const char* kAbcMd5 = "900150983cd24fb0d6963f7d28e17f72";
constexpr const char* kAbcSha512 =
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3f"
    "eebbd454d4423643ce80e2a9ac94fa54ca49f";

// The bytes of `text`, `piece` bytes per read; throws after `fail_after` bytes when set.
ContentStore::Source SourceOf(std::string text, std::size_t piece, long fail_after = -1) {
    auto offset = std::make_shared<std::size_t>(0);
    return [text = std::move(text), piece, fail_after,
            offset](asio::mutable_buffer into) -> asio::awaitable<std::size_t> {
        if (fail_after >= 0 && *offset >= static_cast<std::size_t>(fail_after))
            throw Error(ErrorCode::kBadRequest, "the request body broke off");
        const auto n = std::min({piece, into.size(), text.size() - *offset});
        std::memcpy(into.data(), text.data() + *offset, n);
        *offset += n;
        co_return n;
    };
}

class ContentStoreTest : public ::testing::Test {
  protected:
    void SetUp() override { store_.Start(); }
    void TearDown() override {
        pool_.join();
        fs::remove_all(dir_);
    }
    std::size_t Incoming() const {
        return static_cast<std::size_t>(
            std::distance(fs::directory_iterator(dir_ / "incoming"), fs::directory_iterator{}));
    }
    // Files at content addresses.
    std::size_t Stored() const {
        std::size_t count = 0;
        for (const auto& entry : fs::recursive_directory_iterator(dir_))
            if (entry.is_regular_file() && entry.path().parent_path().filename() != "incoming")
                ++count;
        return count;
    }
    template <class Awaitable>
    auto Run(Awaitable awaitable) {
        return asio::co_spawn(ioc_.get_executor(), std::move(awaitable), asio::use_future);
    }

    fs::path dir_ = fs::temp_directory_path() / ("escd-content-" + RandomHex(6));
    asio::thread_pool pool_{2};
    asio::thread_pool ioc_{2};
    ContentStore store_{pool_, dir_};
};

TEST_F(ContentStoreTest, TheDigestsAreComputedAsTheBytesArriveAndTheFileIsAtItsAddress) {
    const auto digest = SyncWait(store_.Store(SourceOf("abc", 1), 1024, 3));
    EXPECT_EQ(digest.size, 3u);
    EXPECT_EQ(digest.md5, kAbcMd5);
    EXPECT_EQ(digest.sha512, kAbcSha512);
    EXPECT_TRUE(fs::exists(store_.PathOf(kAbcSha512)));
    EXPECT_EQ(Incoming(), 0u);

    auto file = SyncWait(store_.Open(kAbcSha512));
    ASSERT_NE(file, nullptr);
    EXPECT_EQ(file->size(), 3u);
    char read[8] = {};
    EXPECT_EQ(SyncWait(file->ReadAt(1, asio::buffer(read))), 2u);
    EXPECT_EQ(std::string(read, 2), "bc");
    EXPECT_EQ(SyncWait(store_.Open(std::string(128, '0'))), nullptr);
}

TEST_F(ContentStoreTest, TheSameContentStoredAtOnceByManyIsOneFile) {
    const std::string content(3 * 1024 * 1024 + 17, 'x');
    std::vector<std::future<model::catalogue::FileDigest>> uploads;
    for (int i = 0; i < 8; ++i)
        uploads.push_back(
            Run(store_.Store(SourceOf(content, 64 * 1024 + i), 1u << 30, std::nullopt)));
    std::set<std::string> digests;
    for (auto& upload : uploads) digests.insert(upload.get().sha512);
    EXPECT_EQ(digests.size(), 1u);
    EXPECT_EQ(Stored(), 1u);
    EXPECT_EQ(Incoming(), 0u);
    EXPECT_EQ(fs::file_size(store_.PathOf(*digests.begin())), content.size());
}

TEST_F(ContentStoreTest, AnUploadOverItsLimitOrBrokenOffOrShortLeavesNothing) {
    const auto code_of = [](auto&& call) {
        try {
            call();
        } catch (const Error& e) {
            return e.code();
        }
        return ErrorCode::kInternal;
    };
    EXPECT_EQ(code_of([&] { SyncWait(store_.Store(SourceOf("abcdef", 2), 4, std::nullopt)); }),
              ErrorCode::kPayloadTooLarge);
    EXPECT_EQ(code_of([&] { SyncWait(store_.Store(SourceOf("abcdef", 2), 4, 6)); }),
              ErrorCode::kPayloadTooLarge)
        << "refused before a byte is read";
    EXPECT_EQ(code_of([&] { SyncWait(store_.Store(SourceOf("abcdef", 2, 4), 100, 6)); }),
              ErrorCode::kBadRequest);
    EXPECT_EQ(code_of([&] { SyncWait(store_.Store(SourceOf("abc", 2), 100, 6)); }),
              ErrorCode::kBadRequest)
        << "a body shorter than announced";
    EXPECT_EQ(Stored(), 0u);
    EXPECT_EQ(Incoming(), 0u);
}

TEST_F(ContentStoreTest, WhatAKilledRunLeftInIncomingIsRemovedAtStart) {
    std::ofstream(dir_ / "incoming" / "dead.part") << "half an upload";
    ContentStore again(pool_, dir_);
    again.Start();
    EXPECT_EQ(Incoming(), 0u);
}

}  // namespace
}  // namespace escd::orchestrator
