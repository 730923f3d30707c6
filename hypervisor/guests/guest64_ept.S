/*
 * Test guests for lab 6's steps 2 and 3: guests whose EPT the hypervisor changes while they
 * run. 64-bit, position independent, 4 MiB of RAM at guest-physical 0 (run_guest's launch
 * convention; their page tables map guest-virtual = guest-physical). They touch the second
 * 2 MiB page of their RAM, which EPT maps with one 2 MiB leaf until something splits it.
 *
 * Test calls: VMCALLs with RAX = 0x6001..0x6003 are not hypercalls; the lab 6 tests' exit
 * handler answers them itself (hypervisor/test/lab6_tests.cc) and hands every other exit to
 * handle_exit().
 */
    .intel_syntax noprefix
    .section .rodata.guests, "a"
    .code64

/* Step 2: a page made read-only, then a page unmapped, under the running guest.
 * P = 0x200000. 0x6001: the hypervisor makes P read-only; 0x6002: it unmaps P + 8 KiB. */
    .global guest_ept_edit_start, guest_ept_edit_end
guest_ept_edit_start:
    mov r8, 0x200000
    mov qword ptr [r8], 0x1111
    mov qword ptr [r8 + 0x1000], 0x2222
    mov qword ptr [r8 + 0x2000], 0x3333
    mov qword ptr [r8 + 0x3000], 0x4444
    mov eax, 0x6001             /* P read-only from here on */
    vmcall
    mov r12, [r8]               /* reads of P still work: 0x1111 */
    mov qword ptr [r8 + 0x1000], 0x2223  /* P's neighbour in the split page stays writable */
    mov r13, [r8 + 0x1000]
    mov eax, 0x6002             /* P + 8 KiB unmapped from here on */
    vmcall
    mov r14, [r8 + 0x3000]      /* the page after the hole still reads: 0x4444 */
    mov eax, 2                  /* HC_REPORT(P, P + 4 KiB, P + 12 KiB) */
    mov rbx, r12
    mov rcx, r13
    mov rdx, r14
    vmcall
    mov qword ptr [r8], 0xBAD   /* a write to read-only P: EPT violation (the test lets it */
                                /* through by making P writable again, and it runs again) */
    mov r9, [r8 + 0x2000]       /* a read of the hole: EPT violation, and the test stops here */
    hlt
guest_ept_edit_end:

/* Step 3: a guest whose RAM is dirty-logged. D = 0x200000. Round 1 writes pages 0, 1, 5 (twice)
 * and 255 of D and reads page 7; 0x6003 is a checkpoint (the test reads the log and arms it
 * again); round 2 writes pages 5 and 9. Then it reports the sum of what it wrote (25) if every
 * write landed. */
    .global guest_ept_dirty_start, guest_ept_dirty_end
guest_ept_dirty_start:
    mov r8, 0x200000
    mov qword ptr [r8], 1
    mov qword ptr [r8 + 0x1000], 2
    mov qword ptr [r8 + 0x5000], 3
    mov qword ptr [r8 + 0x5008], 4  /* the same page again: no second exit */
    mov qword ptr [r8 + 0xFF000], 5
    mov rax, [r8 + 0x7000]          /* a read: nothing to log */
    mov eax, 0x6003                 /* checkpoint */
    vmcall
    mov qword ptr [r8 + 0x5000], 6
    mov qword ptr [r8 + 0x9000], 7
    mov rbx, [r8]                   /* 1 + 2 + 6 + 4 + 5 + 7 = 25 */
    add rbx, [r8 + 0x1000]
    add rbx, [r8 + 0x5000]
    add rbx, [r8 + 0x5008]
    add rbx, [r8 + 0xFF000]
    add rbx, [r8 + 0x9000]
    mov eax, 2                      /* HC_REPORT(sum, page 5's first word, 0) */
    mov rcx, [r8 + 0x5000]
    xor edx, edx
    vmcall
    hlt
guest_ept_dirty_end:

    .section .note.GNU-stack, "", @progbits
