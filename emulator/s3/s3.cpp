#include "emulator/s3/s3.hpp"

namespace mediaemu::s3 {

api::OperationTable operations(S3Service& s3) {
  api::OperationTable t;
  add_bucket_operations(t, s3);
  add_bucket_configuration_operations(t, s3);
  add_bucket_default_operations(t, s3);
  add_object_tagging_operations(t, s3);
  add_object_operations(t, s3);
  add_listing_operations(t, s3);
  add_multipart_operations(t, s3);
  return t;
}

bool is_upload(const api::HttpRequest& r) {
  if (r.method != "PUT" && r.method != "POST") return false;
  // The SigV4 credential scope ".../<region>/s3/aws4_request", in the header or the query.
  return r.header("authorization").find("/s3/aws4_request") != std::string_view::npos ||
         r.query().find("%2Fs3%2Faws4_request") != std::string_view::npos ||
         r.query().find("/s3/aws4_request") != std::string_view::npos;
}

}  // namespace mediaemu::s3
