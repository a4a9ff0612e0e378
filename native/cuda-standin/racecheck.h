// The race checker of the --racecheck build (racecheck.cpp): what the block scheduler (runtime.cpp) tells it.
// Everything here is called on the one OS thread that runs a checked launch (the launch's own thread:
// in this build blocks run one after another, never on the worker pool).
#pragma once

#include "runtime.h"

namespace nk_cpu {
namespace race {

void launch_begin(const Launch& launch);
void launch_end(LaunchReport* report);
void block_begin(unsigned linear_block);
void barrier_opened();  // every thread of the block arrived (or exited): the next barrier interval begins
// the fiber of CUDA thread `linear_thread` of the current block runs from now until thread_leave()
void thread_enter(unsigned linear_thread, const void* stack, std::size_t stack_size);
void thread_leave();

}  // namespace race
}  // namespace nk_cpu
