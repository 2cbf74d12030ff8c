// The one owner of a MediaLive channel's media: its ingest sources, its pipeline (transcoder and
// output groups) and the MediaPackage channels it feeds, all touched only on its own thread.
// Lifecycle hooks post commands (start, stop, restart, update, endpoint changes, shutdown) and
// return at once; the supervisor reports what it runs in a snapshot that any thread reads
// without waiting for media work.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "emulator/media/plan/run_plan.hpp"
#include "emulator/media/supervisor/channel_input.hpp"
#include "emulator/media/supervisor/channel_log.hpp"
#include "emulator/media/supervisor/input_selector.hpp"
#include "emulator/media/supervisor/media_factory.hpp"
#include "emulator/serial_worker.hpp"

namespace mediaemu::media {

// Which running channel feeds each MediaPackage channel: one at a time (keys "<region>/<id>"),
// with one or both of its pipelines; the claim ends with the last pipeline's release.
class MediaPackageClaims {
 public:
  // True when `channel_key` now feeds `mp_key` (or already did); `holder` names who does otherwise.
  bool claim(const std::string& mp_key, const std::string& channel_key, std::string& holder, int pipeline = 0);
  void release_all(const std::string& channel_key, int pipeline = 0);  // that pipeline's claims
  void release(const std::string& mp_key, const std::string& channel_key);  // if `channel_key` holds it
  std::string holder(const std::string& mp_key) const;
  std::map<std::string, std::string> holders() const;  // every claim: mp_key -> holder

 private:
  struct Claim {
    std::string holder;
    std::set<int> pipelines;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Claim> claims_;
};

struct ChannelReport {
  enum class State { Idle, Running, Failed } state = State::Idle;
  double since_epoch_seconds = 0;           // when the state was entered
  int64_t restarts = 0;                      // RestartChannelPipelines carried out
  std::vector<std::string> configuration;   // plan alerts: what mediaemu does not run
  std::vector<std::string> delivery;        // outputs that cannot reach their destination
  std::vector<std::string> inputs;          // inputs whose transport mediaemu does not receive
  std::vector<std::shared_ptr<pipeline::IngestSource>> sources;  // thread-safe status()
  std::shared_ptr<const ChannelInput> input;                       // thread-safe counters()
  std::shared_ptr<const pipeline::TranscodeHealth> transcode;      // thread-safe; null: none runs
  bool has_pipeline = false;                 // the plan produces output
  std::map<std::string, int> output_groups;  // groups the pipeline delivers: name -> outputs
  std::string active_input;                  // InputAttachmentName of the input on air
  int64_t input_switches = 0;                // switches carried out (schedule and failover)
};

class ChannelSupervisor {
 public:
  // Called on the supervisor thread when a stop command has ended every output (`order` is the
  // stop's), so the control plane can settle the channel.
  using StoppedReport = std::function<void(uint64_t order)>;

  // `pipeline`: which of the channel's pipelines it runs (a STANDARD channel has a supervisor for each).
  ChannelSupervisor(std::string key, MediaFactory& factory, MediaPackageClaims& claims, StoppedReport stopped = {},
                    int pipeline = 0);
  ~ChannelSupervisor();  // shutdown(), then joins the thread

  // Commands: queued, in order; each returns at once.
  // Lifecycle commands older (by `order`) than one already applied are dropped.
  void start(ChannelRunPlan plan);
  void stop(uint64_t order);
  void restart(uint64_t order);
  // New inputs' security groups and a new schedule (input switches) for the running channel.
  void update(ChannelRunPlan plan);
  // `apply`: also change what the running pipeline packages (false: only this supervisor's plan,
  // when another pipeline of the channel applies it to the packagers they share).
  void set_endpoint(EndpointPlan endpoint, bool apply = true);
  void remove_endpoint(std::string region, std::string endpoint_id, std::filesystem::path directory);
  // Stops whatever runs; the thread ends after that. Later commands are ignored. Never blocks.
  void shutdown();

  ChannelReport report() const;  // never waits for media work
  // Running, and its pipeline has received media since it was built. Never waits.
  bool has_output_to_end() const {
    return input_->delivered() > 0 && report().state == ChannelReport::State::Running;
  }
  bool finished() const { return worker_.done(); }
  const std::string& key() const { return key_; }  // "<region>/<channel id>"
  int pipeline() const { return pipeline_index_; }
  // The MediaPackage channels ("<region>/<id>") it feeds now.
  std::set<std::string> feeding() const;
  // The encoder log's events since the last call (any thread; never waits for media work).
  std::vector<ChannelLogEvent> take_log(uint64_t& dropped) { return log_->take(dropped); }

