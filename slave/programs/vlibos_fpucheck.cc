// vlibos-fpucheck: do the slave's processes keep their x87, SSE and AVX registers? Each checker
// process loads known values into ST0-ST7, the x87 control word, XMM0-15 / YMM0-15 and MXCSR,
// keeps them there across a spin, a system call (sched_yield or a sleep: context switches,
// timer interrupts, VM exits, babysat parks all happen meanwhile) and another spin, then stores
// them and compares, every round with new values (seeded). Any difference is reported with the
// register, the bits, the round and the process:
//
//   vlibos-fpucheck [procs=3] [rounds=40] [spin=100000] [seed=1]
//
//   fpucheck: FAIL pid 61 seed 1002 round 7 (after sleep): ymm5 bits 255:128 expected 0x... got
//   0x... fpucheck: result=pass procs=3 rounds=120 avx=yes fpucheck: result=fail first="..." (the
//   master turns it into @@ test=slave_fpu_state_intact)
#include "programs.h"

#include <cinttypes>
#include <cpuid.h>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

/// The register image fpucheck_hold() loads and stores: YMM0-15 (or XMM0-15 in their low
/// halves), ST0-ST7 as doubles (the first loaded is ST7 at the end), FCW, MXCSR.
struct Image {
    uint8_t ymm[16][32];
    uint64_t st[8];
    uint16_t fcw;
    uint16_t pad;
    uint32_t mxcsr;
};
static_assert(sizeof(Image) == 584);

} // namespace

// fpucheck_hold(const Image* in, Image* out, uint64_t spin, long sysno, uint64_t sysarg, int avx):
// load everything from `in`, spin, make system call `sysno(sysarg, 0)`, spin, store into `out`.
// In assembly so that no compiler-generated code touches the registers in between.
extern "C" void fpucheck_hold(const Image* in, Image* out, uint64_t spin, long sysno,
                              uint64_t sysarg, int avx);
asm(R"(
    .intel_syntax noprefix
    .text
    .globl fpucheck_hold
    .type fpucheck_hold, @function
fpucheck_hold:
    push rbx
    push rbp
    push r12
    push r13
    push r14
    push r15
    mov r12, rdi
    mov r13, rsi
    mov r14, rdx
    mov r15, rcx
    mov rbx, r8
    mov ebp, r9d
    test ebp, ebp
    jz 1f
    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    vmovdqu ymm\i, [r12 + 32 * \i]
    .endr
    jmp 2f
1:
    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    movdqu xmm\i, [r12 + 32 * \i]
    .endr
2:
    fninit
    fldcw [r12 + 576]
    .irp k, 0,1,2,3,4,5,6,7
    fld qword ptr [r12 + 512 + 8 * \k]
    .endr
    ldmxcsr [r12 + 580]
    mov rcx, r14
3:  dec rcx
    jnz 3b
    mov rax, r15
    mov rdi, rbx
    xor esi, esi
    syscall
    mov rcx, r14
4:  dec rcx
    jnz 4b
    test ebp, ebp
    jz 5f
    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    vmovdqu [r13 + 32 * \i], ymm\i
    .endr
    vzeroupper
    jmp 6f
5:
    .irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
    movdqu [r13 + 32 * \i], xmm\i
    .endr
6:
    .irp k, 7,6,5,4,3,2,1,0
    fstp qword ptr [r13 + 512 + 8 * \k]
    .endr
    fnstcw [r13 + 576]
    stmxcsr [r13 + 580]
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbp
    pop rbx
    ret
    .size fpucheck_hold, . - fpucheck_hold
    .att_syntax
)");

namespace {

/// AVX usable: the CPU has it, the OS enabled XSAVE and XCR0 has SSE and AVX (SDM Vol 1 14.3).
bool avx_usable() {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27)) || !(c & (1u << 28))) // OSXSAVE, AVX
        return false;
    uint32_t lo, hi;
    asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (lo & 6) == 6;
}

uint64_t next(uint64_t& s) { // xorshift64
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
}

void fill(Image& img, uint64_t& seed) {
    for (auto& r : img.ymm)
        for (int q = 0; q < 4; ++q) {
            uint64_t v = next(seed);
            std::memcpy(r + 8 * q, &v, 8);
        }
    for (uint64_t& st : img.st) // doubles in [1, 2): FLD and FSTP give back the same bits
        st = (next(seed) >> 12) | 0x3FF0000000000000ull;
    static constexpr uint16_t FCWS[] = {0x037F, 0x0F7F, 0x067F, 0x0B7F}; // rounding, precision vary
    static constexpr uint32_t MXCSRS[] = {0x1F80, 0x7F80, 0x3F80, 0x5FC0}; // rounding, DAZ vary
    img.fcw = FCWS[next(seed) & 3];
    img.pad = 0;
    img.mxcsr = MXCSRS[next(seed) & 3];
}

