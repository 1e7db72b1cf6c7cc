#include "tracker/kafka/producer.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <optional>
#include <shared_mutex>
#include <stdexcept>

#include "client_config.hpp"
#include "client_logging.hpp"
#include "handles.hpp"
#include "rate_limiter.hpp"

namespace tracker::kafka {
namespace {

// How long the poll thread waits for reports; bounds stop latency.
constexpr auto kPollTimeoutMs = 100;
constexpr auto kCloseFlushDeadline = std::chrono::seconds(5);
constexpr auto kPurgeReportDeadline = std::chrono::seconds(1);
constexpr auto kLogInterval = std::chrono::seconds(10);
// 5 min of broker outage before a message fails.
constexpr auto kDefaultMessageTimeoutMs = "300000";

}  // namespace

/// Owns the librdkafka handle, the cached topic handles and the poll thread.
/// Declaration order is destruction order in reverse: the thread stops
/// before the topics go, the topics go before the handle.
struct Producer::Impl {
  explicit Impl(ProducerOptions options);
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  Impl(Impl&&) = delete;
  Impl& operator=(Impl&&) = delete;

  rd_kafka_topic_t* topic(std::string_view name);
  ProduceResult produce(std::string_view topic_name, std::string_view value,
                        const std::vector<Header>& headers, std::optional<std::string_view> key);
  std::size_t flush(std::chrono::milliseconds deadline);
  std::size_t purge();
  std::size_t undelivered() const;
  void poll_loop();

  static void on_delivery(rd_kafka_t* rk, const rd_kafka_message_t* message, void* opaque);
  static void on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque);

  std::atomic<std::uint64_t> queued{0};
  std::atomic<std::uint64_t> delivered{0};
  std::atomic<std::uint64_t> failed{0};
  std::atomic<std::uint64_t> failed_possibly_stored{0};
  std::atomic<std::uint64_t> dropped{0};
  detail::RateLimiter delivery_failures{kLogInterval};
  detail::RateLimiter produce_failures{kLogInterval};
  detail::RateLimiter client_errors{kLogInterval};

  detail::KafkaPtr rk;
  std::shared_mutex topics_mutex;
  std::map<std::string, detail::TopicPtr, std::less<>> topics;
  // queued's value when the owner's last flush() ran out; the destructor does
  // not wait a second time for the same messages (see ~Impl).
  std::optional<std::uint64_t> queued_at_expired_flush;
  std::atomic<bool> stopping{false};
  std::atomic<bool> purging{false};  // set by purge(): reports are counted, not logged
  std::thread poller;  // the one thread that serves rd_kafka_poll (delivery reports, errors)
};

Producer::Impl::Impl(ProducerOptions options) {
  std::vector<std::pair<std::string, std::string>> properties{
      {"bootstrap.servers", detail::join_servers(options.servers)},
      {"enable.idempotence", "true"},
      {"compression.codec", options.compression},
      {"linger.ms", std::to_string(options.linger.count())},
      {"queue.buffering.max.messages", std::to_string(options.queue_max_messages)},
      {"message.timeout.ms", kDefaultMessageTimeoutMs},
  };
  detail::append(properties, options.properties);

  detail::ConfPtr conf(rd_kafka_conf_new());
  detail::set_properties(conf.get(), properties, "kafka producer");
  rd_kafka_conf_set_opaque(conf.get(), this);
  rd_kafka_conf_set_dr_msg_cb(conf.get(), &Impl::on_delivery);
  rd_kafka_conf_set_error_cb(conf.get(), &Impl::on_error);
  detail::route_logs_to_spdlog(conf.get());
  rk = detail::create_client(RD_KAFKA_PRODUCER, conf, "kafka producer");  // rk owns conf now
  poller = std::thread([this] { poll_loop(); });
}

