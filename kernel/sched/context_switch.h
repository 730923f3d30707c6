// The context switch (lab 3, arch/x86_64/sched/context_switch.S).
#pragma once

#include <stdint.h>

extern "C" {
/// Lab 3: suspend the calling thread and continue another. Save what the caller needs kept on
/// its own stack, store its RSP in *save_rsp, load RSP from next_rsp and continue that thread:
/// as if its own earlier context_switch() call returned, or, for a thread that has never run,
/// by starting it (build_initial_stack()). A resumed thread finds the registers the SysV ABI
/// says a call preserves (RBX, RBP, R12-R15, and RSP) as they were when it called. Called with
/// interrupts off; the scheduler keeps them off across the switch.
void context_switch(uint64_t* save_rsp, uint64_t next_rsp);
}
