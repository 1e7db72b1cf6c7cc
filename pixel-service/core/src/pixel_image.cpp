#include "tracker/pixel/pixel_image.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

#include "tracker/text/quoted.hpp"

namespace tracker::pixel {
namespace {
// Signature (6) + logical screen descriptor (7) + trailer (1): anything
// shorter cannot be an image.
constexpr std::size_t kMinimalGifBytes = 14;
// A pixel is tiny; a huge file here is a misconfiguration, not an image.
constexpr std::uintmax_t kMaxImageBytes = 1U << 20U;
}  // namespace

bool is_gif(std::string_view bytes) {
  return bytes.size() >= kMinimalGifBytes &&
         (bytes.substr(0, 6) == "GIF87a" || bytes.substr(0, 6) == "GIF89a");
}

std::string load_gif(const std::filesystem::path& path) {
  const std::string name = "pixel image " + text::quoted(path.string(), text::kShownPathBytes);
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw ImageError(name + ": " + ec.message());
  if (size > kMaxImageBytes) throw ImageError(name + ": larger than 1 MiB, not a tracking pixel");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ImageError(name + ": cannot open (" + std::strerror(errno) + ")");
  std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (!is_gif(bytes)) throw ImageError(name + ": not a GIF (no GIF87a/GIF89a signature)");
  return bytes;
}

std::vector<std::filesystem::path> bundled_image_candidates(
    const std::filesystem::path& executable, const std::filesystem::path& source_image) {
  std::vector<std::filesystem::path> candidates;
  if (!executable.empty()) {
    candidates.push_back(executable.parent_path().parent_path() / "share" / "tracker" /
                         "pixel.gif");
  }
  candidates.emplace_back("/usr/share/tracker/pixel.gif");
  if (!source_image.empty()) candidates.push_back(source_image);
  return candidates;
}

std::filesystem::path resolve_image_path(const std::string& configured,
                                         const std::vector<std::filesystem::path>& candidates) {
  if (!configured.empty()) return configured;
  for (const auto& candidate : candidates) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
  }
  return candidates.empty() ? std::filesystem::path{} : candidates.front();
}

}  // namespace tracker::pixel
