#include "emulator/media_loader.hpp"

#include "emulator/medialive/medialive.hpp"

#include <dlfcn.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>

namespace mediaemu {
namespace {

// The module lives next to the binary (both come out of one build directory).
std::filesystem::path module_path() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (ec ? std::filesystem::path(".") : exe.parent_path()) / kMediaModuleFile;
}

}  // namespace

MediaLoader::MediaLoader(const Config& config, Domain& domain, boost::asio::io_context& io, flow::FlowTaps& flow_taps)
    : config_(config), domain_(domain), io_(io), flow_taps_(flow_taps) {
  loaded_ = promise_.get_future().share();
}

// start() begins the load a moment after the HTTP server listens (kQuietStart), so the two do not
// compete for the machine's cores (and its page-table lock) while the first API calls are served;
// a hook that needs media at once (`urgent`) cuts the wait short.
void MediaLoader::begin_loading(bool urgent) {
  if (urgent) {
    std::lock_guard lock(mutex_);
    urgent_ = true;
    wake_.notify_all();
  }
  std::call_once(loading_, [this] { loader_ = std::thread([this] { load(); }); });
}

void MediaLoader::load() {
  {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, kQuietStart, [this] { return urgent_ || stopped_; });
    if (stopped_ && !urgent_) {  // stopped before anything needed media: nothing to load
      error_ = "mediaemu is stopping";
      promise_.set_value(nullptr);
      ready_ = true;  // commands from now on (and the queued ones) have no service to go to
      pending_.clear();
      return;
    }
  }
  auto started = std::chrono::steady_clock::now();
  const auto path = module_path();
  // RTLD_NOW: a missing symbol fails here, with a message, not later in the middle of a call.
  handle_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  void* create = handle_ ? dlsym(handle_, kCreateMediaServiceSymbol) : nullptr;
  if (!create) {
    const char* why = dlerror();
    error_ = "the media module " + path.string() + " could not be loaded (" + (why ? why : "no entry point") +
             "); rebuild mediaemu (tools/run builds it next to the binary)";
    spdlog::error("media: {}; the AWS APIs keep working, but no channel will produce media", error_);
    promise_.set_value(nullptr);
    std::lock_guard lock(mutex_);
    ready_ = true;
    pending_.clear();
    return;
  }
  try {
    service_.reset(reinterpret_cast<CreateMediaService*>(create)(config_, domain_, io_, flow_taps_));
  } catch (const std::exception& e) {
    error_ = std::string("the media runtime failed to start: ") + e.what();
    spdlog::error("media: {}", error_);
  }
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
  if (service_) spdlog::debug("media: module {} loaded in {} ms", path.string(), ms.count());
  promise_.set_value(service_.get());
  // Commands that came during the load run now, in order; ones that come meanwhile join the queue.
  std::unique_lock lock(mutex_);
  while (!pending_.empty()) {
    auto batch = std::move(pending_);
    pending_.clear();
    lock.unlock();
    if (service_)
      for (auto& c : batch) c(*service_);
    lock.lock();
  }
  ready_ = true;
  post_start();
}

MediaLoader::~MediaLoader() { stop(); }

MediaService* MediaLoader::service() {
  begin_loading(true);
  return loaded_.get();
}

void MediaLoader::start() {
  begin_loading(false);
  std::lock_guard lock(mutex_);
  start_requested_ = true;
  post_start();
}

// The service starts on the io_context's threads as soon as both the module is loaded and start()
// was called, whichever comes last, so the HTTP server answers meanwhile. A port that cannot be
// opened ends the process, as a busy HTTP port does.
void MediaLoader::post_start() {
  if (!ready_ || !start_requested_ || !service_) return;
  boost::asio::post(io_, [s = service_.get()] {
    try {
      s->start();
    } catch (const std::exception& e) {
      spdlog::critical("mediaemu cannot start its media side: {}", e.what());
      spdlog::shutdown();
      std::_Exit(1);
    }
  });
}

