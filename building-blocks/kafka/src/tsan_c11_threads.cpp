// ThreadSanitizer builds only (see CMakeLists.txt). Debian's librdkafka
// starts its threads with C11 thrd_create, which glibc implements by calling
// its internal pthread_create directly, past TSan's interceptor: TSan never
// registers those threads and crashes in its allocator on their first
// malloc. Defining thrd_create/thrd_join/thrd_detach in the executable
// interposes them for librdkafka.so (an unversioned definition satisfies its
// versioned references) and routes them through the intercepted pthread
// functions, so TSan knows every librdkafka thread, its start and its join.
//
// librdkafka's locks (C11 mtx_*) stay invisible on purpose: tests/tsan.supp
// ignores everything librdkafka does (called_from_lib), and making only its
// locks visible, without its atomics and rwlocks, yields false reports.
#include <pthread.h>
#include <threads.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <new>

namespace {

static_assert(sizeof(thrd_t) == sizeof(pthread_t));

struct ThreadStart {
  thrd_start_t function;
  void* argument;
};

void* run_thread(void* raw) {
  const std::unique_ptr<ThreadStart> start(static_cast<ThreadStart*>(raw));
  const int result = start->function(start->argument);
  // C11's int result travels through pthread's void*, as glibc does it.
  return reinterpret_cast<void*>(static_cast<std::intptr_t>(result));  // NOLINT(performance-no-int-to-ptr)
}

}  // namespace

extern "C" {

int thrd_create(thrd_t* thread, thrd_start_t function, void* argument) {
  std::unique_ptr<ThreadStart> start(new (std::nothrow) ThreadStart{function, argument});
  if (!start) return thrd_nomem;
  pthread_t id{};
  const int err = pthread_create(&id, nullptr, &run_thread, start.get());
  if (err != 0) return err == EAGAIN ? thrd_nomem : thrd_error;
  static_cast<void>(start.release());  // the new thread owns it now
  *thread = id;
  return thrd_success;
}

int thrd_join(thrd_t thread, int* result) {
  void* value = nullptr;
  if (pthread_join(thread, &value) != 0) return thrd_error;
  if (result != nullptr) *result = static_cast<int>(reinterpret_cast<std::intptr_t>(value));
  return thrd_success;
}

int thrd_detach(thrd_t thread) { return pthread_detach(thread) == 0 ? thrd_success : thrd_error; }

}  // extern "C"
