#include "emulator/media/supervisor/channel_supervisor.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "pipeline/transcode/content_levels.hpp"

namespace mediaemu::media {
namespace {

double now_epoch_seconds() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count() / 1000.0;
}

}  // namespace

// ---- MediaPackageClaims -------------------------------------------------------------------

bool MediaPackageClaims::claim(const std::string& mp_key, const std::string& channel_key, std::string& holder,
                               int pipeline) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = claims_.try_emplace(mp_key, Claim{channel_key, {}});
  holder = it->second.holder;
  if (holder != channel_key) return false;
  it->second.pipelines.insert(pipeline);
  return true;
}

void MediaPackageClaims::release_all(const std::string& channel_key, int pipeline) {
  std::lock_guard lock(mutex_);
  for (auto it = claims_.begin(); it != claims_.end();) {
    if (it->second.holder == channel_key) it->second.pipelines.erase(pipeline);
    if (it->second.holder == channel_key && it->second.pipelines.empty()) it = claims_.erase(it);
    else ++it;
  }
}

void MediaPackageClaims::release(const std::string& mp_key, const std::string& channel_key) {
  std::lock_guard lock(mutex_);
  auto it = claims_.find(mp_key);
  if (it != claims_.end() && it->second.holder == channel_key) claims_.erase(it);
}

std::string MediaPackageClaims::holder(const std::string& mp_key) const {
  std::lock_guard lock(mutex_);
  auto it = claims_.find(mp_key);
  return it == claims_.end() ? "" : it->second.holder;
}

std::map<std::string, std::string> MediaPackageClaims::holders() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, std::string> out;
  for (const auto& [mp_key, c] : claims_) out[mp_key] = c.holder;
  return out;
}

// ---- ChannelSupervisor --------------------------------------------------------------------

ChannelSupervisor::ChannelSupervisor(std::string key, MediaFactory& factory, MediaPackageClaims& claims,
                                     StoppedReport stopped, int pipeline)
    : key_(std::move(key)),
      pipeline_index_(pipeline),
      label_(pipeline == 0 ? key_ : key_ + " pipeline " + std::to_string(pipeline)),
      factory_(factory),
      claims_(claims),
      stopped_(std::move(stopped)) {}

ChannelSupervisor::~ChannelSupervisor() {
  shutdown();
  worker_.finish();  // joins: the owner destroys a supervisor only where waiting is fine
}

void ChannelSupervisor::post(const char* what, std::function<void()> job) {
  // A command that throws must not end the supervisor: the channel reports it and keeps its thread.
  bool queued = worker_.post([this, what, job = std::move(job)] {
    try {
      job();
    } catch (const std::exception& e) {
      spdlog::error("media: channel {}: {} failed: {}", label_, what, e.what());
      log_->error(std::string(what) + " failed: " + e.what());
      std::lock_guard lock(report_mutex_);
      report_.state = ChannelReport::State::Failed;
      report_.delivery.push_back(std::string(what) + " failed: " + e.what());
    }
  });
  if (!queued) spdlog::debug("media: channel {}: {} ignored, its supervisor has shut down", label_, what);
}

bool ChannelSupervisor::fresh(uint64_t order) {
  if (order != 0 && order < last_order_) {
    spdlog::debug("media: channel {}: dropped a lifecycle command ({}) older than one applied ({})", label_, order,
                  last_order_);
    return false;
  }
  last_order_ = std::max(last_order_, order);
  return true;
}

void ChannelSupervisor::start(ChannelRunPlan plan) {
  post("start", [this, plan = std::move(plan)]() mutable {
    if (fresh(plan.order)) do_start(std::move(plan));
  });
}

void ChannelSupervisor::stop(uint64_t order) {
  post("stop", [this, order] {
    if (fresh(order)) do_stop("the channel is stopping");
    // Reported even when nothing ran: the control plane ignores reports of superseded stops.
    if (stopped_) stopped_(order);
  });
}

