#include "tracker/metrics/registry.hpp"

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

namespace tracker::metrics {

std::shared_ptr<prometheus::Registry> make_registry() {
  return std::make_shared<prometheus::Registry>();
}

std::string serialize(prometheus::Registry& registry) {
  const prometheus::TextSerializer serializer;
  return serializer.Serialize(registry.Collect());
}

}  // namespace tracker::metrics
