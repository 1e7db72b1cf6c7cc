#include "tracker/runtime/thread_scheduling.hpp"

#include <sched.h>

namespace tracker::runtime {

bool set_background_scheduling(bool background) {
  const sched_param param{};  // priority 0: the only one these policies take
  // pid 0: the calling thread, not the whole process.
  return sched_setscheduler(0, background ? SCHED_BATCH : SCHED_OTHER, &param) == 0;
}

bool background_scheduling() { return sched_getscheduler(0) == SCHED_BATCH; }

}  // namespace tracker::runtime
