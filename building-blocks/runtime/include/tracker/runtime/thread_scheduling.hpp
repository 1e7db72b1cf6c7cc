#pragma once

namespace tracker::runtime {

/// The calling thread's Linux scheduling policy: SCHED_BATCH for background
/// work (`background` true), SCHED_OTHER otherwise. Threads the calling
/// thread creates afterwards inherit it, including threads a library starts.
/// SCHED_BATCH threads get their fair share of the CPU but do not preempt
/// another thread when they wake up, so a latency-bound thread sharing a core
/// with them runs its work to the next wait instead of yielding mid-request.
/// Needs no privilege. Returns false (and changes nothing) if the kernel
/// refuses.
bool set_background_scheduling(bool background);

/// Whether the calling thread runs as background work (SCHED_BATCH).
bool background_scheduling();

}  // namespace tracker::runtime
