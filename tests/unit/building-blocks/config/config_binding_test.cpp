#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tracker/config/config.hpp"

namespace tracker::config {
namespace {

using Strings = std::vector<std::string>;

Config load(const Strings& environment) { return Config::load(tracker_keys(), environment); }

TEST(ConfigBinding, DefaultsMakeALocalRunWork) {
  const auto config = load({});
  EXPECT_EQ(config.list("Kafka__Servers"), Strings{"localhost:9092"});
  EXPECT_EQ(config.string("Kafka__Topic"), "user-events");
  EXPECT_EQ(config.string("Kafka__DeadLetterTopic"), "user-events.dlq");
  EXPECT_EQ(config.integer("Http__Port"), 8080);
  EXPECT_EQ(config.integer("Admin__Port"), 9090);
  EXPECT_EQ(config.string("Pixel__Image"), "");
  EXPECT_TRUE(config.list("Pixel__TrustedProxies").empty());
  EXPECT_EQ(config.string("FileEventStore__File"), "events.log");
  EXPECT_EQ(config.string("Log__Level"), "info");
  EXPECT_EQ(config.string("Log__Format"), "text");
  EXPECT_TRUE(config.kafka_properties().empty());
}

TEST(ConfigBinding, EnvironmentOverridesDefaultsAtEveryLevel) {
  const auto config = load({"TRACKER__KAFKA__TOPIC=visits", "TRACKER__HTTP__PORT=4000",
                            "TRACKER__KAFKA__PRODUCER__LINGERMS=20",
                            "TRACKER__FILEEVENTSTORE__FILE=/data/events.log"});
  EXPECT_EQ(config.string("Kafka__Topic"), "visits");
  EXPECT_EQ(config.integer("Http__Port"), 4000);
  EXPECT_EQ(config.integer("Kafka__Producer__LingerMs"), 20);
  EXPECT_EQ(config.string("FileEventStore__File"), "/data/events.log");
}

TEST(ConfigBinding, NamesAndPrefixAreCaseInsensitive) {
  const auto config =
      load({"tracker__kafka__topic=a", "Tracker__Http__Port=81", "TRACKER__worker__GROUPid=g"});
  EXPECT_EQ(config.string("KAFKA__TOPIC"), "a");
  EXPECT_EQ(config.string("kafka__topic"), "a");
  EXPECT_EQ(config.integer("http__port"), 81);
  EXPECT_EQ(config.string("Worker__GroupId"), "g");
}

TEST(ConfigBinding, IgnoresVariablesWithoutThePrefix) {
  const auto config = load({"PATH=/usr/bin", "TRACKER_HTTP_PORT=1", "TRACKERX__A=1", "HOME=/root"});
  EXPECT_EQ(config.integer("Http__Port"), 8080);
}

TEST(ConfigBinding, ValueMayContainEqualsSigns) {
  const auto config = load({"TRACKER__KAFKA__TOPIC=a=b"});
  EXPECT_EQ(config.string("Kafka__Topic"), "a=b");
}

TEST(ConfigBinding, ListAsJsonArray) {
  const auto config = load({R"(TRACKER__KAFKA__SERVERS=["kafka:29092", "b:9092"])"});
  EXPECT_EQ(config.list("Kafka__Servers"), (Strings{"kafka:29092", "b:9092"}));
}

TEST(ConfigBinding, ListAsEmptyJsonArray) {
  const auto config = load({"TRACKER__PIXEL__TRUSTEDPROXIES=[]"});
  EXPECT_TRUE(config.list("Pixel__TrustedProxies").empty());
}

TEST(ConfigBinding, ListAsCommaListTrimsAndDropsEmptyItems) {
  const auto config = load({"TRACKER__PIXEL__TRUSTEDPROXIES= 10.0.0.0/8 ,,192.168.0.0/16 "});
  EXPECT_EQ(config.list("Pixel__TrustedProxies"), (Strings{"10.0.0.0/8", "192.168.0.0/16"}));
}

TEST(ConfigBinding, ListAsSingleValue) {
  const auto config = load({"TRACKER__KAFKA__SERVERS=kafka:29092"});
  EXPECT_EQ(config.list("Kafka__Servers"), Strings{"kafka:29092"});
}

TEST(ConfigBinding, ListAsDotNetIndexKeysInAnyOrder) {
  const auto config =
      load({"TRACKER__KAFKA__SERVERS__1=b:9092", "tracker__kafka__servers__0=a:9092",
            "TRACKER__KAFKA__SERVERS__2=c:9092"});
  EXPECT_EQ(config.list("Kafka__Servers"), (Strings{"a:9092", "b:9092", "c:9092"}));
}

TEST(ConfigBinding, IndexKeyValueIsTakenLiterallyNotSplitOnCommas) {
  const auto config = load({"TRACKER__KAFKA__SERVERS__0=a,b"});
  EXPECT_EQ(config.list("Kafka__Servers"), Strings{"a,b"});
}

TEST(ConfigBinding, IndexKeyValuesAreTrimmedAsOtherListItemsAre) {
  const auto config = load({"TRACKER__PIXEL__TRUSTEDPROXIES__0= 10.0.0.0/8 "});
  EXPECT_EQ(config.list("Pixel__TrustedProxies"), Strings{"10.0.0.0/8"});
}

TEST(ConfigBinding, KafkaPassthroughLowerCasesAndDotsTheName) {
  const auto config = load({"TRACKER__KAFKA__CONFIG__SASL_MECHANISM=PLAIN",
                            "tracker__kafka__config__security_protocol=SASL_SSL",
                            "TRACKER__KAFKA__CONFIG__SASL__USERNAME=Alice"});
  const std::map<std::string, std::string> expected{
      {"sasl.mechanism", "PLAIN"}, {"security.protocol", "SASL_SSL"}, {"sasl.username", "Alice"}};
  EXPECT_EQ(config.kafka_properties(), expected);
}

TEST(ConfigBinding, DefaultOverridesReplaceSchemaDefaults) {
  const auto worker = Config::load(tracker_keys(), {}, {{"Admin__Port", "9091"}});
  EXPECT_EQ(worker.integer("Admin__Port"), 9091);
  const auto configured =
      Config::load(tracker_keys(), {"TRACKER__ADMIN__PORT=7000"}, {{"Admin__Port", "9091"}});
  EXPECT_EQ(configured.integer("Admin__Port"), 7000);
}

TEST(ConfigBinding, IntegersAcceptSurroundingSpacesAndRangeEdges) {
  EXPECT_EQ(load({"TRACKER__HTTP__PORT= 0 "}).integer("Http__Port"), 0);
  EXPECT_EQ(load({"TRACKER__HTTP__PORT=65535"}).integer("Http__Port"), 65535);
}

TEST(ConfigBinding, StringReadsIntegerKeysAsWritten) {
  EXPECT_EQ(load({"TRACKER__HTTP__PORT=4000"}).string("Http__Port"), "4000");
}

TEST(ConfigBinding, BooleansAcceptTrueFalseOneZeroInAnyCase) {
  const std::vector<KeyDefinition> schema{{"Feature__On", ValueType::Boolean, "false", "a switch"}};
  EXPECT_FALSE(Config::load(schema, {}).boolean("Feature__On"));
  for (const std::string yes : {"true", "TRUE", "True", "1", " true "}) {
    EXPECT_TRUE(Config::load(schema, {"TRACKER__FEATURE__ON=" + yes}).boolean("feature__on"))
        << yes;
  }
  for (const std::string no : {"false", "FALSE", "False", "0"}) {
    EXPECT_FALSE(Config::load(schema, {"TRACKER__FEATURE__ON=" + no}).boolean("Feature__On")) << no;
  }
}

TEST(ConfigBinding, AskingForAKeyOutsideTheSchemaIsAProgrammingError) {
  const auto config = load({});
  EXPECT_THROW((void)config.string("Nope"), std::logic_error);
  EXPECT_THROW((void)config.integer("Kafka__Topic"), std::logic_error);
  EXPECT_THROW((void)config.boolean("Http__Port"), std::logic_error);
  EXPECT_THROW((void)config.list("Kafka__Topic"), std::logic_error);
  EXPECT_THROW((void)config.string("Kafka__Servers"), std::logic_error);
}

TEST(ConfigBinding, ProcessEnvironmentIsRead) {
  ASSERT_EQ(setenv("TRACKER__KAFKA__TOPIC", "from-process", 1), 0);
  const auto config = Config::from_process_environment({{"Admin__Port", "9091"}});
  unsetenv("TRACKER__KAFKA__TOPIC");
  EXPECT_EQ(config.string("Kafka__Topic"), "from-process");
  EXPECT_EQ(config.integer("Admin__Port"), 9091);
}

}  // namespace
}  // namespace tracker::config
