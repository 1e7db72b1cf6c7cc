#include "tracker/worker/infrastructure/file_event_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "tracker/worker/infrastructure/posix_file.hpp"

namespace tracker::worker::infrastructure {
namespace {

using application::FilePosition;
using application::PortError;

// Opens for appending, creating missing directories and the file; a newly
// created entry is made durable in its directory at once.
std::variant<UniqueFd, PortError> open_for_append(const std::filesystem::path& path) {
  if (const auto directory = path.parent_path(); !directory.empty()) {
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    if (error) return PortError{file_error("create directory", directory, error.value())};
  }
  const bool existed = ::access(path.c_str(), F_OK) == 0;
  UniqueFd fd{::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)};
  if (!fd.valid()) return PortError{file_error("open", path, errno)};
  if (!existed) {
    if (const int error = sync_parent_directory(path); error != 0) {
      return PortError{file_error("sync directory of", path, error)};
    }
  }
  return fd;
}

}  // namespace

FileEventStore::FileEventStore(std::filesystem::path path) : path_(std::move(path)) {
  auto opened = open_for_append(path_);
  if (auto* error = std::get_if<PortError>(&opened)) throw std::runtime_error(error->detail);
  fd_ = std::get<UniqueFd>(std::move(opened));
  // Refuse what only looks like a file: appending to a FIFO or device is no store.
  struct stat status {};
  if (::fstat(fd_.get(), &status) != 0) throw std::runtime_error(file_error("stat", path_, errno));
  if (!S_ISREG(status.st_mode))
    throw std::runtime_error(shown_path(path_) + ": not a regular file");
}

std::variant<FilePosition, PortError> FileEventStore::position() const {
  struct statx status {};
  if (::statx(fd_.get(), "", AT_EMPTY_PATH, STATX_INO | STATX_SIZE | STATX_BTIME, &status) != 0) {
    // A kernel or seccomp profile (older Docker) without statx: no birth time.
    if (errno != ENOSYS && errno != EPERM) return PortError{file_error("stat", path_, errno)};
    struct stat fallback {};
    if (::fstat(fd_.get(), &fallback) != 0) return PortError{file_error("stat", path_, errno)};
    return FilePosition{static_cast<std::uint64_t>(fallback.st_dev),
                        static_cast<std::uint64_t>(fallback.st_ino),
                        static_cast<std::uint64_t>(fallback.st_size)};
  }
  FilePosition position{makedev(status.stx_dev_major, status.stx_dev_minor), status.stx_ino,
                        status.stx_size};
  if ((status.stx_mask & STATX_BTIME) != 0) {
    position.born_ns = static_cast<std::uint64_t>(status.stx_btime.tv_sec) * 1'000'000'000U +
                       status.stx_btime.tv_nsec;
  }
  return position;
}

std::variant<FilePosition, PortError> FileEventStore::reconcile(const FilePosition& after) {
  auto current = position();
  if (auto* error = std::get_if<PortError>(&current)) return std::move(*error);
  auto& now = std::get<FilePosition>(current);
  // Another file (rotated while we were down) or a shorter one (copytruncate):
  // nothing in it is an unacknowledged tail of ours, so continue at its end.
  if (!now.same_file_as(after) || now.length <= after.length) return now;
  if (::ftruncate(fd_.get(), static_cast<off_t>(after.length)) != 0) {
    return PortError{file_error("truncate", path_, errno)};
  }
  now.length = after.length;
  return now;
}

FilePosition FileEventStore::recover(const std::optional<FilePosition>& checkpointed) {
  auto current = position();
  if (auto* error = std::get_if<PortError>(&current)) throw std::runtime_error(error->detail);
  if (!checkpointed) return std::get<FilePosition>(current);
  auto base = reconcile(*checkpointed);
  if (auto* error = std::get_if<PortError>(&base)) throw std::runtime_error(error->detail);
  if (::fdatasync(fd_.get()) != 0) throw std::runtime_error(file_error("fsync", path_, errno));
  return std::get<FilePosition>(base);
}

std::variant<FilePosition, PortError> FileEventStore::append(std::string_view lines,
                                                             const FilePosition& after) {
  auto reconciled = reconcile(after);
  if (auto* error = std::get_if<PortError>(&reconciled)) return std::move(*error);
  auto end = std::get<FilePosition>(reconciled);
  const auto base = end.length;

  const auto fail = [&](std::string_view what, int error) -> PortError {
    // Best effort: leave no partial line behind. If this fails too, the next
    // append (or start-up recovery) cuts the file back to `after` anyway.
    (void)::ftruncate(fd_.get(), static_cast<off_t>(base));
    return PortError{file_error(what, path_, error)};
  };
  if (const int error = write_all(fd_.get(), lines); error != 0) return fail("write", error);
  if (::fdatasync(fd_.get()) != 0) return fail("fsync", errno);

  end.length = base + lines.size();
  return end;
}

std::variant<FilePosition, PortError> FileEventStore::reopen() {
  auto opened = open_for_append(path_);
  if (auto* error = std::get_if<PortError>(&opened)) return std::move(*error);
  fd_ = std::get<UniqueFd>(std::move(opened));
  return position();
}

}  // namespace tracker::worker::infrastructure
