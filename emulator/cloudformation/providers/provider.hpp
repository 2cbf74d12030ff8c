// Resource providers: how a stack creates, updates and deletes one resource type. A provider is
// a thin translation from CloudFormation's properties to the service's own operations, called
// through AwsApi::invoke: the very handlers the CLI reaches, so a stack and a script get the same
// behaviour and the same errors (one behaviour, many doors).
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "api/aws_api.hpp"
#include "emulator/domain.hpp"

namespace mediaemu::cloudformation {

using json = nlohmann::json;

// A resource as the stack keeps it.
struct StackResource {
  std::string type;
  std::string physical_id;
  json properties = json::object();  // resolved, as last applied
  json attributes = json::object();  // Fn::GetAtt values (and "Ref" when Ref is not the physical id)
};

// What a provider's create or update produced.
struct Provided {
  std::string physical_id;
  json attributes = json::object();
};

class ProviderContext {
 public:
  ProviderContext(const api::AwsApi& api, Domain& domain, api::CallContext call, std::string stack_name,
                  std::string logical_id)
      : api_(api), domain_(domain), call_(std::move(call)), stack_name_(std::move(stack_name)),
        logical_id_(std::move(logical_id)) {}

  // Calls service:operation with `input` in model form after coercing it to the operation's input
  // shape the way CloudFormation coerces properties ("5000" -> 5000 for an integer member) and
  // refusing members the shape does not have. Throws the handler's ApiError.
  json invoke(const std::string& service, const std::string& operation, json input) const;
  // Polls `done` (every 20 ms, up to `seconds`) for a resource that settles asynchronously
  // (a MediaLive channel CREATING -> IDLE). Throws when it does not settle in time.
  void wait_until(const std::string& what, const std::function<bool()>& done, int seconds = 60) const;

  // A provider calls this as soon as the service has made the resource, before waiting for it
  // to settle: the stack records the physical id at once, so a crash while waiting leaves a
  // resource the rollback knows about and deletes, not an orphan.
  void created(const std::string& physical_id) const {
    if (on_created) on_created(physical_id);
  }
  std::function<void(const std::string&)> on_created;

  Domain& domain() const { return domain_; }
  const api::AwsApi& api() const { return api_; }
  const std::string& region() const { return call_.region; }
  const api::CallContext& call() const { return call_; }
  const std::string& account() const { return call_.account; }
  const std::string& stack_name() const { return stack_name_; }
  const std::string& logical_id() const { return logical_id_; }
  // A name for a resource the template leaves unnamed, as CloudFormation makes them:
  // <stack>-<logical id>-<random suffix>, cut to `max_length`.
  std::string generated_name(size_t max_length = 128) const;

 private:
  const api::AwsApi& api_;
  Domain& domain_;
  api::CallContext call_;
  std::string stack_name_, logical_id_;
};

struct Provider {
  // Properties whose change replaces the resource (the type's createOnlyProperties); a path
  // such as "Configuration/Standard/NetworkInterfaceArn" names one inside another.
  std::vector<std::string> create_only;
  std::function<Provided(ProviderContext&, const json& properties)> create;
  // Empty: every property change replaces the resource.
  std::function<Provided(ProviderContext&, const StackResource& current, const json& properties)> update;
  std::function<void(ProviderContext&, const StackResource& current)> remove;
};

using ProviderTable = std::map<std::string, Provider>;  // by resource type

// Whether changing a resource from `current` (its {Type, Properties, Placeholder}) to `type`
// with `properties` replaces it: another type, no provider or no update, a placeholder, or a
// create-only property that differs. The update and the change-set diff both ask this.
bool requires_replacement(const json& current, const std::string& type, const json& properties);

// Every provider mediaemu has (providers/*.cpp add theirs).
const ProviderTable& providers();

void add_medialive_providers(ProviderTable& table);
// The workflow monitor's template groups, templates and signal maps (medialive_workflow.cpp),
// called by add_medialive_providers.
void add_medialive_workflow_providers(ProviderTable& table);
// MediaLive Anywhere's networks, clusters, channel placement groups and SDI sources
// (medialive_anywhere.cpp), called by add_medialive_providers.
void add_medialive_anywhere_providers(ProviderTable& table);
void add_mediapackage_providers(ProviderTable& table);
void add_mediaconnect_providers(ProviderTable& table);
void add_mediaconnect_gateway_providers(ProviderTable& table);  // called by add_mediaconnect_providers
void add_mediaconnect_router_providers(ProviderTable& table);   // called by add_mediaconnect_providers
void add_iam_providers(ProviderTable& table);
void add_storage_providers(ProviderTable& table);      // S3, ECR, SSM, Secrets Manager
void add_monitoring_providers(ProviderTable& table);   // SNS, CloudWatch, Logs, AWS::CDK::Metadata
void add_nested_stack_provider(ProviderTable& table);  // AWS::CloudFormation::Stack
void add_cloudfront_provider(ProviderTable& table);    // AWS::CloudFront::Distribution
void add_kms_providers(ProviderTable& table);          // AWS::KMS::Key, AWS::KMS::Alias

// Helpers the provider files share.
// Runs `fn`, ignoring a NotFound (404) error: deleting what is already gone succeeds, as
// CloudFormation's delete handlers treat it.
void ignore_missing(const std::function<void()>& fn);
// CloudFormation's [{Key, Value}] tag list as the string map the media APIs take.
json tag_map(const json& tag_list);
// The properties with Tags, when present, as the API's string map.
json with_tag_map(json properties);
// Brings the resource's tags from `before` to `after` (tag lists or maps) through its service's
// own tag operations (the media services' update operations do not take tags): `untag` with
// TagKeys for the keys gone, then `tag` with the new map, each only when needed.
struct TagOperations {
  const char* service;
  const char* untag;  // takes {ResourceArn, TagKeys}
  const char* tag;    // takes {ResourceArn, Tags}
};
void sync_tags(ProviderContext& ctx, const TagOperations& ops, const std::string& arn, const json& before,
               const json& after);
// A property as text ("" when absent): templates may give a number where a string is meant
// (`Value: 1` in YAML), and CloudFormation turns it into "1".
std::string text(const json& properties, const char* name);
// `from` without the named members.
json without(json from, std::initializer_list<const char*> names);

}  // namespace mediaemu::cloudformation
