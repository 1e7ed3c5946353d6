#include "core/checksum.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace penumbra {
namespace {

TEST(Checksum, EverySingleBitFlipIsDetected) {
  std::vector<std::byte> data(1037);  // not a multiple of the 32-byte block: exercises every tail path
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::byte>(i * 31 + 7);
  const std::uint64_t reference = checksum64(data);
  for (std::size_t i = 0; i < data.size(); ++i)
    for (int bit = 0; bit < 8; ++bit) {
      data[i] ^= static_cast<std::byte>(1 << bit);
      ASSERT_NE(checksum64(data), reference) << "byte " << i << " bit " << bit;
      data[i] ^= static_cast<std::byte>(1 << bit);
    }
  EXPECT_EQ(checksum64(data), reference);
}

TEST(Checksum, LengthMatters) {
  const std::vector<std::byte> zeros(64);
  for (std::size_t n = 0; n < zeros.size(); ++n)
    EXPECT_NE(checksum64(std::span(zeros.data(), n)), checksum64(std::span(zeros.data(), n + 1))) << n;
}

TEST(Checksum, SwappedWordsAreDetected) {
  std::vector<std::byte> data(64);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::byte>(i);
  const std::uint64_t reference = checksum64(data);
  std::swap_ranges(data.begin(), data.begin() + 8, data.begin() + 8);
  EXPECT_NE(checksum64(data), reference);
}

}  // namespace
}  // namespace penumbra
