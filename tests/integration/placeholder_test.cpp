#include <gtest/gtest.h>
TEST(IntegrationPlaceholder, BuildWorks) { SUCCEED(); }
