#include "emulator/speke/key_vault.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <fstream>
#include <stdexcept>

namespace mediaemu::speke {

KeyVault::KeyVault(const std::filesystem::path& data_dir) {
  const auto path = data_dir / "speke" / "secret";
  std::ifstream in(path, std::ios::binary);
  if (in) {
    in.read(reinterpret_cast<char*>(secret_.data()), secret_.size());
    if (in.gcount() == static_cast<std::streamsize>(secret_.size())) return;
    throw std::runtime_error("the key server's secret " + path.string() +
                             " is not 32 bytes; remove it to make a new one");
  }
  if (RAND_bytes(secret_.data(), static_cast<int>(secret_.size())) != 1)
    throw std::runtime_error("OpenSSL could not generate the key server's secret");
  std::filesystem::create_directories(path.parent_path());
  const auto temp = path.string() + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(secret_.data()), secret_.size());
    if (!out) throw std::runtime_error("cannot write the key server's secret " + temp);
  }
  ::chmod(temp.c_str(), 0600);  // a secret: only the owner reads it
  std::filesystem::rename(temp, path);
}

Block KeyVault::key(const std::string& resource_id, const Block& kid) const {
  const std::string message = resource_id + "\n" + pipeline::crypto::uuid_text(kid);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  Block out{};
  std::copy(digest, digest + out.size(), out.begin());
  return out;
}

}  // namespace mediaemu::speke
