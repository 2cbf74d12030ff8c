// The input selector (emulator/media/supervisor/input_selector.hpp): one input on air, the others
// standing by; a switch joins the new input at its first keyframe, after an End and its
// configuration, and back-pressure loses nothing.
#include <catch2/catch.hpp>

#include <deque>

#include "emulator/media/supervisor/input_selector.hpp"

using namespace mediaemu;
using Type = pipeline::IngestEvent::Type;

namespace {

// Takes events until `room` runs out (then pushes back, as a full transcoder queue does).
struct Downstream : pipeline::IngestSink {
  bool offer(pipeline::IngestEvent& e) override {
    if (room == 0) return false;
    --room;
    seen.push_back(describe(e));
    return true;
  }
  static std::string describe(const pipeline::IngestEvent& e) {
    switch (e.type) {
      case Type::Metadata: return "meta";
      case Type::VideoConfig: return "vcfg:" + std::string(e.data.begin(), e.data.end());
      case Type::AudioConfig: return "acfg:" + std::string(e.data.begin(), e.data.end());
      case Type::End: return "end:" + e.reason;
      case Type::Cue: return "cue";
      case Type::Frame:
        return std::string(e.kind == pipeline::MediaKind::Video ? (e.keyframe ? "key:" : "video:") : "audio:") +
               std::string(e.data.begin(), e.data.end());
    }
    return "?";
  }
  size_t room = 1000;
  std::vector<std::string> seen;
};

pipeline::IngestEvent event(Type type, const std::string& tag, pipeline::MediaKind kind = pipeline::MediaKind::Video,
                            bool keyframe = false) {
  pipeline::IngestEvent e;
  e.type = type;
  e.kind = kind;
  e.keyframe = keyframe;
  e.data.assign(tag.begin(), tag.end());
  return e;
}

bool offer(const std::shared_ptr<pipeline::IngestSink>& port, pipeline::IngestEvent e) { return port->offer(e); }

}  // namespace

TEST_CASE("only the input on air reaches the pipeline, from its first keyframe", "[media][switching]") {
  auto down = std::make_shared<Downstream>();
  auto selector = std::make_shared<media::InputSelector>(down);
  auto a = selector->port("a"), b = selector->port("b");
  selector->select("a");
  CHECK(selector->active() == "a");

  CHECK(offer(a, event(Type::VideoConfig, "A")));
  CHECK(offer(a, event(Type::Frame, "a0")));          // not a keyframe: cannot start a decoder
  CHECK(offer(b, event(Type::VideoConfig, "B")));     // standing by: taken, dropped
  CHECK(offer(b, event(Type::Frame, "b1", pipeline::MediaKind::Video, true)));
  CHECK(offer(a, event(Type::Frame, "a1", pipeline::MediaKind::Video, true)));
  CHECK(offer(a, event(Type::Frame, "a2")));
  CHECK(offer(a, event(Type::Frame, "x", pipeline::MediaKind::Audio)));
  CHECK(down->seen == std::vector<std::string>{"vcfg:A", "key:a1", "video:a2", "audio:x"});
  CHECK(selector->last_frame("b"));  // the standby input's health is watched all the same
  CHECK_FALSE(selector->last_frame("c"));

  // Switch: a is off air at once; b joins at its next keyframe, after an End (the transcoder
  // re-anchors its timeline) and b's configuration.
  selector->select("b");
  CHECK(offer(a, event(Type::Frame, "a3")));
  CHECK(offer(b, event(Type::AudioConfig, "Ba")));
  CHECK(offer(b, event(Type::Frame, "b2")));
  CHECK(offer(b, event(Type::Frame, "y", pipeline::MediaKind::Audio)));  // before the keyframe: dropped
  CHECK(offer(b, event(Type::Frame, "b3", pipeline::MediaKind::Video, true)));
  CHECK(down->seen == std::vector<std::string>{"vcfg:A", "key:a1", "video:a2", "audio:x", "end:input switch",
                                               "vcfg:B", "acfg:Ba", "key:b3"});
  selector->select("b");  // already on air: nothing happens
  CHECK(offer(b, event(Type::Frame, "b4")));
  CHECK(down->seen.back() == "video:b4");
}

TEST_CASE("a switch under back-pressure keeps its order and loses nothing", "[media][switching]") {
  auto down = std::make_shared<Downstream>();
  auto selector = std::make_shared<media::InputSelector>(down);
  auto a = selector->port("a"), b = selector->port("b");
  selector->select("a");
  REQUIRE(offer(a, event(Type::VideoConfig, "A")));
  REQUIRE(offer(a, event(Type::Frame, "a1", pipeline::MediaKind::Video, true)));
  REQUIRE(offer(b, event(Type::VideoConfig, "B")));
  selector->select("b");

  down->room = 1;  // the End fits, the rest must wait
  pipeline::IngestEvent key = event(Type::Frame, "b1", pipeline::MediaKind::Video, true);
  CHECK_FALSE(b->offer(key));  // refused: the sender keeps it and offers it again
  down->room = 1;
  CHECK_FALSE(b->offer(key));  // the configuration went; the keyframe still waits
  down->room = 1;
  CHECK(b->offer(key));
  CHECK(down->seen == std::vector<std::string>{"vcfg:A", "key:a1", "end:input switch", "vcfg:B", "key:b1"});
}

TEST_CASE("an input without video goes on air at its first audio frame", "[media][switching]") {
  auto down = std::make_shared<Downstream>();
  auto selector = std::make_shared<media::InputSelector>(down);
  auto a = selector->port("a");
  selector->select("a");
  CHECK(offer(a, event(Type::AudioConfig, "A")));
  CHECK(offer(a, event(Type::Frame, "x", pipeline::MediaKind::Audio)));
  CHECK(down->seen == std::vector<std::string>{"acfg:A", "audio:x"});
}
