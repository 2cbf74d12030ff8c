// Amazon SNS: topics (standard and FIFO), subscriptions of every protocol AWS has, Publish and
// PublishBatch, tags. HTTP and HTTPS subscribers really get the SubscriptionConfirmation, the
// notifications and the UnsubscribeConfirmation AWS sends, signed as AWS signs them (signer.hpp),
// from the delivery worker (delivery.hpp), never from the HTTP thread that handled the call. Email, SMS, SQS, Lambda, mobile and Firehose subscriptions are kept and
// confirmed as AWS would; mediaemu delivers nothing to them and says so in the log.
//
// A pending subscription's SubscribeURL points at mediaemu itself: a GET of it confirms. So does
// an UnsubscribeConfirmation's, which restores the subscription as on AWS.
#pragma once

#include <string>

#include "api/aws_api.hpp"
#include "emulator/domain.hpp"
#include "emulator/service_kit.hpp"
#include "emulator/sns/delivery.hpp"

namespace mediaemu::sns {

inline const std::string kTopic = "sns:topic";                // id = topic name
inline const std::string kSubscription = "sns:subscription";  // id = the subscription ARN's last part

api::OperationTable operations(Domain& domain, SnsDelivery& delivery);

// The signing certificate at signer.certificate_path() (GET), for the front door's
// kCertificatePrefix route; 404 for anything else under it.
api::HttpResponse certificate_response(const SnsSigner& signer, const api::HttpRequest& request);

// For other services in-process (CloudWatch alarm actions): publishes `message` to the topic as
// Publish does. Returns the MessageId; throws api::ApiError NotFound for an unknown topic.
std::string publish(Domain& domain, SnsDelivery& delivery, const std::string& topic_arn, const std::string& subject,
                    const std::string& message);

// ---- Shared by the handler files ------------------------------------------------------------

// Raises SNS's NotFound (404) or InvalidParameter (400).
[[noreturn]] void not_found(const std::string& message);
[[noreturn]] void invalid(const std::string& message);
// The topic with this ARN (a lock held), or NotFound "Topic does not exist".
const Record& topic_by_arn(const Domain& d, const std::string& arn);
// Subscriptions of a topic, by id.
std::vector<const Record*> subscriptions_of(const Domain& d, const std::string& topic_arn);
// The topic's SignatureVersion attribute: 1 (AWS's default, SHA1withRSA) or 2 (SHA256withRSA).
int signature_version(const Record& topic);
// The POST of one message to an http/https subscription, with AWS's x-amz-sns-* headers
// (https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html); `type` is the
// message's Type.
HttpPost subscriber_post(const json& subscription, const std::string& type, const std::string& message_id,
                         std::string body);
// Queues a SubscriptionConfirmation (of a pending http(s) subscription; an email one gets a log
// line saying how to confirm) or an UnsubscribeConfirmation, whose SubscribeURL and token confirm
// the subscription again. Call after commit.
void send_confirmation(const Domain& d, SnsDelivery& delivery, const json& subscription, const std::string& token,
                       const std::string& type, int signature_version);
// A URL of mediaemu itself that runs an SNS query action (`query`: "Action=...&...") on GET.
std::string self_url(const Config& config, const std::string& region, const std::string& query);

void add_topic_operations(api::OperationTable& t, Domain& d, SnsDelivery& delivery);
void add_subscription_operations(api::OperationTable& t, Domain& d, SnsDelivery& delivery);

}  // namespace mediaemu::sns
