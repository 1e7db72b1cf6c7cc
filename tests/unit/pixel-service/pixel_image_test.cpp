#include "tracker/pixel/pixel_image.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tracker/testing/temp_dir.hpp"

namespace tracker::pixel {
namespace {

void write(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

TEST(PixelImage, TheBundledGifIsA43ByteTransparentPixel) {
  const std::string gif =
      load_gif(std::filesystem::path(TRACKER_SOURCE_DIR) / "pixel-service/resources/pixel.gif");
  EXPECT_EQ(gif.size(), 43U);
  EXPECT_EQ(gif.substr(0, 6), "GIF89a");
  EXPECT_EQ(gif.substr(6, 4), std::string("\x01\x00\x01\x00", 4));  // 1x1
  EXPECT_EQ(gif.back(), ';');
}

/// What load_gif says when it refuses `path`.
std::string load_error(const std::filesystem::path& path) {
  try {
    (void)load_gif(path);
  } catch (const ImageError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(PixelImage, RefusesAFileThatIsNotAGif) {
  testing::TempDir dir;
  write(dir / "x.png", "\x89PNG\r\n\x1a\n0000000000000");
  const std::string message = load_error(dir / "x.png");
  EXPECT_NE(message.find(R"(x.png": not a GIF)"), std::string::npos) << message;
}

TEST(PixelImage, MissingFileNamesThePath) {
  testing::TempDir dir;
  const std::string message = load_error(dir / "missing.gif");
  EXPECT_NE(message.find(R"(missing.gif": )"), std::string::npos) << message;
}

// The path comes from the environment: a line break in it must not forge a
// second line in the start-up error.
TEST(PixelImage, APathIsShownQuotedWithItsControlBytesEscaped) {
  testing::TempDir dir;
  const std::string message = load_error(dir / "a\n2026-01-01T00:00:00Z [info] forged");
  EXPECT_NE(message.find(R"(/a\x0a2026-01-01T00:00:00Z [info] forged": )"), std::string::npos)
      << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(PixelImage, ConfiguredPathWins) {
  EXPECT_EQ(resolve_image_path("/x/y.gif", {"/a", "/b"}), "/x/y.gif");
}

TEST(PixelImage, FirstExistingBundledCandidateIsUsed) {
  testing::TempDir dir;
  write(dir / "second.gif", "GIF89a");
  EXPECT_EQ(resolve_image_path("", {dir / "first.gif", dir / "second.gif"}), dir / "second.gif");
  EXPECT_EQ(resolve_image_path("", {dir / "first.gif"}), dir / "first.gif");
}

TEST(PixelImage, BundledCandidatesStartNextToTheExecutable) {
  const auto candidates =
      bundled_image_candidates("/opt/tracker/bin/pixel-service", "/src/pixel.gif");
  ASSERT_EQ(candidates.size(), 3U);
  EXPECT_EQ(candidates[0], "/opt/tracker/share/tracker/pixel.gif");
  EXPECT_EQ(candidates[1], "/usr/share/tracker/pixel.gif");
  EXPECT_EQ(candidates[2], "/src/pixel.gif");
}

}  // namespace
}  // namespace tracker::pixel
