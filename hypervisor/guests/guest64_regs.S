/*
 * Test guest for lab 5's VM entry and exit (step 4): 64-bit, position independent. The host
 * launches it with every general register and CR2 set to pattern A, 0xA0A0A0A0000000NN, NN
 * being the register's place in GuestRegs (RAX 0, RBX 1, ... R15 14, CR2 15); RSP is the
 * VMCS's. If all of them hold pattern A, the guest loads pattern B, 0xB0B0B0B0000000NN, into
 * all of them and executes HLT: the host must find pattern B in the registers the exit saved.
 * If one does not, the guest executes UD2 with no IDT: a triple fault, which the host sees as
 * the guest's end.
 */
    .intel_syntax noprefix
    .section .rodata.guests, "a"
    .global guest64_regs_start, guest64_regs_end
    .code64

/* Compare register REG with pattern A's value for place N (RSP is free to use as scratch). */
.macro EXPECT_A reg, n
    mov rsp, 0xA0A0A0A000000000 + \n
    cmp \reg, rsp
    jne 9f
.endm

guest64_regs_start:
    EXPECT_A rax, 0
    EXPECT_A rbx, 1
    EXPECT_A rcx, 2
    EXPECT_A rdx, 3
    EXPECT_A rsi, 4
    EXPECT_A rdi, 5
    EXPECT_A rbp, 6
    EXPECT_A r8, 7
    EXPECT_A r9, 8
    EXPECT_A r10, 9
    EXPECT_A r11, 10
    EXPECT_A r12, 11
    EXPECT_A r13, 12
    EXPECT_A r14, 13
    EXPECT_A r15, 14
    mov rax, cr2
    EXPECT_A rax, 15
    /* All as launched: pattern B everywhere, then HLT. */
    mov rax, 0xB0B0B0B000000000 + 15
    mov cr2, rax
    mov rax, 0xB0B0B0B000000000 + 0
    mov rbx, 0xB0B0B0B000000000 + 1
    mov rcx, 0xB0B0B0B000000000 + 2
    mov rdx, 0xB0B0B0B000000000 + 3
    mov rsi, 0xB0B0B0B000000000 + 4
    mov rdi, 0xB0B0B0B000000000 + 5
    mov rbp, 0xB0B0B0B000000000 + 6
    mov r8, 0xB0B0B0B000000000 + 7
    mov r9, 0xB0B0B0B000000000 + 8
    mov r10, 0xB0B0B0B000000000 + 9
    mov r11, 0xB0B0B0B000000000 + 10
    mov r12, 0xB0B0B0B000000000 + 11
    mov r13, 0xB0B0B0B000000000 + 12
    mov r14, 0xB0B0B0B000000000 + 13
    mov r15, 0xB0B0B0B000000000 + 14
    hlt
    jmp guest64_regs_start
9:  ud2
guest64_regs_end:

    .section .note.GNU-stack, "", @progbits
