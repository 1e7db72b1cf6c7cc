#include "tracker/worker/application/checkpoint.hpp"

namespace tracker::worker::application {

std::uint64_t message_hash(std::string_view value) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a offset basis
  for (const char c : value) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;  // FNV prime
  }
  return hash;
}

}  // namespace tracker::worker::application
