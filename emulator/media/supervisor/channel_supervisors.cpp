#include "emulator/media/supervisor/channel_supervisors.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace mediaemu::media {
namespace {

std::string key_of(const std::string& region, const std::string& id) { return region + "/" + id; }

bool any_receiving(const ChannelReport& r) {
  for (const auto& s : r.sources)
    if (s->status().receiving) return true;
  return false;
}

// ListAlerts items of a running channel's report.
// `n` numbers the alerts across the channel's pipelines.
nlohmann::json alerts_of(const ChannelReport& r, const std::string& channel_id, int pipeline, int& n) {
  nlohmann::json out = nlohmann::json::array();
  auto add = [&](const std::string& type, const std::string& message) {
    out.push_back({{"AlertType", type},
                   {"Id", channel_id + "-" + std::to_string(++n)},
                   {"Message", message},
                   {"PipelineId", std::to_string(pipeline)},
                   {"SetTimestamp", r.since_epoch_seconds},
                   {"State", "SET"}});
  };
  for (const auto& a : r.configuration) add("Unsupported Configuration", a);
  for (const auto& a : r.delivery) add("Output Delivery Failure", a);
  for (const auto& a : r.inputs) add("Unsupported Configuration", a);
  // Push inputs wait for a sender; pulled ones (URL_PULL, MP4_FILE, SRT) keep trying their URL
  // and clear this as soon as media flows again.
  if (!any_receiving(r))
    add("Input Not Present",
        "No input of this channel is receiving media: no publisher pushes to it, its pulled source does not "
        "answer (or has played to its end), or its MediaConnect flows are not ACTIVE or receive nothing");
  return out;
}

}  // namespace

ChannelSupervisors::ChannelSupervisors(MediaFactory& factory, StoppedReport stopped)
    : factory_(factory), stopped_(std::move(stopped)) {}

ChannelSupervisors::~ChannelSupervisors() { shutdown_all(); }

ChannelSupervisors::Pipelines ChannelSupervisors::find(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = supervisors_.find(key);
  return it == supervisors_.end() ? Pipelines{} : it->second;
}

ChannelSupervisors::Pipelines ChannelSupervisors::find_or_make(const std::string& key, int pipeline_count) {
  std::lock_guard lock(mutex_);
  if (shut_down_) return {};
  reap_locked();
  auto& pipelines = supervisors_[key];
  // A channel whose class changed (UpdateChannelClass) between runs keeps what it has in common.
  while (pipelines.size() > static_cast<size_t>(std::max(1, pipeline_count))) {
    retire_locked(std::move(pipelines.back()));
    pipelines.pop_back();
  }
  while (pipelines.size() < static_cast<size_t>(std::max(1, pipeline_count))) {
    ChannelSupervisor::StoppedReport report = [this, key](uint64_t order) { pipeline_stopped(key, order); };
    pipelines.push_back(std::make_shared<ChannelSupervisor>(key, factory_, claims_, std::move(report),
                                                            static_cast<int>(pipelines.size())));
  }
  return pipelines;
}

void ChannelSupervisors::retire_locked(std::shared_ptr<ChannelSupervisor> supervisor) {
  supervisor->shutdown();  // queued after whatever it is doing; never blocks
  retired_.push_back(std::move(supervisor));
}

void ChannelSupervisors::reap_locked() {
  // Only supervisors whose thread has ended are dropped here, so the join in their destructor is
  // immediate; the rest wait for a later call or shutdown_all().
  std::erase_if(retired_, [](const auto& s) { return s->finished(); });
}

void ChannelSupervisors::pipeline_stopped(const std::string& key, uint64_t order) {
  {
    std::lock_guard lock(mutex_);
    auto it = stops_pending_.find({key, order});
    if (it != stops_pending_.end() && --it->second > 0) return;  // another pipeline is still stopping
    if (it != stops_pending_.end()) stops_pending_.erase(it);
  }
  if (!stopped_) return;
  auto slash = key.find('/');
  stopped_(key.substr(0, slash), key.substr(slash + 1), order);
}

std::shared_ptr<ChannelSupervisor> ChannelSupervisors::feeder_of(const std::string& mp_key) const {
  std::lock_guard lock(mutex_);
  for (const auto& [key, pipelines] : supervisors_)
    for (const auto& s : pipelines)
      if (s->feeding().count(mp_key)) return s;
  return nullptr;
}