void ChannelSupervisor::restart(uint64_t order) {
  post("restart", [this, order] {
    // Not running: nothing to restart, and no order is taken, so that a start committed before this
    // restart but delivered after it (hooks run on the committing threads) still applies.
    if (!plan_ || !fresh(order)) return;
    spdlog::info("media: channel {}: restarting its pipeline", label_);
    log_->info("Restarting the pipeline (RestartChannelPipelines)");
    input_->hold();  // senders stay connected and wait
    teardown();
    build();
    ++restarts_;
    publish(ChannelReport::State::Running);
  });
}

void ChannelSupervisor::update(ChannelRunPlan plan) {
  post("update", [this, plan = std::move(plan)] {
    if (!plan_) return;
    for (const auto& input : plan.inputs) {
      for (auto& [id, source] : sources_)
        if (id == input.id) source->update_allowed(input.allowed);
    }
    plan_->inputs = plan.inputs;
    plan_->switching = plan.switching;
    plan_->cues = plan.cues;
    plan_->media.alerts = plan.media.alerts;
    spdlog::info("media: channel {}: applied its inputs' security groups and its schedule", label_);
    log_->info("Applied the inputs' security group rules and the schedule");
    arm_schedule(false);  // a new generation: the timers of the previous plan are void
    if (!plan_->switching.failover.empty()) watch_failover(generation_);
    publish(ChannelReport::State::Running);
  });
}

void ChannelSupervisor::set_endpoint(EndpointPlan endpoint, bool apply) {
  post("endpoint change", [this, endpoint = std::move(endpoint), apply] {
    if (!plan_) return;
    auto& endpoints = plan_->mediapackage_endpoints[endpoint.mediapackage_channel_id];
    std::erase_if(endpoints, [&](const EndpointPlan& e) { return e.id == endpoint.id; });
    endpoints.push_back(endpoint);  // a restart packages it too
    if (pipeline_ && apply) pipeline_->set_endpoint(endpoint);
  });
}

void ChannelSupervisor::remove_endpoint(std::string region, std::string endpoint_id, std::filesystem::path directory) {
  post("endpoint removal", [this, endpoint_id = std::move(endpoint_id), directory = std::move(directory)] {
    if (plan_) {
      for (auto& [mp_channel, endpoints] : plan_->mediapackage_endpoints) {
        if (std::erase_if(endpoints, [&](const EndpointPlan& e) { return e.id == endpoint_id; }) && pipeline_)
          pipeline_->remove_endpoint(mp_channel, endpoint_id);
      }
    }
    factory_.remove_directory(directory);  // after its packager is gone
  });
}

void ChannelSupervisor::shutdown() {
  post("shutdown", [this] { do_stop("mediaemu is stopping or the channel was deleted"); });
  worker_.close();
}

ChannelReport ChannelSupervisor::report() const {
  std::lock_guard lock(report_mutex_);
  return report_;
}

std::set<std::string> ChannelSupervisor::feeding() const {
  std::lock_guard lock(report_mutex_);
  return feeding_;
}

void ChannelSupervisor::do_start(ChannelRunPlan plan) {
  if (plan_) return;  // already running (a resumed channel may be started twice)
  plan_ = std::move(plan);
  started_ = SerialWorker::Clock::now();
  log_->info("Starting the pipeline");
  build();
  // A plan with no output takes no input: senders are refused with the reason (ListAlerts has it).
  // A started channel ingests its first input attachment (ML-UG x-actions-in-schedule-ips); the
  // others' senders may connect (pushed inputs) or stand by for failover, but only one is on air.
  // Pulled and file inputs are opened only while on air or standing by.
  if (pipeline_ && pipeline_->input() && !plan_->inputs.empty()) {
    // A fresh selector per run: which input was on air, and whether the pipeline had frames,
    // belong to the previous run (whose sources have stopped).
    selector_ = std::make_shared<InputSelector>(input_);
    selector_->select(plan_->inputs.front().id);
    for (const auto& input : plan_->inputs) {
      if (!input.pushed() && &input != &plan_->inputs.front() && !standing_by(input.id)) continue;
      if (!input.dynamic) {
        start_source(input);
        continue;
      }
      // Its URL is incomplete until a switch names the UrlPath; AWS requires the first input to
      // be static (ML-UG ips-limits).
      input_alerts_.push_back("input " + input.id + " is dynamic ($urlPath$): it plays only through an input switch "
                              "that gives its UrlPath");
      log_->warning(input_alerts_.back());
    }
  }
  const std::string summary = fmt::format(
      "{} renditions, {} output groups, {} inputs, {} alerts", plan_->media.ladder.video.size() + plan_->media.ladder.audio.size(),
      plan_->media.deliveries.size(), sources_.size(),
      plan_->media.alerts.size() + delivery_alerts_.size() + input_alerts_.size());
  spdlog::info("media: channel {} is running: {}", label_, summary);
  log_->info("Channel running: " + summary);
  publish(ChannelReport::State::Running);  // after the log line: a reader who sees Running finds it
  arm_schedule(true);
  if (!plan_->switching.failover.empty()) watch_failover(generation_);
}

