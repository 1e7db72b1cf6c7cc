#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <stdexcept>
#include <string>

#include "client_config.hpp"
#include "client_logging.hpp"
#include "consumer_impl.hpp"

namespace tracker::kafka {

static_assert(kOffsetBeginning == RD_KAFKA_OFFSET_BEGINNING);

namespace {

constexpr auto kLogInterval = std::chrono::seconds(10);
constexpr int kSeekTimeoutMs = 10'000;

Message to_message(const rd_kafka_message_t& raw) {
  Message message;
  message.topic = rd_kafka_topic_name(raw.rkt);
  message.partition = raw.partition;
  message.offset = raw.offset;
  if (raw.payload != nullptr) message.value.assign(static_cast<const char*>(raw.payload), raw.len);
  if (raw.key != nullptr) message.key.emplace(static_cast<const char*>(raw.key), raw.key_len);
  rd_kafka_headers_t* headers = nullptr;  // owned by the message
  if (rd_kafka_message_headers(&raw, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name = nullptr;
    const void* value = nullptr;
    std::size_t size = 0;
    for (std::size_t i = 0;
         rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      message.headers.emplace_back(name, value == nullptr
                                             ? std::string()
                                             : std::string(static_cast<const char*>(value), size));
    }
  }
  return message;
}

}  // namespace

Consumer::Impl::Impl(ConsumerOptions opts, RebalanceHooks rebalance_hooks)
    : options(std::move(opts)),
      hooks(std::move(rebalance_hooks)),
      message_errors(kLogInterval),
      client_errors(kLogInterval) {
  std::vector<std::pair<std::string, std::string>> properties{
      {"bootstrap.servers", detail::join_servers(options.servers)},
      {"group.id", options.group_id},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
  };
  detail::append(properties, options.properties);

  detail::ConfPtr conf(rd_kafka_conf_new());
  detail::set_properties(conf.get(), properties, "kafka consumer");
  rd_kafka_conf_set_opaque(conf.get(), this);
  rd_kafka_conf_set_rebalance_cb(conf.get(), &Impl::on_rebalance);
  rd_kafka_conf_set_error_cb(conf.get(), &Impl::on_error);
  detail::route_logs_to_spdlog(conf.get());
  rk = detail::create_client(RD_KAFKA_CONSUMER, conf, "kafka consumer");  // rk owns conf now

  // One queue for everything (messages, rebalances, errors), served by poll().
  rd_kafka_poll_set_consumer(rk.get());
  const auto topics = detail::to_list(
      [&] {
        std::vector<TopicPartition> list;
        for (const auto& topic : options.topics) list.push_back({topic, RD_KAFKA_PARTITION_UA});
        return list;
      }(),
      RD_KAFKA_OFFSET_INVALID);
  if (const auto err = rd_kafka_subscribe(rk.get(), topics.get());
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw std::runtime_error(std::string("kafka consumer: subscribe: ") + rd_kafka_err2str(err));
  }
}

Consumer::Impl::~Impl() { close(); }

void Consumer::Impl::close() {
  if (closed) return;
  closed = true;
  // Runs the revoke callback (on_revoked: the owner commits) and leaves the
  // group. librdkafka waits for commits still in flight: with Kafka
  // unreachable, until they time out (up to a minute).
  if (const auto err = rd_kafka_consumer_close(rk.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::warn("kafka consumer: close: {}", rd_kafka_err2str(err));
  }
}

void Consumer::Impl::on_error(rd_kafka_t* rk, int err, const char* reason, void* opaque) {
  auto* self = static_cast<Impl*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__FATAL) {
    std::array<char, 512> text{};
    rd_kafka_fatal_error(rk, text.data(), text.size());
    spdlog::critical("kafka consumer: FATAL {} (consumer unusable until restart)", text.data());
    return;
  }
  if (const auto count = self->client_errors.record()) {
    spdlog::warn("kafka consumer: {} ({} client errors in the last interval)", reason, *count);
  }
}

Consumer::Consumer(ConsumerOptions options, RebalanceHooks hooks)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(hooks))) {}

Consumer::~Consumer() = default;

std::vector<Message> Consumer::poll(std::size_t max_messages, std::chrono::milliseconds timeout,
                                    std::size_t max_bytes) {
  std::vector<Message> messages;
  if (impl_->closed) return messages;
  int wait_ms = static_cast<int>(timeout.count());
  std::size_t bytes = 0;
  while (messages.size() < max_messages && bytes < max_bytes) {
    const detail::MessagePtr raw(rd_kafka_consumer_poll(impl_->rk.get(), wait_ms));
    if (!raw) break;
    wait_ms = 0;  // after the first message, take only what has already arrived
    if (raw->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      bytes += raw->len;
      messages.push_back(to_message(*raw));
    } else if (raw->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (const auto count = impl_->message_errors.record()) {
        // Where: a partition stuck on a batch it cannot read is found by this.
        const std::string where =
            raw->rkt == nullptr
                ? std::string{}
                : fmt::format(" {}[{}] at offset {}:", rd_kafka_topic_name(raw->rkt),
                              raw->partition, raw->offset);
        spdlog::warn("kafka consumer:{} {} ({} consumer errors in the last interval)", where,
                     rd_kafka_message_errstr(raw.get()), *count);
      }
    }
  }
  return messages;
}

