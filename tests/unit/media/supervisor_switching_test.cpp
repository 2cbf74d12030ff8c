// Input switching on the channel's supervisor thread: schedule switches (immediate and at a
// fixed time) and automatic input failover, with fake sources delivering as senders would.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "fake_media.hpp"

using namespace mediaemu;
using namespace mediaemu::testing;
using Type = pipeline::IngestEvent::Type;

namespace {

media::ChannelRunPlan two_input_plan(uint64_t order) {
  return plan_with_output("9", order, {{"11", "main"}, {"22", "backup"}});
}

media::ScheduledSwitch scheduled(const std::string& name, const std::string& attachment, const std::string& input,
                                 std::optional<int64_t> at_epoch_ms) {
  media::ScheduledSwitch s;
  s.action_name = name;
  s.attachment_name = attachment;
  s.input_id = input;
  s.at_epoch_ms = at_epoch_ms;
  return s;
}

std::string on_air(media::ChannelSupervisors& supervisors) {
  auto r = supervisors.report("us-east-1", "9");
  return r ? r->active_input : "";
}

// Keyframes from the sources whose flag is set, every 20 ms, until destroyed.
struct Senders {
  Senders(std::shared_ptr<FakeMedia::Source> a, std::shared_ptr<FakeMedia::Source> b)
      : thread([this, a, b] {
          while (!done) {
            if (main_on) a->deliver(Type::Frame);
            if (backup_on) b->deliver(Type::Frame);
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
          }
        }) {}
  ~Senders() {
    done = true;
    thread.join();
  }
  std::atomic<bool> main_on{true}, backup_on{true}, done{false};
  std::thread thread;
};

// "main" pushed and on air, "backup" (22) a live HLS pull: opened only when needed.
media::ChannelRunPlan pulled_backup_plan() {
  media::ChannelRunPlan plan = two_input_plan(1);
  plan.inputs[1].transport = media::InputPlan::Transport::UrlPull;
  plan.inputs[1].urls = {"http://127.0.0.1:1/live/index.m3u8"};
  return plan;
}

// "to-file" puts "backup" (a file, say) on air at once; "back" returns to "main" at its end.
media::ChannelRunPlan to_file_and_back() {
  media::ChannelRunPlan plan = two_input_plan(1);
  plan.switching.switches.push_back(scheduled("to-file", "backup", "22", std::nullopt));
  media::ScheduledSwitch back = scheduled("back", "main", "11", std::nullopt);
  back.follows = "to-file";  // FollowPoint END
  plan.switching.switches.push_back(back);
  return plan;
}

}  // namespace

