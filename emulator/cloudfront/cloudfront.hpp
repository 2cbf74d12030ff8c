// Amazon CloudFront: web distributions through the AWS API (create, read, update with If-Match,
// disable and delete, list, tags, invalidations) and a local edge that serves each distribution
// by forwarding to its origins (edge.cpp).
//
// CloudFront is a global service: one record per distribution whatever region a request is
// signed for; ARNs carry no region (arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE).
// Each distribution answers at http://<id in lower case>.cloudfront.localhost:<port>/, the way
// AWS hands out d111111abcdef8.cloudfront.net; curl and browsers resolve *.localhost to loopback.
// https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_Operations_Amazon_CloudFront.html
#pragma once

#include <string>
#include <vector>

#include "api/aws_api.hpp"
#include "api/front_door.hpp"
#include "api/http_types.hpp"
#include "emulator/domain.hpp"
#include "emulator/service_kit.hpp"

namespace mediaemu::cloudfront {

inline const std::string kDistribution = "cloudfront:distribution";  // id = distribution id
inline const std::string kInvalidation = "cloudfront:invalidation";  // id = "<distribution id>/<invalidation id>"
inline const std::string kGlobal = "global";
inline Key distribution_key(const std::string& id) { return {kDistribution, kGlobal, id}; }
inline Key invalidation_key(const std::string& distribution_id, const std::string& id) {
  return {kInvalidation, kGlobal, distribution_id + "/" + id};
}
inline constexpr const char* kEdgeDomainSuffix = ".cloudfront.localhost";

api::OperationTable operations(Domain& domain);

// ---- The edge ---------------------------------------------------------------------------------

// True for a request whose Host is "<something>.cloudfront.localhost[:port]".
bool is_edge_request(const api::HttpRequest& request);
// Serves it as the distribution with that domain name would: picks the cache behaviour, forwards
// to the origin (mediaemu-local origins through `front`, in-process; loopback origins over HTTP)
// and returns the origin's answer with CloudFront's Via / X-Cache headers.
api::HttpResponse serve_edge(Domain& domain, const api::FrontDoor& front, const api::HttpRequest& request);

// ---- Shared by the handler files ------------------------------------------------------------

// CloudFront's errors by code; the model gives each its HTTP status.
[[noreturn]] void fail(const std::string& code, const std::string& message);
// The distribution's record (a lock held) or 404 NoSuchDistribution.
const Record& require_distribution(const Domain& d, const std::string& id);
// Checks a DistributionConfig as CloudFront does before accepting it (create and update) and
// returns it with the defaults CloudFront fills in. Throws CloudFront's error codes.
json checked_distribution_config(const Domain& d, const json& config, const std::string& updating_id = "");
// CloudFront's Marker/MaxItems paging over items with an "Id" (in list order): the page starts
// after the item whose Id is Marker; NextMarker is the last Id of a truncated page. Returns the
// DistributionList / InvalidationList members (Marker, MaxItems, IsTruncated, Quantity, Items).
json marker_page(const std::vector<json>& items, const json& input);
// Number of the distribution's invalidations still InProgress (a lock held).
int invalidations_in_progress(const Domain& d, const std::string& distribution_id);

void add_distribution_operations(api::OperationTable& t, Domain& d);
void add_invalidation_operations(api::OperationTable& t, Domain& d);
void add_tag_operations(api::OperationTable& t, Domain& d);

}  // namespace mediaemu::cloudfront
