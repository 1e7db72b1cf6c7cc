#include "tracker/worker/infrastructure/file_event_store.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <utility>
#include <vector>

#include "tracker/worker/infrastructure/posix_file.hpp"

namespace tracker::worker::infrastructure {
namespace {

using application::FilePosition;
using application::PortError;

// Opens for appending, creating missing directories and the file; each newly
// created entry is made durable in its directory at once (a file's entry in
// a directory whose own entry was lost in a power cut would be lost with it).
std::variant<UniqueFd, PortError> open_for_append(const std::filesystem::path& path) {
  if (const auto directory = path.parent_path(); !directory.empty()) {
    std::vector<std::filesystem::path> missing;
    for (auto each = directory; !each.empty() && ::access(each.c_str(), F_OK) != 0;
         each = each.parent_path()) {
      missing.push_back(each);
    }
    std::error_code error;
    std::filesystem::create_directories(directory, error);
    if (error) return PortError{file_error("create directory", directory, error.value())};
    for (const auto& created : missing) {
      if (const int failure = sync_parent_directory(created); failure != 0) {
        return PortError{file_error("sync directory of", created, failure)};
      }
    }
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

// The identity and length statx reports for `path` relative to `directory`
// (AT_EMPTY_PATH with "" for a descriptor itself); errno when it fails.
std::variant<FilePosition, int> stat_position(int directory, const char* path, int flags) {
  struct statx status {};
  if (::statx(directory, path, flags, STATX_INO | STATX_SIZE | STATX_BTIME, &status) != 0) {
    return errno;
  }
  FilePosition position{makedev(status.stx_dev_major, status.stx_dev_minor), status.stx_ino,
                        status.stx_size};
  if ((status.stx_mask & STATX_BTIME) != 0) {
    position.born_ns = static_cast<std::uint64_t>(status.stx_btime.tv_sec) * 1'000'000'000U +
                       status.stx_btime.tv_nsec;
  }
  return position;
}

// Cuts the file at `path` back to `checkpointed.length`, if it is still the
// checkpoint's file once opened (logrotate may be renaming meanwhile); errno.
// O_NONBLOCK: a FIFO put in its place would otherwise block the open.
int cut_to(const std::filesystem::path& path, const FilePosition& checkpointed) {
  const UniqueFd fd{::open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)};
  if (!fd.valid()) return errno;
  const auto opened = stat_position(fd.get(), "", AT_EMPTY_PATH);
  if (const int* error = std::get_if<int>(&opened)) return *error;
  if (!std::get<FilePosition>(opened).same_file_as(checkpointed)) return ESTALE;
  if (::ftruncate(fd.get(), static_cast<off_t>(checkpointed.length)) != 0) return errno;
  if (::fdatasync(fd.get()) != 0) return errno;
  return 0;
}

// A crash after a batch's lines were written and before its checkpoint was
// saved, then a rotation by rename (logrotate's `create`) before the restart,
// leaves those lines at the end of the renamed file, while the batch is read
// again from Kafka and stored in the new one. The renamed file is found
// beside `path` by the checkpoint's identity and cut back to the checkpointed
// length, so that batch is stored once. Only with a birth time: an inode
// number alone may be another file's by now. A failure here costs at most
// that batch twice, so it is logged, not fatal.
void cut_rotated_tail(const std::filesystem::path& path, const FilePosition& checkpointed) {
  if (checkpointed.born_ns == 0) return;
  auto directory = path.parent_path();
  if (directory.empty()) directory = ".";
  std::error_code error;
  for (std::filesystem::directory_iterator entry(directory, error), end; !error && entry != end;
       entry.increment(error)) {
    const auto found = stat_position(AT_FDCWD, entry->path().c_str(), AT_SYMLINK_NOFOLLOW);
    const auto* rotated = std::get_if<FilePosition>(&found);
    if (rotated == nullptr || !rotated->same_file_as(checkpointed)) continue;
    if (rotated->length <= checkpointed.length) return;
    if (const int failure = cut_to(entry->path(), checkpointed); failure != 0) {
      spdlog::warn(
          "{}: could not cut the batch written after the last checkpoint ({}); it will be "
          "stored again in {}",
          shown_path(entry->path()), std::strerror(failure), shown_path(path));
      return;
    }
    spdlog::warn(
        "{}: cut {} bytes written after the last checkpoint before the file was rotated; "
        "they are stored again in {}",
        shown_path(entry->path()), rotated->length - checkpointed.length, shown_path(path));
    return;
  }
  if (error) {
    spdlog::warn("{}: could not look for the file of the last checkpoint: {}",
                 shown_path(directory), error.message());
  }
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
  const auto found = stat_position(fd_.get(), "", AT_EMPTY_PATH);
  if (const auto* position = std::get_if<FilePosition>(&found)) return *position;
  // A kernel or seccomp profile (older Docker) without statx: no birth time.
  if (const int error = std::get<int>(found); error != ENOSYS && error != EPERM) {
    return PortError{file_error("stat", path_, error)};
  }
  struct stat fallback {};
  if (::fstat(fd_.get(), &fallback) != 0) return PortError{file_error("stat", path_, errno)};
  return FilePosition{static_cast<std::uint64_t>(fallback.st_dev),
                      static_cast<std::uint64_t>(fallback.st_ino),
                      static_cast<std::uint64_t>(fallback.st_size)};
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
  if (!std::get<FilePosition>(current).same_file_as(*checkpointed)) {
    cut_rotated_tail(path_, *checkpointed);
  }
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
