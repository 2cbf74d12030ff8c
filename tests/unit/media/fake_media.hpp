// A MediaFactory that does no media: it records which thread did each piece of "media work"
// (building, stopping, sources starting), can hold builds at a gate, and keeps what pipelines'
// inputs received. With it the supervisors' threading is tested without libav work or the module.
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "emulator/media/supervisor/channel_supervisors.hpp"
#include "emulator/media_hooks.hpp"
#include "emulator/medialive/medialive.hpp"

namespace mediaemu::testing {

struct MediaWork {
  std::string what;
  std::thread::id thread;
};

class RecordingSink : public pipeline::IngestSink {
 public:
  bool offer(pipeline::IngestEvent& event) override {
    std::lock_guard lock(mutex);
    types.push_back(event.type);
    return true;
  }
  std::vector<pipeline::IngestEvent::Type> received() {
    std::lock_guard lock(mutex);
    return types;
  }
  std::mutex mutex;
  std::vector<pipeline::IngestEvent::Type> types;
};

class FakeMedia : public media::MediaFactory {
 public:
  class Pipeline : public media::ChannelPipeline {
   public:
    Pipeline(FakeMedia& owner, bool produces) : owner_(owner), sink_(produces ? std::make_shared<RecordingSink>() : nullptr) {}
    std::shared_ptr<pipeline::IngestSink> input() override { return sink_; }
    void set_endpoint(const media::EndpointPlan& e) override { owner_.note("endpoint " + e.id); }
    void remove_endpoint(const std::string&, const std::string& id) override { owner_.note("remove endpoint " + id); }
    void insert_cue(pipeline::ads::CueRequest cue) override { owner_.note("cue " + cue.name); }
    void stop() override {
      owner_.wait_at_gate();
      owner_.note("stop pipeline");
    }
    std::vector<std::string> alerts() const override { return {}; }
    std::shared_ptr<const pipeline::TranscodeHealth> health() const override { return owner_.health; }
    std::shared_ptr<RecordingSink> sink() const { return sink_; }

   private:
    FakeMedia& owner_;
    std::shared_ptr<RecordingSink> sink_;
  };

  class Source : public pipeline::IngestSource {
   public:
    explicit Source(FakeMedia& owner) : owner_(owner) {}
    std::string transport() const override { return "FAKE"; }
    void start(std::shared_ptr<pipeline::IngestSink> s) override {
      owner_.note("start source");
      std::lock_guard lock(mutex_);
      sink_ = std::move(s);
    }
    void stop() override {
      owner_.note("stop source");
      std::lock_guard lock(mutex_);
      sink_.reset();
    }
    void update_allowed(pipeline::AddressFilter allowed) override {
      owner_.note("update source");
      std::lock_guard lock(mutex_);
      allowed_ = std::move(allowed);
    }
    void take_whitelist(pipeline::AddressFilter allowed) {  // at construction, not a command
      std::lock_guard lock(mutex_);
      allowed_ = std::move(allowed);
    }
    bool allows(const std::string& ip) const {
      std::lock_guard lock(mutex_);
      return allowed_.allows(ip);
    }
    pipeline::IngestSourceStatus status() const override {
      pipeline::IngestSourceStatus s{receiving, "", 0};
      s.ended = ended;
      return s;
    }
    // As a sender on a network thread would. Frames are video keyframes unless told otherwise
    // (an input goes on air at a keyframe).
    bool deliver(pipeline::IngestEvent::Type type, bool keyframe = true) {
      std::shared_ptr<pipeline::IngestSink> s;
      {
        std::lock_guard lock(mutex_);
        s = sink_;
      }
      pipeline::IngestEvent e;
      e.type = type;
      e.keyframe = keyframe;
      return s && s->offer(e);
    }
    std::atomic<bool> receiving{false};
    std::atomic<bool> ended{false};  // a file that played to its end

   private:
    FakeMedia& owner_;
    mutable std::mutex mutex_;
    std::shared_ptr<pipeline::IngestSink> sink_;
    pipeline::AddressFilter allowed_ = pipeline::AddressFilter::allow_all();
  };

  std::unique_ptr<media::ChannelPipeline> build_pipeline(const media::ChannelRunPlan& plan,
                                                         const std::set<std::string>&) override {
    wait_at_gate();
    if (fail_builds) throw std::invalid_argument("the encoder refuses this ladder");
    note("build pipeline");
    auto p = std::make_unique<Pipeline>(*this, !plan.media.ladder.outputs.empty());
    std::lock_guard lock(mutex_);
    built_pipelines_.push_back(plan.pipeline);
    last_pipeline_ = p.get();
    ++builds_;
    changed_.notify_all();
    return p;
  }
  std::shared_ptr<pipeline::IngestSource> make_source(const media::ChannelRunPlan&, const media::InputPlan& input,
                                                      std::string& why) override {
    auto s = std::make_shared<Source>(*this);
    s->take_whitelist(input.allowed);  // as a real source takes its whitelist at construction
    std::lock_guard lock(mutex_);
    sources_.push_back(s);
    source_streams_.push_back(input.stream_names);
    return s;
  }
  void remove_directory(const std::filesystem::path& d) override { note("remove " + d.string()); }
  std::atomic<bool> fail_builds{false};
  // What every pipeline reports as its transcoder's health (tests set the decoded peaks).
  std::shared_ptr<pipeline::TranscodeHealth> health = std::make_shared<pipeline::TranscodeHealth>();