void ChannelSupervisor::start_source(const InputPlan& input) {
  std::string why;
  try {
    auto source = factory_.make_source(*plan_, input, why);
    if (!source) {
      input_alerts_.push_back(why);
      log_->warning(why);
      return;
    }
    source->start(selector_->port(input.id));  // e.g. binds its ports: may fail
    sources_.emplace_back(input.id, std::move(source));
    log_->info("Input " + input.id + " (" + input.type + ") is waiting for media");
  } catch (const std::exception& e) {
    input_alerts_.push_back("input " + input.id + " cannot receive: " + e.what());
    log_->error(input_alerts_.back());
  }
}

const InputPlan* ChannelSupervisor::input_plan(const std::string& input_id) const {
  for (const auto& input : plan_->inputs)
    if (input.id == input_id) return &input;
  return nullptr;
}

bool ChannelSupervisor::standing_by(const std::string& input_id) const {
  for (const auto& pair : plan_->switching.failover)
    if (pair.primary_input_id == input_id || pair.secondary_input_id == input_id) return true;
  return false;
}

void ChannelSupervisor::close_source(const std::string& input_id) {
  for (auto& [id, source] : sources_)
    if (id == input_id) source->stop();
  std::erase_if(sources_, [&](const auto& s) { return s.first == input_id; });
}

std::string ChannelSupervisor::no_url_path(const std::string& why) {
  return "it is dynamic ($urlPath$) and " + why + " gives no UrlPath";
}

void ChannelSupervisor::switch_to(const std::string& input_id, const std::string& why,
                                  const std::optional<pipeline::TimecodeClip>& clip,
                                  const std::vector<std::string>& url_path) {
  const InputPlan* planned = input_plan(input_id);
  const std::string from = selector_->active();
  if (!planned || !pipeline_ || !pipeline_->input()) return;
  if (planned->dynamic && url_path.empty()) {
    log_->warning("Not switched to input " + input_id + ": " + no_url_path(why));
    return;
  }
  const InputPlan resolved = with_url_path(*planned, url_path);
  const InputPlan* to = &resolved;
  const bool clipped = clip && to->clippable();
  if (clip && !clipped)
    log_->warning("InputClippingSettings apply to file inputs; input " + input_id + " (" + to->type +
                  ") plays as it comes");
  // A dynamic input opens again at each switch: its UrlPath may name other content (unless an
  // input prepare opened it with this UrlPath).
  const bool prepared = prepared_ == input_id && prepared_url_path_ == url_path;
  const bool reopen = clipped || (planned->dynamic && !prepared);
  if (from == input_id && !reopen) return;
  if (reopen) close_source(input_id);  // the file opens again at the clip, even on air or standing by
  bool open = false;
  for (const auto& [id, source] : sources_) open |= id == input_id;
  if (!open) {  // a file starts from its beginning (or its clip), as MediaLive plays it again
    InputPlan run = *to;
    if (clipped) run.clip = clip;
    start_source(run);
  }
  selector_->select(input_id);
  const InputPlan* off = input_plan(from);
  if (off && from != input_id && !off->pushed() && !standing_by(from)) close_source(from);
  ++input_switches_;
  spdlog::info("media: channel {}: input {} ('{}') on air after {} ({})", label_, input_id, to->attachment_name, from, why);
  log_->info("Switched to input attachment " + to->attachment_name + " (input " + input_id + "): " + why);
  publish(ChannelReport::State::Running);
}

