// The kernel's memory: physical frames, the kernel address space, and the heap.
//
// The kernel runs on the identity map of the first 4 GiB that entry.S built (2 MiB pages).
// memory_init() takes the firmware memory map, reserves what is in use, starts the frame
// allocator (lab 1) and the heap, and adopts the boot page tables as the kernel's PageTable,
// so that new mappings (tests now; user processes and guests later) go through lab 1's code.
#pragma once

#include "core/mem/page.h"
#include "core/mem/page_table.h"
#include "core/result.h"

#include <stddef.h>
#include <stdint.h>

namespace kern {

/// Bring up frame allocation, the kernel PageTable and the heap; print the memory map.
/// Panics with the reason if the memory map is unusable or the frame allocator refuses it.
void memory_init();

/// Enable no-execute page protection (IA32_EFER.NXE) on the calling CPU; every CPU must.
void cpu_enable_nx();

/// Allocate one 4 KiB frame (contents undefined). Thread-safe.
Result<uint64_t> frame_alloc();
/// Allocate `count` contiguous frames aligned to `align` bytes. Thread-safe.
Result<uint64_t> frame_alloc_contiguous(size_t count, uint64_t align);
/// Free a frame; a bad or double free panics (it is a kernel bug). Thread-safe.
void frame_free(uint64_t phys);
/// Frames currently free.
size_t frames_free();

/// The kernel's address space (the boot PML4, adopted). Callers hold kernel_pt_lock().
PageTable& kernel_page_table();
/// Frames for page tables, zeroed, from the frame allocator.
FrameSource& kernel_frame_source();
/// Physical-to-virtual translation for page tables: identity below 4 GiB.
PhysAccess& kernel_phys_access();

/// The usable RAM ranges after normalization, for tests and diagnostics.
const PhysRange* usable_ranges(size_t* count);
/// The kernel image [start, end) in physical memory.
PhysRange kernel_image();

} // namespace kern
