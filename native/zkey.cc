#include "zkey.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace zkml {

MappedBinFile::MappedBinFile(const std::string& path, const char* magic) : path_(path) {
  int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    throw std::runtime_error("cannot read " + path + ": " + strerror(errno));
  }
  length_ = (size_t)st.st_size;
  if (length_ < 12) {
    close(fd);
    throw std::runtime_error(path + " is not a ." + magic + " file (too short)");
  }
  void* m = mmap(nullptr, length_, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (m == MAP_FAILED) throw std::runtime_error("cannot map " + path + ": " + strerror(errno));
  base_ = (const uint8_t*)m;
  if (memcmp(base_, magic, 4) != 0) {
    munmap((void*)base_, length_);
    throw std::runtime_error(path + " is not a ." + magic + " file");
  }
  uint32_t nSections = read_u32(base_ + 8);
  size_t pos = 12;
  for (uint32_t i = 0; i < nSections; i++) {
    if (pos + 12 > length_) break;
    uint32_t id = read_u32(base_ + pos);
    uint64_t size;
    memcpy(&size, base_ + pos + 4, 8);
    pos += 12;
    if (size > length_ - pos) {
      munmap((void*)base_, length_);
      throw std::runtime_error(path + " is truncated (section " + std::to_string(id) + ")");
    }
    sections_[id] = Section{base_ + pos, size};
    pos += size;
  }
}

MappedBinFile::~MappedBinFile() {
  if (base_) munmap((void*)base_, length_);
}

Section MappedBinFile::section(uint32_t id, uint64_t expectedSize) const {
  auto it = sections_.find(id);
  if (it == sections_.end()) throw std::runtime_error(path_ + " has no section " + std::to_string(id));
  if (expectedSize && it->second.size != expectedSize) {
    throw std::runtime_error(path_ + ": section " + std::to_string(id) + " is " + std::to_string(it->second.size) + " bytes, expected " + std::to_string(expectedSize));
  }
  return it->second;
}

}  // namespace zkml