void ChannelSupervisors::start(const ChannelRunPlan& plan) {
  auto pipelines = find_or_make(plan.key(), plan.pipeline_count);
  for (size_t i = 0; i < pipelines.size(); ++i) pipelines[i]->start(pipeline_plan(plan, static_cast<int>(i)));
}

void ChannelSupervisors::stop(const std::string& region, const std::string& channel_id, uint64_t order) {
  const std::string key = key_of(region, channel_id);
  auto pipelines = find(key);
  if (pipelines.empty()) {
    // No supervisor, so no media ran: the stop is over at once (reported off the caller's thread).
    if (stopped_) housekeeping_->post([this, region, channel_id, order] { stopped_(region, channel_id, order); });
    return;
  }
  {
    std::lock_guard lock(mutex_);
    stops_pending_[{key, order}] = static_cast<int>(pipelines.size());
  }
  // Before any pipeline ends: MediaPackage must not fail over from the first to end to the other.
  std::set<std::string> feeding;
  for (const auto& s : pipelines) feeding.merge(s->feeding());
  factory_.channel_stopping(feeding);
  for (const auto& s : pipelines) s->stop(order);
}

void ChannelSupervisors::restart(const std::string& region, const std::string& channel_id, uint64_t order,
                                 const std::vector<int>& which) {
  for (const auto& s : find(key_of(region, channel_id)))
    if (which.empty() || std::find(which.begin(), which.end(), s->pipeline()) != which.end()) s->restart(order);
}

void ChannelSupervisors::update(const ChannelRunPlan& plan) {
  auto pipelines = find(plan.key());
  for (size_t i = 0; i < pipelines.size(); ++i) pipelines[i]->update(pipeline_plan(plan, static_cast<int>(i)));
}

void ChannelSupervisors::deleted(const std::string& region, const std::string& channel_id, uint64_t order) {
  std::lock_guard lock(mutex_);
  auto it = supervisors_.find(key_of(region, channel_id));
  if (it == supervisors_.end()) return;
  // A channel is deleted only once it is IDLE, after its last start and stop were committed; a
  // start still in flight (older order) would be dropped by the supervisor anyway.
  (void)order;
  for (auto& s : it->second) retire_locked(std::move(s));
  supervisors_.erase(it);
  reap_locked();
}

void ChannelSupervisors::endpoint_changed(const EndpointPlan& plan) {
  const std::string mp_key = key_of(plan.region, plan.mediapackage_channel_id);
  Pipelines feeders;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, pipelines] : supervisors_)
      for (const auto& s : pipelines)
        if (s->feeding().count(mp_key)) feeders.push_back(s);
  }
  // The pipelines of a channel share the MediaPackage channel's packagers: one applies the change,
  // every one keeps it in its plan for a rebuild. With none, nothing runs it now; the next channel
  // that delivers to its MediaPackage channel plans it afresh.
  for (size_t i = 0; i < feeders.size(); ++i) feeders[i]->set_endpoint(plan, i == 0);
}

void ChannelSupervisors::endpoint_deleted(const std::string& region, const std::string& endpoint_id,
                                          const std::filesystem::path& directory) {
  std::vector<std::shared_ptr<ChannelSupervisor>> all;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, pipelines] : supervisors_)
      if (key.rfind(region + "/", 0) == 0) all.insert(all.end(), pipelines.begin(), pipelines.end());
  }
  // Every supervisor of the region drops the endpoint from its plan (the one packaging it also
  // stops its packager, then deletes the files). With none, housekeeping deletes the files.
  for (const auto& s : all) s->remove_endpoint(region, endpoint_id, directory);
  if (all.empty()) housekeeping_->post([this, directory] { factory_.remove_directory(directory); });
}

bool ChannelSupervisors::stop_ends_outputs(const std::string& region, const std::string& channel_id) const {
  for (const auto& s : find(key_of(region, channel_id)))
    if (s->has_output_to_end()) return true;
  return false;
}

