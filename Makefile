# vLibOS lab kit: the one entry point.   `make help` lists the targets.
#
# SOLVED picks the labs whose solution overlays (solutions/labN/) replace the student files:
#   SOLVED=all (default: every overlay present), SOLVED=none, SOLVED=0,1,5.2 (a list: N is all of
#   lab N, N.K its steps 1 to K, for a lab cut in steps, solutions/labN/stepK/).
# Each choice builds into its own directory, build/solved-<list>/.

SOLVED ?= all
LAB ?=
Q ?= @

# The solved list and its overlay directories come from tools/kit.py, the one place the rules
# are written: lab N's directories are its step1/ ... stepK/ (all of them for N, the first K for
# N.K), or solutions/labN/ itself for a lab without steps.
SOLVED_LABS := $(shell python3 tools/kit.py solved '$(SOLVED)' || echo KIT-ERROR)
ifneq ($(filter KIT-ERROR,$(SOLVED_LABS)),)
  $(error SOLVED=$(SOLVED): not a solved list (all, none, or labs N and lab steps N.K, e.g. 0,1,5.2))
endif
OVERLAY_DIRS := $(shell python3 tools/kit.py dirs '$(SOLVED)')
SOLVED_TAG := $(if $(SOLVED_LABS),$(subst $() ,-,$(strip $(SOLVED_LABS))),none)
BUILD := build/solved-$(SOLVED_TAG)

# Say it loudly whenever solutions replace student files in a build a person runs: in the
# instructor's tree SOLVED=all is the default, and a student's edits must never be silently
# replaced (a student release has no overlays but those released).
BUILD_GOALS := all kernel apps qemu qemu-gdb bochs bochs-dbg iso demo slave
ifneq ($(and $(SOLVED_LABS),$(filter $(BUILD_GOALS),$(or $(MAKECMDGOALS),all))),)
  ifeq ($(origin SOLVED),file)
    $(info note: the solutions of labs $(SOLVED_LABS) replace those labs' student files in this build (SOLVED=$(SOLVED), the default here); SOLVED=none builds your own files)
  endif
endif

# overlay(path): <dir>/path for the first overlay directory that has it, else path itself.
overlay = $(or $(firstword $(foreach d,$(OVERLAY_DIRS),$(wildcard $(d)/$(1)))),$(1))

# ccache (installed by tools/setup.sh) makes the grader's and CI's many builds with different
# SOLVED sets cheap: only the overlaid files differ between them.
CCACHE := $(shell command -v ccache 2>/dev/null)
# Share cache entries between checkouts (CI's fresh clone, the grader's scratch kits and its
# sandbox, which sees the kit at /kit): paths inside the kit are hashed relative to the working
# directory, and the directory itself is not hashed. The base is the kit, not /: relative to
# the working directory, /usr/include would be spelled differently at each depth.
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1
CXX := $(CCACHE) g++
KERNEL_CXXFLAGS := -std=gnu++20 -ffreestanding -fno-exceptions -fno-rtti -fno-asynchronous-unwind-tables \
  -fno-stack-protector -fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only -fno-threadsafe-statics \
  -fno-omit-frame-pointer -fno-tree-loop-distribute-patterns -mcmodel=small -O2 -g \
  -Wall -Wextra -Wno-unused-parameter -MMD -MP -Ikernel -I.
KERNEL_LDFLAGS := -nostdlib -static -no-pie -Wl,-n -Wl,--build-id=none -Wl,--no-warn-rwx-segments -T kernel/kernel.ld

# Kernel image sources: everything under kernel/ and hypervisor/ (the hypervisor joins the
# kernel image; the kernel never includes it), and libos's channel and master side (libos/daemon
# runs in Linux: tools/slave_initramfs.py builds it), except host tests (*/tests/*).
KERNEL_SRCS := $(filter-out $(EXCLUDE_SRCS),$(sort $(shell find kernel hypervisor libos/channel libos/master -name '*.cc' -o -name '*.S' | grep -v '/tests/')))
KERNEL_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(KERNEL_SRCS))
KERNEL_ELF := $(BUILD)/kernel.elf


.PHONY: format apps bench bench-slave bench-delegation bench-grading slave fuzz mutate
.PHONY: all help kernel deps test host-test grade demo qemu qemu-gdb gdb bochs bochs-dbg iso \
        docs handout handin grade-handin grade-all honesty clean

