#include "tracker/worker/infrastructure/posix_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tracker/text/quoted.hpp"
#include "tracker/worker/infrastructure/unique_fd.hpp"

namespace tracker::worker::infrastructure {

std::string shown_path(const std::filesystem::path& path) {
  return text::quoted(path.string(), text::kShownPathBytes);
}

std::string file_error(std::string_view what, const std::filesystem::path& path, int errno_value) {
  std::string message{what};
  message += ' ';
  message += shown_path(path);
  message += ": ";
  message += std::strerror(errno_value);
  return message;
}

int write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const auto written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return 0;
}

int sync_parent_directory(const std::filesystem::path& path) {
  auto directory = path.parent_path();
  if (directory.empty()) directory = ".";
  const UniqueFd fd{::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (!fd.valid()) return errno;
  if (::fsync(fd.get()) != 0) return errno;
  return 0;
}

}  // namespace tracker::worker::infrastructure
