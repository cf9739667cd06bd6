#include "common/error.hpp"

#include <stdexcept>

#include <gtest/gtest.h>

namespace escd {
namespace {

TEST(ErrorTable, ClientErrorsKeepTheStatusOfTheirCodeInAnswersAndCallbacks) {
    for (auto reply : {Reply::kAnswer, Reply::kCallback}) {
        EXPECT_EQ(HttpStatusOf(Error(ErrorCode::kBadRequest, "x"), reply), 400);
        EXPECT_EQ(HttpStatusOf(Error(ErrorCode::kUnauthorized, "x"), reply), 401);
        EXPECT_EQ(HttpStatusOf(Error(ErrorCode::kNotFound, "x"), reply), 404);
        EXPECT_EQ(HttpStatusOf(Error(ErrorCode::kConflict, "x"), reply), 409);
        EXPECT_EQ(HttpStatusOf(Error(ErrorCode::kUnavailable, "maintenance"), reply), 503);
    }
}

TEST(ErrorTable, AVimRefusingEscdsCredentialsIsNeverTheClientsUnauthorized) {
    const VimError refused(ErrorCode::kUnauthorized, "Keystone answered 401");
    EXPECT_EQ(HttpStatusOf(refused, Reply::kAnswer), 503);
    EXPECT_EQ(HttpStatusOf(refused, Reply::kCallback), 500);
    EXPECT_FALSE(refused.retryable());
}

TEST(ErrorTable, AVimFailureIs503WhenAnsweringAnd500InACallback) {
    const VimError failed(ErrorCode::kVimError, "virDomainCreate failed");
    EXPECT_EQ(HttpStatusOf(failed, Reply::kAnswer), 503);
    EXPECT_EQ(HttpStatusOf(failed, Reply::kCallback), 500);
}

TEST(ErrorTable, WhatTheVimSaysOfTheNamedObjectKeepsItsStatus) {
    for (auto reply : {Reply::kAnswer, Reply::kCallback}) {
        EXPECT_EQ(HttpStatusOf(VimError(ErrorCode::kNotFound, "x"), reply), 404);
        EXPECT_EQ(HttpStatusOf(VimError(ErrorCode::kConflict, "x"), reply), 409);
        EXPECT_EQ(HttpStatusOf(VimError(ErrorCode::kNotImplemented, "x"), reply), 501);
        EXPECT_EQ(HttpStatusOf(VimError(ErrorCode::kUnavailable, "x"), reply), 503);
    }
}

TEST(ErrorTable, DatabaseErrorsAre503AndInternalOnes500WhateverTheirCode) {
    EXPECT_EQ(HttpStatusOf(DatabaseError("connection lost"), Reply::kAnswer), 503);
    EXPECT_EQ(HttpStatusOf(DatabaseError("connection lost"), Reply::kCallback), 503);
    EXPECT_EQ(HttpStatusOf(Error(ErrorCode::kInternal, "bug"), Reply::kAnswer), 500);
    EXPECT_EQ(HttpStatusOf(ErrorOrigin::kInternal, ErrorCode::kNotFound, Reply::kCallback), 500);
    EXPECT_EQ(HttpStatusOf(std::runtime_error("not escd's"), Reply::kAnswer), 500);
}

TEST(ErrorRetry, OnlyAVimOrTheDatabaseThatDidNotAnswerIsWorthRunningAgain) {
    EXPECT_TRUE(VimError(ErrorCode::kUnavailable, "Nova did not answer").retryable());
    EXPECT_TRUE(DatabaseError("connection lost").retryable());
    // Unavailable for reasons that a retry does not change.
    EXPECT_FALSE(ConfigurationError(ErrorCode::kUnavailable, "no enabled host").retryable());
    EXPECT_FALSE(Error(ErrorOrigin::kRemote, ErrorCode::kUnavailable, "download cut").retryable());
    EXPECT_FALSE(Error(ErrorCode::kUnavailable, "maintenance mode").retryable());
    EXPECT_FALSE(VimError(ErrorCode::kVimError, "refused").retryable());
    EXPECT_FALSE(Error(ErrorCode::kInternal, "bug").retryable());
}

TEST(ErrorOrigins, APlainErrorIsTheClientsUnlessItIsInternal) {
    EXPECT_EQ(Error(ErrorCode::kBadRequest, "x").origin(), ErrorOrigin::kClient);
    EXPECT_EQ(Error(ErrorCode::kInternal, "x").origin(), ErrorOrigin::kInternal);
    EXPECT_EQ(VimError(ErrorCode::kNotFound, "x").origin(), ErrorOrigin::kVim);
    EXPECT_EQ(ConfigurationError(ErrorCode::kBadRequest, "x").origin(),
              ErrorOrigin::kConfiguration);
}

}  // namespace
}  // namespace escd
