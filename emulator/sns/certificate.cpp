// GET /_mediaemu/sns/SimpleNotificationService-<hex id>.pem: the certificate that SigningCertURL
// names, so subscribers can verify signatures as they would against AWS's
// (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html).
#include "emulator/sns/sns.hpp"

namespace mediaemu::sns {

api::HttpResponse certificate_response(const SnsSigner& signer, const api::HttpRequest& request) {
  if (request.path() != signer.certificate_path() || (request.method != "GET" && request.method != "HEAD"))
    return api::error_response(404, "NotFound", "mediaemu's SNS signing certificate is at " + signer.certificate_path(),
                               api::new_request_id());
  api::HttpResponse r;
  // What AWS's own certificate URLs answer with.
  r.set_header("Content-Type", "application/x-x509-ca-cert");
  r.body = signer.certificate_pem();
  return r;
}

}  // namespace mediaemu::sns