TEST_CASE("schedule switches run at their time, immediate ones at once", "[media][switching]") {
  FakeMedia media;
  media::ChannelSupervisors supervisors(media);
  supervisors.start(two_input_plan(1));
  REQUIRE(eventually([&] { return on_air(supervisors) == "main" && media.source(1); }));

  media::ChannelRunPlan later = two_input_plan(1);
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch()).count();
  later.switching.switches.push_back(scheduled("to-backup", "backup", "22", now_ms + 300));
  supervisors.update(later);
  CHECK(on_air(supervisors) == "main");  // not yet
  REQUIRE(eventually([&] { return on_air(supervisors) == "backup"; }));
  CHECK(supervisors.report("us-east-1", "9")->input_switches == 1);

  media::ChannelRunPlan back = later;
  back.switching.switches.push_back(scheduled("now", "main", "11", std::nullopt));
  supervisors.update(back);  // "to-backup" ran already: it does not run again
  REQUIRE(eventually([&] { return on_air(supervisors) == "main"; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  CHECK(on_air(supervisors) == "main");
  CHECK(supervisors.report("us-east-1", "9")->input_switches == 2);

  // Only the input on air reaches the pipeline.
  auto sink = media.last_pipeline()->sink();
  const size_t before = sink->received().size();
  REQUIRE(media.source(1)->deliver(Type::Frame));
  CHECK(sink->received().size() == before);
  REQUIRE(media.source(0)->deliver(Type::Frame));
  CHECK(sink->received().size() > before);
}

TEST_CASE("automatic input failover leaves a lost input and returns to a preferred primary", "[media][switching]") {
  FakeMedia media;
  media::ChannelSupervisors supervisors(media);
  media::ChannelRunPlan plan = two_input_plan(1);
  media::FailoverPlan pair;
  pair.primary_input_id = "11";
  pair.secondary_input_id = "22";
  pair.input_loss_threshold_ms = 300;
  pair.error_clear_time_ms = 500;
  pair.primary_preferred = true;
  plan.switching.failover.push_back(pair);
  supervisors.start(plan);
  REQUIRE(eventually([&] { return media.source(1) != nullptr; }));
  Senders senders(media.source(0), media.source(1));

  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  CHECK(on_air(supervisors) == "main");  // both deliver: the primary stays
  senders.main_on = false;
  REQUIRE(eventually([&] { return on_air(supervisors) == "backup"; }));
  senders.main_on = true;  // healthy again: back once it has been clear for 500 ms
  REQUIRE(eventually([&] { return on_air(supervisors) == "main"; }));
  CHECK(supervisors.report("us-east-1", "9")->input_switches == 2);

  senders.main_on = false;
  senders.backup_on = false;  // both lost: nothing to fail over to, the primary stays on air
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  CHECK(on_air(supervisors) == "main");
}

TEST_CASE("automatic input failover on black video and on silent audio of the input on air", "[media][switching]") {
  FakeMedia media;
  media::ChannelSupervisors supervisors(media);
  media::ChannelRunPlan plan = two_input_plan(1);
  media::FailoverPlan pair;
  pair.primary_input_id = "11";
  pair.secondary_input_id = "22";
  pair.video_black_ms = 400;
  pair.black_threshold = 0.1;
  pair.audio_silence_ms = 400;  // EQUAL_INPUT_PREFERENCE: no way back but the conditions
  plan.switching.failover.push_back(pair);
  supervisors.start(plan);
  REQUIRE(eventually([&] { return media.source(1) != nullptr; }));
  Senders senders(media.source(0), media.source(1));
  // What the transcoder decodes of the input on air, as it reports it every few milliseconds.
  std::atomic<int> luma{800}, audio{500'000};
  std::atomic<bool> done{false};
  std::thread decoder([&] {
    while (!done) {
      pipeline::TranscodeHealth::raise(media.health->peak_luma_permille, luma);
      pipeline::TranscodeHealth::raise(media.health->peak_audio_ppm, audio);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });

  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  CHECK(on_air(supervisors) == "main");  // bright and loud: no reason to leave
  luma = 90;                             // every pixel under 10% of white: black
  REQUIRE(eventually([&] { return on_air(supervisors) == "backup"; }));
  luma = 800;
  audio = 2000;  // under -50 dBFS: silent
  REQUIRE(eventually([&] { return on_air(supervisors) == "main"; }));
  CHECK(supervisors.report("us-east-1", "9")->input_switches == 2);
  audio = 500'000;
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  CHECK(on_air(supervisors) == "main");
  done = true;
  decoder.join();
}

TEST_CASE("a follow-mode switch runs when the input it follows reaches its end", "[media][switching]") {
  FakeMedia media;
  media::ChannelSupervisors supervisors(media);
  supervisors.start(two_input_plan(1));
  REQUIRE(eventually([&] { return on_air(supervisors) == "main" && media.source(1); }));

  media::ChannelRunPlan plan = to_file_and_back();
  supervisors.update(plan);
  REQUIRE(eventually([&] { return on_air(supervisors) == "backup"; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(on_air(supervisors) == "backup");  // its file plays on
  media.source(1)->ended = true;           // ... to its end
  REQUIRE(eventually([&] { return on_air(supervisors) == "main"; }));
  CHECK(supervisors.report("us-east-1", "9")->input_switches == 2);
}

TEST_CASE("a follow-mode SCTE-35 action goes to the encoder when the file input it follows reaches its end",
          "[media][switching]") {
  FakeMedia media;
  media::ChannelSupervisors supervisors(media);
  supervisors.start(two_input_plan(1));
  REQUIRE(eventually([&] { return on_air(supervisors) == "main" && media.source(1); }));

  media::ChannelRunPlan plan = to_file_and_back();
  pipeline::ads::CueRequest cue;
  cue.name = "break";
  plan.cues.following.push_back({cue, "to-file", false});  // FollowPoint END
  supervisors.update(plan);
  auto cue_sent = [&] {
    for (const auto& w : media.work())
      if (w.what == "cue break") return true;
    return false;
  };
  REQUIRE(eventually([&] { return on_air(supervisors) == "backup"; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK_FALSE(cue_sent());          // its file plays on
  media.source(1)->ended = true;    // ... to its end: the cue, and the switch that follows it too
  REQUIRE(eventually(cue_sent));
  REQUIRE(eventually([&] { return on_air(supervisors) == "main"; }));
  CHECK(supervisors.take_logs().dump().find("handed to the encoder: the input of to-file reached its end") !=
        std::string::npos);
}

TEST_CASE("an input prepare opens a pulled input ahead of its switch, which then takes it as it is",
          "[media][switching]") {
  FakeMedia media;
  media::ChannelSupervisors supervisors(media);
  const media::ChannelRunPlan plan = pulled_backup_plan();
  supervisors.start(plan);
  REQUIRE(eventually([&] { return on_air(supervisors) == "main" && media.source(0); }));
  CHECK_FALSE(media.source(1));  // a pulled input off air is not opened

  media::ChannelRunPlan prepared = plan;
  prepared.switching.prepares.push_back(scheduled("ready-backup", "backup", "22", std::nullopt));
  supervisors.update(prepared);
  REQUIRE(eventually([&] { return media.source(1) != nullptr; }));
  CHECK(on_air(supervisors) == "main");  // opened, not on air

  media::ChannelRunPlan switched = prepared;
  switched.switching.switches.push_back(scheduled("to-backup", "backup", "22", std::nullopt));
  supervisors.update(switched);
  REQUIRE(eventually([&] { return on_air(supervisors) == "backup"; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK_FALSE(media.source(2));  // the switch took the prepared source: nothing opened again
}

TEST_CASE("a follow-mode input prepare runs once the switch it follows has started", "[media][switching]") {
  FakeMedia media;
  media::ChannelSupervisors supervisors(media);
  const media::ChannelRunPlan plan = pulled_backup_plan();
  supervisors.start(plan);
  REQUIRE(eventually([&] { return on_air(supervisors) == "main" && media.source(0); }));

  media::ChannelRunPlan scheduled_plan = plan;
  media::ScheduledSwitch ready = scheduled("ready-backup", "backup", "22", std::nullopt);
  ready.follows = "studio";  // FollowPoint START of the switch below
  ready.follows_start = true;
  scheduled_plan.switching.prepares.push_back(ready);
  supervisors.update(scheduled_plan);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK_FALSE(media.source(1));  // what it follows has not run: nothing prepared

  scheduled_plan.switching.switches.push_back(scheduled("studio", "main", "11", std::nullopt));
  supervisors.update(scheduled_plan);
  REQUIRE(eventually([&] { return media.source(1) != nullptr; }));
  CHECK(on_air(supervisors) == "main");  // prepared, not on air
}
