#pragma once

#include <cstdio>
#include <cstdlib>

/// A property a fuzz target asserts. A failure prints the property and aborts:
/// libFuzzer reports the abort as a crash and saves the input that caused it.
/// Unlike assert() it stays active in every build type.
#define FUZZ_CHECK(condition)                                                              \
  do {                                                                                     \
    if (!(condition)) {                                                                    \
      std::fprintf(stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                        \
    }                                                                                      \
  } while (false)
