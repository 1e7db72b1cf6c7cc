#pragma once

#include <filesystem>
#include <string>

namespace tracker::testing {

/// A fresh directory under $TMPDIR, removed with everything in it on scope exit.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// Reads a whole file; an absent file reads as empty.
std::string read_file(const std::filesystem::path& file);

}  // namespace tracker::testing