void ChannelSupervisor::arm_schedule(bool at_start) {
  const uint64_t generation = ++generation_;
  const int64_t now_ms = static_cast<int64_t>(now_epoch_seconds() * 1000);
  bool follows = false;
  for (const auto& s : plan_->switching.switches) {
    if (switches_run_.count(s.action_name)) continue;
    if (!s.follows.empty()) {  // run by watch_follows; at the start, passed with what it follows
      if (at_start && switches_run_.count(s.follows)) switches_run_.insert(s.action_name);
      else follows = true;
      continue;
    }
    arm_action(switches_run_, s.action_name, s.at_epoch_ms, at_start, now_ms, {},
               [this, name = s.action_name, generation] { run_switch(name, generation); });
  }
  for (const auto& p : plan_->switching.prepares) {  // action names are unique across the schedule
    if (switches_run_.count(p.action_name)) continue;
    if (!p.follows.empty()) {  // as a follow-mode switch is
      if (at_start && switches_run_.count(p.follows)) switches_run_.insert(p.action_name);
      else follows = true;
      continue;
    }
    arm_action(switches_run_, p.action_name, p.at_epoch_ms, at_start, now_ms, {},
               [this, name = p.action_name, generation] { run_prepare(name, generation); });
  }
  // SCTE-35 cues go to the transcoder a little ahead of their time, which places them on the
  // output timeline exactly (LadderEngine::insert_cue).
  constexpr std::chrono::milliseconds kCueLead{3000};
  for (const auto& cue : plan_->cues.cues)
    if (!cues_run_.count(cue.name))
      arm_action(cues_run_, cue.name, cue.at_epoch_ms, at_start, now_ms, kCueLead,
                 [this, name = cue.name, generation] { run_cue(name, generation); });
  for (const auto& f : plan_->cues.following) {  // as follow-mode switches are
    if (cues_run_.count(f.cue.name)) continue;
    if (at_start && switches_run_.count(f.follows)) cues_run_.insert(f.cue.name);
    else follows = true;
  }
  if (follows) watch_follows(generation);
}

void ChannelSupervisor::arm_action(std::set<std::string>& run, const std::string& name,
                                   std::optional<int64_t> at_epoch_ms, bool at_start, int64_t now_ms,
                                   std::chrono::milliseconds lead, std::function<void()> job) {
  // At the start, what was due before (or was immediate then) belongs to an earlier run or to an
  // idle channel: MediaLive passes actions to a running channel only.
  if (at_start && (!at_epoch_ms || *at_epoch_ms <= now_ms)) {
    run.insert(name);
    return;
  }
  const auto delay = std::chrono::milliseconds(at_epoch_ms ? std::max<int64_t>(0, *at_epoch_ms - now_ms - lead.count()) : 0);
  worker_.post_at(SerialWorker::Clock::now() + delay, std::move(job));
}

void ChannelSupervisor::run_cue(const std::string& action_name, uint64_t generation, const std::string& when) {
  if (!plan_ || generation != generation_ || cues_run_.count(action_name)) return;
  const pipeline::ads::CueRequest* cue = nullptr;
  for (const auto& c : plan_->cues.cues) cue = c.name == action_name ? &c : cue;
  for (const auto& f : plan_->cues.following) cue = f.cue.name == action_name ? &f.cue : cue;
  if (!cue) return;
  cues_run_.insert(action_name);
  if (!pipeline_) {
    log_->warning("SCTE-35 schedule action " + action_name + " not inserted: the channel has no running pipeline");
    return;
  }
  pipeline_->insert_cue(*cue);
  const std::string what =
      "SCTE-35 schedule action " + action_name + " handed to the encoder" + (when.empty() ? "" : ": " + when);
  spdlog::info("media: channel {}: {}", label_, what);
  log_->info(what);
}

