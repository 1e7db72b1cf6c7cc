#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tracker::pixel {

/// The image cannot be served; what() is one line naming the file and why.
class ImageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// True when `bytes` start with a GIF signature ("GIF87a" or "GIF89a") and
/// are long enough to hold the logical screen descriptor.
bool is_gif(std::string_view bytes);

/// Reads the whole file and checks it is a GIF; throws ImageError otherwise.
/// Start-up only: the bytes are then served from memory.
std::string load_gif(const std::filesystem::path& path);

/// Where the bundled GIF is looked for when Pixel__Image is empty, in order:
/// next to the executable (<exe dir>/../share/tracker/pixel.gif, the layout
/// of both the build tree and `cmake --install`), the Docker image's
/// /usr/share/tracker/pixel.gif, and the source tree's resources/pixel.gif.
std::vector<std::filesystem::path> bundled_image_candidates(
    const std::filesystem::path& executable, const std::filesystem::path& source_image);

/// The image path to load: `configured` when set, else the first existing
/// bundled candidate (or the first candidate, so the error names a path).
std::filesystem::path resolve_image_path(const std::string& configured,
                                         const std::vector<std::filesystem::path>& candidates);

}  // namespace tracker::pixel
