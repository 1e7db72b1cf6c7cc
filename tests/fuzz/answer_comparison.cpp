#include "answer_comparison.hpp"

#include <algorithm>

namespace tracker::fuzz {
namespace {

bool same_answer(ServedRequest a, ServedRequest b, bool compare_events) {
  if (a.event) a.event->ip_address.reset();
  if (b.event) b.event->ip_address.reset();
  return a.reply == b.reply && a.persistence == b.persistence && a.head_only == b.head_only &&
         (!compare_events || a.event == b.event);
}

bool is_error_close(const ServedRequest& answer) {
  return answer.reply == pixel::Reply::BadRequest || answer.reply == pixel::Reply::HeaderTooLarge ||
         answer.reply == pixel::Reply::VersionNotSupported;
}

}  // namespace

bool same_answers(const std::vector<ServedRequest>& a, const std::vector<ServedRequest>& b,
                  bool compare_events) {
  const std::size_t common = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (same_answer(a[i], b[i], compare_events)) continue;
    return i + 1 == a.size() && i + 1 == b.size() && is_error_close(a[i]) && is_error_close(b[i]);
  }
  if (a.size() == b.size()) return true;
  const auto& longer = a.size() > b.size() ? a : b;
  return longer.size() == common + 1 && is_error_close(longer.back());
}

std::string describe(const std::vector<ServedRequest>& served) {
  std::string text;
  for (const auto& answer : served) {
    if (!text.empty()) text += ", ";
    text += std::to_string(pixel::status_code(answer.reply));
    text += answer.persistence == pixel::Persistence::Close ? " close" : " keep-alive";
    if (answer.head_only) text += " head";
    if (answer.event) text += " event";
  }
  return text;
}

}  // namespace tracker::fuzz