  // Builds and pipeline stops wait here while the gate is closed.
  void wait_at_gate() {
    std::unique_lock lock(mutex_);
    gate_cv_.wait(lock, [&] { return gate_open_; });
  }
  void close_gate() {
    std::lock_guard lock(mutex_);
    gate_open_ = false;
  }
  void open_gate() {
    {
      std::lock_guard lock(mutex_);
      gate_open_ = true;
    }
    gate_cv_.notify_all();
  }
  int builds() {
    std::lock_guard lock(mutex_);
    return builds_;
  }
  std::vector<MediaWork> work() {
    std::lock_guard lock(mutex_);
    return work_;
  }
  std::shared_ptr<Source> source(size_t i) {
    std::lock_guard lock(mutex_);
    return i < sources_.size() ? sources_[i] : nullptr;
  }
  std::vector<int> built_pipelines() {  // ChannelRunPlan::pipeline of each build
    std::lock_guard lock(mutex_);
    return built_pipelines_;
  }
  std::vector<std::vector<std::string>> source_streams() {  // each source's RTMP stream names
    std::lock_guard lock(mutex_);
    return source_streams_;
  }
  Pipeline* last_pipeline() {
    std::lock_guard lock(mutex_);
    return last_pipeline_;
  }
  void note(const std::string& what) {
    std::lock_guard lock(mutex_);
    work_.push_back({what, std::this_thread::get_id()});
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable gate_cv_, changed_;
  bool gate_open_ = true;
  int builds_ = 0;
  std::vector<MediaWork> work_;
  std::vector<std::shared_ptr<Source>> sources_;
  std::vector<int> built_pipelines_;
  std::vector<std::vector<std::string>> source_streams_;
  Pipeline* last_pipeline_ = nullptr;
};

// The control plane's hooks, answered by the supervisors the way the media module does.
class SupervisedHooks : public MediaHooks {
 public:
  // `domain`: where finished stops are reported, as the media module reports them.
  SupervisedHooks(media::MediaFactory& factory, Domain& domain)
      : supervisors(factory, [&domain](const std::string& region, const std::string& id, uint64_t order) {
          medialive::channel_media_stopped(domain, region, id, order);
        }) {}
  bool stop_ends_outputs(const std::string& r, const std::string& id) override {
    return supervisors.stop_ends_outputs(r, id);
  }
  void channel_start(const media::ChannelRunPlan& plan) override { supervisors.start(plan); }
  void channel_stop(const std::string& r, const std::string& id, uint64_t o) override { supervisors.stop(r, id, o); }
  void channel_restart(const std::string& r, const std::string& id, uint64_t o, const std::vector<int>& p) override {
    supervisors.restart(r, id, o, p);
  }
  void channel_update(const media::ChannelRunPlan& plan) override { supervisors.update(plan); }
  void channel_deleted(const std::string& r, const std::string& id, uint64_t o) override { supervisors.deleted(r, id, o); }
  nlohmann::json channel_alerts(const std::string& r, const std::string& id) override { return supervisors.alerts(r, id); }
  void endpoint_changed(const media::EndpointPlan& plan) override { supervisors.endpoint_changed(plan); }
  void endpoint_deleted(const std::string& r, const std::string& id, const std::filesystem::path& d) override {
    supervisors.endpoint_deleted(r, id, d);
  }
  media::ChannelSupervisors supervisors;
};

// A plan with one output and pushed inputs (id, attachment name), for supervisors driven directly.
inline media::ChannelRunPlan plan_with_output(const std::string& channel_id, uint64_t order,
                                              const std::vector<std::pair<std::string, std::string>>& inputs) {
  media::ChannelRunPlan plan;
  plan.region = "us-east-1";
  plan.channel_id = channel_id;
  plan.order = order;
  pipeline::OutputSpec out;
  out.name = "hls/360p";
  out.video = "video";
  plan.media.ladder.outputs.push_back(out);
  for (const auto& [id, attachment] : inputs) {
    media::InputPlan input;
    input.id = id;
    input.attachment_name = attachment;
    input.transport = media::InputPlan::Transport::RtmpPush;
    plan.inputs.push_back(input);
  }
  return plan;
}

// Waits (bounded: a guard against a hang, not a timing assertion) until `done` holds.
template <class Pred>
bool eventually(Pred done) {
  for (int i = 0; i < 20000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return done();
}

}  // namespace mediaemu::testing