void MediaLoader::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;  // a load still waiting for its quiet start is called off
    wake_.notify_all();
  }
  if (loader_.joinable()) loader_.join();
  if (service_) service_->stop();
}

void MediaLoader::command(std::function<void(MediaService&)> command) {
  bool queued = false;
  {
    std::lock_guard lock(mutex_);
    if (!ready_) {
      pending_.push_back(std::move(command));
      queued = true;
    }
  }
  if (queued) {
    begin_loading(true);  // media is needed now: cut the quiet start short
    return;
  }
  if (service_) command(*service_);
}

void MediaLoader::channel_start(const media::ChannelRunPlan& plan) {
  command([plan](MediaService& s) { s.channel_start(plan); });
}
void MediaLoader::channel_stop(const std::string& region, const std::string& channel_id, uint64_t order) {
  bool failed;
  {
    std::lock_guard lock(mutex_);
    failed = ready_ && !service_;
  }
  // Without a media side nothing ran, so the stop is over; the channel settles now.
  if (failed) return medialive::channel_media_stopped(domain_, region, channel_id, order);
  command([=](MediaService& s) { s.channel_stop(region, channel_id, order); });
}
bool MediaLoader::stop_ends_outputs(const std::string& region, const std::string& channel_id) {
  MediaService* s = nullptr;
  {
    std::lock_guard lock(mutex_);
    if (ready_) s = service_.get();
  }
  return s && s->stop_ends_outputs(region, channel_id);  // not loaded yet: nothing ran
}

void MediaLoader::channel_restart(const std::string& region, const std::string& channel_id, uint64_t order,
                                  const std::vector<int>& pipelines) {
  command([=](MediaService& s) { s.channel_restart(region, channel_id, order, pipelines); });
}
void MediaLoader::channel_update(const media::ChannelRunPlan& plan) {
  command([plan](MediaService& s) { s.channel_update(plan); });
}
void MediaLoader::channel_deleted(const std::string& region, const std::string& channel_id, uint64_t order) {
  command([=](MediaService& s) { s.channel_deleted(region, channel_id, order); });
}
nlohmann::json MediaLoader::channel_alerts(const std::string& region, const std::string& channel_id) {
  if (MediaService* s = service()) return s->channel_alerts(region, channel_id);
  return nlohmann::json::array({{{"AlertType", "Media Runtime Unavailable"},
                                 {"Id", channel_id + "-media"},
                                 {"Message", error_},
                                 {"PipelineId", "0"},
                                 {"State", "SET"}}});
}
std::string MediaLoader::channel_active_input(const std::string& region, const std::string& channel_id, int pipeline) {
  MediaService* s = service();
  return s ? s->channel_active_input(region, channel_id, pipeline) : "";
}
media::HlsIngestAnswer MediaLoader::hls_ingest(media::HlsIngestDelivery&& delivery) {
  // An upload waits for the module's load once, as ListAlerts does (about 100 ms).
  if (MediaService* s = service()) return s->hls_ingest(std::move(delivery));
  return MediaHooks::hls_ingest(std::move(delivery));
}
nlohmann::json MediaLoader::channel_samples() {
  if (MediaService* s = service()) return s->channel_samples();
  return nlohmann::json::array();  // no media runtime: no channel runs, so none has metrics
}
nlohmann::json MediaLoader::mediapackage_inputs() {
  if (MediaService* s = service()) return s->mediapackage_inputs();
  return nlohmann::json::array();
}
nlohmann::json MediaLoader::channel_logs() {
  if (MediaService* s = service()) return s->channel_logs();
  return nlohmann::json::array();
}
void MediaLoader::endpoint_changed(const media::EndpointPlan& plan) {
  command([plan](MediaService& s) { s.endpoint_changed(plan); });
}
void MediaLoader::endpoint_deleted(const std::string& region, const std::string& endpoint_id,
                                   const std::filesystem::path& directory) {
  command([=](MediaService& s) { s.endpoint_deleted(region, endpoint_id, directory); });
}

}  // namespace mediaemu
