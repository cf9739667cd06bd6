#include <gtest/gtest.h>
TEST(Placeholder, BuildWorks) { SUCCEED(); }