Producer::Impl::~Impl() {
  // Staged stop: drain against a deadline, purge what is left (counted as
  // failed through its delivery reports), then stop serving and destroy.
  // If the owner's own flush already ran out of time and nothing was queued
  // since, waiting again would only lengthen the shutdown (past a container's
  // grace period when Kafka is down): purge at once.
  const bool waited_already = queued_at_expired_flush == queued.load(std::memory_order_relaxed);
  const std::size_t remaining = waited_already ? undelivered() : flush(kCloseFlushDeadline);
  if (remaining > 0) {
    // After the owner's own purge(), its line has told of these already
    // (reports that came too late for its wait).
    const bool told = purging.load(std::memory_order_relaxed);
    const auto possibly_stored_before = failed_possibly_stored.load(std::memory_order_relaxed);
    purge();
    if (!told) {
      spdlog::warn(
          "kafka producer: {} messages undelivered at shutdown, dropped ({} of them sent without "
          "a reply: Kafka may have stored them)",
          remaining,
          failed_possibly_stored.load(std::memory_order_relaxed) - possibly_stored_before);
    }
  }
  stopping.store(true, std::memory_order_relaxed);
  if (poller.joinable()) poller.join();
}

std::size_t Producer::Impl::purge() {
  const std::size_t remaining = undelivered();
  if (remaining == 0) return 0;
  // The caller's line says it all: no report per purged message.
  purging.store(true, std::memory_order_relaxed);
  rd_kafka_purge(rk.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  // The purged messages' reports (counted as failed) come through the poller.
  rd_kafka_flush(rk.get(),
                 static_cast<int>(std::chrono::milliseconds(kPurgeReportDeadline).count()));
  return remaining;
}

void Producer::Impl::poll_loop() {
  while (!stopping.load(std::memory_order_relaxed)) rd_kafka_poll(rk.get(), kPollTimeoutMs);
}

rd_kafka_topic_t* Producer::Impl::topic(std::string_view name) {
  {
    std::shared_lock lock(topics_mutex);
    if (const auto it = topics.find(name); it != topics.end()) return it->second.get();
  }
  std::unique_lock lock(topics_mutex);
  if (const auto it = topics.find(name); it != topics.end()) return it->second.get();
  std::string owned(name);
  detail::TopicPtr handle(rd_kafka_topic_new(rk.get(), owned.c_str(), nullptr));
  if (!handle) return nullptr;
  return topics.emplace(std::move(owned), std::move(handle)).first->second.get();
}

ProduceResult Producer::Impl::produce(std::string_view topic_name, std::string_view value,
                                      const std::vector<Header>& headers,
                                      std::optional<std::string_view> key) {
  rd_kafka_topic_t* rkt = topic(topic_name);
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
  if (rkt != nullptr) {
    // RD_KAFKA_MSG_F_COPY: librdkafka copies the bytes, so the caller's
    // buffers may go right after the call. Never RD_KAFKA_MSG_F_BLOCK.
    std::array<rd_kafka_vu_t, 5> vus{};
    std::size_t count = 0;
    vus[count].vtype = RD_KAFKA_VTYPE_RKT;
    vus[count++].u.rkt = rkt;
    vus[count].vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vus[count++].u.i = RD_KAFKA_MSG_F_COPY;
    vus[count].vtype = RD_KAFKA_VTYPE_VALUE;
    vus[count].u.mem.ptr = const_cast<char*>(value.data());  // copied, never written
    vus[count++].u.mem.size = value.size();
    if (key) {
      vus[count].vtype = RD_KAFKA_VTYPE_KEY;
      vus[count].u.mem.ptr = const_cast<char*>(key->data());
      vus[count++].u.mem.size = key->size();
    }
    rd_kafka_headers_t* message_headers = nullptr;
    if (!headers.empty()) {
      message_headers = rd_kafka_headers_new(headers.size());
      for (const auto& [name, header_value] : headers) {
        rd_kafka_header_add(message_headers, name.data(), static_cast<ssize_t>(name.size()),
                            header_value.data(), static_cast<ssize_t>(header_value.size()));
      }
      vus[count].vtype = RD_KAFKA_VTYPE_HEADERS;
      vus[count++].u.headers = message_headers;
    }
    const detail::ErrorPtr error(rd_kafka_produceva(rk.get(), vus.data(), count));
    err = error ? rd_kafka_error_code(error.get()) : RD_KAFKA_RESP_ERR_NO_ERROR;
    // The message owns the headers only when it was accepted.
    if (error && message_headers != nullptr) rd_kafka_headers_destroy(message_headers);
  }
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    queued.fetch_add(1, std::memory_order_relaxed);
    return ProduceResult::Queued;
  }
  dropped.fetch_add(1, std::memory_order_relaxed);
  if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) return ProduceResult::QueueFull;
  if (err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) return ProduceResult::TooLarge;
  if (const auto count = produce_failures.record()) {
    spdlog::error("kafka producer: {} messages to {} refused: {}", *count, topic_name,
                  rd_kafka_err2str(err));
  }
  return ProduceResult::Failed;
}