void ChannelSupervisor::watch_follows(uint64_t generation) {
  constexpr std::chrono::milliseconds kFollowTick{100};
  if (!plan_ || generation != generation_) return;
  bool pending = false;
  // Whether a follow-mode action that has not run is due now: what it follows ran and, for
  // FollowPoint END, that switch's input is on air and played to the end of its file (or clip).
  // All are judged before any runs, so those following one end all run at it.
  auto due = [&](const std::string& follows, bool follows_start, bool has_run) {
    if (follows.empty() || has_run) return false;
    pending = true;
    auto ran = switched_to_.find(follows);
    if (ran == switched_to_.end()) return false;  // what it follows has not run (yet)
    if (follows_start) return true;
    bool ended = false;
    if (selector_->active() == ran->second)
      for (const auto& [id, source] : sources_) ended |= id == ran->second && source->status().ended;
    return ended;
  };
  auto when = [](const std::string& follows, bool follows_start) {
    return follows_start ? "it follows the start of " + follows : "the input of " + follows + " reached its end";
  };
  std::vector<std::function<void()>> runs;
  for (const auto& f : plan_->cues.following)  // first: the cue goes in before the next input's frames
    if (due(f.follows, f.follows_start, cues_run_.count(f.cue.name)))
      runs.push_back([this, name = f.cue.name, generation, why = when(f.follows, f.follows_start)] {
        run_cue(name, generation, why);
      });
  for (const auto& s : plan_->switching.switches)
    if (due(s.follows, s.follows_start, switches_run_.count(s.action_name)))
      runs.push_back([this, name = s.action_name, generation, why = when(s.follows, s.follows_start)] {
        run_switch(name, generation, why);
      });
  for (const auto& p : plan_->switching.prepares)
    if (due(p.follows, p.follows_start, switches_run_.count(p.action_name)))
      runs.push_back([this, name = p.action_name, generation, why = when(p.follows, p.follows_start)] {
        run_prepare(name, generation, why);
      });
  for (auto& run : runs) run();
  if (pending) worker_.post_at(SerialWorker::Clock::now() + kFollowTick, [this, generation] { watch_follows(generation); });
}

void ChannelSupervisor::run_switch(const std::string& action_name, uint64_t generation, const std::string& when) {
  if (!plan_ || generation != generation_ || switches_run_.count(action_name)) return;
  for (const auto& s : plan_->switching.switches) {
    if (s.action_name != action_name) continue;
    switches_run_.insert(action_name);
    switched_to_[action_name] = s.input_id;
    switch_to(s.input_id, "schedule action " + action_name + (when.empty() ? "" : ": " + when), s.clip, s.url_path);
  }
}

void ChannelSupervisor::run_prepare(const std::string& action_name, uint64_t generation, const std::string& when) {
  if (!plan_ || generation != generation_ || switches_run_.count(action_name)) return;
  for (const auto& p : plan_->switching.prepares) {
    if (p.action_name != action_name) continue;
    switches_run_.insert(action_name);
    prepare(p, when);
  }
}

void ChannelSupervisor::prepare(const ScheduledSwitch& action, const std::string& when) {
  const std::string why = "input prepare " + action.action_name + (when.empty() ? "" : " (" + when + ")");
  auto say = [&](char severity, const std::string& what) {  // the server log and the encoder log
    spdlog::info("media: channel {}: {}", label_, what);
    if (severity == 'W') log_->warning(what);
    else log_->info(what);
  };
  // The input an earlier prepare opened closes, unless it went on air or stands by for failover.
  if (!prepared_.empty() && prepared_ != action.input_id && prepared_ != selector_->active() &&
      !standing_by(prepared_))
    close_source(prepared_);
  prepared_.clear();
  prepared_url_path_.clear();
  const InputPlan* planned = input_plan(action.input_id);
  if (!planned) {
    say('I', "Stopped preparing inputs (" + why + " names none)");
    return;
  }
  if (planned->pushed()) {
    say('I', "Input " + planned->id + " (" + planned->type + ") receives its senders all along: " + why +
                 " has nothing to open");
    return;
  }
  if (planned->dynamic && action.url_path.empty()) {
    say('W', "Not prepared input " + planned->id + ": " + no_url_path(why));
    return;
  }
  const InputPlan run = with_url_path(*planned, action.url_path);
  if (run.clippable()) {
    say('I', "Input " + planned->id + " is a file: it opens at its switch, from its start or clip (" + why + ")");
    return;
  }
  prepared_ = planned->id;
  prepared_url_path_ = action.url_path;
  for (const auto& [id, source] : sources_)
    if (id == planned->id) return;  // already open (on air or standing by)
  say('I', "Preparing input attachment " + planned->attachment_name + " (input " + planned->id + ") ahead of its switch: " + why);
  start_source(run);
  publish(ChannelReport::State::Running);
}

