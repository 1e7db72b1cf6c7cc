#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace tracker::worker::infrastructure {

/// `path` as the worker's errors and logs show it: quoted, control bytes
/// escaped (it comes from the environment), whole.
std::string shown_path(const std::filesystem::path& path);

/// "<what> <shown path>: <strerror(errno_value)>", the one-line form of every
/// file error the worker reports.
std::string file_error(std::string_view what, const std::filesystem::path& path, int errno_value);

/// Writes all of `bytes` (retrying short writes and EINTR). Returns 0 or errno.
int write_all(int fd, std::string_view bytes);

/// fsync()s the directory holding `path`, so a created or renamed entry
/// survives a crash. Returns 0 or errno.
int sync_parent_directory(const std::filesystem::path& path);

}  // namespace tracker::worker::infrastructure
