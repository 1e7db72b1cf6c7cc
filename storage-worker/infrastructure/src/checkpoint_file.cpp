#include "tracker/worker/infrastructure/checkpoint_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <fstream>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "tracker/worker/infrastructure/posix_file.hpp"
#include "tracker/worker/infrastructure/unique_fd.hpp"

namespace tracker::worker::infrastructure {
namespace {

using application::Checkpoint;
using application::PartitionId;
using application::PortError;

// Version 3 adds the file's birth time; 2 and 1 (no message hashes) are
// still read, from a worker updated in place.
constexpr std::string_view kMagic = "tracker-worker-checkpoint 3";
constexpr std::string_view kMagicWithoutBirthTime = "tracker-worker-checkpoint 2";
constexpr std::string_view kMagicWithoutHashes = "tracker-worker-checkpoint 1";

}  // namespace

std::string serialize_checkpoint(const Checkpoint& checkpoint) {
  std::ostringstream out;
  out << kMagic << '\n'
      << "file " << checkpoint.file.device << ' ' << checkpoint.file.inode << ' '
      << checkpoint.file.length << ' ' << checkpoint.file.born_ns << '\n';
  for (const auto& [partition, offset] : checkpoint.next_offsets) {
    out << "offset " << partition.topic << ' ' << partition.partition << ' ' << offset;
    if (const auto hash = checkpoint.last_message_hashes.find(partition);
        hash != checkpoint.last_message_hashes.end()) {
      out << ' ' << std::hex << std::setw(16) << std::setfill('0') << hash->second << std::dec;
    }
    out << '\n';
  }
  return out.str();
}

std::optional<Checkpoint> parse_checkpoint(std::string_view text) {
  std::istringstream in{std::string{text}};
  std::string line;
  if (!std::getline(in, line) ||
      (line != kMagic && line != kMagicWithoutBirthTime && line != kMagicWithoutHashes)) {
    return std::nullopt;
  }
  const bool with_birth_time = line == kMagic;
  const bool with_hashes = line != kMagicWithoutHashes;
  Checkpoint checkpoint;
  bool has_file = false;
  while (std::getline(in, line)) {
    std::istringstream fields{line};
    std::string kind;
    fields >> kind;
    if (kind == "file" && !has_file) {
      fields >> checkpoint.file.device >> checkpoint.file.inode >> checkpoint.file.length;
      if (with_birth_time) fields >> checkpoint.file.born_ns;
      has_file = true;
    } else if (kind == "offset") {
      PartitionId partition;
      std::int64_t offset = -1;
      fields >> partition.topic >> partition.partition >> offset;
      if (fields.fail() || partition.topic.empty() || partition.partition < 0 || offset < 0) {
        return std::nullopt;
      }
      std::string hash;
      if (with_hashes && (fields >> hash)) {
        std::uint64_t value = 0;
        const auto* end = hash.data() + hash.size();
        if (hash.size() != 16 || std::from_chars(hash.data(), end, value, 16).ptr != end) {
          return std::nullopt;
        }
        checkpoint.last_message_hashes[partition] = value;
      }
      fields.clear();  // a partition without a hash ran the line out: not an error
      checkpoint.next_offsets[partition] = offset;
    } else {
      return std::nullopt;
    }
    std::string extra;
    if (fields.fail() || (fields >> extra)) return std::nullopt;
  }
  if (!has_file) return std::nullopt;
  return checkpoint;
}

CheckpointFile::CheckpointFile(std::filesystem::path path)
    : path_(std::move(path)), temporary_path_(path_.string() + ".tmp") {}

std::optional<Checkpoint> CheckpointFile::load() const {
  std::error_code error;
  if (!std::filesystem::exists(path_, error)) {
    if (!error) return std::nullopt;
    throw std::runtime_error(file_error("read checkpoint", path_, error.value()));
  }
  std::ifstream in{path_, std::ios::binary};
  if (!in) throw std::runtime_error(file_error("read checkpoint", path_, errno));
  std::ostringstream text;
  text << in.rdbuf();
  auto checkpoint = parse_checkpoint(text.str());
  if (!checkpoint) {
    throw std::runtime_error(shown_path(path_) +
                             ": not a valid checkpoint (move it away to start from the "
                             "consumer group's committed offsets)");
  }
  return checkpoint;
}

std::optional<PortError> CheckpointFile::save(const Checkpoint& checkpoint) {
  const auto text = serialize_checkpoint(checkpoint);
  {
    const UniqueFd fd{
        ::open(temporary_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
    if (!fd.valid()) return PortError{file_error("open", temporary_path_, errno)};
    if (const int error = write_all(fd.get(), text); error != 0) {
      return PortError{file_error("write", temporary_path_, error)};
    }
    if (::fdatasync(fd.get()) != 0) return PortError{file_error("fsync", temporary_path_, errno)};
  }
  if (::rename(temporary_path_.c_str(), path_.c_str()) != 0) {
    return PortError{file_error("rename to", path_, errno)};
  }
  if (const int error = sync_parent_directory(path_); error != 0) {
    return PortError{file_error("sync directory of", path_, error)};
  }
  return std::nullopt;
}

}  // namespace tracker::worker::infrastructure
