#pragma once

#include <cstdint>
#include <map>
#include <string_view>

#include "tracker/worker/application/message.hpp"

namespace tracker::worker::application {

/// Where events.log ends after the last stored batch, and which file that is:
/// (device, inode) tell a rotated or replaced file from the one the length
/// belongs to. A device number can change under the same file (a reboot or
/// remount renumbers btrfs subvolumes, NVMe and device-mapper minors), so
/// the file's birth time, where the filesystem keeps one, stands in for it.
struct FilePosition {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  std::uint64_t length = 0;
  std::uint64_t born_ns = 0;  // birth time in ns since the epoch; 0: not kept
  bool operator==(const FilePosition&) const = default;

  /// The same file, whatever the two lengths: the same inode, born at the
  /// same nanosecond (a reused inode number is another file), or on the same
  /// device where a birth time is missing.
  bool same_file_as(const FilePosition& other) const {
    if (inode != other.inode) return false;
    if (born_ns != 0 && other.born_ns != 0) return born_ns == other.born_ns;
    return device == other.device;
  }
};

/// What the worker has durably stored: every message before `next_offsets[p]`
/// of partition p is either a line within the first `file.length` bytes of the
/// file or was deliberately not stored (skipped or dead-lettered). Saved after
/// the lines are fsync'd, read back at start-up to cut a torn tail and to
/// resume each partition exactly where the file ends.
/// `last_message_hashes[p]` is message_hash() of the message at
/// `next_offsets[p] - 1`, where known: reading that message again and
/// comparing tells the log the checkpoint counted in from one that has
/// replaced it (a recreated topic) with offsets of its own.
struct Checkpoint {
  FilePosition file;
  std::map<PartitionId, std::int64_t> next_offsets;
  std::map<PartitionId, std::uint64_t> last_message_hashes;
  bool operator==(const Checkpoint&) const = default;
};

/// A message value's fingerprint (64-bit FNV-1a): fixed by this definition,
/// so checkpoints written by one build are read alike by the next.
std::uint64_t message_hash(std::string_view value);

}  // namespace tracker::worker::application