/// Names the first difference between `want` and `got`, in register terms.
void describe(const Image& want, const Image& got, bool avx, char* out, size_t n) {
    for (int r = 0; r < 16; ++r)
        for (int half = 0; half < (avx ? 2 : 1); ++half) {
            const uint8_t* w = want.ymm[r] + 16 * half;
            const uint8_t* g = got.ymm[r] + 16 * half;
            if (std::memcmp(w, g, 16) != 0) {
                uint64_t wl, wh, gl, gh;
                std::memcpy(&wl, w, 8), std::memcpy(&wh, w + 8, 8), std::memcpy(&gl, g, 8),
                    std::memcpy(&gh, g + 8, 8);
                std::snprintf(out, n,
                              "%s%d bits %s expected 0x%016" PRIx64 "%016" PRIx64
                              " got 0x%016" PRIx64 "%016" PRIx64,
                              half ? "ymm" : "xmm", r, half ? "255:128" : "127:0", wh, wl, gh, gl);
                return;
            }
        }
    for (int k = 0; k < 8; ++k)
        if (want.st[k] != got.st[k]) {
            std::snprintf(out, n,
                          "st(%d) (loaded %d-th) expected 0x%016" PRIx64 " got 0x%016" PRIx64,
                          7 - k, k + 1, want.st[k], got.st[k]);
            return;
        }
    if (want.fcw != got.fcw) {
        std::snprintf(out, n, "x87 control word expected 0x%04x got 0x%04x", want.fcw, got.fcw);
        return;
    }
    std::snprintf(out, n, "mxcsr expected 0x%08x got 0x%08x", want.mxcsr, got.mxcsr);
}

/// What each checker leaves for the parent (shared memory).
struct Result {
    long rounds;
    long mismatches;
    char first[200];
};

int checker(int id, long rounds, long spin, uint64_t seed, bool avx, Result& res) {
    uint64_t s = seed * 1000003 + uint64_t(id) * 7919 + 1;
    timespec nap{0, 2000000}; // 2 ms: the process leaves the CPU, Linux may idle (HLT exits)
    for (long r = 0; r < rounds; ++r) {
        Image want, got;
        fill(want, s);
        std::memset(&got, 0, sizeof got);
        bool sleep = (r + id) % 2;
        fpucheck_hold(&want, &got, uint64_t(spin) + (next(s) & 0xFFF),
                      sleep ? SYS_nanosleep : SYS_sched_yield,
                      sleep ? reinterpret_cast<uint64_t>(&nap) : 0, avx);
        if (!avx) // only the low halves were held
            for (int i = 0; i < 16; ++i)
                std::memcpy(got.ymm[i] + 16, want.ymm[i] + 16, 16);
        ++res.rounds;
        if (std::memcmp(&want, &got, sizeof want) != 0) {
            char what[160];
            describe(want, got, avx, what, sizeof what);
            char line[320];
            std::snprintf(line, sizeof line, "pid %d seed %" PRIu64 " round %ld (after %s): %s",
                          int(getpid()), seed, r, sleep ? "sleep" : "yield", what);
            if (res.mismatches++ < 3) std::printf("fpucheck: FAIL %s\n", line);
            if (!res.first[0])
                std::snprintf(res.first, sizeof res.first, "%.*s", int(sizeof res.first - 1), line);
            std::fflush(stdout);
        }
    }
    return res.mismatches ? 1 : 0;
}

} // namespace

int fpucheck_main(int argc, char** argv) {
    long procs = program_arg(argc, argv, "procs", 3),
         rounds = program_arg(argc, argv, "rounds", 40);
    long spin = program_arg(argc, argv, "spin", 100000), seed = program_arg(argc, argv, "seed", 1);
    if (procs < 1 || procs > 16 || rounds < 1 || spin < 1) {
        std::fprintf(stderr, "usage: vlibos-fpucheck [procs=1..16] [rounds=N] [spin=N] [seed=N]\n");
        return 64;
    }
    bool avx = avx_usable();
    auto* res =
        static_cast<Result*>(mmap(nullptr, sizeof(Result) * size_t(procs), PROT_READ | PROT_WRITE,
                                  MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    if (res == MAP_FAILED) {
        std::printf("fpucheck: result=fail first=\"no shared memory\"\n");
        return 1;
    }
    std::memset(res, 0, sizeof(Result) * size_t(procs));
    std::printf("fpucheck: %ld processes x %ld rounds, spin %ld, seed %ld, %s\n", procs, rounds,
                spin, seed, avx ? "x87 + SSE + AVX (YMM0-15)" : "x87 + SSE (no AVX)");
    std::fflush(stdout);
    pid_t pids[16];
    for (long i = 0; i < procs; ++i) {
        pids[i] = fork();
        if (pids[i] == 0) _exit(checker(int(i), rounds, spin, uint64_t(seed), avx, res[i]));
    }
    long total = 0, bad = 0;
    char first[sizeof(Result::first)] = "";
    for (long i = 0; i < procs; ++i) {
        int st = 0;
        if (pids[i] < 0 || waitpid(pids[i], &st, 0) < 0) {
            ++bad;
            if (!first[0])
                std::snprintf(first, sizeof first, "checker %ld could not be started", i);
            continue;
        }
        total += res[i].rounds;
        if (WIFSIGNALED(st)) {
            ++bad;
            if (!first[0])
                std::snprintf(first, sizeof first,
                              "checker pid %d killed by signal %d after %ld rounds", int(pids[i]),
                              WTERMSIG(st), res[i].rounds);
        } else if (res[i].mismatches) {
            bad += res[i].mismatches;
            if (!first[0]) std::memcpy(first, res[i].first, sizeof first);
        }
    }
    if (bad)
        std::printf("fpucheck: result=fail mismatches=%ld rounds=%ld first=\"%s\"\n", bad, total,
                    first);
    else
        std::printf("fpucheck: result=pass procs=%ld rounds=%ld avx=%s\n", procs, total,
                    avx ? "yes" : "no");
    return bad ? 1 : 0;
}
