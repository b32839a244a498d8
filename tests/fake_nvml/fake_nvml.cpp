// Stands in for libnvidia-ml.so.1 so that a test can see what the tool does with devices only
// a real driver would show: a GPU in MIG mode with a MIG instance (what CUDA may run on), and a
// GPU with MIG off. Each entry point follows the NVML API reference's signature and return
// codes; only what the tool calls is here, and every other query is absent, as in an old NVML.

#include <cstring>
#include <string>

namespace {

constexpr int success = 0;
constexpr int invalid_argument = 2;
constexpr int not_supported = 3;
constexpr int insufficient_size = 7;
constexpr int not_found = 6;

struct fake_device {
  const char* uuid;
  const char* name;
  bool mig_instance;
  unsigned mig_mode;
};

fake_device gpu_with_mig{"GPU-11111111-2222-3333-4444-555555555555", "Fake GPU in MIG mode", false,
                         1};
fake_device mig_instance{"MIG-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "Fake MIG 3g.40gb", true, 0};
fake_device gpu_without_mig{"GPU-99999999-8888-7777-6666-555555555555", "Fake GPU", false, 0};

fake_device* const devices[] = {&gpu_with_mig, &mig_instance, &gpu_without_mig};

int copy_text(const char* text, char* out, unsigned length) {
  if (std::strlen(text) + 1 > length) {
    return insufficient_size;
  }
  std::strcpy(out, text);
  return success;
}

} // namespace

extern "C" {
__attribute__((visibility("default"))) int nvmlInit_v2() {
  return success;
}
__attribute__((visibility("default"))) int nvmlShutdown() {
  return success;
}
__attribute__((visibility("default"))) const char* nvmlErrorString(int status) {
  return status == not_found ? "Not Found" : "Fake NVML error";
}
__attribute__((visibility("default"))) int nvmlSystemGetDriverVersion(char* out, unsigned length) {
  return copy_text("999.99.99", out, length);
}
__attribute__((visibility("default"))) int nvmlDeviceGetHandleByUUID(const char* uuid,
                                                                     void** device) {
  for (fake_device* candidate : devices) {
    if (std::strcmp(candidate->uuid, uuid) == 0) {
      *device = candidate;
      return success;
    }
  }
  return not_found;
}
__attribute__((visibility("default"))) int nvmlDeviceGetMigMode(void* device, unsigned* current,
                                                                unsigned* pending) {
  const auto* found = static_cast<fake_device*>(device);
  if (found->mig_instance) {
    return not_supported; // asked of a MIG device handle
  }
  *current = found->mig_mode;
  *pending = found->mig_mode;
  return success;
}
__attribute__((visibility("default"))) int nvmlDeviceGetName(void* device, char* out,
                                                             unsigned length) {
  return copy_text(static_cast<fake_device*>(device)->name, out, length);
}
__attribute__((visibility("default"))) int nvmlDeviceGetUUID(void* device, char* out,
                                                             unsigned length) {
  return copy_text(static_cast<fake_device*>(device)->uuid, out, length);
}
__attribute__((visibility("default"))) int
nvmlDeviceGetDeviceHandleFromMigDeviceHandle(void* mig_device, void** device) {
  if (!static_cast<fake_device*>(mig_device)->mig_instance) {
    return invalid_argument;
  }
  *device = &gpu_with_mig;
  return success;
}
}
