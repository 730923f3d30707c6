/* Fault-tolerant memory probes: see probe.h. The trap handler maps each *_insn address to its
 * *_fixup address (probe_fixup_for in trap.cc). */
    .intel_syntax noprefix
    .text

    .global probe_read_u64, probe_read_insn, probe_read_fixup
probe_read_u64:
probe_read_insn:
    mov rax, [rdi]
    mov [rsi], rax
    mov eax, 1
    ret
probe_read_fixup:
    xor eax, eax
    ret

    .global probe_write_u64, probe_write_insn, probe_write_fixup
probe_write_u64:
probe_write_insn:
    mov [rdi], rsi
    mov eax, 1
    ret
probe_write_fixup:
    xor eax, eax
    ret

    .section .note.GNU-stack, "", @progbits