all: kernel

help:
	@echo "make demo                 boot the kit in QEMU and Bochs and show what it does"
	@echo "make test                 every test: host unit tests, in-kernel tests, autograder honesty, docs"
	@echo "make grade LAB=N          grade lab N (student files + earlier labs' solutions)"
	@echo "make qemu | bochs         boot the kernel (QEMU: Ctrl-a x quits)"
	@echo "make qemu-gdb; make gdb   debug in QEMU with GDB (two terminals)"
	@echo "make bochs-dbg            boot in Bochs' internal debugger"
	@echo "make iso                  hybrid BIOS+UEFI ISO for lab PCs: $(BUILD)/vlibos.iso"
	@echo "make docs                 Doxygen over the code and the handouts (warnings are errors)"
	@echo "make bench                kernel costs and rtlat latencies in Bochs cycles and QEMU ns"
	@echo "make slave                build the Linux slave (kernel cached in ~/.cache/vlibos, initramfs)"
	@echo "make bench-slave          the slave's boot time and VM exits, against the same kernel booted by GRUB"
	@echo "make bench-delegation     delegated calls' round trips: spin, poll, doorbell"
	@echo "make bench-grading        how long grading each lab takes, warm and cold compiler cache"
	@echo "make mutate [LAB=N]       mutants of the labs' solutions, graded: how many the tests catch"
	@echo "make fuzz                 libFuzzer over both sides' message checks (FUZZ_RUNS=...)"
	@echo "make bochs SLAVE=1        boot with the Linux slave on the last CPU"
	@echo "make handout RELEASE=0,1  student release (withholds the other labs' solutions)"
	@echo "make handin LAB=N         pack your lab files for submission"
	@echo "make grade-handin LAB=N HANDIN=f.tar.gz   grade a submission against a pristine kit"
	@echo "make grade-all LAB=N HANDINS=dir/         grade every handin in a folder: CSV and histogram"
	@echo "make gradescope LAB=N     the Gradescope autograder zip of lab N: build/gradescope/labN.zip"
	@echo "make gradescope-check [LAB=N]   its run_autograder in a scratch /autograder layout (every lab)"
	@echo "make honesty [LAB=N]      every lab's tests fail without its solution, and each step's pass with it"
	@echo "make format               reformat the C and C++ sources with .clang-format (clang-format 14)"
	@echo "variables: SOLVED=all|none|0,1,... LAB=N ARGS='kernel options'"

deps:
	$(Q)tools/setup.sh all

kernel: $(KERNEL_ELF)

$(KERNEL_ELF): $(KERNEL_OBJS) kernel/kernel.ld
	@echo "  LD      $@"
	$(Q)$(CXX) $(KERNEL_CXXFLAGS) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS)

# PREBUILT=DIR: objects of earlier labs' solutions that the grader compiled outside the
# student's build (autograder/view.py): DIR/obj/<path>.o and DIR/appobj/<path>.o are linked in
# place of compiling <path>, so a graded build never sees those labs' solution sources.
PREBUILT ?=
prebuilt = $(if $(PREBUILT),$(wildcard $(PREBUILT)/$(1)/$(2).o))

# object_rule(dir, source, flags variable, label): one rule per source, so that a prebuilt
# object or a solved lab's overlay replaces the student file in $(BUILD)/dir/source.o.
define object_rule
ifneq ($(call prebuilt,$(1),$(2)),)
$(BUILD)/$(1)/$(2).o: $(call prebuilt,$(1),$(2))
	@mkdir -p $$(dir $$@)
	@echo "  PREBUILT $(2)$(4)"
	$(Q)cp $$< $$@
else
$(BUILD)/$(1)/$(2).o: $(call overlay,$(2))
	@mkdir -p $$(dir $$@)
	@echo "  CXX     $$<$(4)"
	$(Q)$(CXX) $($(3)) -c $$< -o $$@
endif
endef
$(foreach s,$(KERNEL_SRCS),$(eval $(call object_rule,obj,$(s),KERNEL_CXXFLAGS,)))
-include $(KERNEL_OBJS:.o=.d)
# A solution file that moved (a lab cut into steps) leaves dependency files naming its old
# path: a missing one only means its object is rebuilt.
solutions/%: ;