 private:
  void post(const char* what, std::function<void()> job);
  // On the supervisor thread:
  void do_start(ChannelRunPlan plan);
  void do_stop(const char* why);
  void build();       // pipeline from plan_, into input_
  void teardown();    // pipeline stop, claims released
  void publish(ChannelReport::State state);
  // Input switching (schedule and automatic failover), on the supervisor thread:
  void start_source(const InputPlan& input);  // into sources_, or an input alert
  void close_source(const std::string& input_id);  // stops it and drops it from sources_
  // Why an action on a dynamic input that names no UrlPath does nothing (`why`: the action).
  static std::string no_url_path(const std::string& why);
  // `clip`: the switch's InputClippingSettings (a file input opens again at it).
  // `url_path`: the switch's UrlPath, which a dynamic input needs.
  void switch_to(const std::string& input_id, const std::string& why,
                 const std::optional<pipeline::TimecodeClip>& clip = std::nullopt,
                 const std::vector<std::string>& url_path = {});
  bool standing_by(const std::string& input_id) const;  // member of a failover pair
  void arm_schedule(bool at_start);  // timers for the plan's switches not yet run
  // A fixed (at `at_epoch_ms` less `lead`) or immediate action: `job` runs then, unless the channel
  // is starting after it was due, which only marks it in `run`.
  void arm_action(std::set<std::string>& run, const std::string& name, std::optional<int64_t> at_epoch_ms,
                  bool at_start, int64_t now_ms, std::chrono::milliseconds lead, std::function<void()> job);
  void run_switch(const std::string& action_name, uint64_t generation, const std::string& when = "");
  void run_prepare(const std::string& action_name, uint64_t generation, const std::string& when = "");
  // InputPrepareSettings: opens a pulled input ahead of its switch (the last prepare replaces an
  // earlier one); pushed inputs receive anyway, and a file opens at its switch from its start.
  void prepare(const ScheduledSwitch& action, const std::string& when = "");
  void watch_follows(uint64_t generation);  // every 100 ms while a follow-mode action waits
  // To the transcoder; `when` says why now, for a follow-mode one.
  void run_cue(const std::string& action_name, uint64_t generation, const std::string& when = "");
  void watch_failover(uint64_t generation);  // every kFailoverTick while a pair exists
  const InputPlan* input_plan(const std::string& input_id) const;

  const std::string key_;
  const int pipeline_index_;
  const std::string label_;  // the key, and the pipeline when it is not the first: for log lines
  MediaFactory& factory_;
  MediaPackageClaims& claims_;
  const StoppedReport stopped_;
  // Supervisor thread only:
  std::optional<ChannelRunPlan> plan_;
  std::vector<std::pair<std::string, std::shared_ptr<pipeline::IngestSource>>> sources_;  // input id -> source
  std::unique_ptr<ChannelPipeline> pipeline_;
  const std::shared_ptr<ChannelLog> log_ = std::make_shared<ChannelLog>();  // thread-safe
  std::shared_ptr<ChannelInput> input_ = std::make_shared<ChannelInput>(log_);
  std::shared_ptr<InputSelector> selector_ = std::make_shared<InputSelector>(input_);
  std::set<std::string> switches_run_;  // schedule actions carried out (or passed) in this run
  std::set<std::string> cues_run_;      // SCTE-35 actions handed to the transcoder (or passed)
  std::map<std::string, std::string> switched_to_;  // actions carried out in this run -> their input
  std::string prepared_;                         // the input an input prepare opened ("": none)
  std::vector<std::string> prepared_url_path_;   // with that UrlPath
  uint64_t generation_ = 0;             // of the armed timers: a newer plan or a stop voids older ones
  SerialWorker::Clock::time_point started_;
  std::map<std::string, SerialWorker::Clock::time_point> clear_since_;  // failover: healthy since
  // Failover's VideoBlack / AudioSilence: how long the input on air (content_of_) has been black
  // and silent, as of content_tick_.
  std::string content_of_;
  SerialWorker::Clock::time_point content_tick_{};
  int64_t black_ms_ = 0, silent_ms_ = 0;
  int64_t input_switches_ = 0;
  std::vector<std::string> delivery_alerts_, input_alerts_;
  int64_t restarts_ = 0;
  uint64_t last_order_ = 0;  // of the newest lifecycle command applied
  bool fresh(uint64_t order);  // true (and remembered) unless a newer command was applied
  // Shared with readers:
  mutable std::mutex report_mutex_;
  ChannelReport report_;
  std::set<std::string> feeding_;
  SerialWorker worker_;  // last: its thread may run jobs only once everything above exists
};

}  // namespace mediaemu::media
