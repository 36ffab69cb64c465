#include "field.h"

namespace zkml {

std::string to_decimal(const uint64_t* s) {
  uint64_t t[4] = {s[0], s[1], s[2], s[3]};
  const uint64_t BASE = 10000000000000000000ULL;  // 10^19, the largest power of ten below 2^64
  std::string out;
  while (t[0] | t[1] | t[2] | t[3]) {
    u128 rem = 0;
    for (int i = 3; i >= 0; i--) {
      u128 cur = (rem << 64) | t[i];
      t[i] = (uint64_t)(cur / BASE);
      rem = cur % BASE;
    }
    std::string chunk = std::to_string((uint64_t)rem);
    bool more = t[0] | t[1] | t[2] | t[3];
    if (more) chunk = std::string(19 - chunk.size(), '0') + chunk;
    out = chunk + out;
  }
  return out.empty() ? "0" : out;
}

}  // namespace zkml
