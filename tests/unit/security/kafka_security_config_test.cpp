// docs/security.md, "Kafka TLS and SASL": the TRACKER__KAFKA__CONFIG__*
// settings an operator writes reach librdkafka unchanged, and librdkafka
// (Debian's 2.0.2) accepts them. No broker is needed: a client is created,
// which is where librdkafka checks every property and their combination, and
// destroyed again without ever connecting (the bootstrap address is unused).
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <array>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "tracker/config/config.hpp"
#include "tracker/kafka/consumer.hpp"
#include "tracker/kafka/producer.hpp"
#include "tracker/kafka/properties.hpp"

namespace {

using tracker::config::Config;

// What docs/security.md tells an operator to set for SASL over TLS.
const std::vector<std::string> kSaslSslEnvironment{
    "TRACKER__KAFKA__SERVERS=[\"127.0.0.1:1\"]",
    "TRACKER__KAFKA__CONFIG__SECURITY_PROTOCOL=SASL_SSL",
    "TRACKER__KAFKA__CONFIG__SASL_MECHANISM=SCRAM-SHA-512",
    "TRACKER__KAFKA__CONFIG__SASL_USERNAME=tracker",
    "TRACKER__KAFKA__CONFIG__SASL_PASSWORD=s3cret|with=odd;chars",
    "TRACKER__KAFKA__CONFIG__SSL_ENDPOINT_IDENTIFICATION_ALGORITHM=https",
};

std::string builtin_features() {
  const std::unique_ptr<rd_kafka_conf_t, decltype(&rd_kafka_conf_destroy)> conf(
      rd_kafka_conf_new(), &rd_kafka_conf_destroy);
  std::array<char, 512> value{};
  std::size_t size = value.size();
  EXPECT_EQ(rd_kafka_conf_get(conf.get(), "builtin.features", value.data(), &size),
            RD_KAFKA_CONF_OK);
  return value.data();
}

// As both services bind them: the server list and the passthrough properties.
tracker::kafka::ProducerOptions producer_options(const std::vector<std::string>& environment) {
  const auto config = Config::load(tracker::config::tracker_keys(), environment);
  tracker::kafka::ProducerOptions options;
  options.servers = config.list("Kafka__Servers");
  options.properties = config.kafka_properties();
  return options;
}

/// What a service says starting with `environment`: the passthrough check it
/// makes first, then creating the producer.
std::string producer_error(const std::vector<std::string>& environment) {
  try {
    const auto config = Config::load(tracker::config::tracker_keys(), environment);
    tracker::kafka::check_properties(config.kafka_properties(), config.kafka_property_keys());
    tracker::kafka::Producer producer(producer_options(environment));
    producer.flush(std::chrono::milliseconds(0));
  } catch (const std::runtime_error& error) {
    return error.what();
  }
  return {};
}

TEST(KafkaSecurityConfig, LibrdkafkaHasTlsAndSaslBuiltIn) {
  const std::string features = builtin_features();
  for (const char* feature :
       {"ssl", "sasl_plain", "sasl_scram", "sasl_oauthbearer", "sasl_gssapi"}) {
    EXPECT_NE(features.find(feature), std::string::npos)
        << feature << " missing from: " << features;
  }
}

TEST(KafkaSecurityConfig, EnvironmentBecomesLibrdkafkaPropertyNames) {
  const auto properties =
      Config::load(tracker::config::tracker_keys(), kSaslSslEnvironment).kafka_properties();
  EXPECT_EQ(properties.at("security.protocol"), "SASL_SSL");
  EXPECT_EQ(properties.at("sasl.mechanism"), "SCRAM-SHA-512");
  EXPECT_EQ(properties.at("sasl.username"), "tracker");
  EXPECT_EQ(properties.at("sasl.password"), "s3cret|with=odd;chars");
  EXPECT_EQ(properties.at("ssl.endpoint.identification.algorithm"), "https");
}

TEST(KafkaSecurityConfig, ProducerAcceptsSaslOverTls) {
  EXPECT_EQ(producer_error(kSaslSslEnvironment), "");
}

TEST(KafkaSecurityConfig, ProducerAcceptsSaslPlainOverTlsWithACaFile) {
  auto environment = kSaslSslEnvironment;
  environment[2] = "TRACKER__KAFKA__CONFIG__SASL_MECHANISM=PLAIN";
  // Debian's CA bundle: any readable PEM file will do for creating the client.
  environment.push_back(
      "TRACKER__KAFKA__CONFIG__SSL_CA_LOCATION=/etc/ssl/certs/ca-certificates.crt");
  EXPECT_EQ(producer_error(environment), "");
}

TEST(KafkaSecurityConfig, ProducerAcceptsTlsWithoutSasl) {
  EXPECT_EQ(producer_error({"TRACKER__KAFKA__SERVERS=[\"127.0.0.1:1\"]",
                            "TRACKER__KAFKA__CONFIG__SECURITY_PROTOCOL=SSL"}),
            "");
}

// The line names the setting as the operator wrote it, not only the
// librdkafka property it became.
TEST(KafkaSecurityConfig, MisspeltPropertyIsRejectedNamingTheSetting) {
  auto environment = kSaslSslEnvironment;
  environment.push_back("tracker__kafka__config__sasl_mechanisms_typo=PLAIN");
  EXPECT_EQ(producer_error(environment),
            "tracker__kafka__config__sasl_mechanisms_typo: librdkafka refused "
            "sasl.mechanisms.typo: No such configuration property: \"sasl.mechanisms.typo\"");
}

TEST(KafkaSecurityConfig, BadValuesReachLibrdkafkaAndAreRejected) {
  auto protocol = kSaslSslEnvironment;
  protocol[1] = "TRACKER__KAFKA__CONFIG__SECURITY_PROTOCOL=SASL_TLS";
  EXPECT_EQ(
      producer_error(protocol).rfind(
          "TRACKER__KAFKA__CONFIG__SECURITY_PROTOCOL: librdkafka refused security.protocol: ", 0),
      0u)
      << producer_error(protocol);

  auto mechanism = kSaslSslEnvironment;
  mechanism[2] = "TRACKER__KAFKA__CONFIG__SASL_MECHANISM=SCRAM-SHA-1024";
  EXPECT_NE(producer_error(mechanism), "");

  auto ca = kSaslSslEnvironment;
  ca.push_back("TRACKER__KAFKA__CONFIG__SSL_CA_LOCATION=/nonexistent/ca.pem");
  EXPECT_NE(producer_error(ca), "");
}

TEST(KafkaSecurityConfig, ConsumerAcceptsSaslOverTls) {
  const auto config = Config::load(tracker::config::tracker_keys(), kSaslSslEnvironment);
  tracker::kafka::ConsumerOptions options;
  options.servers = config.list("Kafka__Servers");
  options.group_id = config.string("Worker__GroupId");
  options.topics = {config.string("Kafka__Topic")};
  options.properties = config.kafka_properties();
  EXPECT_NO_THROW(tracker::kafka::Consumer consumer(options));
}

}  // namespace
