// /bin/vlibos: runs the program its name (argv[0], or argv[1] after "vlibos") asks for.
#include "programs.h"

#include <cstdio>
#include <cstring>

namespace {
struct Program {
    const char* name;
    int (*main)(int, char**);
};
constexpr Program PROGRAMS[] = {
    {"vlibos-attack", attack_main},         {"vlibos-busy", busy_main},
    {"vlibos-cyclic", cyclic_main},         {"vlibos-fpucheck", fpucheck_main},
    {"vlibos-xsavecheck", xsavecheck_main}, {"vlibosd", vlibosd_main},
};
} // namespace

int main(int argc, char** argv) {
    const char* name = argc > 0 ? std::strrchr(argv[0], '/') : nullptr;
    name = name ? name + 1 : (argc > 0 ? argv[0] : "");
    if (std::strcmp(name, "vlibos") == 0 && argc > 1) { // "vlibos vlibos-busy 2"
        ++argv;
        --argc;
        name = argv[0];
    }
    for (const Program& p : PROGRAMS)
        if (std::strcmp(p.name, name) == 0) return p.main(argc, argv);
    std::fprintf(stderr, "vlibos: no program named '%s'; there are:", name);
    for (const Program& p : PROGRAMS)
        std::fprintf(stderr, " %s", p.name);
    std::fprintf(stderr, "\n");
    return 127;
}
