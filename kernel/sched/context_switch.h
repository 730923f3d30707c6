// The context switch (lab 3, arch/x86_64/sched/context_switch.S) and the new-thread entry.
#pragma once

#include <stdint.h>

extern "C" {
/// Save callee-saved registers and RSP into *save_rsp, switch to next_rsp and resume there.
void context_switch(uint64_t* save_rsp, uint64_t next_rsp);
/// First instruction of every new thread (arch/x86_64/sched/thread_start.S).
void thread_start();
}