void ChannelSupervisor::watch_failover(uint64_t generation) {
  constexpr std::chrono::milliseconds kFailoverTick{100};
  if (!plan_ || generation != generation_) return;
  const auto now = SerialWorker::Clock::now();
  auto lost_for = [&](const std::string& id) {  // how long the input has delivered nothing
    auto last = selector_->last_frame(id);
    return std::chrono::duration_cast<std::chrono::milliseconds>(now - (last ? *last : started_)).count();
  };
  const std::string active = selector_->active();
  // What the transcoder decoded of the input on air since the last tick: -1 each when nothing.
  int luma = -1, audio = -1;
  if (auto health = pipeline_ ? pipeline_->health() : nullptr) {
    luma = health->peak_luma_permille.exchange(-1);
    audio = health->peak_audio_ppm.exchange(-1);
  }
  const int64_t tick_ms = content_of_ == active
      ? std::chrono::duration_cast<std::chrono::milliseconds>(now - content_tick_).count() : 0;
  if (content_of_ != active) black_ms_ = silent_ms_ = 0;  // a new input on air: its own record
  content_of_ = active;
  content_tick_ = now;
  for (const auto& pair : plan_->switching.failover) {
    for (const auto* id : {&pair.primary_input_id, &pair.secondary_input_id}) {
      if (lost_for(*id) > pair.input_loss_threshold_ms) clear_since_.erase(*id);
      else clear_since_.emplace(*id, now);
    }
    if (active != pair.primary_input_id && active != pair.secondary_input_id) continue;  // switched elsewhere
    const std::string& other = active == pair.primary_input_id ? pair.secondary_input_id : pair.primary_input_id;
    // Black: every pixel under the threshold; silent: under -50 dBFS or no audio while video
    // decodes. Nothing decoded at all is input loss, which leaves both records as they were.
    if (luma >= 0) black_ms_ = luma <= static_cast<int>(pair.black_threshold * 1000) ? black_ms_ + tick_ms : 0;
    if (luma >= 0 || audio >= 0) silent_ms_ = audio < pipeline::kSilencePpm ? silent_ms_ + tick_ms : 0;
    const int64_t lost = lost_for(active);
    std::string why;
    if (pair.input_loss && lost > pair.input_loss_threshold_ms)
      why = fmt::format("delivered nothing for {} ms", lost);
    else if (pair.video_black_ms && black_ms_ >= pair.video_black_ms)
      why = fmt::format("was black for {} ms (VideoBlackSettings)", black_ms_);
    else if (pair.audio_silence_ms && silent_ms_ >= pair.audio_silence_ms)
      why = fmt::format("was silent for {} ms (AudioSilenceSettings)", silent_ms_);
    if (!why.empty() && lost_for(other) <= pair.input_loss_threshold_ms) {
      switch_to(other, "automatic input failover: input " + active + " " + why);
    } else if (pair.primary_preferred && active == pair.secondary_input_id && clear_since_.count(other) &&
               now - clear_since_[other] >= std::chrono::milliseconds(pair.error_clear_time_ms)) {
      switch_to(other, fmt::format("the primary input has been healthy for {} ms (PRIMARY_INPUT_PREFERRED)",
                                   pair.error_clear_time_ms));
    }
  }
  worker_.post_at(now + kFailoverTick, [this, generation] { watch_failover(generation); });
}