std::optional<ChannelReport> ChannelSupervisors::report(const std::string& region, const std::string& channel_id,
                                                        int pipeline) const {
  auto pipelines = find(key_of(region, channel_id));
  if (pipeline < 0 || static_cast<size_t>(pipeline) >= pipelines.size()) return std::nullopt;
  return pipelines[static_cast<size_t>(pipeline)]->report();
}

nlohmann::json ChannelSupervisors::alerts(const std::string& region, const std::string& channel_id) const {
  nlohmann::json out = nlohmann::json::array();
  int n = 0;
  for (const auto& s : find(key_of(region, channel_id))) {
    ChannelReport r = s->report();
    if (r.state == ChannelReport::State::Idle) continue;
    for (auto& alert : alerts_of(r, channel_id, s->pipeline(), n)) out.push_back(std::move(alert));
  }
  return out;
}

nlohmann::json ChannelSupervisors::samples() const {
  std::vector<std::shared_ptr<ChannelSupervisor>> all;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, pipelines] : supervisors_) all.insert(all.end(), pipelines.begin(), pipelines.end());
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : all) {
    ChannelReport r = s->report();
    if (r.state == ChannelReport::State::Idle) continue;
    const std::string& key = s->key();
    auto slash = key.find('/');
    std::string id = key.substr(slash + 1);
    InputCounters in = r.input ? r.input->counters() : InputCounters{};
    bool receiving = any_receiving(r);
    nlohmann::json groups = nlohmann::json::object();
    for (const auto& [name, outputs] : r.output_groups) groups[name] = receiving ? outputs : 0;
    int numbered = 0;
    nlohmann::json sample = {{"region", key.substr(0, slash)},
                             {"channel_id", id},
                             {"pipeline", std::to_string(s->pipeline())},
                             {"active_alerts", alerts_of(r, id, s->pipeline(), numbered).size()},
                             {"receiving", receiving},
                             {"ever_received", in.ever_received},
                             {"media_bytes", in.media_bytes},
                             {"video_frames", in.video_frames},
                             {"output_groups", groups},
                             {"producing", false}};
    bool rtp = false;
    int64_t rtp_received = 0, rtp_lost = 0;
    for (const auto& source : r.sources) {
      auto status = source->status();
      rtp |= status.rtp;
      rtp_received += status.rtp_received;
      rtp_lost += status.rtp_lost;
    }
    if (rtp) {
      sample["rtp_received"] = rtp_received;
      sample["rtp_lost"] = rtp_lost;
    }
    if (r.transcode) {
      sample["producing"] = r.transcode->producing.load(std::memory_order_relaxed);
      sample["dropped_frames"] = r.transcode->dropped_frames.load(std::memory_order_relaxed);
      sample["fill_ms"] = r.transcode->fill_ms.load(std::memory_order_relaxed);
    }
    out.push_back(std::move(sample));
  }
  return out;
}

nlohmann::json ChannelSupervisors::take_logs() {
  std::vector<std::shared_ptr<ChannelSupervisor>> all;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, pipelines] : supervisors_) all.insert(all.end(), pipelines.begin(), pipelines.end());
    all.insert(all.end(), retired_.begin(), retired_.end());  // a deleted channel's last words
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : all) {
    uint64_t dropped = 0;
    auto events = s->take_log(dropped);
    if (events.empty() && !dropped) continue;
    nlohmann::json list = nlohmann::json::array();
    for (auto& e : events)
      list.push_back({{"time_us", e.time_us}, {"severity", std::string(1, e.severity)}, {"message", std::move(e.message)}});
    const std::string& key = s->key();
    auto slash = key.find('/');
    out.push_back({{"region", key.substr(0, slash)},
                   {"channel_id", key.substr(slash + 1)},
                   {"pipeline", s->pipeline()},
                   {"events", std::move(list)},
                   {"dropped", dropped}});
  }
  return out;
}

void ChannelSupervisors::shutdown_all() {
  std::map<std::string, Pipelines> all;
  std::vector<std::shared_ptr<ChannelSupervisor>> retired;
  {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
    all.swap(supervisors_);
    retired.swap(retired_);
  }
  for (auto& [key, pipelines] : all)
    for (auto& s : pipelines) s->shutdown();  // every pipeline flushes in parallel on its own thread
  all.clear();                               // then each is joined
  retired.clear();
  housekeeping_->finish();
}

}  // namespace mediaemu::media
