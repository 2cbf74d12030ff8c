// Errors the domain raises. The protocol engine turns each kind into the *service's own* error
// shape (MediaLive answers validation with BadRequestException; MediaPackage, which declares no
// BadRequest or Conflict shape, answers UnprocessableEntityException), with x-amzn-ErrorType.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace mediaemu::api {

enum class ErrorKind {
  Validation,      // malformed or invalid input (400 BadRequest, or the service's equivalent)
  NotFound,        // 404 NotFoundException
  Conflict,        // 409 ConflictException (422 where the service has none)
  Unprocessable,   // 422 UnprocessableEntityException (semantic rule broken)
  Forbidden,       // 403 ForbiddenException
  TooManyRequests, // 429
  NotImplemented,  // 501: the operation is routed but mediaemu has no behaviour for it yet
  Internal,        // 500
};

class ApiError : public std::runtime_error {
 public:
  ApiError(ErrorKind kind, std::string message) : std::runtime_error(std::move(message)), kind_(kind) {}
  // An error the service names itself: `code` is an error shape of its model ("NoSuchEntityException",
  // whose wire code and status the model gives), or a code the model does not declare (S3's
  // "BucketNotEmpty"), then sent with `status`.
  ApiError(ErrorKind kind, std::string code, std::string message, int status = 0)
      : std::runtime_error(std::move(message)), kind_(kind), code_(std::move(code)), status_(status) {}
  ErrorKind kind() const { return kind_; }
  const std::string& code() const { return code_; }  // empty: the engine picks by kind
  int status() const { return status_; }              // 0: from the model's shape or the kind
  // Response headers some errors carry besides the body (S3's 404 for a key whose current
  // version is a delete marker sends x-amz-delete-marker: true): with_header(name, value).
  ApiError& with_header(std::string name, std::string value) {
    headers_.emplace_back(std::move(name), std::move(value));
    return *this;
  }
  const std::vector<std::pair<std::string, std::string>>& headers() const { return headers_; }

 private:
  ErrorKind kind_;
  std::string code_;
  int status_ = 0;
  std::vector<std::pair<std::string, std::string>> headers_;
};

inline ApiError not_found(const std::string& message) { return {ErrorKind::NotFound, message}; }
inline ApiError conflict(const std::string& message) { return {ErrorKind::Conflict, message}; }
inline ApiError bad_request(const std::string& message) { return {ErrorKind::Validation, message}; }
inline ApiError unprocessable(const std::string& message) { return {ErrorKind::Unprocessable, message}; }

}  // namespace mediaemu::api