bool Consumer::commit(const std::map<TopicPartition, std::int64_t>& next_offsets,
                      std::chrono::milliseconds timeout) {
  if (next_offsets.empty()) return true;
  const auto list = detail::to_list(next_offsets);
  // The result comes back as an event on a queue of our own, so the wait is ours to bound.
  const detail::QueuePtr queue{rd_kafka_queue_new(impl_->rk.get())};
  if (const auto err =
          rd_kafka_commit_queue(impl_->rk.get(), list.get(), queue.get(), nullptr, nullptr);
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::error("kafka consumer: commit failed: {}", rd_kafka_err2str(err));
    return false;
  }
  const detail::EventPtr result{
      rd_kafka_queue_poll(queue.get(), static_cast<int>(timeout.count()))};
  if (!result) {
    spdlog::error("kafka consumer: commit not answered within {} ms (Kafka unreachable?)",
                  timeout.count());
    return false;
  }
  bool ok = true;
  if (const auto err = rd_kafka_event_error(result.get()); err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::error("kafka consumer: commit failed: {}", rd_kafka_err2str(err));
    ok = false;
  }
  if (const auto* answered = rd_kafka_event_topic_partition_list(result.get())) {
    for (int i = 0; i < answered->cnt; ++i) {
      if (answered->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        spdlog::error("kafka consumer: commit {}[{}] failed: {}", answered->elems[i].topic,
                      answered->elems[i].partition, rd_kafka_err2str(answered->elems[i].err));
        ok = false;
      }
    }
  }
  return ok;
}

void Consumer::seek(const TopicPartition& partition, std::int64_t offset) {
  const auto list = detail::to_list(std::vector<TopicPartition>{partition}, offset);
  const detail::ErrorPtr error(
      rd_kafka_seek_partitions(impl_->rk.get(), list.get(), kSeekTimeoutMs));
  if (error) {
    spdlog::error("kafka consumer: seek {}[{}] to {} failed: {}", partition.topic,
                  partition.partition, offset, rd_kafka_error_string(error.get()));
  } else if (list->elems[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::error("kafka consumer: seek {}[{}] to {} failed: {}", partition.topic,
                  partition.partition, offset, rd_kafka_err2str(list->elems[0].err));
  }
}

void Consumer::pause(const std::vector<TopicPartition>& partitions) {
  const auto list = detail::to_list(partitions, RD_KAFKA_OFFSET_INVALID);
  if (const auto err = rd_kafka_pause_partitions(impl_->rk.get(), list.get());
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::error("kafka consumer: pause failed: {}", rd_kafka_err2str(err));
  }
}

void Consumer::resume(const std::vector<TopicPartition>& partitions) {
  const auto list = detail::to_list(partitions, RD_KAFKA_OFFSET_INVALID);
  if (const auto err = rd_kafka_resume_partitions(impl_->rk.get(), list.get());
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::error("kafka consumer: resume failed: {}", rd_kafka_err2str(err));
  }
}

std::vector<TopicPartition> Consumer::assignment() const {
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (rd_kafka_assignment(impl_->rk.get(), &raw) != RD_KAFKA_RESP_ERR_NO_ERROR) return {};
  const detail::PartitionListPtr list(raw);
  return detail::to_vector(list.get());
}

std::map<TopicPartition, std::int64_t> Consumer::lag() const {
  std::map<TopicPartition, std::int64_t> lags;
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (rd_kafka_assignment(impl_->rk.get(), &raw) != RD_KAFKA_RESP_ERR_NO_ERROR) return lags;
  const detail::PartitionListPtr list(raw);
  rd_kafka_position(impl_->rk.get(), list.get());  // next offset to consume, per partition
  for (int i = 0; i < list->cnt; ++i) {
    const auto& elem = list->elems[i];
    std::int64_t low = RD_KAFKA_OFFSET_INVALID;
    std::int64_t high = RD_KAFKA_OFFSET_INVALID;
    // Cached from the last fetch response: no broker round trip.
    if (rd_kafka_get_watermark_offsets(impl_->rk.get(), elem.topic, elem.partition, &low, &high) !=
            RD_KAFKA_RESP_ERR_NO_ERROR ||
        high < 0) {
      continue;  // not fetched yet: lag unknown, left out
    }
    const std::int64_t from = elem.offset >= 0 ? elem.offset : low;
    if (from >= 0) lags[{elem.topic, elem.partition}] = std::max<std::int64_t>(0, high - from);
  }
  return lags;
}

std::map<TopicPartition, std::int64_t> Consumer::committed(
    const std::vector<TopicPartition>& partitions, std::chrono::milliseconds timeout) const {
  std::map<TopicPartition, std::int64_t> offsets;
  if (partitions.empty()) return offsets;
  const auto list = detail::to_list(partitions, RD_KAFKA_OFFSET_INVALID);
  if (const auto err =
          rd_kafka_committed(impl_->rk.get(), list.get(), static_cast<int>(timeout.count()));
      err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    spdlog::warn("kafka consumer: reading committed offsets failed: {}", rd_kafka_err2str(err));
    return offsets;
  }
  for (int i = 0; i < list->cnt; ++i) {
    const auto& elem = list->elems[i];
    if (elem.err == RD_KAFKA_RESP_ERR_NO_ERROR && elem.offset >= 0)
      offsets[{elem.topic, elem.partition}] = elem.offset;
  }
  return offsets;
}

std::map<TopicPartition, Watermarks> Consumer::query_watermarks(
    const std::vector<TopicPartition>& partitions, std::chrono::milliseconds timeout) const {
  std::map<TopicPartition, Watermarks> logs;
  for (const auto& partition : partitions) {
    Watermarks log;
    if (const auto err = rd_kafka_query_watermark_offsets(impl_->rk.get(), partition.topic.c_str(),
                                                          partition.partition, &log.low, &log.high,
                                                          static_cast<int>(timeout.count()));
        err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      spdlog::warn("kafka consumer: reading the offsets of {}[{}] failed: {}", partition.topic,
                   partition.partition, rd_kafka_err2str(err));
      continue;
    }
    logs[partition] = log;
  }
  return logs;
}

void Consumer::close() { impl_->close(); }

}  // namespace tracker::kafka
