// Runs MediaPackage v1 harvest jobs on a thread of its own, owned by the App: CreateHarvestJob
// commits the job IN_PROGRESS and queues it here, so the API answers at once and no HTTP thread
// copies media. The worker cuts the window out of the endpoint's start-over archive
// (harvest_package.hpp), writes the objects through S3's ObjectStore (so they list and download
// through the S3 API), then commits SUCCEEDED or FAILED. A job still IN_PROGRESS when the process
// ended runs again at the next start (resume): every object write is atomic and idempotent.
#pragma once

#include <atomic>
#include <string>

#include "emulator/domain.hpp"
#include "emulator/serial_worker.hpp"

namespace mediaemu::s3 {
class ObjectStore;
}

namespace mediaemu::mediapackage {

inline const std::string kHarvestJob = "mediapackage:harvest-job";

class Harvester {
 public:
  Harvester(Domain& domain, s3::ObjectStore& objects);
  ~Harvester();  // stop()
  Harvester(const Harvester&) = delete;

  // Queues the job (never blocks on media or the network).
  void submit(const Key& job);
  // Queues every job the store still has IN_PROGRESS.
  void resume();
  // Ends the worker; queued jobs stay IN_PROGRESS in the store and run at the next start.
  void stop();

 private:
  void run(const Key& job);
  void harvest(const Key& job);
  void finish(const Key& job, const std::string& failure);

  Domain& domain_;
  s3::ObjectStore& objects_;
  std::atomic<bool> stopping_{false};  // queued jobs no longer run (they stay IN_PROGRESS)
  SerialWorker worker_;                // last: its thread runs jobs only once the above exist
};

}  // namespace mediaemu::mediapackage