# ---- master applications (apps/): static ELF64 in ring 3, linked at 512 GiB ----
# An application is apps/NAME/*.cc and its test part, apps/NAME/test/*.cc (the checks that judge
# a run for the grader, e.g. the logger's lab 8 verdicts).
APPS := $(notdir $(patsubst %/,%,$(filter-out apps/lib/,$(sort $(dir $(wildcard apps/*/main.cc))))))
APP_LIB_SRCS := apps/lib/crt0.S apps/lib/vos.cc kernel/core/format.cc kernel/core/format_buffer.cc kernel/core/format_int.cc kernel/core/rt/latency_stats.cc
# -mcmodel=large: the code lives above 2 GiB.
APP_CXXFLAGS := $(filter-out -mcmodel=small,$(KERNEL_CXXFLAGS)) -mcmodel=large -Iapps/lib
APP_ELFS := $(patsubst %,$(BUILD)/apps/%.elf,$(APPS))

apps: $(APP_ELFS)

define app_rule
$(BUILD)/apps/$(1).elf: $(patsubst %,$(BUILD)/appobj/%.o,$(APP_LIB_SRCS) $(wildcard apps/$(1)/*.cc apps/$(1)/test/*.cc)) apps/lib/app.ld
	@mkdir -p $$(dir $$@)
	@echo "  LD      $$@"
	$(Q)$(CXX) $(APP_CXXFLAGS) -nostdlib -static -no-pie -Wl,--build-id=none -Wl,-z,max-page-size=4096 -T apps/lib/app.ld -o $$@ $$(filter %.o,$$^)
endef
$(foreach a,$(APPS),$(eval $(call app_rule,$(a))))

APP_LABEL := $() (app)
$(foreach s,$(sort $(APP_LIB_SRCS) $(wildcard apps/*/*.cc apps/*/test/*.cc)),$(eval $(call object_rule,appobj,$(s),APP_CXXFLAGS,$(APP_LABEL))))
-include $(shell find $(BUILD)/appobj -name '*.d' 2>/dev/null)

# ---- running ----
# APPS_RUN: master applications to start, ';'-separated "name args" (e.g. "rtlat loops=500;hello").
APPS_RUN ?=
APP_ARGS = $(foreach a,$(subst ;, ,$(subst $() ,+,$(APPS_RUN))),--app "$(subst +, ,$(a))")
RUN := python3 tools/run.py
ARGS ?=
# SLAVE=1: also boot the Linux slave on the last CPU (Bochs, or QEMU with KVM; make slave first).
SLAVE ?=
SLAVE_ARGS = $(if $(SLAVE),--slave)
# The slave's initramfs holds vlibosd built with this SOLVED set's overlays (lab 8's ring):
# rebuild it (seconds; the kernel is cached) whenever a run asks for the slave.
SLAVE_DEPS = $(if $(SLAVE),slave)

# ---- the Linux slave (lab 7): build/slave/bzImage and build/slave/initramfs.cpio ----
# The kernel is built once per config from Debian's linux-source-6.1 and cached in
# ~/.cache/vlibos (or $$VLIBOS_CACHE); the initramfs is rebuilt when its inputs change.
slave:
	$(Q)tools/setup.sh $(if $(wildcard slave/prebuilt/bzImage),slave,linux)
	$(Q)python3 tools/slave_build.py all --solved=$(SOLVED)

qemu: kernel apps $(SLAVE_DEPS)
	$(Q)tools/setup.sh emu
	$(Q)$(RUN) qemu --kernel $(KERNEL_ELF) --interactive --cmdline "$(ARGS)" $(APP_ARGS) $(SLAVE_ARGS)

qemu-gdb: kernel apps $(SLAVE_DEPS)
	$(Q)tools/setup.sh emu
	$(Q)$(RUN) qemu --kernel $(KERNEL_ELF) --interactive --gdb --cmdline "$(ARGS)" $(APP_ARGS)

gdb:
	$(Q)gdb -q -x .gdbinit

bochs: kernel apps $(SLAVE_DEPS)
	$(Q)tools/setup.sh emu
	$(Q)$(RUN) bochs --kernel $(KERNEL_ELF) --cmdline "exit=emu $(ARGS)" $(APP_ARGS) $(SLAVE_ARGS)

bochs-dbg: kernel apps $(SLAVE_DEPS)
	$(Q)tools/setup.sh emu
	$(Q)$(RUN) bochs --kernel $(KERNEL_ELF) --debugger --cmdline "$(ARGS)" $(APP_ARGS) $(SLAVE_ARGS)

iso: kernel apps $(SLAVE_DEPS)
	$(Q)tools/setup.sh emu
	$(Q)$(RUN) iso --kernel $(KERNEL_ELF) --hybrid --output $(BUILD)/vlibos.iso --cmdline "$(ARGS)" $(APP_ARGS) $(SLAVE_ARGS)

# ---- grading and tests ----
# grade: the student's files of lab LAB plus the solutions of earlier labs (SOLVED overrides).
GRADE_SOLVED = $(if $(filter command line,$(origin SOLVED)),--solved $(SOLVED),)

grade:
	@test -n "$(LAB)" || { echo "usage: make grade LAB=N [SOLVED=...]"; exit 2; }
	$(Q)tools/setup.sh emu
	$(Q)python3 autograder/grade.py $(LAB) $(GRADE_SOLVED)

honesty:
	$(Q)tools/setup.sh emu
	$(Q)python3 autograder/honesty.py $(LAB)

# mutate: seeded mutants of each hypervisor lab's solution (or of LAB's), graded until 40 per lab
# compiled.
MUTATE_LABS ?= 5 6 7 8
mutate:
	$(Q)tools/setup.sh emu
	$(Q)python3 autograder/mutate.py $(or $(LAB),$(MUTATE_LABS)) --sample 40 $(MUTATE_ARGS)

test:
	$(Q)python3 tools/test_all.py

format:
	$(Q)python3 tools/format.py

host-test:
	$(Q)tools/setup.sh base
	$(Q)cmake -S . -B build/host -DSOLVED=$(SOLVED) >/dev/null && cmake --build build/host -j2 && ctest --test-dir build/host --output-on-failure $(if $(LAB),-L lab$(LAB))

# ---- documentation: build/docs/html/index.html; any Doxygen warning fails the target ----
docs:
	$(Q)tools/setup.sh docs
	$(Q)doxygen docs/Doxyfile
	@echo "docs: build/docs/html/index.html"

# ---- the main job ----
DEMO_RTLAT := rtlat cpu=0 threads=2 period_us=10000 loops=500 bound_cycles=5000 hog
DEMO_SLAVE_RTLAT := rtlat cpu=0 threads=2 period_us=10000 loops=2500 bound_cycles=5000
DEMO_LOGGER := logger period_us=20000 samples=250 budget_pct=30
# Two slaves: files (and RUN) on slave 0, dedicated on CPU 2; sockets on slave 1, babysat on CPU 1
# (its callers run it: loopback's thread is on CPU 1).
DEMO_TWO_SLAVES := exit=emu slaves=2 slave_run=serve libos=doorbell,babysat libos_route=files:0,sockets:1
DEMO_TWO_RTLAT := rtlat cpu=0 threads=2 period_us=10000 loops=4000 bound_cycles=5000
demo: kernel apps
	$(Q)tools/setup.sh emu
	$(Q)tools/setup.sh linux
	$(Q)python3 tools/slave_build.py all --solved=$(SOLVED)
	@echo "==== vLibOS demo 1/4: the master kernel in QEMU (2 CPUs), running hello ===="
	$(Q)$(RUN) qemu --kernel $(KERNEL_ELF) --cmdline "exit=emu $(ARGS)" --timeout 60 --app hello
	@echo
	@echo "==== vLibOS demo 2/4: Bochs (2 CPUs, VMX, deterministic: cycles = instructions): the hypervisor"
	@echo "==== runs its test guests, hostile ones included; then rtlat's real-time threads keep their"
	@echo "==== deadlines next to a CPU hog while a program that dereferences NULL is killed ===="
	$(Q)$(RUN) bochs --kernel $(KERNEL_ELF) --cmdline "exit=emu guests=demo $(ARGS)" --timeout 180 --app "$(DEMO_RTLAT)" --app nullptr
	@echo
	@echo "==== vLibOS demo 3/4: Bochs: the master keeps CPU 0; an unmodified Linux 6.1 boots in VMX non-root"
	@echo "==== on CPU 1 to a busybox userspace and serves the master (vlibosd). On CPU 0, rtlat measures the"
	@echo "==== master's latency while the logger's real-time sampler takes a sample every 20 ms and its"
	@echo "==== writer thread logs them to a file in Linux through delegation, then reads the file back ===="
	$(Q)$(RUN) bochs --kernel $(KERNEL_ELF) --slave --cmdline "exit=emu slave_run=serve $(ARGS)" --timeout 300 --app "$(DEMO_SLAVE_RTLAT)" --app "$(DEMO_LOGGER)"
	@echo
	@echo "==== vLibOS demo 4/4: Bochs (3 CPUs): two Linux slaves, each in its own VM, serve different services"
	@echo "==== at once: files on slave 0 (its own CPU 2), sockets on slave 1 (babysat: it runs only inside"
	@echo "==== its callers' budgets on CPU 1); libos_route= sends each call to its slave. rtlat on CPU 0 ===="
	$(Q)$(RUN) bochs --cpus 3 --kernel $(KERNEL_ELF) --slave --cmdline "$(DEMO_TWO_SLAVES) $(ARGS)" --timeout 400 --app "$(DEMO_TWO_RTLAT)" --app "$(DEMO_LOGGER)" --app "loopback cpu=1"

bench: kernel apps
	$(Q)tools/setup.sh emu
	$(Q)python3 tools/bench.py --kernel $(KERNEL_ELF)

# libFuzzer over the channel's message checks (both sides); FUZZ_RUNS iterations per target.
FUZZ_RUNS ?= 2000000
fuzz:
	$(Q)tools/setup.sh base
	$(Q)python3 tools/fuzz.py --runs $(FUZZ_RUNS) --solved $(SOLVED)

# How long grading takes per lab, warm and cold compiler cache (wall seconds; docs/grading.md).
bench-grading: 
	$(Q)tools/setup.sh emu
	$(Q)python3 tools/grade_bench.py

# Delegated calls' round trips for each way of waiting (docs/delegation.md).
bench-delegation: kernel apps slave
	$(Q)tools/setup.sh emu
	$(Q)python3 tools/deleg_bench.py --kernel $(KERNEL_ELF)

# The Linux slave under the master against the same kernel booted by GRUB (docs/linux-slave.md).
bench-slave: kernel slave
	$(Q)tools/setup.sh emu
	$(Q)python3 tools/slave_bench.py --kernel $(KERNEL_ELF)

# ---- releases ----
RELEASE ?=
handout:
	$(Q)python3 tools/handout.py --release "$(RELEASE)"

handin:
	@test -n "$(LAB)" || { echo "usage: make handin LAB=N"; exit 2; }
	$(Q)python3 autograder/handin.py pack $(LAB)

grade-handin:
	@test -n "$(LAB)" -a -n "$(HANDIN)" || { echo "usage: make grade-handin LAB=N HANDIN=handin-labN.tar.gz"; exit 2; }
	$(Q)tools/setup.sh emu
	$(Q)python3 autograder/handin.py grade $(HANDIN) $(LAB)

# Every handin of a lab in a folder, graded one after another (two at a time), with a CSV and a
# score histogram.
grade-all:
	@test -n "$(LAB)" -a -n "$(HANDINS)" || { echo "usage: make grade-all LAB=N HANDINS=folder/"; exit 2; }
	$(Q)tools/setup.sh emu
	$(Q)python3 autograder/grade_all.py $(LAB) $(HANDINS)

# Gradescope: the autograder zip (setup.sh, run_autograder, the kit at git HEAD, the slave's
# kernel), and its run_autograder tried here in a scratch /autograder layout.
gradescope:
	@test -n "$(LAB)" || { echo "usage: make gradescope LAB=N"; exit 2; }
	$(Q)if python3 -c "import sys; sys.exit(0 if __import__('tomllib').load(open('autograder/labs/lab$(LAB).toml','rb')).get('target',{}).get('slave') else 1)"; then $(MAKE) -s slave; fi
	$(Q)python3 autograder/gradescope.py build $(LAB)

gradescope-check:
	$(Q)tools/setup.sh emu
	$(Q)$(MAKE) -s slave
	$(Q)for n in $(or $(LAB),$(shell ls autograder/labs | sed -n 's/^lab\([0-9]*\)\.toml$$/\1/p' | sort -n)); do \
	  python3 autograder/gradescope.py check $$n || exit 1; done

clean:
	rm -rf build results.json

# `make print-VAR` prints a variable (the grader asks which sources the applications share).
print-%:
	@echo $($*)
