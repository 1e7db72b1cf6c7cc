// The storage worker's checkpoint file (events.log.checkpoint), which the
// worker reads at start-up and an operator may edit or truncate. Properties:
//  - parse_checkpoint() on raw fuzzed text never crashes, and what it accepts
//    serializes to text it parses back to the same checkpoint;
//  - a checkpoint built from fuzzed values (offsets, a last-message hash for
//    some partitions) survives serialize_checkpoint() and parse_checkpoint()
//    unchanged.
// (A checkpoint is replaced by rename, so the worker never leaves one torn.)
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "tracker/worker/infrastructure/checkpoint_file.hpp"

namespace {

using tracker::worker::application::Checkpoint;
using tracker::worker::application::PartitionId;
using tracker::worker::infrastructure::parse_checkpoint;
using tracker::worker::infrastructure::serialize_checkpoint;

// Kafka topic names: [a-zA-Z0-9._-], 1 to 249 characters.
std::string topic_name(FuzzedDataProvider& input) {
  static constexpr char kLegal[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
  const auto length = input.ConsumeIntegralInRange<std::size_t>(1, 40);
  std::string name;
  for (std::size_t i = 0; i < length; ++i) {
    name += kLegal[input.ConsumeIntegralInRange<std::size_t>(0, sizeof(kLegal) - 2)];
  }
  return name;
}

Checkpoint fuzzed_checkpoint(FuzzedDataProvider& input) {
  Checkpoint checkpoint;
  checkpoint.file.device = input.ConsumeIntegral<std::uint64_t>();
  checkpoint.file.inode = input.ConsumeIntegral<std::uint64_t>();
  checkpoint.file.length = input.ConsumeIntegral<std::uint64_t>();
  checkpoint.file.born_ns = input.ConsumeIntegral<std::uint64_t>();
  const auto partitions = input.ConsumeIntegralInRange<int>(0, 8);
  for (int i = 0; i < partitions; ++i) {
    const PartitionId partition{
        topic_name(input),
        input.ConsumeIntegralInRange<std::int32_t>(0, std::numeric_limits<std::int32_t>::max())};
    checkpoint.next_offsets[partition] =
        input.ConsumeIntegralInRange<std::int64_t>(0, std::numeric_limits<std::int64_t>::max());
    // A partition restarted on a new log has no hash until it stores again.
    if (input.ConsumeBool()) {
      checkpoint.last_message_hashes[partition] = input.ConsumeIntegral<std::uint64_t>();
    }
  }
  return checkpoint;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  if (const auto parsed = parse_checkpoint(raw)) {
    FUZZ_CHECK(parse_checkpoint(serialize_checkpoint(*parsed)) == *parsed);
  }

  FuzzedDataProvider input(data, size);
  const auto checkpoint = fuzzed_checkpoint(input);
  const auto text = serialize_checkpoint(checkpoint);
  FUZZ_CHECK(parse_checkpoint(text) == checkpoint);
  return 0;
}