std::size_t Producer::Impl::flush(std::chrono::milliseconds deadline) {
  rd_kafka_flush(rk.get(), static_cast<int>(deadline.count()));
  const std::size_t remaining = undelivered();
  if (remaining > 0) queued_at_expired_flush = queued.load(std::memory_order_relaxed);
  return remaining;
}

// From our counters rather than rd_kafka_outq_len, which also counts
// librdkafka's pending events (e.g. error notices), not only messages.
std::size_t Producer::Impl::undelivered() const {
  // A report can run before its message is counted queued (the count
  // follows produceva's return): the clamp keeps that moment at 0.
  const auto done =
      delivered.load(std::memory_order_relaxed) + failed.load(std::memory_order_relaxed);
  const auto accepted = queued.load(std::memory_order_relaxed);
  return accepted > done ? static_cast<std::size_t>(accepted - done) : 0;
}

void Producer::Impl::on_delivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* message,
                                 void* opaque) {
  auto* self = static_cast<Impl*>(opaque);
  if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    self->delivered.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  self->failed.fetch_add(1, std::memory_order_relaxed);
  // Sent, but no reply came (timed out or purged in flight): the broker may
  // have stored it, and no one can tell. Counted apart, so that "failed"
  // minus these is what surely never reached Kafka.
  if (rd_kafka_message_status(message) != RD_KAFKA_MSG_STATUS_NOT_PERSISTED) {
    self->failed_possibly_stored.fetch_add(1, std::memory_order_relaxed);
  }
  if (self->purging.load(std::memory_order_relaxed)) return;
  if (const auto count = self->delivery_failures.record()) {
    spdlog::error("kafka producer: {} messages failed delivery (last: {})", *count,
                  rd_kafka_err2str(message->err));
  }
}

void Producer::Impl::on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* self = static_cast<Impl*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    // Idempotence guarantees are broken: every later produce() fails. Loud,
    // and not rate-limited: it happens once per client.
    std::array<char, 512> detail_text{};
    const rd_kafka_resp_err_t fatal =
        rd_kafka_fatal_error(rk, detail_text.data(), detail_text.size());
    spdlog::critical("kafka producer: FATAL {}: {} (producer unusable until restart)",
                     rd_kafka_err2name(fatal), detail_text.data());
    return;
  }
  // Broker-down and transport errors repeat while the cluster is away.
  if (const auto count = self->client_errors.record()) {
    spdlog::warn("kafka producer: {} ({} client errors in the last interval)", reason, *count);
  }
}

Producer::Producer(ProducerOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Producer::~Producer() = default;

ProduceResult Producer::produce(std::string_view topic, std::string_view value,
                                const std::vector<Header>& headers,
                                std::optional<std::string_view> key) {
  return impl_->produce(topic, value, headers, key);
}

std::size_t Producer::flush(std::chrono::milliseconds deadline) { return impl_->flush(deadline); }

ProducerStats Producer::stats() const {
  return {impl_->queued.load(std::memory_order_relaxed),
          impl_->delivered.load(std::memory_order_relaxed),
          impl_->failed.load(std::memory_order_relaxed),
          impl_->failed_possibly_stored.load(std::memory_order_relaxed),
          impl_->dropped.load(std::memory_order_relaxed)};
}

std::size_t Producer::purge() { return impl_->purge(); }

std::size_t Producer::queue_depth() const { return impl_->undelivered(); }

}  // namespace tracker::kafka
