#pragma once

#include <string>
#include <vector>

#include "pixel_request_path.hpp"

namespace tracker::fuzz {

/// Whether two runs of one connection's bytes got the same answers: same
/// replies, persistence and HEAD handling, and (when `compare_events`) the
/// same events but for the client IP, which depends on the peer by design.
///
/// Whether a header is accepted or refused as too large never depends on the
/// split (RequestHeadReader counts the whole block across reads). One
/// difference is allowed, Beast 1.81 behaviour (docs/security.md): a header is
/// checked only once its end (CRLF CRLF) is buffered or the limit is reached,
/// so a malformed request that arrives whole is rejected at once (400), the
/// same bytes in pieces wait for more (the header timeout then closes without
/// an answer) or reach the limit (431). So the last answer may differ, or be
/// missing in one run, when it is an error close.
bool same_answers(const std::vector<ServedRequest>& a, const std::vector<ServedRequest>& b,
                  bool compare_events = true);

/// "200 keep-alive event, 404 close" for the report of a mismatch.
std::string describe(const std::vector<ServedRequest>& served);

}  // namespace tracker::fuzz
