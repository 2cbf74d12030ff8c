// Process-wide settings from the command line. Passed by reference; never a global.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace mediaemu {

struct Config {
  std::string host = "127.0.0.1";  // bind address; 0.0.0.0 is an explicit choice
  uint16_t port = 4566;            // HTTP: AWS APIs, origin, health (LocalStack's edge port)
  uint16_t rtmp_port = 1935;
  uint16_t udp_port_first = 5000;  // RTP/UDP push inputs get ports from this range
  uint16_t udp_port_last = 5999;
  std::filesystem::path data_dir = "mediaemu-data";
  int64_t state_delay_ms = 0;  // how long every lifecycle transition takes
  std::string log_level = "info";
  std::string x264_preset = "veryfast";
  int io_threads = 0;  // 0: one per core
  // CloudFormation: a resource type with no provider gets a placeholder instead of failing the stack.
  bool cfn_placeholders = false;
  // SNS: PEM CA certificates trusted for https subscribers besides the system's ("": none).
  std::string sns_ca_file;

  // The host written into URLs we hand out (ingest, origin). Binding 0.0.0.0 still advertises
  // loopback, which is what a local client can reach for sure.
  std::string url_host() const { return host == "0.0.0.0" || host.empty() ? "127.0.0.1" : host; }
  std::string http_base() const { return "http://" + url_host() + ":" + std::to_string(port); }
  // Where an origin endpoint's packager writes and the origin serves from (by its URL hash).
  std::filesystem::path origin_dir(const std::string& url_hash) const { return data_dir / "origin" / url_hash; }
};

}  // namespace mediaemu
