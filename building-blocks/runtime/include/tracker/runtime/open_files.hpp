#pragma once

#include <cstdint>

namespace tracker::runtime {

/// Raises this process's soft limit on open files (RLIMIT_NOFILE) to its
/// hard limit, which any process may do, and returns the soft limit now in
/// force, or 0 if it cannot be read. A server holds a descriptor per
/// connection; many systems start processes at a soft limit of 1024,
/// whatever the hard limit allows.
std::uint64_t raise_open_files_limit();

}  // namespace tracker::runtime
