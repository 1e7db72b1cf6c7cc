#pragma once

#include <string_view>
#include <variant>

#include "tracker/contracts/visit_event.hpp"

namespace tracker::contracts::detail {

/// The fast path of decode(): reads the shape every pixel-service event has
/// (one flat JSON object whose values are strings or null, with a valid
/// Timestamp) straight into `event`, reusing its strings' memory, without
/// building a DOM.
///
/// Returns false for anything outside that shape: syntax errors, nested or
/// numeric values, \u escapes, a BOM, a known key given twice, a missing, null
/// or malformed Timestamp; `event` then holds unspecified values. decode()
/// then runs the full parser, which accepts or rejects with its exact reason.
/// So whenever this returns true, the full parser would return the same
/// event (tests and the decoder fuzz target check that). `text` must be
/// valid UTF-8 (decode() checks that first).
/// Pure function; safe from any thread.
bool parse_flat_event(std::string_view text, VisitEvent& event);

/// The full parser (nlohmann's DOM) behind decode(), for every input: the
/// reference the fast path is checked against. `text` must be valid UTF-8.
std::variant<VisitEvent, DecodeError> decode_with_dom(std::string_view text);

}  // namespace tracker::contracts::detail
