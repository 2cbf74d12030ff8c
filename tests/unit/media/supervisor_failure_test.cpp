// A supervisor whose pipeline cannot be built keeps its thread, reports why, and takes no input.
#include <catch2/catch.hpp>

#include "fake_media.hpp"

using namespace mediaemu;
using namespace mediaemu::testing;

namespace {

media::ChannelRunPlan plan_with_one_output(uint64_t order) { return plan_with_output("7", order, {{"11", "main"}}); }

}  // namespace

TEST_CASE("a pipeline that cannot be built is reported, and the channel takes no input", "[media][supervisor]") {
  FakeMedia media;
  media::ChannelSupervisors supervisors(media);
  media.fail_builds = true;
  supervisors.start(plan_with_one_output(1));
  REQUIRE(eventually([&] {
    auto r = supervisors.report("us-east-1", "7");
    return r && r->state == media::ChannelReport::State::Running;
  }));
  auto report = *supervisors.report("us-east-1", "7");
  REQUIRE(report.delivery.size() == 1);
  CHECK_THAT(report.delivery[0], Catch::Contains("the encoder refuses this ladder"));
  CHECK(report.sources.empty());  // no source was started for a channel without a pipeline
  CHECK_FALSE(media.source(0));
  CHECK_FALSE(supervisors.stop_ends_outputs("us-east-1", "7"));

  // The supervisor still takes commands: once builds work, a restart brings the pipeline up.
  media.fail_builds = false;
  supervisors.restart("us-east-1", "7", 2);
  REQUIRE(eventually([&] { return media.builds() == 1; }));
  REQUIRE(eventually([&] { return supervisors.report("us-east-1", "7")->delivery.empty(); }));
}

TEST_CASE("lifecycle commands older than one applied are dropped", "[media][supervisor]") {
  FakeMedia media;
  media::ChannelSupervisors supervisors(media);
  supervisors.start(plan_with_one_output(5));
  supervisors.stop("us-east-1", "7", 7);
  supervisors.start(plan_with_one_output(6));  // committed before the stop, delivered after it
  supervisors.restart("us-east-1", "7", 4);    // older still
  supervisors.start(plan_with_one_output(8));  // a real new start
  REQUIRE(eventually([&] { return media.builds() == 2; }));
  REQUIRE(eventually([&] {
    auto r = supervisors.report("us-east-1", "7");
    return r && r->state == media::ChannelReport::State::Running;
  }));
  std::vector<std::string> done;
  for (const auto& w : media.work()) done.push_back(w.what);
  CHECK(done == std::vector<std::string>{"build pipeline", "start source", "stop source", "stop pipeline",
                                         "build pipeline", "start source"});
}

TEST_CASE("the encoder log tells the channel's start, its input's stream and its stop", "[media][supervisor]") {
  FakeMedia media;
  media::ChannelSupervisors supervisors(media);
  supervisors.start(plan_with_one_output(1));
  REQUIRE(eventually([&] {  // running first, so that the input's lines come after the channel's
    auto r = supervisors.report("us-east-1", "7");
    return r && r->state == media::ChannelReport::State::Running;
  }));
  auto source = media.source(0);
  REQUIRE(source);
  using Type = pipeline::IngestEvent::Type;
  REQUIRE(source->deliver(Type::VideoConfig));
  REQUIRE(source->deliver(Type::VideoConfig));  // repeated in-band: told once
  REQUIRE(source->deliver(Type::Frame));        // the input goes on air at its first keyframe
  REQUIRE(source->deliver(Type::End));
  supervisors.stop("us-east-1", "7", 2);
  std::vector<std::string> lines;
  REQUIRE(eventually([&] {
    for (const auto& channel : supervisors.take_logs()) {
      CHECK(channel["channel_id"] == "7");
      for (const auto& e : channel["events"])
        lines.push_back(e["severity"].get<std::string>() + " " + e["message"].get<std::string>());
    }
    return !lines.empty() && lines.back().rfind("I Channel stopped", 0) == 0;
  }));
  REQUIRE(lines.size() == 6);
  CHECK(lines[0] == "I Starting the pipeline");
  CHECK_THAT(lines[1], Catch::StartsWith("I Input 11 (") && Catch::EndsWith(") is waiting for media"));
  CHECK_THAT(lines[2], Catch::StartsWith("I Channel running: "));
  CHECK_THAT(lines[3], Catch::StartsWith("I Input video detected: H.264"));
  CHECK_THAT(lines[4], Catch::StartsWith("W Input lost: "));
  CHECK(supervisors.take_logs().empty());  // taken: nothing twice
}
