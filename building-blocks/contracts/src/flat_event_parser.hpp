#pragma once

#include <optional>
#include <string_view>
#include <variant>

#include "tracker/contracts/visit_event.hpp"

namespace tracker::contracts::detail {

/// The fast path of decode(): reads the shape every pixel-service event has
/// (one flat JSON object whose values are strings or null, with a valid
/// Timestamp) straight into a VisitEvent, without building a DOM.
///
/// Returns nullopt for anything outside that shape: syntax errors, nested or
/// numeric values, \u escapes, a BOM, a known key given twice, a missing, null
/// or malformed Timestamp. decode() then runs the full parser, which accepts
/// or rejects with its exact reason. So whenever this returns an event, the
/// full parser would return the same one (tests and the decoder fuzz target
/// check that). `text` must be valid UTF-8 (decode() checks that first).
/// Pure function; safe from any thread.
std::optional<VisitEvent> parse_flat_event(std::string_view text);

/// The full parser (nlohmann's DOM) behind decode(), for every input: the
/// reference the fast path is checked against. `text` must be valid UTF-8.
std::variant<VisitEvent, DecodeError> decode_with_dom(std::string_view text);

}  // namespace tracker::contracts::detail
