#include "emulator/media/supervisor/channel_supervisors.hpp"

#include <spdlog/spdlog.h>

namespace mediaemu::media {
namespace {

std::string key_of(const std::string& region, const std::string& id) { return region + "/" + id; }

bool any_receiving(const ChannelReport& r) {
  for (const auto& s : r.sources)
    if (s->status().receiving) return true;
  return false;
}

// ListAlerts items of a running channel's report.
nlohmann::json alerts_of(const ChannelReport& r, const std::string& channel_id) {
  nlohmann::json out = nlohmann::json::array();
  int n = 0;
  auto add = [&](const std::string& type, const std::string& message) {
    out.push_back({{"AlertType", type},
                   {"Id", channel_id + "-" + std::to_string(++n)},
                   {"Message", message},
                   {"PipelineId", "0"},
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

std::shared_ptr<ChannelSupervisor> ChannelSupervisors::find(const std::string& key) const {
  std::lock_guard lock(mutex_);
  auto it = supervisors_.find(key);
  return it == supervisors_.end() ? nullptr : it->second;
}

std::shared_ptr<ChannelSupervisor> ChannelSupervisors::find_or_make(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (shut_down_) return nullptr;
  reap_locked();
  auto& slot = supervisors_[key];
  if (!slot) {
    ChannelSupervisor::StoppedReport report;
    if (stopped_) {
      auto slash = key.find('/');
      report = [this, region = key.substr(0, slash), id = key.substr(slash + 1)](uint64_t order) {
        stopped_(region, id, order);
      };
    }
    slot = std::make_shared<ChannelSupervisor>(key, factory_, claims_, std::move(report));
  }
  return slot;
}

void ChannelSupervisors::reap_locked() {
  // Only supervisors whose thread has ended are dropped here, so the join in their destructor is
  // immediate; the rest wait for a later call or shutdown_all().
  std::erase_if(retired_, [](const auto& s) { return s->finished(); });
}

std::shared_ptr<ChannelSupervisor> ChannelSupervisors::feeder_of(const std::string& mp_key) const {
  std::lock_guard lock(mutex_);
  for (const auto& [key, s] : supervisors_)
    if (s->feeding().count(mp_key)) return s;
  return nullptr;
}

void ChannelSupervisors::start(const ChannelRunPlan& plan) {
  if (auto s = find_or_make(plan.key())) s->start(plan);
}

void ChannelSupervisors::stop(const std::string& region, const std::string& channel_id, uint64_t order) {
  if (auto s = find(key_of(region, channel_id))) return s->stop(order);
  // No supervisor, so no media ran: the stop is over at once (reported off the caller's thread).
  if (stopped_) housekeeping_->post([this, region, channel_id, order] { stopped_(region, channel_id, order); });
}

void ChannelSupervisors::restart(const std::string& region, const std::string& channel_id, uint64_t order) {
  if (auto s = find(key_of(region, channel_id))) s->restart(order);
}

void ChannelSupervisors::update(const ChannelRunPlan& plan) {
  if (auto s = find(plan.key())) s->update(plan);
}

void ChannelSupervisors::deleted(const std::string& region, const std::string& channel_id, uint64_t order) {
  std::lock_guard lock(mutex_);
  auto it = supervisors_.find(key_of(region, channel_id));
  if (it == supervisors_.end()) return;
  // A channel is deleted only once it is IDLE, after its last start and stop were committed; a
  // start still in flight (older order) would be dropped by the supervisor anyway.
  (void)order;
  it->second->shutdown();  // queued after whatever it is doing; never blocks
  retired_.push_back(std::move(it->second));
  supervisors_.erase(it);
  reap_locked();
}

void ChannelSupervisors::endpoint_changed(const EndpointPlan& plan) {
  if (auto s = feeder_of(key_of(plan.region, plan.mediapackage_channel_id))) s->set_endpoint(plan);
  // Otherwise nothing runs it now; the next channel that delivers to its MediaPackage channel
  // plans it afresh.
}

void ChannelSupervisors::endpoint_deleted(const std::string& region, const std::string& endpoint_id,
                                          const std::filesystem::path& directory) {
  std::vector<std::shared_ptr<ChannelSupervisor>> all;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, s] : supervisors_)
      if (key.rfind(region + "/", 0) == 0) all.push_back(s);
  }
  // Every supervisor of the region drops the endpoint from its plan (the one packaging it also
  // stops its packager, then deletes the files). With none, housekeeping deletes the files.
  for (const auto& s : all) s->remove_endpoint(region, endpoint_id, directory);
  if (all.empty()) housekeeping_->post([this, directory] { factory_.remove_directory(directory); });
}

bool ChannelSupervisors::stop_ends_outputs(const std::string& region, const std::string& channel_id) const {
  auto s = find(key_of(region, channel_id));
  return s && s->has_output_to_end();
}

std::optional<ChannelReport> ChannelSupervisors::report(const std::string& region, const std::string& channel_id) const {
  auto s = find(key_of(region, channel_id));
  if (!s) return std::nullopt;
  return s->report();
}

nlohmann::json ChannelSupervisors::alerts(const std::string& region, const std::string& channel_id) const {
  auto r = report(region, channel_id);
  if (!r || r->state == ChannelReport::State::Idle) return nlohmann::json::array();
  return alerts_of(*r, channel_id);
}

nlohmann::json ChannelSupervisors::samples() const {
  std::map<std::string, std::shared_ptr<ChannelSupervisor>> all;
  {
    std::lock_guard lock(mutex_);
    all = supervisors_;
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [key, s] : all) {
    ChannelReport r = s->report();
    if (r.state == ChannelReport::State::Idle) continue;
    auto slash = key.find('/');
    std::string id = key.substr(slash + 1);
    InputCounters in = r.input ? r.input->counters() : InputCounters{};
    bool receiving = any_receiving(r);
    nlohmann::json groups = nlohmann::json::object();
    for (const auto& [name, outputs] : r.output_groups) groups[name] = receiving ? outputs : 0;
    nlohmann::json sample = {{"region", key.substr(0, slash)},
                             {"channel_id", id},
                             {"pipeline", "0"},
                             {"active_alerts", alerts_of(r, id).size()},
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
  std::vector<std::pair<std::string, std::shared_ptr<ChannelSupervisor>>> all;
  {
    std::lock_guard lock(mutex_);
    all.assign(supervisors_.begin(), supervisors_.end());
    for (const auto& s : retired_) all.emplace_back(s->key(), s);  // a deleted channel's last words
  }
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [key, s] : all) {
    uint64_t dropped = 0;
    auto events = s->take_log(dropped);
    if (events.empty() && !dropped) continue;
    nlohmann::json list = nlohmann::json::array();
    for (auto& e : events)
      list.push_back({{"time_us", e.time_us}, {"severity", std::string(1, e.severity)}, {"message", std::move(e.message)}});
    auto slash = key.find('/');
    out.push_back({{"region", key.substr(0, slash)},
                   {"channel_id", key.substr(slash + 1)},
                   {"pipeline", 0},
                   {"events", std::move(list)},
                   {"dropped", dropped}});
  }
  return out;
}

void ChannelSupervisors::shutdown_all() {
  std::map<std::string, std::shared_ptr<ChannelSupervisor>> all;
  std::vector<std::shared_ptr<ChannelSupervisor>> retired;
  {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
    all.swap(supervisors_);
    retired.swap(retired_);
  }
  for (auto& [key, s] : all) s->shutdown();  // every channel flushes in parallel on its own thread
  all.clear();                               // then each is joined
  retired.clear();
  housekeeping_->finish();
}

}  // namespace mediaemu::media
