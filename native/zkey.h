// A snarkjs binary file (.zkey) mapped read-only: its sections by id, checked against the file size.
#pragma once
#include <cstdint>
#include <map>
#include <string>

namespace zkml {

struct Section {
  const uint8_t* data;
  uint64_t size;
};

class MappedBinFile {
 public:
  // `magic` is the four-byte file type ("zkey"). Throws a one-line std::runtime_error.
  MappedBinFile(const std::string& path, const char* magic);
  ~MappedBinFile();
  MappedBinFile(const MappedBinFile&) = delete;
  MappedBinFile& operator=(const MappedBinFile&) = delete;

  // The section with this id; throws if it is missing or not `expectedSize` bytes (0: any size).
  Section section(uint32_t id, uint64_t expectedSize = 0) const;

 private:
  std::string path_;
  const uint8_t* base_ = nullptr;
  size_t length_ = 0;
  std::map<uint32_t, Section> sections_;
};

inline uint32_t read_u32(const uint8_t* p) {
  uint32_t v;
  __builtin_memcpy(&v, p, 4);
  return v;
}

}  // namespace zkml