void ChannelSupervisor::do_stop(const char* why) {
  if (!plan_) return;
  ++generation_;  // no schedule action or failover check of this run fires any more
  for (auto& [id, source] : sources_) source->stop();
  sources_.clear();
  switches_run_.clear();
  cues_run_.clear();
  switched_to_.clear();
  prepared_.clear();
  prepared_url_path_.clear();
  clear_since_.clear();
  content_of_.clear();
  input_alerts_.clear();
  input_->detach();
  teardown();
  plan_.reset();
  publish(ChannelReport::State::Idle);
  spdlog::info("media: channel {} stopped ({})", label_, why);
  log_->info(std::string("Channel stopped: ") + why);
}

void ChannelSupervisor::build() {
  delivery_alerts_ = plan_->delivery_alerts;
  std::set<std::string> allowed, claimed;
  for (const auto& [mp_channel, endpoints] : plan_->mediapackage_endpoints) {
    std::string holder, mp_key = plan_->region + "/" + mp_channel;
    if (claims_.claim(mp_key, key_, holder, pipeline_index_)) {
      allowed.insert(mp_channel);
      claimed.insert(mp_key);
    } else {
      // The holder is another MediaLive channel ("<region>/<id>") or the HLS ingest over HTTP.
      auto slash = holder.find('/');
      delivery_alerts_.push_back("MediaPackage channel '" + mp_channel + "' already receives " +
                                 (slash == std::string::npos ? holder : "channel " + holder.substr(slash + 1)) +
                                 "; not delivering");
    }
  }
  {
    std::lock_guard lock(report_mutex_);
    feeding_ = claimed;
  }
  try {
    pipeline_ = factory_.build_pipeline(*plan_, allowed);
  } catch (const std::exception& e) {
    // A ladder the encoders refuse: the channel runs without output and says why; its senders
    // are not left waiting on a pipeline that will never come.
    pipeline_.reset();
    delivery_alerts_.push_back(std::string("the pipeline cannot run: ") + e.what());
  }
  if (pipeline_)
    for (const auto& a : pipeline_->alerts()) delivery_alerts_.push_back(a);
  for (const auto& a : plan_->media.alerts) log_->warning("Not run: " + a);
  for (const auto& a : delivery_alerts_) {
    spdlog::warn("media: channel {}: {}", label_, a);
    log_->warning(a);
  }
  if (pipeline_) input_->attach(pipeline_->input());
  else input_->detach();
}

void ChannelSupervisor::teardown() {
  if (pipeline_) pipeline_->stop();  // flushes and ends the outputs, here, on this thread
  pipeline_.reset();
  claims_.release_all(key_, pipeline_index_);
  std::lock_guard lock(report_mutex_);
  feeding_.clear();
}

void ChannelSupervisor::publish(ChannelReport::State state) {
  ChannelReport r;
  r.state = state;
  {
    std::lock_guard lock(report_mutex_);
    r.since_epoch_seconds = report_.state == state ? report_.since_epoch_seconds : now_epoch_seconds();
  }
  r.restarts = restarts_;
  if (plan_) {
    r.configuration = plan_->media.alerts;
    r.has_pipeline = pipeline_ && pipeline_->input() != nullptr;
    if (pipeline_) r.transcode = pipeline_->health();
  }
  if (plan_) {
    r.delivery = delivery_alerts_;
    r.inputs = input_alerts_;
  }
  for (const auto& [id, source] : sources_) r.sources.push_back(source);
  r.input = input_;
  r.input_switches = input_switches_;
  if (plan_) {
    const std::string active = selector_->active();
    if (const InputPlan* on_air = input_plan(active)) r.active_input = on_air->attachment_name;
  }
  std::lock_guard lock(report_mutex_);
  if (plan_ && r.has_pipeline) {
    for (const auto& d : plan_->media.deliveries) {
      // A MediaPackage group whose channel another MediaLive channel already feeds delivers nothing.
      bool delivers = d.kind != Delivery::Kind::MediaPackage ||
                      feeding_.count(plan_->region + "/" + d.mediapackage_channel_id) > 0;
      if (delivers) r.output_groups[d.group_name] = static_cast<int>(d.outputs.size());
    }
  }
  report_ = std::move(r);
}

}  // namespace mediaemu::media
