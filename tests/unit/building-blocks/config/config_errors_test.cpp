#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tracker/config/config.hpp"

namespace tracker::config {
namespace {

/// The one line an operator sees when start-up stops on `environment`.
std::string error_for(const std::vector<std::string>& environment,
                      const std::vector<KeyDefinition>& schema = tracker_keys()) {
  try {
    (void)Config::load(schema, environment);
  } catch (const ConfigError& error) {
    return error.what();
  }
  return "(no error)";
}

TEST(ConfigErrors, UnknownKeyNamesTheKeyMeant) {
  EXPECT_EQ(error_for({"TRACKER__FILEEVENTSTORE_FILE=x"}),
            "TRACKER__FILEEVENTSTORE_FILE: unknown key (did you mean "
            "TRACKER__FILEEVENTSTORE__FILE?)");
}

TEST(ConfigErrors, UnknownKeySuggestionKeepsTheOperatorsSpellingOfTheBadKey) {
  EXPECT_EQ(error_for({"tracker__kafka__topik=x"}),
            "tracker__kafka__topik: unknown key (did you mean TRACKER__KAFKA__TOPIC?)");
}

TEST(ConfigErrors, UnknownKeyFarFromAnyKnownKeyHasNoSuggestion) {
  EXPECT_EQ(error_for({"TRACKER__DATABASE__CONNECTIONSTRING=x"}),
            "TRACKER__DATABASE__CONNECTIONSTRING: unknown key (docs/configuration.md lists the "
            "known keys)");
}

TEST(ConfigErrors, SectionWithoutKeyIsUnknown) {
  EXPECT_EQ(error_for({"TRACKER__KAFKA=x"}),
            "TRACKER__KAFKA: unknown key (docs/configuration.md lists the known keys)");
}

TEST(ConfigErrors, IndexOnANonListKeyIsUnknown) {
  EXPECT_EQ(error_for({"TRACKER__HTTP__PORT__0=1"}),
            "TRACKER__HTTP__PORT__0: unknown key (did you mean TRACKER__HTTP__PORT?)");
}

TEST(ConfigErrors, ANonIntegerIsRefusedQuotingTheKeyAndValue) {
  EXPECT_EQ(error_for({"TRACKER__HTTP__PORT=80a"}),
            R"(TRACKER__HTTP__PORT: not an integer: "80a")");
  EXPECT_EQ(error_for({"TRACKER__HTTP__PORT="}), R"(TRACKER__HTTP__PORT: not an integer: "")");
  EXPECT_EQ(error_for({"TRACKER__WORKER__BATCHMAXEVENTS=1.5"}),
            R"(TRACKER__WORKER__BATCHMAXEVENTS: not an integer: "1.5")");
  EXPECT_EQ(error_for({"TRACKER__WORKER__BATCHMAXEVENTS=99999999999999999999"}),
            R"(TRACKER__WORKER__BATCHMAXEVENTS: not an integer: "99999999999999999999")");
}

TEST(ConfigErrors, PortOutOfRange) {
  EXPECT_EQ(error_for({"TRACKER__HTTP__PORT=70000"}),
            "TRACKER__HTTP__PORT: 70000 is out of range 0..65535");
  EXPECT_EQ(error_for({"TRACKER__ADMIN__PORT=-1"}),
            "TRACKER__ADMIN__PORT: -1 is out of range 0..65535");
}

// A bad address used to be found only when the port opened, after Kafka had
// started, in a line that did not name the key (the admin port's).
TEST(ConfigErrors, AnAddressThatIsNotAnIpAddress) {
  EXPECT_EQ(
      error_for({"TRACKER__ADMIN__ADDRESS=not-an-ip"}),
      R"(TRACKER__ADMIN__ADDRESS: not an IP address (such as 0.0.0.0, 127.0.0.1 or ::): "not-an-ip")");
  EXPECT_EQ(
      error_for({"TRACKER__HTTP__ADDRESS=localhost"}),
      R"(TRACKER__HTTP__ADDRESS: not an IP address (such as 0.0.0.0, 127.0.0.1 or ::): "localhost")");
  EXPECT_EQ(
      error_for({"TRACKER__HTTP__ADDRESS=10.0.0.256"}),
      R"(TRACKER__HTTP__ADDRESS: not an IP address (such as 0.0.0.0, 127.0.0.1 or ::): "10.0.0.256")");
  EXPECT_EQ(error_for({"TRACKER__HTTP__ADDRESS=  "}), "TRACKER__HTTP__ADDRESS: must not be empty");
}

TEST(ConfigErrors, ALinkLocalAddressMayNameItsInterface) {
  const auto config = Config::load(tracker_keys(), {"TRACKER__HTTP__ADDRESS=fe80::1%eth0"});
  EXPECT_EQ(config.string("Http__Address"), "fe80::1%eth0");
  EXPECT_EQ(
      error_for({"TRACKER__HTTP__ADDRESS=fe80::1%"}),
      R"(TRACKER__HTTP__ADDRESS: not an IP address (such as 0.0.0.0, 127.0.0.1 or ::): "fe80::1%")");
  EXPECT_EQ(
      error_for({"TRACKER__HTTP__ADDRESS=10.0.0.1%eth0"}),
      R"(TRACKER__HTTP__ADDRESS: not an IP address (such as 0.0.0.0, 127.0.0.1 or ::): "10.0.0.1%eth0")");
}

TEST(ConfigErrors, AnAddressIsTakenWithoutTheSpacesAroundIt) {
  const auto config = Config::load(
      tracker_keys(), {"TRACKER__ADMIN__ADDRESS= ::1 ", "TRACKER__HTTP__ADDRESS=127.0.0.1\t"});
  EXPECT_EQ(config.string("Admin__Address"), "::1");
  EXPECT_EQ(config.string("Http__Address"), "127.0.0.1");
}

TEST(ConfigErrors, ANonBooleanIsRefusedNamingTheAcceptedSpellings) {
  const std::vector<KeyDefinition> schema{{"Feature__On", ValueType::Boolean, "false", "a switch"}};
  EXPECT_EQ(error_for({"TRACKER__FEATURE__ON=yes"}, schema),
            R"(TRACKER__FEATURE__ON: not a boolean (true, false, 1 or 0): "yes")");
}

TEST(ConfigErrors, BadJsonList) {
  EXPECT_EQ(error_for({R"(TRACKER__KAFKA__SERVERS=["a:9092")"}),
            R"(TRACKER__KAFKA__SERVERS: not a valid JSON array: "[\"a:9092\"")");
  EXPECT_EQ(error_for({R"(TRACKER__KAFKA__SERVERS=["a:9092", 7])"}),
            R"(TRACKER__KAFKA__SERVERS: list item 1 is not a string: "[\"a:9092\", 7]")");
}

TEST(ConfigErrors, BadValueIsTruncatedAndKeptOnOneLine) {
  const std::string value = "x\n" + std::string(100, 'y');
  EXPECT_EQ(error_for({"TRACKER__HTTP__PORT=" + value}),
            R"(TRACKER__HTTP__PORT: not an integer: "x\x0a)" + std::string(58, 'y') +
                "\"... (102 bytes)");
}

TEST(ConfigErrors, IndexKeysWithAGapAreRefusedNamingTheMissingOne) {
  EXPECT_EQ(error_for({"TRACKER__KAFKA__SERVERS__0=a", "TRACKER__KAFKA__SERVERS__2=c"}),
            "TRACKER__KAFKA__SERVERS__2: index keys must count up from 0 (missing "
            "TRACKER__KAFKA__SERVERS__1)");
}

TEST(ConfigErrors, ListSetBothWholeAndByIndex) {
  EXPECT_EQ(error_for({"TRACKER__KAFKA__SERVERS=[\"a\"]", "TRACKER__KAFKA__SERVERS__0=b"}),
            "TRACKER__KAFKA__SERVERS__0: set both by index and as TRACKER__KAFKA__SERVERS");
}

TEST(ConfigErrors, EmptyValuesThatWouldStartAServiceThatDoesNothing) {
  // An empty server list, topic or file: the service would start, answer
  // ready, and deliver or store nothing.
  EXPECT_EQ(error_for({"TRACKER__KAFKA__SERVERS="}),
            "TRACKER__KAFKA__SERVERS: must list at least one entry");
  EXPECT_EQ(error_for({"TRACKER__KAFKA__SERVERS=[]"}),
            "TRACKER__KAFKA__SERVERS: must list at least one entry");
  EXPECT_EQ(error_for({"TRACKER__KAFKA__SERVERS= , "}),
            "TRACKER__KAFKA__SERVERS: must list at least one entry");
  EXPECT_EQ(error_for({R"(TRACKER__KAFKA__SERVERS=["a:9092", " "])"}),
            "TRACKER__KAFKA__SERVERS: has an empty entry");
  EXPECT_EQ(error_for({"TRACKER__KAFKA__SERVERS__0= "}), "TRACKER__KAFKA__SERVERS__0: is empty");
  EXPECT_EQ(error_for({"TRACKER__KAFKA__TOPIC="}), "TRACKER__KAFKA__TOPIC: must not be empty");
  EXPECT_EQ(error_for({"TRACKER__ADMIN__ADDRESS=  "}),
            "TRACKER__ADMIN__ADDRESS: must not be empty");
  // Where empty means something, it stays allowed.
  EXPECT_EQ(error_for({"TRACKER__PIXEL__IMAGE=", "TRACKER__PIXEL__TRUSTEDPROXIES=[]"}),
            "(no error)");
}

TEST(ConfigErrors, OneIndexWrittenTwoWays) {
  EXPECT_EQ(error_for({"TRACKER__KAFKA__SERVERS__0=a:1", "TRACKER__KAFKA__SERVERS__00=b:2"}),
            "TRACKER__KAFKA__SERVERS__00: set twice (also as TRACKER__KAFKA__SERVERS__0)");
}

TEST(ConfigErrors, SameKeyInTwoSpellings) {
  EXPECT_EQ(error_for({"TRACKER__KAFKA__TOPIC=a", "tracker__kafka__topic=b"}),
            "tracker__kafka__topic: set twice (also as TRACKER__KAFKA__TOPIC)");
}

TEST(ConfigErrors, EmptyKafkaPropertyName) {
  EXPECT_EQ(error_for({"TRACKER__KAFKA__CONFIG__=x"}),
            "TRACKER__KAFKA__CONFIG__: not a librdkafka property name");
}

TEST(ConfigErrors, KafkaPropertyNameWithAnEmptySegment) {
  EXPECT_EQ(error_for({"TRACKER__KAFKA__CONFIG__SASL___MECHANISM=x"}),
            "TRACKER__KAFKA__CONFIG__SASL___MECHANISM: not a librdkafka property name");
  EXPECT_EQ(error_for({"TRACKER__KAFKA__CONFIG__ACKS__=x"}),
            "TRACKER__KAFKA__CONFIG__ACKS__: not a librdkafka property name");
}

TEST(ConfigErrors, ControlCharactersInANameAreEscapedToKeepOneLine) {
  EXPECT_EQ(error_for({"TRACKER__KAFKA\n__TOPIC=x"}),
            R"(TRACKER__KAFKA\x0a__TOPIC: unknown key (did you mean TRACKER__KAFKA__TOPIC?))");
}

// A value a service checks itself (a header name, a CIDR) is refused in the
// same form as the checks above.
TEST(ConfigErrors, AServicesOwnCheckNamesTheKeyAsWrittenOrAsADefault) {
  const auto set = Config::load(tracker_keys(), {"tracker__pixel__image=x"});
  EXPECT_STREQ(set.invalid("Pixel__Image", "x\n[info] forged", "no good").what(),
               R"(tracker__pixel__image: no good: "x\x0a[info] forged")");
  const auto unset = Config::load(tracker_keys(), {});
  EXPECT_STREQ(unset.invalid("pixel__forwardedheader", "X-Forwarded-For", "no good").what(),
               R"(TRACKER__PIXEL__FORWARDEDHEADER (default): no good: "X-Forwarded-For")");
  EXPECT_THROW((void)unset.invalid("No__Such", "", ""), std::logic_error);
}

TEST(ConfigErrors, BadDefaultIsAProgrammingError) {
  const std::vector<KeyDefinition> schema{{"A__Port", ValueType::Integer, "x", "broken default"}};
  EXPECT_EQ(error_for({}, schema), R"(TRACKER__A__PORT (default): not an integer: "x")");
  EXPECT_THROW((void)Config::load(tracker_keys(), {}, {{"No__Such", "1"}}), std::logic_error);
}

TEST(ConfigErrors, SchemaWithADuplicateKeyIsAProgrammingError) {
  const std::vector<KeyDefinition> schema{{"A__B", ValueType::String, "", "one"},
                                          {"a__b", ValueType::String, "", "two"}};
  EXPECT_THROW((void)Config::load(schema, {}), std::logic_error);
}

}  // namespace
}  // namespace tracker::config
