// Stands in for the NVIDIA driver library (it is built as libcuda.so.1) so a test can see which
// processes initialise CUDA. Loading the library proves nothing (cuBLAS loads it in every
// process that links it), so it records calls instead: cuInit and cuGetProcAddress, the doors
// through which the CUDA runtime starts, append "<entry point> <command line>\t<MPS pipe
// directory>" to the file named by GPUSHARE_DRIVER_CALL_LOG and fail, so CUDA finds no usable
// driver, as on a machine without a GPU. The pipe directory (CUDA_MPS_PIPE_DIRECTORY, "-" when
// unset) is where the real driver would look for an MPS daemon to join at this moment.

#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace {

std::string own_command_line() {
  std::string text;
  const int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return text;
  }
  char buffer[4096];
  ssize_t got = 0;
  while ((got = read(fd, buffer, sizeof(buffer))) > 0) {
    text.append(buffer, static_cast<std::size_t>(got));
  }
  (void)close(fd);
  for (char& c : text) {
    if (c == '\0') {
      c = ' ';
    }
  }
  return text;
}

void record_call(const char* entry_point) {
  const char* log = std::getenv("GPUSHARE_DRIVER_CALL_LOG");
  if (log == nullptr) {
    return;
  }
  const int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return;
  }
  const char* pipe_directory = std::getenv("CUDA_MPS_PIPE_DIRECTORY");
  const std::string line = std::string(entry_point) + " " + own_command_line() + "\t" +
                           (pipe_directory == nullptr ? "-" : pipe_directory) + "\n";
  // One write per line: O_APPEND keeps lines of concurrent loaders whole.
  (void)!write(fd, line.data(), line.size());
  (void)close(fd);
}

// The driver API's error codes, without its header: 100 is CUDA_ERROR_NO_DEVICE and 500
// CUDA_ERROR_NOT_FOUND.
constexpr int no_device = 100;
constexpr int not_found = 500;

} // namespace

extern "C" {
__attribute__((visibility("default"))) int cuInit(unsigned int /*flags*/) {
  record_call("cuInit");
  return no_device;
}
__attribute__((visibility("default"))) int cuGetProcAddress(const char* /*symbol*/, void** function,
                                                            int /*version*/,
                                                            unsigned long long /*flags*/) {
  record_call("cuGetProcAddress");
  *function = nullptr;
  return not_found;
}
__attribute__((visibility("default"))) int cuGetProcAddress_v2(const char* /*symbol*/,
                                                               void** function, int /*version*/,
                                                               unsigned long long /*flags*/,
                                                               void* /*status*/) {
  record_call("cuGetProcAddress_v2");
  *function = nullptr;
  return not_found;
}
}
